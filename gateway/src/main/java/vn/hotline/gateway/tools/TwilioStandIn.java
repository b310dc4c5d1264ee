package vn.hotline.gateway.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.w3c.dom.Element;
import vn.hotline.gateway.cli.Cli;
import vn.hotline.gateway.util.Json;

/**
 * A local stand-in for Twilio's REST API, for trying the follow-up on a laptop: the gateway is pointed at it with
 * {@code GATEWAY_TWILIO_API_BASE_URL}. It answers as Twilio does, checking HTTP Basic auth (the account SID in the
 * path and the auth token), and plays the rest:
 *
 * <ul>
 *   <li>{@code POST .../Calls.json} (a counsellor's "Call back"): 201 with a CA... SID, status queued; then, as
 *       Twilio would, rings the counsellor ({@code To}), posts the StatusCallback events, fetches the {@code Url},
 *       prints what the counsellor hears, presses 1, follows the TwiML to the {@code <Dial><Number>} of the child,
 *       plays the child's leg (a person, nobody, or an answering machine), posts the Dial's action and the final
 *       status. Every webhook is signed with X-Twilio-Signature as Twilio signs it.
 *   <li>{@code POST .../Messages.json} (an SMS sent through Twilio): 201 with an SM... SID, and the StatusCallback's
 *       sent and delivered.
 *   <li>{@code GET .../Recordings/RE...} (any suffix, or none; {@code .json} is the recording's description): a
 *       three-second tone as WAV (8 kHz, mono, 16-bit PCM); {@code DELETE} 204, after which the recording is 404.
 * </ul>
 *
 * Numbers are printed masked (the last three digits), as the test SMSC does.
 */
public final class TwilioStandIn implements AutoCloseable {
  /** What the child's phone does when the counsellor's call dials it. */
  public enum Child { ANSWERS, NO_ANSWER, MACHINE }

  /**
   * @param accountSid the only account accepted (null: any AC... SID, as long as Basic auth names the same one)
   * @param gateway where to send the webhooks (null: the URLs exactly as the gateway gave them); they are signed for
   *     the URLs the gateway gave in either case
   * @param ring how long a phone rings before it is answered (or rings out)
   */
  public record Config(String host, int port, String token, String accountSid, URI gateway, boolean counsellorAnswers,
      Child child, Duration ring) {}

  static final String API = "/2010-04-01/Accounts/";
  private static final Pattern ACCOUNT = Pattern.compile("AC[0-9a-fA-F]{32}");
  private static final Pattern PATH = Pattern.compile(
      "/2010-04-01/Accounts/([^/]+)/(Calls\\.json|Messages\\.json|Recordings/(RE[0-9a-fA-F]{32})(\\.[A-Za-z0-9]+)?)");
  /** The recording every RecordingSid stands for: three seconds of a 440 Hz tone. */
  static final byte[] TONE = tone(3, 440);

  private final Config cfg;
  private final Consumer<String> out;
  private final HttpServer server;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    var t = new Thread(r, "twilio-stand-in");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = TwilioPlay.client();
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sequence = new AtomicInteger();
  private volatile boolean counsellorAnswers;
  private volatile Child child;

  private TwilioStandIn(Config cfg, Consumer<String> out) {
    this.cfg = cfg;
    this.out = out;
    this.counsellorAnswers = cfg.counsellorAnswers();
    this.child = cfg.child();
    try {
      server = HttpServer.create(new InetSocketAddress(cfg.host(), cfg.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + cfg.host() + ":" + cfg.port(), e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(workers);
  }

  /** Starts listening; {@code out} gets one line per thing that happens. */
  public static TwilioStandIn start(Config cfg, Consumer<String> out) {
    var standIn = new TwilioStandIn(cfg, out);
    standIn.server.start();
    return standIn;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** What the gateway's GATEWAY_TWILIO_API_BASE_URL should be. */
  public String baseUrl() {
    return "http://" + (cfg.host().equals("0.0.0.0") ? "localhost" : cfg.host()) + ":" + port();
  }

  /** From the next call on: whether the counsellor answers, and what the child's phone does. */
  public void phones(boolean counsellorAnswers, Child child) {
    this.counsellorAnswers = counsellorAnswers;
    this.child = child;
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }

  // --- the REST API ---------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var body = exchange.getRequestBody().readNBytes(64 * 1024);
      var method = exchange.getRequestMethod();
      var path = exchange.getRequestURI().getRawPath();
      var m = PATH.matcher(path);
      if (!m.matches()) {
        out.accept("no such resource: " + method + " " + path + " (404)");
        error(exchange, 404, 20404, "The requested resource " + path + " was not found");
        return;
      }
      var account = m.group(1);
      if (!authorized(exchange, account)) {
        out.accept("refused " + method + " " + path + ": the Basic auth is not the account SID in the path and the"
            + " auth token given to the stand-in (401)");
        error(exchange, 401, 20003, "Authenticate");
        return;
      }
      if (m.group(3) != null) {
        recording(exchange, method, account, m.group(3), m.group(4) == null ? "" : m.group(4));
        return;
      }
      if (!method.equals("POST")) {
        error(exchange, 405, 20004, "Method not allowed");
        return;
      }
      var params = form(new String(body, StandardCharsets.UTF_8));
      if (m.group(2).equals("Calls.json")) {
        createCall(exchange, account, params);
      } else {
        createMessage(exchange, account, params);
      }
    } catch (RuntimeException e) {
      out.accept("stand-in failed on " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
          + ": " + Cli.words(e));
      exchange.sendResponseHeaders(500, -1);
    }
  }

  private boolean authorized(HttpExchange exchange, String account) {
    if (!ACCOUNT.matcher(account).matches() || (cfg.accountSid() != null && !cfg.accountSid().equals(account))) {
      return false;
    }
    var expected = "Basic " + Base64.getEncoder().encodeToString(
        (account + ":" + cfg.token()).getBytes(StandardCharsets.UTF_8));
    var given = exchange.getRequestHeaders().getFirst("Authorization");
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8));
  }

  private void createCall(HttpExchange exchange, String account, List<Map.Entry<String, String>> params)
      throws IOException {
    var to = first(params, "To");
    var from = first(params, "From");
    var url = first(params, "Url");
    if (to == null || from == null || url == null) {
      out.accept("refused Calls.create: To, From and Url are required (400)");
      error(exchange, 400, to == null ? 21201 : from == null ? 21213 : 21205,
          (to == null ? "To" : from == null ? "From" : "Url") + " parameter is required");
      return;
    }
    var sid = "CA" + TwilioPlay.hex(16);
    var json = resource(account, "Calls", sid);
    json.put("to", to).put("from", from).put("status", "queued").put("direction", "outbound-api");
    json.putNull("answered_by").putNull("duration").putNull("parent_call_sid");
    json(exchange, 201, json);
    out.accept("ringing the counsellor's phone " + TwilioPlay.mask(to) + " for task call " + callOf(url)
        + " (CallSid " + sid + ", from " + from + ")");
    var call = new Call(account, sid, to, from, url, first(params, "StatusCallback"),
        params.stream().filter(p -> p.getKey().equals("StatusCallbackEvent")).map(Map.Entry::getValue).toList());
    workers.execute(() -> {
      try {
        call.play();
      } catch (IOException | RuntimeException e) {
        out.accept("  call " + sid + " stopped: " + Cli.words(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private void createMessage(HttpExchange exchange, String account, List<Map.Entry<String, String>> params)
      throws IOException {
    var to = first(params, "To");
    var from = first(params, "From");
    var service = first(params, "MessagingServiceSid");
    var text = first(params, "Body");
    if (to == null || (from == null && service == null) || text == null) {
      out.accept("refused Messages.create: To, From (or MessagingServiceSid) and Body are required (400)");
      error(exchange, 400, to == null ? 21604 : text == null ? 21602 : 21603,
          (to == null ? "A 'To'" : text == null ? "Message body" : "A 'From'") + " parameter is required");
      return;
    }
    var sid = "SM" + TwilioPlay.hex(16);
    var json = resource(account, "Messages", sid);
    json.put("to", to).put("from", from).put("messaging_service_sid", service).put("body", text)
        .put("status", "queued").put("direction", "outbound-api").put("num_segments", "1");
    json(exchange, 201, json);
    out.accept("SMS to " + TwilioPlay.mask(to) + " from " + (from != null ? from : service) + ": " + text
        + " (MessageSid " + sid + ")");
    var callback = first(params, "StatusCallback");
    if (callback != null) {
      workers.execute(() -> {
        var p = new LinkedHashMap<String, String>();
        p.put("MessageSid", sid);
        p.put("SmsSid", sid);
        p.put("AccountSid", account);
        p.put("From", from != null ? from : service);
        p.put("To", to);
        p.put("ApiVersion", "2010-04-01");
        for (var status : List.of("sent", "delivered")) {
          p.put("MessageStatus", status);
          p.put("SmsStatus", status);
          try {
            var code = webhook(callback, p).statusCode();
            out.accept("  SMS " + sid + " " + status + " (status callback answered " + code + ")");
          } catch (IOException e) {
            out.accept("  SMS " + sid + ": its status callback failed: " + Cli.words(e));
            return;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      });
    }
  }

  private void recording(HttpExchange exchange, String method, String account, String sid, String suffix)
      throws IOException {
    if (method.equals("DELETE")) {
      if (deleted.add(sid)) {
        out.accept("deleted recording " + sid + " (204)");
        exchange.sendResponseHeaders(204, -1);
      } else {
        out.accept("DELETE of recording " + sid + ": deleted already (404)");
        error(exchange, 404, 20404, "The requested resource was not found");
      }
      return;
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      error(exchange, 405, 20004, "Method not allowed");
      return;
    }
    if (deleted.contains(sid)) {
      out.accept("GET of recording " + sid + ": deleted (404)");
      error(exchange, 404, 20404, "The requested resource was not found");
      return;
    }
    if (suffix.equals(".json")) {
      var json = resource(account, "Recordings", sid);
      json.put("duration", "3").put("channels", 1).put("status", "completed").put("source", "RecordVerb")
          .putNull("call_sid");
      json(exchange, 200, json);
      return;
    }
    out.accept("playing recording " + sid + " (a 3 s tone, audio/wav)");
    exchange.getResponseHeaders().add("Content-Type", "audio/wav");
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    exchange.sendResponseHeaders(200, TONE.length);
    exchange.getResponseBody().write(TONE);
  }

  // --- one call, played as Twilio plays it --------------------------------------------------------------------

  /** A call the gateway asked for: the counsellor's leg, then the child's leg its Dial rings. */
  private final class Call {
    private final String account;
    private final String sid;
    private final String to;
    private final String from;
    private final String url;
    private final String statusCallback;
    private final List<String> events;
    private final long started = System.nanoTime();
    private final boolean answers = counsellorAnswers;
    private final Child childDoes = child;

    Call(String account, String sid, String to, String from, String url, String statusCallback, List<String> events) {
      this.account = account;
      this.sid = sid;
      this.to = to;
      this.from = from;
      this.url = url;
      this.statusCallback = statusCallback;
      this.events = events;
    }

    void play() throws IOException, InterruptedException {
      Thread.sleep(cfg.ring().toMillis()); // the counsellor's phone rings
      if (!answers) {
        out.accept("  the counsellor's phone " + TwilioPlay.mask(to) + " rings out: no answer");
        status("no-answer", "completed");
        out.accept("call " + sid + " ended: no-answer");
        return;
      }
      out.accept("  the counsellor answers");
      status("in-progress", "answered");
      var at = URI.create(url);
      var response = fetch(at, Map.of());
      for (int documents = 0; documents < 20; documents++) {
        URI next = null;
        Map<String, String> nextParams = Map.of();
        for (var verb : TwilioPlay.verbs(response)) {
          switch (verb.getTagName()) {
            case "Say" -> out.accept("  (the counsellor hears) " + verb.getTextContent().trim());
            case "Gather" -> {
              for (var line : TwilioPlay.said(verb)) {
                out.accept("  (the counsellor hears) " + line);
              }
              out.accept("  (the counsellor presses 1)");
              next = at.resolve(verb.getAttribute("action"));
              nextParams = Map.of("Digits", "1");
            }
            case "Dial" -> {
              var dialled = dial(at, verb);
              if (!verb.getAttribute("action").isEmpty()) {
                next = at.resolve(verb.getAttribute("action"));
                nextParams = dialled;
              }
            }
            case "Redirect" -> next = at.resolve(verb.getTextContent().trim());
            case "Hangup" -> out.accept("  (the gateway hangs up)");
            case "Pause" -> { }
            default -> out.accept("  (ignoring <" + verb.getTagName() + ">)");
          }
          if (next != null || verb.getTagName().equals("Hangup")) {
            break;
          }
        }
        if (next == null) {
          break; // a Hangup, or a document that runs out of verbs: Twilio hangs up
        }
        at = next;
        response = fetch(at, nextParams);
      }
      status("completed", "completed");
      out.accept("call " + sid + " ended: completed");
    }

    /** The child's leg of a {@code <Dial>}: rung, and answered or not as --child says; the Dial action's params. */
    private Map<String, String> dial(URI at, Element dial) throws IOException, InterruptedException {
      var number = TwilioPlay.children(dial).stream().filter(e -> e.getTagName().equals("Number")).findFirst()
          .orElse(null);
      var callerId = dial.getAttribute("callerId").isEmpty() ? from : dial.getAttribute("callerId");
      var result = new LinkedHashMap<String, String>();
      var childSid = "CA" + TwilioPlay.hex(16);
      result.put("DialCallSid", childSid);
      if (number == null) {
        out.accept("  (a Dial with no Number: nothing to ring)");
        result.put("DialCallStatus", "failed");
        return result;
      }
      var child = number.getTextContent().trim();
      out.accept("  dialling the child " + TwilioPlay.mask(child) + " with caller ID " + callerId
          + (dial.hasAttribute("timeout") ? ", ringing up to " + dial.getAttribute("timeout") + " s" : ""));
      Thread.sleep(cfg.ring().toMillis());
      if (childDoes == Child.NO_ANSWER) {
        out.accept("  nobody answers the child's phone");
        result.put("DialCallStatus", "no-answer");
        return result;
      }
      out.accept(childDoes == Child.MACHINE ? "  an answering machine picks up the child's phone"
          : "  the child answers");
      if (!number.getAttribute("url").isEmpty()) {
        var leg = callParams(childSid, account, callerId, child, "in-progress", "outbound-dial");
        leg.put("ParentCallSid", sid);
        if (!number.getAttribute("machineDetection").isEmpty()) {
          leg.put("AnsweredBy", childDoes == Child.MACHINE ? "machine_start" : "human");
        }
        var onTheLeg = TwilioPlay.verbs(checked(webhook(at.resolve(number.getAttribute("url")).toString(), leg)));
        if (onTheLeg.stream().anyMatch(v -> v.getTagName().equals("Hangup"))) {
          out.accept("  (the gateway hangs up the child's leg" + (childDoes == Child.MACHINE ? " before the beep: no"
              + " message is left)" : ")"));
          result.put("DialCallStatus", "completed");
          result.put("DialCallDuration", "2");
          return result;
        }
      }
      out.accept("  (the counsellor and the child talk)");
      result.put("DialCallStatus", "completed");
      result.put("DialCallDuration", "120");
      return result;
    }

    /** Twilio asks the gateway for the TwiML at {@code url} on the counsellor's leg. */
    private String fetch(URI url, Map<String, String> extra) throws IOException, InterruptedException {
      return checked(webhook(url.toString(), leg("in-progress", extra)));
    }

    /** The StatusCallback for {@code event} (when the gateway asked for it), with {@code callStatus}. */
    private void status(String callStatus, String event) throws IOException, InterruptedException {
      if (statusCallback == null || !events.contains(event)) {
        return;
      }
      var extra = new LinkedHashMap<String, String>();
      extra.put("CallbackSource", "call-progress-events");
      extra.put("SequenceNumber", Integer.toString(sequence.getAndIncrement()));
      if (callStatus.equals("completed")) {
        extra.put("CallDuration", Long.toString(Duration.ofNanos(System.nanoTime() - started).toSeconds()));
      }
      var r = webhook(statusCallback, leg(callStatus, extra));
      if (r.statusCode() / 100 != 2) {
        out.accept("  status callback " + callStatus + " answered " + r.statusCode());
      }
    }

    private Map<String, String> leg(String callStatus, Map<String, String> extra) {
      var params = callParams(sid, account, from, to, callStatus, "outbound-api");
      params.putAll(extra);
      return params;
    }
  }

  /** What Twilio posts about a call, whichever leg. */
  private static Map<String, String> callParams(String callSid, String account, String from, String to,
      String callStatus, String direction) {
    var params = new LinkedHashMap<String, String>();
    params.put("CallSid", callSid);
    params.put("AccountSid", account);
    params.put("From", from);
    params.put("To", to);
    params.put("CallStatus", callStatus);
    params.put("Direction", direction);
    params.put("ApiVersion", "2010-04-01");
    return params;
  }

  /** A signed webhook to the gateway: signed for {@code url}, sent there or to the same path on --gateway. */
  private java.net.http.HttpResponse<String> webhook(String url, Map<String, String> params)
      throws IOException, InterruptedException {
    var signed = URI.create(url);
    var target = cfg.gateway() == null ? signed : URI.create(cfg.gateway().toString().replaceFirst("/+$", "")
        + signed.getRawPath() + (signed.getRawQuery() == null ? "" : "?" + signed.getRawQuery()));
    try {
      return TwilioPlay.post(http, target, url, cfg.token(), params);
    } catch (java.net.ConnectException e) {
      throw new IOException("nothing is listening at " + target.resolve("/") + " (is the gateway running? --gateway"
          + " says where it is when its public URL is not where it listens)");
    }
  }

  private static String checked(java.net.http.HttpResponse<String> r) throws IOException {
    if (r.statusCode() == 403) {
      throw new IOException("the gateway refused the signature (403): is the stand-in's --token the gateway's"
          + " auth token?");
    }
    if (r.statusCode() / 100 != 2) {
      throw new IOException(r.uri().getRawPath() + " answered " + r.statusCode());
    }
    return r.body();
  }

  // --- shared -------------------------------------------------------------------------------------------------

  private static ObjectNode resource(String account, String kind, String sid) {
    var json = Json.JSON.createObjectNode();
    json.put("sid", sid).put("account_sid", account).put("api_version", "2010-04-01")
        .put("uri", API + account + "/" + kind + "/" + sid + ".json");
    return json;
  }

  private static void json(HttpExchange exchange, int status, ObjectNode json) throws IOException {
    var bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static void error(HttpExchange exchange, int status, int code, String message) throws IOException {
    var json = Json.JSON.createObjectNode();
    json.put("code", code).put("message", message).put("more_info", "https://www.twilio.com/docs/errors/" + code)
        .put("status", status);
    json(exchange, status, json);
  }

  /** The form's parameters in order (a name repeated for a list). */
  private static List<Map.Entry<String, String>> form(String body) {
    var params = new ArrayList<Map.Entry<String, String>>();
    for (var pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      var kv = pair.split("=", 2);
      params.add(Map.entry(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : ""));
    }
    return params;
  }

  private static String first(List<Map.Entry<String, String>> params, String name) {
    return params.stream().filter(p -> p.getKey().equals(name)).map(Map.Entry::getValue).findFirst().orElse(null);
  }

  /** The gateway's id of the call (the Url's {@code call=}), or the Url's path when it has none. */
  private static String callOf(String url) {
    var m = Pattern.compile("[?&]call=([^&]+)").matcher(url);
    return m.find() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : URI.create(url).getPath();
  }

  /** {@code seconds} of a {@code hz} sine as a WAV file: 8 kHz, mono, 16-bit PCM, faded in and out. */
  static byte[] tone(int seconds, int hz) {
    int rate = 8000;
    int samples = rate * seconds;
    var pcm = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    int fade = rate / 20;
    for (int i = 0; i < samples; i++) {
      double envelope = Math.min(1.0, Math.min(i, samples - 1 - i) / (double) fade);
      pcm.putShort((short) Math.round(Math.sin(2 * Math.PI * hz * i / rate) * 0.3 * Short.MAX_VALUE * envelope));
    }
    var wav = new ByteArrayOutputStream();
    var header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 2)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples * 2);
    wav.writeBytes(header.array());
    wav.writeBytes(pcm.array());
    return wav.toByteArray();
  }
}
