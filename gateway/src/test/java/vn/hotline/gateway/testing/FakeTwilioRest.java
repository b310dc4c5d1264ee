package vn.hotline.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for Twilio's REST API: Messages.json and Calls.json (records each request and answers 201 with a SID,
 * SM... for a message, CA... for a call, or with the status a test asked for), and Recordings:
 * {@code GET .../Recordings/{sid}.mp3} answers the audio of {@link #AUDIO} (audio/mpeg) for a recording not deleted,
 * {@code DELETE .../Recordings/{sid}.json} answers 204 (or the status {@link #failDeletes} asks for) and forgets it.
 * Every request is recorded exactly: method, path, Authorization header, the form's parameters in order.
 */
public final class FakeTwilioRest implements AutoCloseable {
  /**
   * One request the gateway made: {@code form} by name (a repeated name: its last value), {@code params} every
   * name=value in the order sent, {@code sid} what this stand-in answered (null when it refused).
   */
  public record Sent(String path, String authorization, Map<String, String> form, List<Map.Entry<String, String>> params,
      String sid) {
    public boolean isCall() {
      return path.endsWith("/Calls.json");
    }

    public boolean isMessage() {
      return path.endsWith("/Messages.json");
    }
  }

  /** One request the gateway made, whatever it was. */
  public record Request(String method, String path, String authorization) {}

  /**
   * A second of silence as MP3 (MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: 38 frames of 417 bytes whose side
   * information and main data are zero), which a browser decodes: what the stand-in serves as every recording.
   */
  public static final byte[] AUDIO = silentMp3(38);

  private final HttpServer server;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicInteger failDeletes = new java.util.concurrent.atomic.AtomicInteger();
  private volatile int failDeleteStatus = 500;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private volatile CountDownLatch answerWhen = new CountDownLatch(0);
  private volatile int refuseWith = 201;

  public FakeTwilioRest() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/2010-04-01/Accounts/", exchange -> {
      var path = exchange.getRequestURI().getPath();
      var method = exchange.getRequestMethod();
      requests.add(new Request(method, path, exchange.getRequestHeaders().getFirst("Authorization")));
      var recording = java.util.regex.Pattern.compile("/2010-04-01/Accounts/[^/]+/Recordings/(RE[0-9a-fA-F]{32})(\\.[a-z0-9]+)?")
          .matcher(path);
      if (recording.matches()) {
        recording(exchange, method, recording.group(1));
        return;
      }
      var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      var form = new HashMap<String, String>();
      var params = new ArrayList<Map.Entry<String, String>>();
      for (var pair : body.split("&")) {
        var kv = pair.split("=", 2);
        var name = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
        var value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
        form.put(name, value);
        params.add(Map.entry(name, value));
      }
      int status = refuseWith;
      var sid = status != 201 ? null : path.endsWith("/Calls.json") ? FakeTwilio.newCallSid()
          : "SM" + FakeTwilio.newCallSid().substring(2);
      sent.add(new Sent(path, exchange.getRequestHeaders().getFirst("Authorization"), form, List.copyOf(params), sid));
      try {
        answerWhen.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      var answer = (sid == null ? "{\"code\":21211,\"message\":\"refused\",\"status\":" + status + "}"
          : "{\"sid\":\"" + sid + "\",\"status\":\"queued\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.setExecutor(pool);
    server.start();
  }

  private void recording(com.sun.net.httpserver.HttpExchange exchange, String method, String sid) throws IOException {
    exchange.getRequestBody().readAllBytes();
    if (!expectedAuthorization().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      answer(exchange, 401, "application/json", "{\"code\":20003,\"message\":\"Authenticate\"}".getBytes(StandardCharsets.UTF_8));
    } else if (method.equals("DELETE")) {
      if (failDeletes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        answer(exchange, failDeleteStatus, "application/json", "{\"message\":\"failed\"}".getBytes(StandardCharsets.UTF_8));
      } else if (deleted.add(sid)) {
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      } else {
        answer(exchange, 404, "application/json", "{\"code\":20404}".getBytes(StandardCharsets.UTF_8));
      }
    } else if (method.equals("GET") && !deleted.contains(sid)) {
      answer(exchange, 200, "audio/mpeg", AUDIO);
    } else {
      answer(exchange, 404, "application/json", "{\"code\":20404}".getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** The Authorization header Twilio expects of the gateway under test: Basic, account SID and the auth token. */
  public static String expectedAuthorization() {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((ACCOUNT + ":" + RunningGateway.TOKEN)
        .getBytes(StandardCharsets.UTF_8));
  }

  /** The next {@code times} DELETEs of a recording answer {@code status} (and delete nothing). */
  public void failDeletes(int times, int status) {
    failDeleteStatus = status;
    failDeletes.set(times);
  }

  /** Every request so far, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The recordings deleted here. */
  public java.util.Set<String> deletedRecordings() {
    return java.util.Set.copyOf(deleted);
  }

  private static byte[] silentMp3(int frames) {
    var out = new byte[frames * 417];
    for (int f = 0; f < frames; f++) {
      int at = f * 417;
      out[at] = (byte) 0xFF;
      out[at + 1] = (byte) 0xFB; // MPEG-1, Layer III, no CRC
      out[at + 2] = (byte) 0x90; // 128 kbit/s, 44.1 kHz, no padding
      out[at + 3] = (byte) 0xC4; // mono, original
    }
    return out;
  }

  /** From now on each message is recorded at once but answered only when the returned latch is counted down. */
  public CountDownLatch holdAnswers() {
    var latch = new CountDownLatch(1);
    answerWhen = latch;
    return latch;
  }

  /** From now on every request is answered with {@code status} (e.g. 400, as Twilio refuses a bad number); 201: accept. */
  public void answerWith(int status) {
    refuseWith = status;
  }

  /** Forgets the requests recorded so far. */
  public void clear() {
    sent.clear();
  }

  /** The Calls.create requests so far. */
  public List<Sent> calls() {
    return sent().stream().filter(Sent::isCall).toList();
  }

  /** The account the gateway under test sends as. */
  public static final String ACCOUNT = "AC" + "0123456789abcdef".repeat(2);
  /** The number (sms_from) the gateway under test sends from. */
  public static final String SMS_FROM = "+84111000111";

  /** The settings that make a gateway send its REST SMS here, with {@code extra} settings added. */
  public Map<String, String> gatewaySettings(Map<String, String> extra) {
    var settings = new HashMap<String, String>(extra);
    settings.put("TWILIO_ACCOUNT_SID", ACCOUNT);
    settings.put("GATEWAY_TWILIO_API_BASE_URL", baseUrl());
    settings.put("GATEWAY_TWILIO_SMS_FROM", SMS_FROM);
    return Map.copyOf(settings);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  @Override
  public void close() {
    answerWhen.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
