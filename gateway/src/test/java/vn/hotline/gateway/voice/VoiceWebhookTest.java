package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.testing.Twiml;

/** A caller dials 111: Twilio's webhooks against a real gateway over HTTP, on MariaDB and on embedded H2. */
@GatewayTest
class VoiceWebhookTest {
  Harness house;
  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    db = house.db();
  }

  void startGateway(Map<String, String> env) {
    gw = house.start(env);
    twilio = gw.twilio();
  }

  @Test
  void aSignedIncomingCallIsAnsweredWithTheLanguageMenuInBothLanguages() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var first = call.incoming();

    assertEquals(200, first.status());
    var gather = first.verb("Gather");
    assertEquals("/twilio/voice/step/choose-language?seq=0", gather.getAttribute("action"));
    assertEquals("1", gather.getAttribute("numDigits"));
    assertEquals("true", gather.getAttribute("actionOnEmptyResult"));
    assertTrue(first.heardText().contains("Để nghe tiếng Việt, bấm phím 1"), first.heardText());
    assertTrue(first.heardText().contains("For English, press 2"), first.heardText());
    assertEquals(1, db.count("contacts"));
    assertCallerNumberStoredNowhere();
  }

  @Test
  void forgedOrMissingSignaturesAreRefusedAndNothingIsStored() {
    startGateway(Map.of());
    var params = new LinkedHashMap<String, String>();
    params.put("CallSid", FakeTwilio.newCallSid());
    params.put("From", FakeTwilio.CALLER);
    params.put("To", "+84111");
    var path = "/twilio/voice/incoming";
    var url = gw.base + path;
    var form = "application/x-www-form-urlencoded";

    var missing = twilio.rawPost(path, params, null, form);
    var wrongToken = twilio.rawPost(path, params, TwilioSigner.sign("not-the-token", url, params), form);
    var otherUrl = twilio.rawPost(path, params, TwilioSigner.sign(RunningGateway.TOKEN, url + "x", params), form);
    var tampered = new LinkedHashMap<>(params);
    var signature = TwilioSigner.sign(RunningGateway.TOKEN, url, params);
    tampered.put("To", "+84999");
    var changedParam = twilio.rawPost(path, tampered, signature, form);

    for (var r : List.of(missing, wrongToken, otherUrl, changedParam)) {
      assertEquals(403, r.status(), r.body());
      assertFalse(r.has("Gather"));
    }
    assertEquals(0, db.count("contacts"));
    assertEquals(0, db.count("flow_sessions"));
    assertEquals(0, db.count("flow_steps"));
    // the same request correctly signed is served, so the refusals above were about the signature alone
    assertEquals(200, twilio.rawPost(path, params, signature, form).status());
  }

  @Test
  void aForgedKeypressDoesNotMoveTheCall() {
    startGateway(Map.of());
    var call = twilio.call();
    var menu = call.incoming();
    var action = menu.actionOf("Gather");
    var params = Map.of("CallSid", call.sid, "Digits", "2");

    var forged = twilio.rawPost(action, params, TwilioSigner.sign("guess", gw.base + action, params),
        "application/x-www-form-urlencoded");

    assertEquals(403, forged.status());
    var real = call.press(menu, "1");
    assertTrue(real.heardText().contains("đang gặp nguy hiểm"), "still at the language menu, Vietnamese chosen: "
        + real.heardText());
  }

  @Test
  void malformedRequestsGetA400WithAReasonAndOversizedBodiesA413() {
    startGateway(Map.of("GATEWAY_HTTP_MAX_BODY_BYTES", "2048"));
    var noSid = twilio.signedPost("/twilio/voice/incoming", Map.of("From", FakeTwilio.CALLER));
    var badSid = twilio.signedPost("/twilio/voice/incoming", Map.of("CallSid", "CA123"));
    var json = twilio.rawPost("/twilio/voice/incoming", "{\"CallSid\":\"x\"}", "sig", "application/json");
    var badSeq = twilio.signedPost("/twilio/voice/step/main-menu?seq=abc", Map.of("CallSid", FakeTwilio.newCallSid()));
    var huge = twilio.signedPost("/twilio/voice/incoming",
        Map.of("CallSid", FakeTwilio.newCallSid(), "Padding", "x".repeat(5000)));

    assertEquals(400, noSid.status());
    assertTrue(noSid.body().contains("CallSid is missing"), noSid.body());
    assertEquals(400, badSid.status());
    assertEquals(400, json.status());
    assertTrue(json.body().contains("application/x-www-form-urlencoded"), json.body());
    assertEquals(400, badSeq.status());
    assertTrue(badSeq.body().contains("seq"), badSeq.body());
    assertEquals(413, huge.status());
    assertEquals(0, db.count("contacts"));
  }

  @Test
  void aCallLogsOneContactStartedAndOneContactEndedLineWithItsOutcomeAndDurationButNotTheNumber() {
    startGateway(Map.of());
    try (var logs = vn.hotline.gateway.testing.LogCapture.start()) {
      var call = twilio.call();
      var handoff = call.dangerNow();
      call.dialEnded(handoff, "completed");
      call.status("completed");
      call.status("completed"); // Twilio retries a status callback it did not see answered

      var ours = (java.util.function.Predicate<ch.qos.logback.classic.spi.ILoggingEvent>) e -> e.getKeyValuePairs() != null
          && e.getKeyValuePairs().stream().anyMatch(kv -> kv.key.equals("callSid") && call.sid.equals(kv.value));
      var started = logs.matching(ours.and(vn.hotline.gateway.testing.LogCapture.message("contact started")));
      var ended = logs.matching(ours.and(vn.hotline.gateway.testing.LogCapture.message("contact ended")));
      assertEquals(1, started.size(), logs.events().toString());
      assertEquals(1, ended.size(), logs.events().toString());
      assertEquals(ch.qos.logback.classic.Level.INFO, started.getFirst().getLevel());
      assertEquals(ch.qos.logback.classic.Level.INFO, ended.getFirst().getLevel());
      var kv = new java.util.HashMap<String, Object>();
      ended.getFirst().getKeyValuePairs().forEach(p -> kv.put(p.key, p.value));
      assertEquals("voice", kv.get("channel"));
      assertEquals("operator", kv.get("outcome"), kv.toString());
      assertTrue(kv.get("durationSeconds") instanceof Long d && d >= 0, kv.toString());
      for (var e : List.of(started.getFirst(), ended.getFirst())) {
        var line = e.getFormattedMessage() + " " + e.getKeyValuePairs();
        assertFalse(line.contains("912345678"), line);
      }
    }
  }

  @Test
  void dangerNowReachesTheOperatorsAtOnceAndMakesAnUrgentReport() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var handoff = call.dangerNow();

    assertTrue(handoff.heardText().contains("kết nối bạn ngay với tư vấn viên"), handoff.heardText());
    assertEquals(List.of(RunningGateway.OPERATOR_1, RunningGateway.OPERATOR_2), handoff.dialled());
    assertEquals("25", handoff.verb("Dial").getAttribute("timeout"));

    var after = call.dialEnded(handoff, "completed");
    assertTrue(after.has("Hangup"));
    call.status("completed");

    var report = report(call.sid);
    assertEquals("danger", report.get("intent"));
    assertEquals("true", report.get("urgent"));
    assertEquals("operator", report.get("outcome"));
    assertEquals("operator", contact(call.sid).get("outcome"));
    assertEquals("completed", contact(call.sid).get("end_status"));
  }

  @Test
  void aReportAsksFourShortQuestionsReadsTheReferenceAndRecordsWhenNobodyAnswers() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var menu = call.press(call.incoming(), "2"); // English
    assertTrue(menu.heardText().contains("If you or a child are in danger right now, press 1"), menu.heardText());
    var category = call.press(menu, "2");
    var about = call.press(category, "4");        // online abuse or harmful content
    var age = call.press(about, "2");              // another child
    var province = call.press(age, "4");           // 13 to 15
    assertEquals("2", province.verb("Gather").getAttribute("numDigits"));
    var handoff = call.press(province, "79");      // Ho Chi Minh City

    var reference = (String) contact(call.sid).get("reference");
    var spoken = String.join(", ", reference.split(""));
    assertTrue(handoff.heardText().contains("Your report number is " + spoken), handoff.heardText());
    assertTrue(handoff.has("Dial"));

    var safe = call.dialEnded(handoff, "no-answer");
    assertTrue(safe.heardText().contains("Is it safe for us to call this number back?"), safe.heardText());
    var voicemail = call.callbackSafe(safe);
    assertTrue(voicemail.heardText().contains("After the beep"), voicemail.heardText());
    assertEquals("180", voicemail.verb("Record").getAttribute("maxLength"));
    assertEquals("false", voicemail.verb("Record").getAttribute("transcribe"));

    var end = call.record(voicemail, 42);
    assertTrue(end.heardText().contains("Your call number is " + spoken), end.heardText());
    assertTrue(end.has("Hangup"));
    call.status("completed");

    var report = report(call.sid);
    assertEquals(reference, report.get("reference"));
    assertEquals("report", report.get("intent"));
    assertEquals("online_abuse_harmful_content", report.get("category"));
    assertEquals("other", report.get("about"));
    assertEquals("13-15", report.get("age_band"));
    assertEquals("79", report.get("province"));
    assertEquals("false", report.get("urgent"));
    assertEquals("voicemail", report.get("outcome"));
    assertTrue(gw.sealer().open((String) report.get("recording_sealed")).startsWith("RE"), "the recording reference is sealed");
    assertTrue(((String) report.get("flow_path")).contains("report-province,report-reference,report-handoff"));
    assertCallerNumberStoredNowhere();
  }

  @Test
  void aWrongKeyAndSilenceArePromptedAgainThenTheTimeoutPathTakesTheCallerToAPerson() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var menu = call.press(call.incoming(), "1");

    var afterWrongKey = call.press(menu, "9");
    assertTrue(afterWrongKey.heardText().startsWith("Xin lỗi, tổng đài chưa nhận được lựa chọn của bạn."),
        afterWrongKey.heardText());
    assertTrue(afterWrongKey.heardText().contains("đang gặp nguy hiểm"), "the main menu is repeated");
    assertEquals("/twilio/voice/step/main-menu?seq=2", afterWrongKey.actionOf("Gather"));

    var afterSilence = call.silence(afterWrongKey); // second failure of two allowed: timeout path
    assertTrue(afterSilence.has("Dial"), "silence leads to a counsellor: " + afterSilence.body());
    assertTrue(afterSilence.heardText().contains("kết nối bạn với tư vấn viên"), afterSilence.heardText());

    var events = events(call.sid);
    assertTrue(events.containsAll(List.of("main-menu:invalid", "main-menu:timeout", "main-menu:gave-up",
        "advice-handoff:enter")), events.toString());
  }

  @Test
  void aProvinceCodeNotInTheListIsAskedAgainAndStarSkipsTheQuestion() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var province = call.press(call.press(call.press(call.press(call.press(call.incoming(), "1"), "2"), "1"), "1"), "3");
    var again = call.press(province, "00");
    assertTrue(again.heardText().contains("mã tỉnh"), again.heardText());
    var skipped = call.press(again, "*");
    assertTrue(skipped.heardText().contains("Mã số báo cáo của bạn là"), skipped.heardText());
    call.dialEnded(skipped, "completed");
    call.status("completed");

    var report = report(call.sid);
    assertNull(report.get("province"));
    assertEquals("10-12", report.get("age_band"));
    assertEquals("self", report.get("about"));
    assertEquals("physical_violence", report.get("category"));
    assertFalse(events(call.sid).stream().anyMatch(e -> e.contains("00")), "invalid keys are not kept");
  }

  @Test
  void aRepeatedCallbackIsAnsweredAgainButAppliedOnce() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var first = call.incoming();
    var again = call.incoming();
    assertEquals(first.body(), again.body());
    assertEquals(1, db.count("contacts"));

    var main = call.press(first, "1");
    var retried = call.press(first, "2"); // Twilio (or a proxy) resends the old keypress with another digit
    assertEquals(main.actionOf("Gather"), retried.actionOf("Gather"));
    assertTrue(retried.heardText().contains("đang gặp nguy hiểm"), "still in Vietnamese: " + retried.heardText());
    assertEquals(1, events(call.sid).stream().filter(e -> e.startsWith("choose-language:option")).count());
  }

  @Test
  void aGatewayRestartedMidCallContinuesTheSameCallAtTheSameStep() {
    startGateway(Map.of());
    var call = twilio.call();
    var main = call.press(call.incoming(), "2");

    gw.restart();

    var category = call.press(main, "2");
    assertTrue(category.heardText().contains("What would you like to report?"), category.heardText());
  }

  @Test
  void aSecondInstanceOnTheSameStoreTakesOverTheCallbacksOfACall() {
    startGateway(Map.of());
    try (var other = house.startAnother("data2", Map.of())) {
      var call = twilio.call();
      var main = call.press(call.incoming(), "1");
      var viaOther = other.twilio().call(call.sid).press(main, "1");
      assertTrue(viaOther.has("Dial"), viaOther.body());
      assertTrue(viaOther.heardText().contains("kết nối bạn ngay"), viaOther.heardText());
    }
  }

  @Test
  void aCallerWhoHangsUpMidReportLeavesAnAbandonedReportAndClosedSession() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    call.press(call.press(call.incoming(), "1"), "2");
    call.status("completed");

    var report = report(call.sid);
    assertEquals("report", report.get("intent"));
    assertEquals("abandoned", report.get("outcome"));
    assertNull(report.get("category"));
    var contact = contact(call.sid);
    assertEquals("abandoned", contact.get("outcome"));
    assertNotNull(contact.get("ended_at"));
    assertEquals(0, activeSessions());
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_flow_outcomes_total{flow=\"hotline-111\",outcome=\"abandoned\"} 1.0"), metrics);
  }

  @Test
  void anAdviceCallEndsWithoutAReport() throws SQLException {
    startGateway(Map.of());
    var call = twilio.call();
    var handoff = call.press(call.press(call.incoming(), "1"), "3");
    call.dialEnded(handoff, "completed");
    call.status("completed");
    assertEquals(0, db.count("reports"));
    assertEquals("operator", contact(call.sid).get("outcome"));
  }

  @Test
  void outsideOpeningHoursCallersGoStraightToAVoiceMessage() {
    var later = ZonedDateTime.now(ZoneId.of("Asia/Ho_Chi_Minh")).plusHours(6);
    var day = later.getDayOfWeek().name().substring(0, 3).toLowerCase();
    var window = "%s %02d:%02d-%02d:%02d".formatted(day, later.getHour(), 0, later.getHour(), 30);
    startGateway(Map.of("GATEWAY_OPERATORS_HOURS", window));
    var call = twilio.call();
    var next = call.dangerNow();
    assertFalse(next.has("Dial"), next.body());
    assertTrue(next.heardText().contains("113"), "the danger message says to call 113: " + next.heardText());
    assertTrue(call.callbackSafe(next).has("Record"), next.body());
  }

  @Test
  void inEnqueueModeCallersWaitInTheFlowsQueueThenLeaveForAVoiceMessage() {
    startGateway(Map.of("GATEWAY_OPERATORS_MODE", "enqueue", "GATEWAY_OPERATORS_QUEUE_WAIT_SECONDS", "60"));
    var call = twilio.call();
    var handoff = call.dangerNow();
    var enqueue = handoff.verb("Enqueue");
    assertEquals("urgent", enqueue.getTextContent().trim());

    var waitUrl = enqueue.getAttribute("waitUrl");
    var holding = call.post(waitUrl, Map.of("QueueTime", "0"));
    assertTrue(holding.has("Pause"));
    assertTrue(holding.heardText().contains("Xin đừng gác máy"), holding.heardText());
    var leaving = call.post(waitUrl, Map.of("QueueTime", "61"));
    assertTrue(leaving.has("Leave"), leaving.body());

    var voicemail = call.callbackSafe(call.post(enqueue.getAttribute("action"), Map.of("QueueResult", "leave")));
    assertTrue(voicemail.has("Record"), voicemail.body());
  }

  @Test
  void healthMetricsAndLivenessAnswer() {
    startGateway(Map.of());
    var call = twilio.call();
    call.incoming();
    assertEquals(200, twilio.get("/health/live").statusCode());
    var ready = gw.management().get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("hotline-111"));
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("http_server_requests_seconds_count{method=\"POST\",route=\"/twilio/voice/incoming\",status=\"200\"} 1"),
        metrics);
    assertTrue(metrics.contains("hikaricp_connections"), "pool metrics are exported");
  }

  // --- what the store holds ---------------------------------------------------------------------------

  Map<String, Object> contact(String callSid) throws SQLException {
    return db.row("SELECT * FROM contacts WHERE provider_ref = ?", callSid);
  }

  Map<String, Object> report(String callSid) throws SQLException {
    var r = db.row("SELECT r.* FROM reports r JOIN contacts c ON c.id = r.contact_id WHERE c.provider_ref = ?", callSid);
    var urgent = r.get("urgent");
    r.put("urgent", Boolean.toString(urgent instanceof Boolean b ? b : ((Number) urgent).intValue() != 0));
    return r;
  }

  List<String> events(String callSid) throws SQLException {
    try (var c = db.connect(); var ps = c.prepareStatement("SELECT st.node_id, st.event, st.step_value FROM flow_steps st"
        + " JOIN flow_sessions s ON s.id = st.session_id JOIN contacts c ON c.id = s.contact_id"
        + " WHERE c.provider_ref = ? ORDER BY st.id")) {
      ps.setString(1, callSid);
      var out = new ArrayList<String>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + ":" + rs.getString(2) + (rs.getString(3) == null ? "" : ":" + rs.getString(3)));
        }
      }
      return out;
    }
  }

  int activeSessions() throws SQLException {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*) FROM flow_sessions WHERE status = 'active'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The caller's number must not be in any column of any table. */
  void assertCallerNumberStoredNowhere() throws SQLException {
    var digits = FakeTwilio.CALLER.substring(1);
    for (var table : List.of("contacts", "flow_sessions", "flow_steps", "reports")) {
      try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
        var md = rs.getMetaData();
        while (rs.next()) {
          for (int i = 1; i <= md.getColumnCount(); i++) {
            var v = rs.getString(i);
            assertFalse(v != null && v.contains(digits), table + "." + md.getColumnLabel(i) + " holds the caller's number");
          }
        }
      }
    }
    assertNotEquals(0, db.count("contacts"));
  }
}
