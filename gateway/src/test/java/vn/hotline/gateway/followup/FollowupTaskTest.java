package vn.hotline.gateway.followup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.privacy.Retention;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A promise made to a caller is a task until a person keeps it: signed simulated calls and texts (FakeTwilio) against
 * a real gateway, on MariaDB and H2. The caller is asked first whether calling back is safe; only a yes makes the
 * promise, the task, and keeps the voice caller's number (sealed, for that task only, until it is done or its time
 * is up).
 */
@GatewayTest
class FollowupTaskTest {
  static final String CALLER_DIGITS = FakeTwilio.CALLER.substring(1);
  static final String TEXTER = "+84977123456";

  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;
  MutableClock clock = MutableClock.now();
  Store store;

  @BeforeEach
  void start(Harness house) {
    db = house.db();
    gw = house.start(Map.of(), clock);
    twilio = gw.twilio();
    store = Store.open(gw.config().db(), null);
  }

  @AfterEach
  void stop() {
    store.close();
  }

  Followups followups() {
    return gw.gateway().followups();
  }

  /** A child in danger calls, nobody answers; the call waits at the safety question. */
  record Call(FakeTwilio.Call call, vn.hotline.gateway.testing.Twiml safety) {}

  Call dangerNobodyAnswers() {
    var call = twilio.call();
    var safety = call.dialEnded(call.dangerNow(), "no-answer");
    return new Call(call, safety);
  }

  String reference(FakeTwilio.Call call) {
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }

  String contactId(FakeTwilio.Call call) {
    return (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
  }

  static Instant instant(Object dbTime) {
    var local = dbTime instanceof java.sql.Timestamp t ? t.toLocalDateTime() : (LocalDateTime) dbTime;
    return local.toInstant(ZoneOffset.UTC);
  }

  String operator(String login) {
    return new OperatorRepository(store, gw.sealer(), new AuditLog())
        .create(login, "Trần Thị " + login, "counsellor", null, vn.hotline.gateway.util.Ids.uuid7() + login,
            clock.instant().plus(Duration.ofDays(1)),
            "cli", clock.instant())
        .orElseThrow();
  }

  List<String> audit(String type) throws SQLException {
    try (var c = db.connect(); var ps = c.prepareStatement(
        "SELECT refs, data FROM audit_events WHERE event_type = ? ORDER BY id")) {
      ps.setString(1, type);
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<String>();
        while (rs.next()) {
          out.add(rs.getString(1) + " " + rs.getString(2));
        }
        return out;
      }
    }
  }

  /** No column of any table holds the caller's number in clear (sealed values are ciphertext). */
  void assertNumberInClearNowhere(String digits) throws SQLException {
    try (var c = db.connect()) {
      var tables = new ArrayList<String>();
      try (var rs = c.getMetaData().getTables(c.getCatalog(), null, "%", null)) {
        while (rs.next()) {
          var schema = rs.getString("TABLE_SCHEM");
          var type = rs.getString("TABLE_TYPE").toUpperCase();
          if ((schema == null || !schema.equalsIgnoreCase("information_schema")) && type.contains("TABLE")
              && !type.contains("SYSTEM")) {
            tables.add(rs.getString("TABLE_NAME"));
          }
        }
      }
      assertTrue(tables.stream().anyMatch(t -> t.equalsIgnoreCase("followup_tasks")), tables.toString());
      for (var table : tables) {
        try (var rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
          var md = rs.getMetaData();
          while (rs.next()) {
            for (int i = 1; i <= md.getColumnCount(); i++) {
              var v = rs.getString(i);
              assertFalse(v != null && v.contains(digits), table + "." + md.getColumnLabel(i) + " holds the number in clear");
            }
          }
        }
      }
    }
  }

  // --- a danger voicemail ------------------------------------------------------------------------------

  @Test
  void aDangerVoicemailAfterSafeYesIsAnUrgentTaskDueInTenMinutesMadeWithItsReport() throws Exception {
    try (var logs = LogCapture.start()) {
      var c = dangerNobodyAnswers();
      assertTrue(c.safety().heardText().contains("Có an toàn để chúng tôi gọi lại số này không? Bấm 1 nếu có, bấm 2 nếu không."),
          c.safety().heardText());
      var record = c.call().callbackSafe(c.safety());
      assertTrue(record.heardText().contains("Chúng tôi sẽ gọi lại cho bạn ngay"), record.heardText());
      var end = c.call().record(record, 35);
      assertTrue(end.has("Hangup"), end.body());

      // the flow's end wrote the report and the task in one transaction: both are there before the status callback
      var contact = contactId(c.call());
      var report = db.row("SELECT id, completed_at, urgent FROM reports WHERE contact_id = ?", contact);
      var task = db.row("SELECT * FROM followup_tasks WHERE contact_id = ?", contact);
      assertEquals(report.get("id"), task.get("report_id"));
      assertEquals("callback", task.get("kind"));
      assertEquals("urgent", task.get("priority"));
      assertEquals("open", task.get("status"));
      assertEquals(instant(report.get("completed_at")), instant(task.get("created_at")), "made at the same moment");
      assertEquals(instant(task.get("created_at")).plus(Duration.ofMinutes(10)), instant(task.get("due_at")));
      c.call().status("completed");
      assertEquals(1, db.count("followup_tasks"), "the status callback ends the contact again, makes no second task");

      // the number is kept sealed for this task, and the audit chain says why
      var sealed = (String) db.row("SELECT caller_sealed FROM contacts WHERE id = ?", contact).get("caller_sealed");
      assertEquals(FakeTwilio.CALLER, gw.sealer().open(sealed));
      var kept = audit("caller.number_kept");
      assertEquals(1, kept.size(), kept.toString());
      assertTrue(kept.getFirst().contains("\"reason\":\"callback_owed\"") && kept.getFirst().contains((String) task.get("id")),
          kept.toString());
      assertEquals(1, audit("followup.created").size());
      assertNumberInClearNowhere(CALLER_DIGITS);
      for (var e : logs.events()) {
        var line = e.getFormattedMessage() + " " + e.getKeyValuePairs();
        assertFalse(line.contains(CALLER_DIGITS), line);
      }

      // on the board: urgent, due in ten minutes, then overdue; its reference and no number
      var open = followups().openTasks();
      assertEquals(1, open.size());
      var item = open.getFirst();
      assertEquals(Followup.Kind.CALLBACK, item.kind());
      assertEquals(Followup.Priority.URGENT, item.priority());
      assertEquals(reference(c.call()), item.reference());
      assertFalse(item.overdue());
      assertTrue(item.numberKept());
      clock.advance(Duration.ofMinutes(11));
      var later = followups().openTasks().getFirst();
      assertTrue(later.overdue());
      assertTrue(later.age().compareTo(Duration.ofMinutes(11)) >= 0, later.age().toString());
      assertFalse(later.toString().contains(CALLER_DIGITS), later.toString());
    }
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  @Test
  void aCallerWhoSaysItIsNotSafeHearsTheReferenceAndWhenToCallAgainAndNoTaskIsMade() throws Exception {
    var c = dangerNobodyAnswers();
    var end = c.call().callbackNotSafe(c.safety());
    var spoken = String.join(", ", reference(c.call()).split(""));
    assertTrue(end.heardText().contains("Chúng tôi sẽ không gọi lại số này"), end.heardText());
    assertTrue(end.heardText().contains("Mã số cuộc gọi của bạn là " + spoken), end.heardText());
    assertTrue(end.heardText().contains("Tổng đài 111 trả lời 24 giờ mỗi ngày"), end.heardText());
    assertFalse(end.has("Record"), "no message is taken that nobody would answer: " + end.body());
    assertTrue(end.has("Hangup"), end.body());

    // silence is no answer: not safe either
    var quiet = dangerNobodyAnswers();
    var afterSilence = quiet.call().silence(quiet.call().silence(quiet.safety()));
    assertTrue(afterSilence.heardText().contains("Chúng tôi sẽ không gọi lại số này"), afterSilence.heardText());
    c.call().status("completed");
    quiet.call().status("completed");

    assertEquals(2, db.count("SELECT COUNT(*) FROM reports WHERE intent = ?", "danger"), "the reports are made");
    assertEquals(0, db.count("followup_tasks"));
    assertEquals(0, count("SELECT COUNT(*) FROM contacts WHERE caller_sealed IS NOT NULL"));
    assertEquals("no", new com.fasterxml.jackson.databind.ObjectMapper().readTree((String) db.row("SELECT s.answers"
        + " FROM flow_sessions s JOIN contacts c ON c.id = s.contact_id WHERE c.provider_ref = ?", c.call().sid)
        .get("answers")).get("callback_safe").asText());
  }

  @Test
  void onlyTheContactThatOwesACallbackKeepsTheNumber() throws Exception {
    var owed = dangerNobodyAnswers();
    owed.call().record(owed.call().callbackSafe(owed.safety()), 20);
    owed.call().status("completed");
    var notSafe = dangerNobodyAnswers();
    notSafe.call().callbackNotSafe(notSafe.safety());
    notSafe.call().status("completed");
    var answered = twilio.dangerCallAnswered();
    assertEquals(3, count("SELECT COUNT(*) FROM contacts WHERE ended_at IS NOT NULL"));

    assertEquals(List.of(contactId(owed.call())), keptNumbers());
    assertNull(db.row("SELECT caller_sealed FROM contacts WHERE provider_ref = ?", answered.sid).get("caller_sealed"));
    assertNumberInClearNowhere(CALLER_DIGITS);
  }

  int count(String sql) {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  List<String> keptNumbers() throws SQLException {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT id FROM contacts WHERE caller_sealed IS NOT NULL ORDER BY id")) {
      var out = new ArrayList<String>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  String callbackTask() {
    var c = dangerNobodyAnswers();
    c.call().record(c.call().callbackSafe(c.safety()), 20);
    c.call().status("completed");
    return followups().taskOfContact(contactId(c.call())).orElseThrow().id();
  }

  // --- attempts ---------------------------------------------------------------------------------------------

  @Test
  void threeNoAnswersCloseTheTaskAndPurgeTheNumber() throws Exception {
    var id = callbackTask();
    var counsellor = operator("lan");
    var contact = followups().task(id).orElseThrow().contactId();

    var first = followups().recordAttempt(id, counsellor, Followup.Result.NO_ANSWER, clock.instant());
    assertEquals(Followup.Status.IN_PROGRESS, first.status());
    assertEquals(1, first.attempts());
    assertEquals(clock.instant().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS), first.nextAttemptAt(),
        "the board says when to try again");
    assertEquals(first.nextAttemptAt(), followups().openTasks().getFirst().tryAgainAfter());
    clock.advance(Duration.ofMinutes(31));
    var second = followups().recordAttempt(id, counsellor, Followup.Result.NO_ANSWER, clock.instant());
    assertEquals(2, second.attempts());
    assertTrue(second.numberKept(), "still kept while the task is open");
    clock.advance(Duration.ofMinutes(31));
    var third = followups().recordAttempt(id, counsellor, Followup.Result.NO_ANSWER, clock.instant());

    assertEquals(Followup.Status.CLOSED_FAILED, third.status());
    assertEquals(Followup.Outcome.NO_ANSWER, third.outcome());
    assertEquals(3, third.attempts());
    assertFalse(third.numberKept());
    assertNull(db.row("SELECT caller_sealed FROM contacts WHERE id = ?", contact).get("caller_sealed"), "the number is purged");
    assertEquals(List.of(), followups().openTasks());
    assertEquals(3, followups().attempts(id).size());
    assertEquals(List.of(counsellor, counsellor, counsellor), followups().attempts(id).stream()
        .map(vn.hotline.gateway.store.FollowupRepository.Attempt::operatorId).toList());
    var closed = audit("followup.closed");
    assertEquals(1, closed.size());
    assertTrue(closed.getFirst().contains("\"number_released\":true") && closed.getFirst().contains("\"outcome\":\"no_answer\""),
        closed.toString());
    assertEquals(3, audit("followup.attempt").size());
    var again = assertThrows(Followups.Refused.class,
        () -> followups().recordAttempt(id, counsellor, Followup.Result.REACHED, clock.instant()));
    assertEquals(Followups.Refused.Why.NOT_OPEN, again.why());
    assertNumberInClearNowhere(CALLER_DIGITS);
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  @Test
  void reachedIsDoneDoNotContactCancelsAWrongNumberClosesAtOnceAndEachPurgesTheNumber() {
    var counsellor = operator("mai");
    var supervisor = operator("hoa");
    var reached = callbackTask();
    var refused = callbackTask();
    var wrong = callbackTask();

    var assigned = followups().assign(reached, counsellor, supervisor, clock.instant());
    assertEquals(counsellor, assigned.assignedOperator());
    assertEquals(Followup.Status.IN_PROGRESS, assigned.status());
    assertEquals(Followups.Refused.Why.NO_SUCH_OPERATOR, assertThrows(Followups.Refused.class,
        () -> followups().assign(reached, "no-such-operator", supervisor, clock.instant())).why());
    assertEquals(Followups.Refused.Why.NO_SUCH_TASK, assertThrows(Followups.Refused.class,
        () -> followups().recordAttempt("no-such-task", counsellor, Followup.Result.REACHED, clock.instant())).why());

    var done = followups().recordAttempt(reached, counsellor, Followup.Result.REACHED, clock.instant());
    assertEquals(Followup.Status.DONE, done.status());
    assertEquals(Followup.Outcome.REACHED, done.outcome());
    assertFalse(done.numberKept());
    var cancelled = followups().recordAttempt(refused, counsellor, Followup.Result.DO_NOT_CONTACT, clock.instant());
    assertEquals(Followup.Status.CANCELLED, cancelled.status());
    assertFalse(cancelled.numberKept());
    var failed = followups().recordAttempt(wrong, counsellor, Followup.Result.WRONG_NUMBER, clock.instant());
    assertEquals(Followup.Status.CLOSED_FAILED, failed.status());
    assertEquals(Followup.Outcome.WRONG_NUMBER, failed.outcome());
    assertEquals(1, failed.attempts());
    assertFalse(failed.numberKept());
    assertEquals(0, count("SELECT COUNT(*) FROM contacts WHERE caller_sealed IS NOT NULL"));
    assertEquals(List.of(), followups().openTasks());
  }

  // --- retention and erasure ------------------------------------------------------------------------------

  @Test
  void theNumberGoesWhenRetentionEndsEvenWithTheTaskOpenAndAnErasureCancelsTheTask() {
    var open = callbackTask();
    var erased = callbackTask();
    var retention = new Retention(store, new AuditLog(), gw.config().retention());

    assertTrue(retention.erase(followups().task(erased).orElseThrow().reference(), "REQ-1", clock.instant()));
    var cancelled = followups().task(erased).orElseThrow();
    assertEquals(Followup.Status.CANCELLED, cancelled.status());
    assertEquals(Followup.Outcome.ERASED, cancelled.outcome());
    assertFalse(cancelled.numberKept());

    clock.advance(Duration.ofDays(29));
    assertEquals(0, retention.purge(clock.instant()).get("callback_numbers"));
    assertTrue(followups().task(open).orElseThrow().numberKept());
    clock.advance(Duration.ofDays(2)); // past retention.caller_number_days (30)
    var counts = retention.purge(clock.instant());
    assertEquals(1, counts.get("callback_numbers"), counts.toString());
    assertEquals(1, counts.get("followups_closed"), counts.toString());
    var closed = followups().task(open).orElseThrow();
    assertEquals(Followup.Status.CLOSED_FAILED, closed.status());
    assertEquals(Followup.Outcome.NUMBER_PURGED, closed.outcome());
    assertEquals(0, count("SELECT COUNT(*) FROM contacts WHERE caller_sealed IS NOT NULL"));
  }

  // --- SMS ---------------------------------------------------------------------------------------------------

  /** A texted report up to the safety question; returns the question's text. */
  String smsReportToTheSafetyQuestion(String from) {
    for (var t : List.of("BAOCAO", "1", "1", "4", "79", "Chú em đánh em mỗi tối.", "XONG", "0")) {
      twilio.sms(from, t);
    }
    return twilio.sms(from, "1").messageText();
  }

  @Test
  void anSmsReportEndingWithTheCounsellorsPromiseIsAnSmsReplyTask() throws SQLException {
    var question = smsReportToTheSafetyQuestion(TEXTER);
    assertTrue(question.contains("Co an toan de tu van vien nhan tin lai cho ban khong? 1 Co 2 Khong"), question);
    var end = twilio.sms(TEXTER, "1").messageText();
    assertTrue(end.contains("Tu van vien se lien he lai"), end);
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);

    var contact = (String) db.row("SELECT id FROM contacts WHERE reference = ?", m.group(1)).get("id");
    var task = followups().taskOfContact(contact).orElseThrow();
    assertEquals(Followup.Kind.SMS_REPLY, task.kind());
    assertEquals(Followup.Priority.NORMAL, task.priority());
    assertEquals(task.createdAt().plus(Duration.ofHours(24)), task.dueAt());
    assertNotNull(task.reportId());
    assertTrue(task.numberKept(), "the texter's number is kept sealed, as for every SMS conversation");
    assertEquals(0, audit("caller.number_kept").size(), "nothing new is kept for SMS");

    var other = "+84977000222";
    smsReportToTheSafetyQuestion(other);
    var noContact = twilio.sms(other, "2").messageText();
    assertTrue(noContact.contains("111 se khong nhan tin cho ban"), noContact);
    assertTrue(Pattern.compile("ma so \\d{8}").matcher(noContact).find(), noContact);
    assertEquals(2, db.count("reports"));
    assertEquals(1, db.count("followup_tasks"));
  }
}
