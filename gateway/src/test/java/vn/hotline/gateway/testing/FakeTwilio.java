package vn.hotline.gateway.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Plays Twilio's side of calls against a gateway over real HTTP, signing every request as Twilio does. */
public final class FakeTwilio {
  public static final String CALLER = "+84912345678";
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token;

  public FakeTwilio(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  public static String newCallSid() {
    var b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return "CA" + HexFormat.of().formatHex(b);
  }

  public Call call() {
    return new Call(newCallSid());
  }

  public Call call(String sid) {
    return new Call(sid);
  }

  /**
   * A child in danger calls (ivr-flows/hotline-111.yaml: "1" Vietnamese, "1" danger now), an operator answers
   * and the call ends: an urgent report. Returns the call, for its sid.
   */
  public Call dangerCallAnswered() {
    var call = call();
    call.dialEnded(call.dangerNow(), "completed");
    call.status("completed");
    return call;
  }

  /** One phone call's callbacks. */
  public final class Call {
    public final String sid;

    Call(String sid) {
      this.sid = sid;
    }

    public Twiml incoming() {
      return post("/twilio/voice/incoming", Map.of("CallStatus", "ringing"));
    }

    /** Keys pressed at the Gather of {@code at} ("" for silence). */
    public Twiml press(Twiml at, String digits) {
      return post(at.actionOf("Gather"), Map.of("Digits", digits));
    }

    /**
     * Speech at the Gather of {@code at}, as Twilio posts it after recognising it: SpeechResult and Confidence
     * (0 to 1), no Digits.
     */
    public Twiml say(Twiml at, String speech, double confidence) {
      return post(at.actionOf("Gather"), Map.of("SpeechResult", speech, "Confidence", Double.toString(confidence)));
    }

    /**
     * Rings and presses "1" (Vietnamese) then "1" (danger now) on the voice menu: the danger handoff, a Dial to
     * the operators (or a Record when they are closed).
     */
    public Twiml dangerNow() {
      return press(press(incoming(), "1"), "1");
    }

    /**
     * Answers the safety question at {@code at} ("is it safe for us to call this number back?", asked when no
     * counsellor answered, before the voicemail): 1, yes. The voicemail's Record follows.
     */
    public Twiml callbackSafe(Twiml at) {
      return press(at, "1");
    }

    /** Answers the safety question with 2: not safe. The reference and when to call again follow, then a hang-up. */
    public Twiml callbackNotSafe(Twiml at) {
      return press(at, "2");
    }

    public Twiml silence(Twiml at) {
      return press(at, "");
    }

    /** A voice message of {@code seconds} left at the Record of {@code at}; 0 means nothing was said. */
    public Twiml record(Twiml at, int seconds) {
      if (seconds == 0) {
        return post(at.actionOf("Redirect"), Map.of());
      }
      var rec = "RE" + newCallSid().substring(2);
      return post(at.actionOf("Record"), Map.of("RecordingSid", rec, "RecordingDuration", Integer.toString(seconds),
          "RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC00/Recordings/" + rec));
    }

    /**
     * How the Dial at {@code at} ended: completed (an operator talked) or no-answer, busy, failed. A completed Dial
     * whose numbers carry the whisper means a counsellor took the call by pressing 1, as with Twilio: the first
     * number's leg picks up and presses 1 before the Dial's end is posted.
     */
    public Twiml dialEnded(Twiml at, String dialCallStatus) {
      if (("completed".equals(dialCallStatus) || "answered".equals(dialCallStatus)) && !at.whisperUrls().isEmpty()) {
        var leg = leg(at, 0);
        var taken = leg.press(leg.pickUp(), "1");
        if (taken.status() != 200 || !taken.verbs().isEmpty()) {
          throw new AssertionError("the counsellor's 1 did not connect the call: " + taken.body());
        }
      }
      return dialEndedWithoutKey(at, dialCallStatus);
    }

    /** The Dial's end as Twilio posts it, with nobody having pressed anything at a whisper. */
    public Twiml dialEndedWithoutKey(Twiml at, String dialCallStatus) {
      return post(at.actionOf("Dial"), Map.of("DialCallStatus", dialCallStatus));
    }

    /** The phone of the {@code index}-th number the Dial at {@code dial} rings (a counsellor's leg of this call). */
    public Leg leg(Twiml dial, int index) {
      return new Leg(this, dial.dialled().get(index), dial.whisperUrls().get(index));
    }

    public Twiml status(String callStatus) {
      return post("/twilio/voice/status", Map.of("CallStatus", callStatus, "CallDuration", "60"));
    }

    public Twiml post(String pathOrUrl, Map<String, String> extra) {
      PersonalData.used(CALLER, extra.get("From"));
      var params = new LinkedHashMap<String, String>();
      params.put("CallSid", sid);
      params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
      params.put("From", CALLER);
      params.put("To", "+84111");
      params.put("CallStatus", "in-progress");
      params.put("Direction", "inbound");
      params.putAll(extra);
      return signedPost(pathOrUrl, params);
    }
  }

  /**
   * A counsellor's leg of a call: Twilio dialled {@code number} for the call and, once it is picked up, asks the
   * Number's url what the counsellor hears (CallSid: the leg's own; ParentCallSid: the child's call).
   */
  public final class Leg {
    public final String sid = newCallSid();
    public final Call call;
    public final String number;
    public final String whisperUrl;

    Leg(Call call, String number, String whisperUrl) {
      this.call = call;
      this.number = number;
      this.whisperUrl = whisperUrl;
    }

    /** The counsellor picks up: the whisper (a Gather to press 1 at, or a Hangup). */
    public Twiml pickUp() {
      return post(whisperUrl, Map.of());
    }

    /** Keys the counsellor pressed at the whisper's Gather ("" for none). */
    public Twiml press(Twiml whisper, String digits) {
      return post(whisper.actionOf("Gather"), Map.of("Digits", digits));
    }

    public Twiml post(String pathOrUrl, Map<String, String> extra) {
      var params = new LinkedHashMap<String, String>();
      params.put("CallSid", sid);
      params.put("ParentCallSid", call.sid);
      params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
      params.put("From", CALLER);
      params.put("To", number);
      params.put("CallStatus", "in-progress");
      params.put("Direction", "outbound-dial");
      params.putAll(extra);
      return signedPost(pathOrUrl, params);
    }
  }

  /**
   * A call the gateway asked for through the REST API (Calls.create): {@code sid} is what Twilio answered, {@code from}
   * and {@code to} the request's From and To. Twilio asks the request's Url once {@code to} picks up, and posts the
   * call's progress to its StatusCallback; both URLs are the absolute ones the gateway sent.
   */
  public Outbound outbound(String sid, String from, String to) {
    PersonalData.used(to);
    return new Outbound(sid, from, to);
  }

  /** One REST-created call's callbacks (Direction outbound-api), and the Dial it makes. */
  public final class Outbound {
    public final String sid;
    public final String from;
    public final String to;
    /** The SID of the leg its Dial rings (the dialled party's own call). */
    public final String dialledSid = newCallSid();

    Outbound(String sid, String from, String to) {
      this.sid = sid;
      this.from = from;
      this.to = to;
    }

    /** {@code to} picked up: the request's Url (absolute), answered with TwiML. */
    public Twiml answered(String url) {
      return post(url, Map.of("CallStatus", "in-progress"));
    }

    /** Keys pressed at the Gather of {@code at}. */
    public Twiml press(Twiml at, String digits) {
      return post(at.actionOf("Gather"), Map.of("Digits", digits));
    }

    /**
     * The party the Dial at {@code dial} rings picked up: Twilio asks its Number's url, after answering-machine
     * detection when the Number asks for it ({@code answeredBy}: human, machine_start, fax, unknown; null: none).
     */
    public Twiml dialledPickedUp(Twiml dial, String answeredBy) {
      var params = new LinkedHashMap<String, String>();
      params.put("CallSid", dialledSid);
      params.put("ParentCallSid", sid);
      params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
      params.put("From", from);
      params.put("To", dial.dialled().getFirst());
      params.put("CallStatus", "in-progress");
      params.put("Direction", "outbound-dial");
      if (answeredBy != null) {
        params.put("AnsweredBy", answeredBy);
      }
      return signedPost(relative(dial.whisperUrls().getFirst()), params);
    }

    /** How the Dial at {@code dial} ended, posted to its action: completed, answered, no-answer, busy, failed. */
    public Twiml dialEnded(Twiml dial, String dialCallStatus) {
      return post(dial.actionOf("Dial"), Map.of("DialCallStatus", dialCallStatus, "DialCallSid", dialledSid));
    }

    /** The call's StatusCallback (absolute, as sent to Calls.create) with {@code callStatus}. */
    public Twiml status(String statusCallback, String callStatus) {
      return post(statusCallback, Map.of("CallStatus", callStatus, "CallbackSource", "call-progress-events"));
    }

    public Twiml post(String pathOrUrl, Map<String, String> extra) {
      var params = new LinkedHashMap<String, String>();
      params.put("CallSid", sid);
      params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
      params.put("From", from);
      params.put("To", to);
      params.put("CallStatus", "in-progress");
      params.put("Direction", "outbound-api");
      params.putAll(extra);
      return signedPost(relative(pathOrUrl), params);
    }
  }

  /** A URL of this gateway as a path (an absolute one must be under the base). */
  public String relative(String pathOrUrl) {
    if (pathOrUrl.startsWith("/")) {
      return pathOrUrl;
    }
    if (!pathOrUrl.startsWith(base.toString())) {
      throw new AssertionError(pathOrUrl + " is not a URL of the gateway at " + base);
    }
    return pathOrUrl.substring(base.toString().length());
  }

  /** An SMS from {@code from} to the hotline, as Twilio Messaging posts it; a fresh MessageSid each time. */
  public Twiml sms(String from, String body) {
    return sms(newMessageSid(), from, body);
  }

  public Twiml sms(String messageSid, String from, String body) {
    PersonalData.used(from, body);
    var params = new LinkedHashMap<String, String>();
    params.put("MessageSid", messageSid);
    params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    params.put("From", from);
    params.put("To", "+84111");
    params.put("Body", body);
    params.put("NumMedia", "0");
    return signedPost("/twilio/sms/incoming", params);
  }

  public static String newMessageSid() {
    return "SM" + newCallSid().substring(2);
  }

  /** POSTs form parameters with a correct signature for {@code base + path}. */
  public Twiml signedPost(String path, Map<String, String> params) {
    return rawPost(path, params, TwilioSigner.sign(token, base + path, params), "application/x-www-form-urlencoded");
  }

  /** POSTs with whatever signature the test gives (null: no header). */
  public Twiml rawPost(String path, Map<String, String> params, String signature, String contentType) {
    var body = new StringBuilder();
    params.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&")
        .append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return rawPost(path, body.toString(), signature, contentType);
  }

  public Twiml rawPost(String path, String body, String signature, String contentType) {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (signature != null) {
      b.header("X-Twilio-Signature", signature);
    }
    long start = System.nanoTime();
    try {
      var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return Twiml.parse(r.statusCode(), r.body(), Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new AssertionError("POST " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public HttpResponse<String> get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
