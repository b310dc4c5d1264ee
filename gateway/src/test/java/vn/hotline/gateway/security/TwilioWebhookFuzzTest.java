package vn.hotline.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.testing.Twiml;

/**
 * Twilio's public webhooks (voice, SMS, a counsellor's callback) under random requests against a real gateway on
 * H2: random, oversized and malformed form bodies (wrong or missing content types, broken percent-encoding, huge
 * fields, missing and repeated fields), signed as Twilio signs and unsigned or forged. Whatever comes, no answer is a
 * server error (the answer to a failure inside is the fallback TwiML, a 200), a forged request stores nothing, and
 * after each property a real call is still answered with the menu. Bounded: 250 requests and a few calls, some seconds.
 */
class TwilioWebhookFuzzTest {
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final List<String> PATHS = List.of("/twilio/voice/incoming", "/twilio/voice/step/choose-language?seq=0",
      "/twilio/voice/step/menu-main?seq=1&event=no-recording", "/twilio/voice/step/x%2F..%2Fy?seq=99999999",
      "/twilio/voice/status", "/twilio/voice/wait?node=handoff&lang=vi-VN", "/twilio/voice/wait?node=%E0%A4",
      "/twilio/voice/whisper?contact=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b&seq=1&op=op-1&lang=vi",
      "/twilio/voice/whisper/key?contact=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b&seq=1", "/twilio/voice/whisper?contact=x",
      "/twilio/voice/agent", "/twilio/voice/agent/key?contact=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b&seq=1&queue=q",
      "/twilio/voice/agent/dequeued?op=op-1", "/twilio/sms/incoming", "/twilio/sms/status?out=nope",
      "/twilio/callback/bridge?call=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "/twilio/callback/key?call=%E0%A4",
      "/twilio/callback/child?call=x", "/twilio/callback/dialed", "/twilio/callback/status?call=1");
  private static final List<String> NAMES = List.of("CallSid", "From", "To", "Digits", "CallStatus", "DialCallStatus",
      "QueueResult", "QueueTime", "RecordingSid", "RecordingDuration", "ParentCallSid", "DequeingCallSid", "AnsweredBy",
      "Body", "MessageSid", "MessageStatus", "SpeechResult", "callsid");

  private static Path dir;
  private static TestDatabase db;
  private static RunningGateway gw;
  private static FakeTwilio twilio;

  /** One request: where, its fields in order (repeats allowed), how the body is spoiled, its content type. */
  record Request(String path, List<Map.Entry<String, String>> fields, String spoil, String contentType) {
    String body() {
      var b = new StringBuilder();
      for (var f : fields) {
        b.append(b.isEmpty() ? "" : "&").append(URLEncoder.encode(f.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(f.getValue(), StandardCharsets.UTF_8));
      }
      return b + spoil;
    }

    /** The fields as Twilio signs them (the last of a repeated name, which the guard refuses anyway). */
    Map<String, String> params() {
      var m = new LinkedHashMap<String, String>();
      fields.forEach(f -> m.put(f.getKey(), f.getValue()));
      return m;
    }

    @Override
    public String toString() {
      var b = body();
      return path + " [" + contentType + "] " + (b.length() > 300 ? b.substring(0, 300) + "... (" + b.length() + " chars)" : b);
    }
  }

  @BeforeContainer
  static void start() throws IOException {
    dir = Files.createTempDirectory("gateway-fuzz-");
    db = TestDatabase.migrated(TestDatabase.Kind.H2, dir);
    // forged requests come from one address: past the failed-auth limit they get 429, which is fine, but the
    // forged property must see the signature check itself
    gw = RunningGateway.start(db, dir.resolve("data"), Map.of("GATEWAY_LIMITS_FAILED_AUTH_PER_MINUTE", "100000"));
    twilio = gw.twilio();
  }

  @AfterContainer
  static void stop() {
    if (gw != null) {
      gw.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Property(tries = 150)
  void signedRequestsOfAnyShapeGetNoServerError(@ForAll("requests") Request r) {
    var url = gw.base + r.path();
    var answer = twilio.rawPost(r.path(), r.body(), TwilioSigner.sign(RunningGateway.TOKEN, url, r.params()), r.contentType());
    assertNoServerError(answer, r);
  }

  @Property(tries = 100)
  void unsignedOrForgedRequestsAreRefusedAndStoreNothing(@ForAll("requests") Request r,
      @ForAll("forgeries") String signature) {
    int contacts = db.count("contacts");
    int sms = db.count("sms_inbound");
    var answer = twilio.rawPost(r.path(), r.body(), signature, r.contentType());
    assertNoServerError(answer, r);
    assertTrue(answer.status() >= 400, "a forged request was taken (" + answer.status() + "): " + r);
    assertEquals(contacts, db.count("contacts"), "contact stored for " + r);
    assertEquals(sms, db.count("sms_inbound"), "SMS stored for " + r);
  }

  /** After all that, a caller is answered as always. */
  @AfterProperty
  void aRealCallIsStillAnswered() {
    var first = twilio.call().incoming();
    assertEquals(200, first.status(), first.body());
    assertTrue(first.has("Gather"), first.body());
  }

  private static void assertNoServerError(Twiml answer, Request r) {
    // the report shows which answers the tries reached, a 400 with its reason
    Statistics.collect(answer.status() + (answer.status() == 400 ? " " + detail(answer.body()) : ""));
    assertTrue(answer.status() < 500, answer.status() + " " + answer.body() + " for " + r);
  }

  private static String detail(String problem) {
    var m = java.util.regex.Pattern.compile("\"detail\":\"([^\"]{0,50})").matcher(problem);
    return m.find() ? m.group(1) : "";
  }

  @Provide
  Arbitrary<Request> requests() {
    var field = Combinators.combine(Arbitraries.of(NAMES), values()).as(Map::entry);
    // most requests start as Twilio's do (a call SID, a number), so that the handlers behind the guard are reached
    var start = Arbitraries.frequencyOf(
        Tuple.of(3, callSids().map(sid -> List.of(Map.entry("CallSid", sid), Map.entry("From", "+84912345678")))),
        Tuple.of(1, callSids().map(sid -> List.of(Map.entry("CallSid", sid)))),
        Tuple.of(1, Arbitraries.just(List.<Map.Entry<String, String>>of())));
    var fields = Combinators.combine(start, field.list().ofMaxSize(5)).as((a, b) -> {
      var all = new java.util.ArrayList<Map.Entry<String, String>>(a);
      all.addAll(b);
      return (List<Map.Entry<String, String>>) all;
    });
    return Combinators.combine(Arbitraries.of(PATHS), fields, spoils(), contentTypes()).as(Request::new);
  }

  @Provide
  Arbitrary<String> forgeries() {
    return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just(""),
        Arbitraries.strings().withChars("ABCXYZabcxyz0189+/=-_.:%").ofMinLength(1).ofMaxLength(40)
            .filter(v -> !v.isBlank()), Arbitraries.just(TwilioSigner.sign("not-the-token", "x", Map.of())));
  }

  private static Arbitrary<String> values() {
    return Arbitraries.frequencyOf(
        Tuple.of(2, callSids()),
        Tuple.of(3, Arbitraries.of("+84912345678", "+266696687", "anonymous", "", "1", "2", "*", "#",
            "completed", "in-progress", "busy", "bridged", "machine_start", "REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "-1",
            "99999999999999999999", "CA0", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")),
        Tuple.of(3, Arbitraries.strings().ofMaxLength(40)), // any UTF-16, lone surrogates included
        Tuple.of(1, Arbitraries.strings().withChars('a', 'ữ', '%', '&', '=', '+', '\u0000')
            .ofMinLength(1_000).ofMaxLength(70_000))); // past http.max_body_bytes at times
  }

  private static Arbitrary<String> callSids() {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(32).map(h -> "CA" + h);
  }

  private static Arbitrary<String> spoils() {
    return Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.just("")),
        Tuple.of(1, Arbitraries.of("&%", "&Digits=%zz", "&From=%E0%A4", "&&&", "&=", "&==x", "&Body=%C3%28",
            "&a", "%", "&CallSid=" + FakeTwilio.newCallSid(), "&" + "x".repeat(70_000))));
  }

  private static Arbitrary<String> contentTypes() {
    return Arbitraries.frequencyOf(
        Tuple.of(14, Arbitraries.just(FORM)),
        Tuple.of(2, Arbitraries.of(FORM + "; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED",
            FORM + "; charset=latin1")),
        Tuple.of(2, Arbitraries.of("text/plain", "application/json", "multipart/form-data; boundary=x",
            "", "x/y; z")),
        Tuple.of(1, Arbitraries.just(null)));
  }
}
