package vn.hotline.gateway.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.w3c.dom.Element;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import vn.hotline.gateway.cli.Cli;

/**
 * Plays Twilio for a newcomer without a Twilio account: places a call to the gateway, signs every request
 * with the auth token as Twilio does, follows the TwiML (Gather actions, Redirects, Dial and Enqueue
 * callbacks, Record) and prints what the caller hears and where the call ends up.
 */
public final class CallSimulator {
  /** Where a simulated call ended. */
  public enum Ending { OPERATOR, VOICEMAIL, HUNG_UP_BY_GATEWAY, CALLER_HUNG_UP, FALLBACK, NO_ANSWER, REFUSED, TOO_LONG }

  /** What happened: where it ended, the reference read to the caller (if any), everything said. */
  public record Result(Ending ending, String reference, List<String> heard, boolean voicemailLeft, String callSid) {}

  private static final Pattern SPOKEN_REFERENCE = Pattern.compile("\\d(?:, \\d){5,}");
  private static final String HANGUP = "hangup";

  private final HttpClient http = TwilioPlay.client();
  private final URI target;
  private final URI signedBase;
  private final String token;
  private final PrintStream out;
  private final Supplier<String> keys;
  private final boolean operatorAnswers;
  private final int messageSeconds;
  private final int maxRequests;
  private final String from;
  private final String callSid = "CA" + hex(16);
  private final String accountSid = "AC" + hex(16);

  /**
   * @param keys what the caller presses at each Gather: digits, "" for silence, "hangup" to hang up
   * @param signedBase the gateway's public URL (what it checks signatures against)
   * @param from the caller's number, as Twilio sends it in From
   */
  public CallSimulator(URI target, URI signedBase, String token, PrintStream out, Supplier<String> keys,
      boolean operatorAnswers, int messageSeconds, int maxRequests, String from) {
    this.from = from;
    this.target = URI.create(target.toString().replaceFirst("/+$", ""));
    this.signedBase = URI.create(signedBase.toString().replaceFirst("/+$", ""));
    this.token = token;
    this.out = out;
    this.keys = keys;
    this.operatorAnswers = operatorAnswers;
    this.messageSeconds = messageSeconds;
    this.maxRequests = maxRequests;
  }

  /** Keys from a list, then silence once the list runs out. */
  public static Supplier<String> keys(List<String> list) {
    Deque<String> queue = new ArrayDeque<>(list);
    return () -> {
      var k = queue.poll();
      return k == null || k.equals("-") ? "" : k.trim();
    };
  }

  public Result run() throws IOException, InterruptedException {
    var heard = new ArrayList<String>();
    boolean voicemail = false;
    out.println("Calling " + target + " as Twilio (CallSid " + callSid + ")");
    var response = post("/twilio/voice/incoming", Map.of("CallStatus", "ringing"));
    Ending ending = null;
    for (int requests = 1; ending == null; requests++) {
      if (requests > maxRequests) {
        ending = Ending.TOO_LONG;
        break;
      }
      String next = null;
      Map<String, String> nextParams = Map.of();
      boolean hungUp = true; // Twilio hangs up when a document ends without a verb that moves on
      for (var verb : verbs(response)) {
        switch (verb.getTagName()) {
          case "Say" -> say(verb, heard);
          case "Pause" -> { }
          case "Gather" -> {
            for (var child : children(verb)) {
              if (child.getTagName().equals("Say")) {
                say(child, heard);
              }
            }
            var pressed = keys.get();
            if (pressed.equals(HANGUP)) {
              out.println("  (caller hangs up)");
              ending = Ending.CALLER_HUNG_UP;
            } else {
              out.println(pressed.isEmpty() ? "  (caller says nothing)" : "  (caller presses " + pressed + ")");
              next = verb.getAttribute("action");
              nextParams = Map.of("Digits", pressed);
            }
            hungUp = false;
          }
          case "Record" -> {
            out.println("  (beep: caller leaves a " + messageSeconds + " s message, max "
                + verb.getAttribute("maxLength") + " s)");
            if (messageSeconds > 0) {
              var rec = "RE" + hex(16);
              next = verb.getAttribute("action");
              nextParams = Map.of("RecordingSid", rec, "RecordingDuration", Integer.toString(messageSeconds),
                  "RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + accountSid + "/Recordings/" + rec);
              voicemail = true;
              hungUp = false;
            } else {
              continue; // nothing recorded: Twilio goes on to the next verb
            }
          }
          case "Redirect" -> {
            next = verb.getTextContent().trim();
            nextParams = Map.of();
            hungUp = false;
          }
          case "Dial" -> {
            var numbers = children(verb).stream().map(e -> e.getTextContent().trim()).toList();
            var action = verb.getAttribute("action");
            out.println("  (ringing " + numbers.size() + " operator phone(s) for up to "
                + (verb.hasAttribute("timeout") ? verb.getAttribute("timeout") : "30") + " s)");
            out.println(operatorAnswers ? "  (an operator answers: the caller is talking with a person)"
                : "  (nobody answers)");
            if (action.isEmpty()) {
              ending = operatorAnswers ? Ending.FALLBACK : Ending.NO_ANSWER;
            } else {
              if (operatorAnswers) {
                takeAtTheWhisper(children(verb).getFirst());
              }
              next = action;
              nextParams = operatorAnswers
                  ? Map.of("DialCallStatus", "completed", "DialCallDuration", "240")
                  : Map.of("DialCallStatus", "no-answer");
              if (operatorAnswers) {
                ending = Ending.OPERATOR; // the call may still go on (answered path) but a person was reached
              }
            }
            hungUp = false;
          }
          case "Enqueue" -> {
            out.println("  (waiting in operator queue '" + verb.getTextContent().trim() + "')");
            var result = "bridged";
            if (!operatorAnswers) {
              result = waitInQueue(verb.getAttribute("waitUrl"), heard);
              out.println("  (left the queue: nobody answered)");
            } else {
              out.println("  (an operator answers: the caller is talking with a person)");
              ending = Ending.OPERATOR;
            }
            next = verb.getAttribute("action");
            nextParams = Map.of("QueueResult", result, "QueueTime", "60");
            hungUp = false;
          }
          case "Hangup" -> {
            hungUp = true;
          }
          case "Reject" -> {
            out.println("  (busy signal: the gateway rejected the call)");
            ending = Ending.REFUSED;
          }
          default -> out.println("  (ignoring <" + verb.getTagName() + ">)");
        }
        if (next != null || ending != null || verb.getTagName().equals("Hangup")) {
          break;
        }
      }
      if (ending == Ending.OPERATOR && next != null) {
        response = post(next, nextParams); // let the flow hear how the handoff ended, then stop
        for (var verb : verbs(response)) {
          if (verb.getTagName().equals("Say")) {
            say(verb, heard);
          }
        }
        break;
      }
      if (ending != null) {
        break;
      }
      if (next == null || next.isEmpty()) {
        if (hungUp) {
          ending = voicemail ? Ending.VOICEMAIL : Ending.HUNG_UP_BY_GATEWAY;
        }
        break;
      }
      response = post(next, nextParams);
    }
    if (ending == null) {
      ending = voicemail ? Ending.VOICEMAIL : Ending.HUNG_UP_BY_GATEWAY;
    }
    post("/twilio/voice/status", ending == Ending.REFUSED ? Map.of("CallStatus", "busy")
        : Map.of("CallStatus", "completed", "CallDuration", "180"));
    String reference = null;
    for (var line : heard) {
      var m = SPOKEN_REFERENCE.matcher(line);
      while (m.find()) {
        reference = m.group().replace(", ", "");
      }
    }
    out.println("Call ended: " + describe(ending, voicemail)
        + (reference != null ? "; reference number " + reference : "; no reference number was read"));
    return new Result(ending, reference, heard, voicemail, callSid);
  }

  /**
   * The first counsellor's phone picks up: Twilio asks the Number's url what they hear (the whisper) on the
   * counsellor's own leg, and the counsellor presses 1 to take the call.
   */
  private void takeAtTheWhisper(Element number) throws IOException, InterruptedException {
    var url = number.getAttribute("url");
    if (url.isEmpty()) {
      return;
    }
    var leg = Map.of("CallSid", "CA" + hex(16), "ParentCallSid", callSid, "To", number.getTextContent().trim(),
        "Direction", "outbound-dial");
    for (var verb : verbs(post(url, leg))) {
      if (verb.getTagName().equals("Gather")) {
        for (var line : TwilioPlay.said(verb)) {
          out.println("  (the counsellor hears) " + line);
        }
        out.println("  (the counsellor presses 1)");
        var withKey = new LinkedHashMap<>(leg);
        withKey.put("Digits", "1");
        post(verb.getAttribute("action"), withKey);
        return;
      }
    }
  }

  private String waitInQueue(String waitUrl, List<String> heard) throws IOException, InterruptedException {
    if (waitUrl == null || waitUrl.isEmpty()) {
      return "leave";
    }
    for (int seconds = 0; seconds <= 3600; seconds += 30) {
      var hold = post(waitUrl, Map.of("QueueTime", Integer.toString(seconds), "QueuePosition", "1"));
      for (var verb : verbs(hold)) {
        if (verb.getTagName().equals("Leave")) {
          return "leave";
        }
        if (verb.getTagName().equals("Say") && seconds == 0) {
          say(verb, heard);
        }
      }
    }
    return "leave";
  }

  private static String describe(Ending e, boolean voicemail) {
    return switch (e) {
      case OPERATOR -> "connected to an operator";
      case VOICEMAIL -> "voice message recorded, then the gateway hung up";
      case HUNG_UP_BY_GATEWAY -> voicemail ? "voice message recorded" : "the gateway hung up";
      case CALLER_HUNG_UP -> "the caller hung up";
      case FALLBACK -> "sent to the fallback number (the gateway could not run the flow)";
      case NO_ANSWER -> "dialled the fallback number; nobody answered";
      case REFUSED -> "rejected with a busy signal (this number is over limits.calls_per_minute)";
      case TOO_LONG -> "stopped: too many steps";
    };
  }

  private void say(Element say, List<String> heard) {
    var text = say.getTextContent().trim();
    var lang = say.getAttribute("language");
    heard.add(text);
    out.println("  [" + (lang.isEmpty() ? "?" : lang) + "] " + text);
  }

  private String post(String pathOrUrl, Map<String, String> extra) throws IOException, InterruptedException {
    var path = pathOrUrl.startsWith("http") ? URI.create(pathOrUrl).getRawPath()
        + (URI.create(pathOrUrl).getRawQuery() == null ? "" : "?" + URI.create(pathOrUrl).getRawQuery()) : pathOrUrl;
    var params = new LinkedHashMap<String, String>();
    params.put("CallSid", callSid);
    params.put("AccountSid", accountSid);
    params.put("From", from);
    params.put("To", "111");
    params.put("Direction", "inbound");
    params.put("ApiVersion", "2010-04-01");
    params.putIfAbsent("CallStatus", "in-progress");
    params.putAll(extra);
    HttpResponse<String> response;
    try {
      response = TwilioPlay.post(http, URI.create(target + path), signedBase + path, token, params);
    } catch (java.net.http.HttpTimeoutException e) {
      throw new IOException("the gateway at " + target + " did not answer POST " + path + " within 20 s");
    } catch (java.net.ConnectException e) {
      throw new IOException(nothingListening(target) + " (it stopped answering during the call)");
    } catch (IOException e) {
      throw new IOException("talking to the gateway at " + target + " failed: " + Cli.words(e));
    }
    if (response.statusCode() == 403) {
      throw new IOException("the gateway refused the signature (403): check --token, and that --public-url "
          + "matches the gateway's GATEWAY_PUBLIC_URL (" + signedBase + ")");
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Twilio's signature: HMAC-SHA1 over the URL and the POST parameters sorted by name, base64. */
  public static String sign(String token, String url, Map<String, String> params) {
    return TwilioPlay.sign(token, url, params);
  }

  private static List<Element> verbs(String xml) throws IOException {
    return TwilioPlay.verbs(xml);
  }

  private static List<Element> children(Element e) {
    return TwilioPlay.children(e);
  }

  private static String hex(int bytes) {
    return TwilioPlay.hex(bytes);
  }

  /** The sentence for a gateway URL where nothing answers. */
  static String nothingListening(URI gateway) {
    return "nothing is listening at " + gateway.toString().replaceFirst("/+$", "") + ": is `serve` running"
        + " (java -jar gateway/target/hotline-gateway.jar serve), and on that port? Give its URL with --to";
  }

  /**
   * Waits until something answers HTTP at {@code gateway}/health/live (the gateway may still be starting when a
   * newcomer runs {@code serve &} and the simulator at once). True when it answered within {@code wait}.
   */
  static boolean awaitGateway(URI gateway, Duration wait, PrintStream out) throws InterruptedException {
    var base = gateway.toString().replaceFirst("/+$", "");
    var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1))
        .build();
    URI live;
    try {
      live = URI.create(base + "/health/live");
    } catch (IllegalArgumentException e) {
      return false;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    boolean told = false;
    while (true) {
      try {
        client.send(HttpRequest.newBuilder(live).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        return true; // any HTTP answer: something listens; what it says to the call is told later
      } catch (IOException e) {
        if (System.nanoTime() - deadline >= 0) {
          return false;
        }
        if (!told) {
          out.println("Waiting up to " + wait.toSeconds() + " s for the gateway at " + base + " to start...");
          out.flush();
          told = true;
        }
        Thread.sleep(250);
      }
    }
  }

  @CommandLine.Command(name = "simulate-call", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar simulate-call --digits 1,2,1",
          "  java -jar gateway/target/hotline-gateway.jar simulate-call --to http://localhost:8090 --data-dir ./data/8090 --digits 2,1"
          + " --operator answers"},
      description = "Play Twilio: call the gateway, follow its TwiML, print what the caller hears and where the call ends.")
  public static final class Command implements Callable<Integer> {
    @Option(names = "--to", defaultValue = "http://localhost:8080", description = "Gateway base URL (default ${DEFAULT-VALUE})")
    URI to;

    @Option(names = "--digits", split = ",", description = "Keys for each menu in turn, e.g. 1,2,1; '-' is silence, 'hangup' hangs up")
    List<String> digits;

    @Option(names = "--interactive", description = "Read the keys for each menu from the terminal")
    boolean interactive;

    @Option(names = "--operator", defaultValue = "no-answer", description = "answers | no-answer (default ${DEFAULT-VALUE})")
    String operator;

    @Option(names = "--message-seconds", defaultValue = "20", description = "Length of the voice message left (0: none)")
    int messageSeconds;

    @Option(names = "--token", description = "Twilio auth token (default: TWILIO_AUTH_TOKEN, else the dev token in the data dir)")
    String token;

    @Option(names = "--public-url", description = "URL the gateway checks signatures against (default: --to)")
    URI publicUrl;

    @Option(names = "--data-dir", description = "Where the dev token is (default: GATEWAY_DATA_DIR or ./data)")
    Path dataDir;

    @Option(names = "--from", defaultValue = "+84900000000",
        description = "Caller number sent as From (default ${DEFAULT-VALUE}); the same number links repeat contacts")
    String from;

    @Option(names = "--wait-seconds", defaultValue = "10",
        description = "Wait up to this long for the gateway to answer /health/live before calling, e.g. while"
            + " `serve` is still starting (default ${DEFAULT-VALUE}; 0: do not wait)")
    int waitSeconds;

    private final PrintStream out;
    private final PrintStream err;

    public Command() {
      this(System.out, System.err);
    }

    /** For tests: where to print. */
    Command(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Override
    public Integer call() throws Exception {
      Cli.quietLogs();
      if (!operator.equals("answers") && !operator.equals("no-answer")) {
        err.println("simulate-call: --operator must be answers or no-answer, not " + operator);
        return 2;
      }
      if (waitSeconds < 0) {
        err.println("simulate-call: --wait-seconds must be 0 or more, not " + waitSeconds);
        return 2;
      }
      if (!awaitGateway(to, Duration.ofSeconds(waitSeconds), out)) {
        err.println("simulate-call: " + nothingListening(to)
            + (waitSeconds > 0 ? " (waited " + waitSeconds + " s)" : ""));
        return 1;
      }
      String secret;
      try {
        secret = TwilioPlay.authToken(token, dataDir, System.getenv());
      } catch (TwilioPlay.NoToken e) {
        err.println("simulate-call: " + e.getMessage());
        return 2;
      }
      Supplier<String> keys;
      if (interactive) {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        keys = () -> {
          out.print("  keys (Enter = silence, 'hangup' = hang up)> ");
          out.flush();
          try {
            var line = in.readLine();
            return line == null ? HANGUP : line.trim();
          } catch (IOException e) {
            return HANGUP;
          }
        };
      } else {
        keys = keys(digits == null ? List.of() : digits);
      }
      try {
        var sim = new CallSimulator(to, publicUrl != null ? publicUrl : to, secret, out, keys,
            operator.equals("answers"), messageSeconds, 200, from);
        var result = sim.run();
        return result.ending() == Ending.TOO_LONG || result.ending() == Ending.REFUSED ? 1 : 0;
      } catch (IOException e) {
        err.println("simulate-call: " + Cli.words(e));
        return 1;
      } catch (RuntimeException e) {
        err.println("simulate-call: the call could not be played: " + Cli.words(e));
        return 1;
      }
    }
  }
}
