package vn.hotline.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.testing.Twiml;

/**
 * What an attacker tries, case by case, and what they get. Each test is named for the attempt and asserts what
 * the attacker sees (status, body) and what the hotline keeps (nothing stored, an audit event, other callers
 * still answered). The gateway runs for real on a random port over a real store.
 */
class SecurityTest {
  @TempDir Path dir;
  TestDatabase db;
  RunningGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** A gateway on the embedded store (H2), configured like a deployment by environment, plus {@code env}. */
  void start(Map<String, String> env) {
    start(TestDatabase.Kind.H2, env);
  }

  void start(TestDatabase.Kind kind, Map<String, String> env) {
    db = TestDatabase.create(kind, dir);
    gw = RunningGateway.start(db, dir.resolve("data"), env);
  }

  // ===== Twilio webhooks: forged and repeated parameters, long texts, echoed values =====

  static final String TWILIO_FORM = "application/x-www-form-urlencoded";

  /** A form body as Twilio encodes it, in the order given. */
  static String twilioForm(Map<String, String> params) {
    var b = new StringBuilder();
    params.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8))
        .append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString();
  }

  /** The parameters Twilio Messaging signs for one inbound SMS. */
  static Map<String, String> twilioSmsParams(String from, String body) {
    var p = new LinkedHashMap<String, String>();
    p.put("MessageSid", FakeTwilio.newMessageSid());
    p.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    p.put("From", from);
    p.put("To", "+84111");
    p.put("Body", body);
    p.put("NumMedia", "0");
    return p;
  }

  /** The parameters Twilio Voice signs for a callback of call {@code sid}, plus {@code extra}. */
  static Map<String, String> twilioVoiceParams(String sid, Map<String, String> extra) {
    var p = new LinkedHashMap<String, String>();
    p.put("CallSid", sid);
    p.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    p.put("From", FakeTwilio.CALLER);
    p.put("To", "+84111");
    p.put("CallStatus", "in-progress");
    p.put("Direction", "inbound");
    p.putAll(extra);
    return p;
  }

  String twilioSign(String pathAndQuery, Map<String, String> params) {
    return TwilioSigner.sign(RunningGateway.TOKEN, gw.base + pathAndQuery, params);
  }

  void twilioAssertProblem(int status, Twiml r) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.body().startsWith("{"), "a problem document, not " + r.body());
    var json = new io.vertx.core.json.JsonObject(r.body());
    assertEquals(status, json.getInteger("status"), r.body());
    assertNotNull(json.getString("detail"), r.body());
  }

  void twilioAwaitAudit(String type, int count) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", type) < count) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + type + " audit event");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A POST written by hand, for a request line java.net.http refuses to send (a malformed query string). */
  Twiml twilioOverSocket(String pathAndQuery, String body) {
    try (var socket = new java.net.Socket(gw.base.getHost(), gw.base.getPort())) {
      socket.setSoTimeout(10_000);
      var bytes = body.getBytes(StandardCharsets.UTF_8);
      var out = socket.getOutputStream();
      out.write(("POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + gw.base.getAuthority() + "\r\nContent-Type: " + TWILIO_FORM
          + "\r\nX-Twilio-Signature: sig\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      var response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      var status = Integer.parseInt(response.substring(9, 12));
      return Twiml.parse(status, response.substring(response.indexOf("\r\n\r\n") + 4), java.time.Duration.ZERO);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void twilioAnSmsReplayedWithItsOwnFromAndBodyPutBeforeOrAfterTheSignedOnesIsRefusedAndNothingStored() {
    start(Map.of());
    var twilio = gw.twilio();
    var child = "+84915550101";
    var forger = "+84915550102";
    PersonalData.used(child, forger);
    var signed = twilioSmsParams(child, "alo");
    var signature = twilioSign("/twilio/sms/incoming", signed);
    var extra = "From=" + java.net.URLEncoder.encode(forger, StandardCharsets.UTF_8) + "&Body=BAOCAO";

    var before = twilio.rawPost("/twilio/sms/incoming", extra + "&" + twilioForm(signed), signature, TWILIO_FORM);
    var after = twilio.rawPost("/twilio/sms/incoming", twilioForm(signed) + "&" + extra, signature, TWILIO_FORM);

    twilioAssertProblem(403, before);
    twilioAssertProblem(403, after);
    assertFalse(before.body().contains("BAOCAO") || before.body().contains("915550102"), before.body());
    assertEquals(0, db.count("sms_inbound"));
    assertEquals(0, db.count("contacts"));
    assertEquals(0, db.count("sms_outbound"));
    // the very same signed request without the extra copies is served: the refusals were about the copies alone
    assertEquals(1, twilio.rawPost("/twilio/sms/incoming", twilioForm(signed), signature, TWILIO_FORM).messages().size());
    assertEquals(1, db.count("sms_inbound"));
  }

  @Test
  void twilioACallReplayedWithASecondCallSidGetsNoSession() {
    start(Map.of());
    var twilio = gw.twilio();
    var signed = twilioVoiceParams(FakeTwilio.newCallSid(), Map.of());
    var signature = twilioSign("/twilio/voice/incoming", signed);
    var other = "CallSid=" + FakeTwilio.newCallSid();

    var before = twilio.rawPost("/twilio/voice/incoming", other + "&" + twilioForm(signed), signature, TWILIO_FORM);
    var after = twilio.rawPost("/twilio/voice/incoming", twilioForm(signed) + "&" + other, signature, TWILIO_FORM);

    twilioAssertProblem(403, before);
    twilioAssertProblem(403, after);
    assertFalse(before.has("Gather"));
    assertEquals(0, db.count("contacts"));
    assertEquals(0, db.count("flow_sessions"));
  }

  @Test
  void twilioAKeypressReplayedWithASecondDigitsDoesNotMoveTheCall() {
    start(Map.of());
    var twilio = gw.twilio();
    var call = twilio.call();
    var menu = call.incoming();
    var action = menu.actionOf("Gather");
    var signed = twilioVoiceParams(call.sid, Map.of("Digits", "1"));
    var signature = twilioSign(action, signed);

    var before = twilio.rawPost(action, "Digits=2&" + twilioForm(signed), signature, TWILIO_FORM);
    var after = twilio.rawPost(action, twilioForm(signed) + "&Digits=2", signature, TWILIO_FORM);

    twilioAssertProblem(403, before);
    twilioAssertProblem(403, after);
    var real = call.press(menu, "1");
    assertTrue(real.heardText().contains("đang gặp nguy hiểm"), "still at the language menu, Vietnamese chosen: "
        + real.heardText());
  }

  @Test
  void twilioAStepUrlWithTwoSeqIsRefusedEvenWhenTheSignatureCoversIt() {
    start(Map.of());
    var twilio = gw.twilio();
    var call = twilio.call();
    var menu = call.incoming();
    var action = menu.actionOf("Gather");
    assertTrue(action.contains("seq="), action);
    var twice = action + "&seq=999";
    var signed = twilioVoiceParams(call.sid, Map.of("Digits", "1"));

    twilioAssertProblem(403, twilio.rawPost(twice, twilioForm(signed), twilioSign(twice, signed), TWILIO_FORM));

    var real = call.press(menu, "1");
    assertTrue(real.heardText().contains("đang gặp nguy hiểm"), real.heardText());
  }

  @Test
  void twilioRepeatedParametersAreAuditedCountedAndCountTowardsTheFailedAuthLimit() {
    start(Map.of("GATEWAY_LIMITS_FAILED_AUTH_PER_MINUTE", "2"));
    var twilio = gw.twilio();
    var number = "+84915550103";
    PersonalData.used(number);
    var statuses = new java.util.ArrayList<Integer>();
    for (int i = 0; i < 3; i++) {
      var signed = twilioSmsParams(number, "alo");
      statuses.add(twilio.rawPost("/twilio/sms/incoming", "Body=BAOCAO&" + twilioForm(signed),
          twilioSign("/twilio/sms/incoming", signed), TWILIO_FORM).status());
    }

    assertEquals(List.of(403, 403, 429), statuses);
    twilioAwaitAudit("webhook.refused", 2);
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT data FROM audit_events WHERE event_type = 'webhook.refused'")) {
      while (rs.next()) {
        var data = rs.getString(1);
        assertTrue(data.contains("repeated-parameter"), data);
        assertFalse(data.contains("915550103") || data.contains("BAOCAO"), data);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    var metrics = twilio.get("/metrics").body();
    assertTrue(metrics.contains("hotline_webhook_refused_total{reason=\"repeated-parameter\"} 2.0"), metrics);
    assertEquals(0, db.count("sms_inbound"));
  }

  @Test
  void twilioAMalformedPercentEncodingGetsA400ProblemThatDoesNotEchoTheNumber() {
    start(Map.of());
    var twilio = gw.twilio();
    var number = "+84915550104";
    PersonalData.used(number);
    var sid = FakeTwilio.newMessageSid();
    var badFrom = "MessageSid=" + sid + "&From=%2B" + number.substring(1) + "%ZZ&To=%2B84111&Body=alo";
    var badBody = "MessageSid=" + sid + "&From=%2B" + number.substring(1) + "&To=%2B84111&Body=%E0%A4%A";
    var badCall = "CallSid=" + FakeTwilio.newCallSid() + "&From=%2B" + number.substring(1) + "%G1";

    for (var r : List.of(twilio.rawPost("/twilio/sms/incoming", badFrom, "sig", TWILIO_FORM),
        twilio.rawPost("/twilio/sms/incoming", badBody, "sig", TWILIO_FORM),
        twilio.rawPost("/twilio/voice/incoming", badCall, "sig", TWILIO_FORM),
        twilioOverSocket("/twilio/voice/step/main-menu?seq=1&event=%2B" + number.substring(1) + "%ZZ",
            "CallSid=" + FakeTwilio.newCallSid()))) {
      twilioAssertProblem(400, r);
      assertFalse(r.body().contains("915550104"), r.body());
      assertFalse(r.body().contains("%E0") || r.body().contains("%ZZ"), r.body());
    }
    assertEquals(0, db.count("sms_inbound"));
    assertEquals(0, db.count("contacts"));
  }

  @Test
  void twilioAForgedSignatureGetsTheSameProblemShapeAsEveryOtherError() {
    start(Map.of());
    var twilio = gw.twilio();
    var params = twilioSmsParams("+84915550105", "BAOCAO");
    PersonalData.used("+84915550105");
    var forged = twilio.rawPost("/twilio/sms/incoming", twilioForm(params),
        TwilioSigner.sign("guess", gw.base + "/twilio/sms/incoming", params), TWILIO_FORM);
    twilioAssertProblem(403, forged);
    assertEquals(0, db.count("sms_inbound"));
  }

  @Test
  void twilioABodyFarLargerThanTwilioEverSendsGetsAClearAnswerNotA500() {
    start(Map.of());
    var twilio = gw.twilio();
    var text = "😀".repeat(40_000);
    var params = twilioSmsParams("+84915550106", text);
    PersonalData.used("+84915550106");
    var r = twilio.rawPost("/twilio/sms/incoming", twilioForm(params), twilioSign("/twilio/sms/incoming", params), TWILIO_FORM);
    twilioAssertProblem(413, r);
    assertEquals(0, db.count("sms_inbound"));
  }

  // ----- end of Twilio webhooks -----

  // ===== The embedded store: network exposure, file permissions, production refusal =====

  // ----- end of the embedded store -----

  // ===== The integrator API: guessed keys, bodies on GETs, acknowledgements, times =====

  // ----- end of the integrator API -----

  // ===== The listener: metrics exposure, slow clients, request smuggling =====

  // ----- end of the listener -----
}
