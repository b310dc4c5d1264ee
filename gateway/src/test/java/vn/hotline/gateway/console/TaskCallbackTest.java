package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * "Call back" on a callback task, end to end on MariaDB and H2: a child in danger leaves a voicemail after saying a
 * callback is safe (signed simulated call), a counsellor presses "Call back" on the console (plain HTTP with their
 * session cookie and CSRF token), the gateway asks the Twilio REST stand-in to ring the counsellor's phone from the
 * hotline's number, and the signed webhooks Twilio would send play the rest: the whisper, the key, the Dial of the
 * caller's number with the hotline's caller ID, answering-machine detection, the Dial's end and the status callbacks.
 * The caller's number is only in the TwiML that dials it: not on a page, in a log line or in the audit chain.
 */
@GatewayTest
class TaskCallbackTest {
  static final String HOTLINE = "+842873000111";
  static final String COUNSELLOR_PHONE = "+84903111222";
  static final String CALLER_DIGITS = FakeTwilio.CALLER.substring(1);
  static final String COUNSELLOR_DIGITS = COUNSELLOR_PHONE.substring(1);

  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static FakeTwilioRest rest;
  static ConsoleFixture accounts;
  static ConsoleHttp http;
  static FakeTwilio twilio;

  @GatewayTest.BeforeStore
  static void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    rest = new FakeTwilioRest();
    gw = house.start(rest.gatewaySettings(Map.of("GATEWAY_OPERATORS_CALLER_ID", HOTLINE)), clock);
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    twilio = gw.twilio();
  }

  @GatewayTest.AfterStore
  static void stop() {
    accounts.close();
    rest.close();
  }

  @BeforeEach
  void fresh() {
    rest.answerWith(201);
    rest.clear();
  }

  /** A child in danger calls, nobody answers, they say a callback is safe and leave a message: its task's id. */
  String dangerVoicemailTask() {
    var call = twilio.call();
    var safety = call.dialEnded(call.dangerNow(), "no-answer");
    var record = call.callbackSafe(safety);
    assertTrue(record.heardText().contains("Chúng tôi sẽ gọi lại cho bạn ngay"), record.heardText());
    call.record(record, 30);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    var task = gw.gateway().followups().taskOfContact(contact).orElseThrow();
    assertEquals(Followup.Kind.CALLBACK, task.kind());
    assertTrue(task.numberKept());
    return task.id();
  }

  /** A counsellor with a phone on their account, signed in: their session cookie. */
  record Counsellor(String id, String cookie) {}

  Counsellor counsellor(String phone) {
    var who = accounts.active(Role.COUNSELLOR, phone);
    return new Counsellor(who.id(), http.signIn(who.login(), ConsoleFixture.PASSWORD));
  }

  String page(String taskId, Counsellor c) {
    var r = http.get("/console/tasks/" + taskId + "/callback", c.cookie());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /** Presses "Call back" on the page, with its CSRF token: the answer's body. */
  String pressCallBack(String taskId, Counsellor c, int expectedStatus) {
    var html = page(taskId, c);
    var r = http.post("/console/tasks/" + taskId + "/callback", Map.of("csrf", ConsoleHttp.hidden(html, "csrf")),
        c.cookie(), Map.of());
    assertEquals(expectedStatus, r.statusCode(), r.body());
    return r.body();
  }

  /** The one Calls.create the last "Call back" made, and the call it placed. */
  record Placed(FakeTwilioRest.Sent request, FakeTwilio.Outbound call) {
    String url() {
      return request.form().get("Url");
    }

    String statusCallback() {
      return request.form().get("StatusCallback");
    }
  }

  Placed placed() {
    var calls = rest.calls();
    assertEquals(1, calls.size(), calls.toString());
    var sent = calls.getFirst();
    return new Placed(sent, twilio.outbound(sent.sid(), sent.form().get("From"), sent.form().get("To")));
  }

  /** The counsellor picks up and presses 1: the Dial of the child's number. */
  Twiml counsellorPressesOne(Placed p) {
    assertEquals(204, p.call().status(p.statusCallback(), "in-progress").status());
    var whisper = p.call().answered(p.url());
    assertEquals(200, whisper.status(), whisper.body());
    return p.call().press(whisper, "1");
  }

  Followup.Status status(String taskId) {
    return gw.gateway().followups().task(taskId).orElseThrow().status();
  }

  int attempts(String taskId) {
    return gw.gateway().followups().attempts(taskId).size();
  }

  @Test
  void callBackRingsTheCounsellorFromTheHotlineThenDialsTheCallerWithTheHotlinesNumberAndReachedIsDone() {
    try (var logs = LogCapture.start()) {
      var task = dangerVoicemailTask();
      var lan = counsellor(COUNSELLOR_PHONE);
      var before = page(task, lan);
      assertTrue(before.contains("id=\"callback-button\""), before);

      // a request without the session's CSRF token does nothing
      var forged = http.post("/console/tasks/" + task + "/callback", Map.of(), lan.cookie(), Map.of());
      assertEquals(403, forged.statusCode());
      assertEquals(List.of(), rest.sent());

      var asked = pressCallBack(task, lan, 200);
      assertTrue(asked.contains("id=\"callback-notice\""), asked);
      var p = placed();
      var callId = (String) db.row("SELECT id FROM followup_calls WHERE task_id = ?", task).get("id");
      // the exact request Twilio gets: the counsellor's phone, from the hotline's number, signed-webhook URLs
      assertEquals("/2010-04-01/Accounts/" + FakeTwilioRest.ACCOUNT + "/Calls.json", p.request().path());
      assertEquals("Basic " + Base64.getEncoder().encodeToString((FakeTwilioRest.ACCOUNT + ":" + RunningGateway.TOKEN)
          .getBytes(StandardCharsets.UTF_8)), p.request().authorization());
      assertEquals(List.of(
          Map.entry("To", COUNSELLOR_PHONE),
          Map.entry("From", HOTLINE),
          Map.entry("Url", gw.base + "/twilio/callback/bridge?call=" + callId),
          Map.entry("Method", "POST"),
          Map.entry("StatusCallback", gw.base + "/twilio/callback/status?call=" + callId),
          Map.entry("StatusCallbackMethod", "POST"),
          Map.entry("StatusCallbackEvent", "answered"),
          Map.entry("StatusCallbackEvent", "completed"),
          Map.entry("Timeout", "25")), p.request().params());
      var ringing = page(task, lan);
      assertTrue(ringing.contains("hx-trigger=\"every 2s\""), "the fragment follows the call: " + ringing);
      assertFalse(ringing.contains("id=\"callback-button\""), "no second call while one is under way");

      // the counsellor picks up: the reference, press 1
      assertEquals(204, p.call().status(p.statusCallback(), "in-progress").status());
      var whisper = p.call().answered(p.url());
      var reference = gw.gateway().followups().task(task).orElseThrow().reference();
      var grouped = reference.substring(0, 4) + " " + reference.substring(4);
      assertTrue(whisper.heardText().startsWith("Gọi lại cho mã số " + grouped), whisper.heardText());
      assertEquals("vi-VN", whisper.verb("Gather").getElementsByTagName("Say").item(0).getAttributes()
          .getNamedItem("language").getNodeValue());
      assertFalse(whisper.body().contains(CALLER_DIGITS), "the counsellor is never told the number: " + whisper.body());

      var dial = p.call().press(whisper, "1");
      var d = dial.verb("Dial");
      assertEquals(HOTLINE, d.getAttribute("callerId"), "the child sees the hotline's number: " + dial.body());
      assertEquals("true", d.getAttribute("answerOnBridge"));
      assertEquals("20", d.getAttribute("timeout"));
      assertEquals(List.of(FakeTwilio.CALLER), dial.dialled());
      var number = (org.w3c.dom.Element) d.getElementsByTagName("Number").item(0);
      assertEquals("Enable", number.getAttribute("machineDetection"));
      assertEquals(List.of("Dial"), dial.verbs().stream().map(org.w3c.dom.Element::getTagName).toList(),
          "nothing after the Dial: no voicemail fallback, no message");

      // the child picks up (a person), they talk, the Dial ends
      var child = p.call().dialledPickedUp(dial, "human");
      assertEquals(200, child.status());
      assertTrue(child.verbs().isEmpty(), "a person is put through: " + child.body());
      var end = p.call().dialEnded(dial, "completed");
      assertTrue(end.has("Hangup"), end.body());
      assertEquals(Followup.Status.DONE, status(task));
      assertEquals(Followup.Outcome.REACHED, gw.gateway().followups().task(task).orElseThrow().outcome());
      assertFalse(gw.gateway().followups().task(task).orElseThrow().numberKept(), "the number goes with the task");
      assertEquals(lan.id(), gw.gateway().followups().attempts(task).getFirst().operatorId());

      // Twilio sends the Dial's end again, then the call's end: still one attempt
      p.call().dialEnded(dial, "completed");
      assertEquals(204, p.call().status(p.statusCallback(), "completed").status());
      assertEquals(1, attempts(task));
      assertEquals(1, accounts.audit("followup.attempt").stream().filter(a -> a.get("refs").contains(task)).count());

      var after = page(task, lan);
      assertTrue(after.contains("id=\"callback-state\""), after);
      assertTrue(after.contains(gw.gateway().followups().task(task).orElseThrow().reference().substring(0, 4)), after);
      for (var html : List.of(before, asked, ringing, after)) {
        assertFalse(html.contains(CALLER_DIGITS), "the caller's number is on the page");
        assertFalse(html.contains(COUNSELLOR_DIGITS), "the counsellor's number is on the page");
      }
      assertNoNumberLoggedOrAudited(logs);
    }
  }

  @Test
  void threeNoAnswersCloseTheTaskAndNothingIsLeftOnTheCallersPhone() {
    try (var logs = LogCapture.start()) {
      var task = dangerVoicemailTask();
      var mai = counsellor("+84903111333");
      var answers = new java.util.ArrayList<Twiml>();

      // 1: the child's phone rings out
      pressCallBack(task, mai, 200);
      var first = placed();
      var dial = counsellorPressesOne(first);
      answers.add(dial);
      var told = first.call().dialEnded(dial, "no-answer");
      answers.add(told);
      assertTrue(told.heardText().contains("Không ai nghe máy"), told.heardText());
      var retried = first.call().dialEnded(dial, "no-answer"); // Twilio posts it again: the same answer, no new attempt
      assertEquals(told.heardText(), retried.heardText());
      assertEquals(204, first.call().status(first.statusCallback(), "completed").status());
      var afterFirst = gw.gateway().followups().task(task).orElseThrow();
      assertEquals(Followup.Status.IN_PROGRESS, afterFirst.status());
      assertEquals(1, afterFirst.attempts());
      assertNotNull(afterFirst.nextAttemptAt(), "the board says when to try again");
      var page = page(task, mai);
      assertTrue(page.contains("id=\"callback-button\"") && page.contains("1/3"), page);

      // 2: busy
      rest.clear();
      pressCallBack(task, mai, 200);
      var second = placed();
      dial = counsellorPressesOne(second);
      answers.add(dial);
      answers.add(second.call().dialEnded(dial, "busy"));
      assertEquals(2, gw.gateway().followups().task(task).orElseThrow().attempts());

      // 3: voicemail picks up: detected and hung up on before its beep, counted as no answer, which closes the task
      rest.clear();
      pressCallBack(task, mai, 200);
      var third = placed();
      dial = counsellorPressesOne(third);
      answers.add(dial);
      var machine = third.call().dialledPickedUp(dial, "machine_start");
      answers.add(machine);
      assertEquals(List.of("Hangup"), machine.verbs().stream().map(org.w3c.dom.Element::getTagName).toList(),
          "a machine gets nothing to record: " + machine.body());
      var closed = third.call().dialEnded(dial, "completed");
      answers.add(closed);
      assertTrue(closed.heardText().contains("lần thứ ba"), closed.heardText());

      var t = gw.gateway().followups().task(task).orElseThrow();
      assertEquals(Followup.Status.CLOSED_FAILED, t.status());
      assertEquals(Followup.Outcome.NO_ANSWER, t.outcome());
      assertEquals(3, t.attempts());
      assertFalse(t.numberKept(), "the number is purged with the task");
      var done = page(task, mai);
      assertFalse(done.contains("id=\"callback-button\""), done);
      assertTrue(done.contains("id=\"callback-closed\""), done);

      // nothing went to the caller's phone but the three rings: no SMS, no voicemail TwiML, no message queued
      for (var sent : rest.sent()) {
        assertTrue(sent.isCall(), "only calls were asked for: " + sent.path());
        assertFalse(sent.params().toString().contains(CALLER_DIGITS), "a REST request named the caller's number");
      }
      for (var a : answers) {
        assertFalse(a.body().contains("<Record") || a.body().contains("<Sms") || a.body().contains("<Message")
            || a.body().contains("<Play"), a.body());
      }
      assertEquals(0, db.count("sms_outbound"), "no SMS was queued");
      assertEquals(3, db.count("SELECT COUNT(*) FROM followup_calls WHERE task_id = ? AND result = 'no_answer'", task));
      // a fourth press is refused
      var refused = pressCallBackOnClosed(task, mai);
      assertTrue(refused.contains("id=\"callback-notice\""), refused);
      assertNoNumberLoggedOrAudited(logs);
    }
  }

  String pressCallBackOnClosed(String taskId, Counsellor c) {
    var html = page(taskId, c);
    rest.clear();
    var r = http.post("/console/tasks/" + taskId + "/callback", Map.of("csrf", ConsoleHttp.hidden(html, "csrf")),
        c.cookie(), Map.of());
    assertEquals(409, r.statusCode(), r.body());
    assertEquals(List.of(), rest.sent());
    return r.body();
  }

  @Test
  void aTaskAnotherCounsellorHasIsNotCalledBackByASecondOneButASupervisorMay() {
    var task = dangerVoicemailTask();
    var lan = counsellor(COUNSELLOR_PHONE);
    var hoa = counsellor("+84903111445");
    gw.gateway().followups().assign(task, lan.id(), lan.id(), clock.instant());
    var refused = pressCallBack(task, hoa, 409);
    assertTrue(refused.contains("đang do một tư vấn viên khác phụ trách"), refused);
    assertEquals(List.of(), rest.sent(), "nobody was called");
    var boss = accounts.active(Role.SUPERVISOR, "+84903111446");
    var bossCookie = http.signIn(boss.login(), ConsoleFixture.PASSWORD);
    pressCallBack(task, new Counsellor(boss.id(), bossCookie), 200);
    assertEquals(1, rest.calls().size(), "a supervisor may call back a task whoever has it");
    pressCallBack(task, lan, 409); // one call of a task at a time, hers included
  }

  @Test
  void theCounsellorsPhoneNotAnsweredRecordsNoAttemptAndTheTaskStaysOpen() {
    var task = dangerVoicemailTask();
    var hoa = counsellor("+84903111444");
    pressCallBack(task, hoa, 200);
    var p = placed();
    assertEquals(204, p.call().status(p.statusCallback(), "no-answer").status());
    assertEquals(0, attempts(task));
    assertEquals(Followup.Status.OPEN, status(task));
    var page = page(task, hoa);
    var m = Pattern.compile("id=\"callback-state\"[^>]*>([^<]*)<").matcher(page);
    assertTrue(m.find(), page);
    assertTrue(m.group(1).contains("chưa gọi cho trẻ") && m.group(1).contains("vẫn mở"), m.group(1));
    assertTrue(page.contains("id=\"callback-button\""), "the counsellor can call again: " + page);

    // picked up, but 1 not pressed (a voicemail box on the counsellor's phone): the child is never dialled. This
    // time pressed as htmx does: the fragment alone, which follows the call
    rest.clear();
    var r = http.post("/console/tasks/" + task + "/callback", Map.of("csrf", ConsoleHttp.hidden(page, "csrf")),
        hoa.cookie(), Map.of("HX-Request", "true"));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().strip().startsWith("<section id=\"task-callback\"") && r.body().contains("hx-trigger=\"every 2s\""),
        r.body());
    assertFalse(r.body().contains("<html"), r.body());
    var q = placed();
    var whisper = q.call().answered(q.url());
    var noKey = q.call().press(whisper, "");
    assertFalse(noKey.has("Dial"), noKey.body());
    assertEquals(204, q.call().status(q.statusCallback(), "completed").status());
    assertEquals(0, attempts(task));
    assertEquals(Followup.Status.OPEN, status(task));

    // a call Twilio never reports on blocks "Call back" for a while, not for ever
    rest.clear();
    pressCallBack(task, hoa, 200);
    assertFalse(page(task, hoa).contains("id=\"callback-button\""));
    clock.advance(java.time.Duration.ofMinutes(16));
    rest.clear();
    pressCallBack(task, hoa, 200);
    assertEquals(1, rest.calls().size());
  }

  @Test
  void aForgedCallbackSignatureIsRefusedAndChangesNothingAndNoPhoneOrNoTwilioMeansNoCall() {
    var task = dangerVoicemailTask();
    var phoneless = counsellor(null);
    var body = pressCallBack(task, phoneless, 400);
    assertTrue(body.contains("callback-notice"), body);
    assertEquals(List.of(), rest.sent());

    var kim = counsellor("+84903111555");
    rest.answerWith(400);
    pressCallBack(task, kim, 503);
    assertEquals(1, rest.calls().size());
    assertEquals("not_started", db.row("SELECT result FROM followup_calls WHERE task_id = ?", task).get("result"));
    rest.answerWith(201);
    rest.clear();

    pressCallBack(task, kim, 200);
    var p = placed();
    var callId = p.url().substring(p.url().indexOf("call=") + 5);
    var params = new java.util.LinkedHashMap<String, String>();
    params.put("CallSid", p.request().sid());
    params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    params.put("From", HOTLINE);
    params.put("To", "+84903111555");
    params.put("CallStatus", "in-progress");
    params.put("Direction", "outbound-api");
    params.put("Digits", "1");
    var forged = twilio.rawPost("/twilio/callback/key?call=" + callId, params, "bm90IGEgc2lnbmF0dXJl", "application/x-www-form-urlencoded");
    assertEquals(403, forged.status());
    assertFalse(forged.body().contains(CALLER_DIGITS));
    params.remove("Digits");
    params.put("DialCallStatus", "completed");
    var signedForOtherUrl = vn.hotline.gateway.testing.TwilioSigner.sign(RunningGateway.TOKEN,
        gw.base + "/twilio/callback/status?call=" + callId, params);
    assertEquals(403, twilio.rawPost("/twilio/callback/dialed?call=" + callId, params, signedForOtherUrl,
        "application/x-www-form-urlencoded").status());
    assertEquals("calling", db.row("SELECT state FROM followup_calls WHERE id = ?", callId).get("state"));
    assertEquals(0, attempts(task));
    assertEquals(Followup.Status.OPEN, status(task));
  }

  void assertNoNumberLoggedOrAudited(LogCapture logs) {
    for (var e : logs.events()) {
      var line = e.getFormattedMessage() + " " + e.getKeyValuePairs();
      assertFalse(line.contains(CALLER_DIGITS), "logged the caller's number: " + line);
      assertFalse(line.contains(COUNSELLOR_DIGITS), "logged the counsellor's number: " + line);
    }
    var audit = accounts.allAuditText();
    assertTrue(audit.contains("followup.callback_ended"), "the calls are audited");
    assertFalse(audit.contains(CALLER_DIGITS), "the audit chain holds the caller's number");
    assertFalse(audit.contains(COUNSELLOR_DIGITS), "the audit chain holds the counsellor's number");
  }
}
