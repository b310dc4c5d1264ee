package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The follow-up tasks on the console, over plain HTTP against a real gateway on MariaDB and H2: a danger voicemail
 * made by a signed simulated call (the caller said calling back is safe) is on the tasks page, urgent, with its due
 * time and no personal data, red once overdue, and counted on the live board; three unanswered attempts close it
 * (closed_failed, no_answer); a supervisor reassigns a task and a counsellor cannot; a POST without the session's
 * CSRF token changes nothing; refusals answer 404/409/400 in words; an admin-only account sees no task.
 */
@GatewayTest
class TaskPageTest {
  static final String CALLER_DIGITS = FakeTwilio.CALLER.substring(1);

  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static ConsoleFixture accounts;
  static ConsoleHttp http;

  @GatewayTest.BeforeStore
  static void start(Harness house) {
    clock = MutableClock.now();
    db = house.db();
    gw = house.start(Map.of(), clock);
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
  }

  @GatewayTest.AfterStore
  static void stop() {
    accounts.close();
  }

  /** A danger call nobody answers; the caller says calling back is safe and leaves a message. Its task's id. */
  String dangerVoicemail() {
    var call = gw.twilio().call();
    call.record(call.callbackSafe(call.dialEnded(call.dangerNow(), "no-answer")), 30);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    return (String) db.row("SELECT id FROM followup_tasks WHERE contact_id = ?", contact).get("id");
  }

  String reference(String task) {
    return (String) db.row("SELECT c.reference FROM followup_tasks t JOIN contacts c ON c.id = t.contact_id"
        + " WHERE t.id = ?", task).get("reference");
  }

  /** A time as the page shows it now: the hour, with the day when it is not today (near midnight it is not). */
  String hour(Instant t) {
    return TaskModel.when(t, gw.config().operators().hours().zone(), clock.instant());
  }

  /** The part of a page between a row's opening tag and its end. */
  static String row(String html, String id) {
    int at = html.indexOf("id=\"" + id + "\"");
    assertTrue(at >= 0, "no " + id + " in " + html);
    return html.substring(html.lastIndexOf('<', at), html.indexOf("</tr>", at));
  }

  Map<String, String> form(String csrf, String... kv) {
    var m = new java.util.LinkedHashMap<String, String>();
    m.put("csrf", csrf);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aDangerVoicemailIsAnUrgentTaskOnTheTasksPageWithItsDueTimeRedOnceOverdueAndCountedOnTheBoard() {
    var task = dangerVoicemail();
    var created = instant(db.row("SELECT created_at FROM followup_tasks WHERE id = ?", task).get("created_at"));
    var lan = accounts.active(Role.COUNSELLOR);
    var cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);

    var page = http.get("/console/tasks", cookie);
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.body().contains("href=\"/console/tasks\""), "in the navigation");
    var row = row(page.body(), "task-" + task);
    assertTrue(row.contains("Gọi lại"), row);
    assertTrue(row.contains("Khẩn cấp") || row.contains("badge danger"), "urgent: " + row);
    assertTrue(row.contains(reference(task)), row);
    assertTrue(row.contains(hour(created.plus(Duration.ofMinutes(10)))), "due ten minutes after: " + row);
    assertTrue(row.contains("chưa ai nhận"), "nobody has it: " + row);
    assertFalse(row.contains("overdue"), row);
    assertFalse(page.body().contains(CALLER_DIGITS), "no number on the page");
    assertFalse(page.body().contains("twilio.com"), "no Twilio URL");
    var board = http.get("/console/board", cookie).body();
    assertTrue(board.contains("id=\"tasks-count\" href=\"/console/tasks\""), board);

    clock.advance(Duration.ofMinutes(11));
    var later = row(http.get("/console/tasks", cookie).body(), "task-" + task);
    assertTrue(later.contains("class=\"task kind-callback overdue"), "overdue, in red (CSS class): " + later);
    assertTrue(later.contains("quá hạn"), later);
    var boardLater = http.get("/console/board", cookie).body();
    assertTrue(boardLater.contains("id=\"tasks-overdue\""), "the board counts the overdue ones: " + boardLater);

    var admin = accounts.active(Role.ADMIN);
    var adminCookie = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    assertEquals(403, http.get("/console/tasks", adminCookie).statusCode(), "an admin-only account sees no task");
    assertEquals(403, http.get("/console/tasks/" + task, adminCookie).statusCode());
    assertFalse(http.get("/console", adminCookie).body().contains("href=\"/console/tasks\""), "not in an admin's navigation");
  }

  static Instant instant(Object dbTime) {
    var local = dbTime instanceof java.sql.Timestamp t ? t.toLocalDateTime() : (java.time.LocalDateTime) dbTime;
    return local.toInstant(java.time.ZoneOffset.UTC);
  }

  @Test
  void threeUnansweredAttemptsCloseTheTaskAndEachIsShownWithWhenToTryAgain() {
    var task = dangerVoicemail();
    var lan = accounts.active(Role.COUNSELLOR);
    var cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/tasks/" + task, cookie);
    assertEquals(200, page.statusCode(), page.body());
    assertTrue(page.body().contains("id=\"task-actions\""), page.body());
    assertTrue(page.body().contains("id=\"task-callback\"") && page.body().contains("id=\"callback-attempts\""),
        "a callback task's page holds its Call back control: " + page.body());
    assertTrue(page.body().contains("id=\"history-empty\""), page.body());
    var csrf = ConsoleHttp.hidden(page.body(), "csrf");

    // taking it: assigned to her
    var taken = http.post("/console/tasks/" + task + "/take", form(csrf), cookie, Map.of());
    assertEquals(200, taken.statusCode(), taken.body());
    assertTrue(taken.body().contains("id=\"task-assignee\">bạn<"), taken.body());

    // no CSRF token: refused, nothing recorded
    var forged = http.post("/console/tasks/" + task + "/attempt", Map.of("result", "no_answer"), cookie, Map.of());
    assertEquals(403, forged.statusCode());
    assertEquals(0, db.count("SELECT COUNT(*) FROM followup_attempts WHERE task_id = ?", task));
    var unknown = http.post("/console/tasks/" + task + "/attempt", form(csrf, "result", "maybe"), cookie, Map.of());
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("Hãy chọn kết quả của lần liên hệ"), unknown.body());

    var retry = Duration.ofMinutes(gw.config().followup().retryMinutes());
    for (int i = 1; i <= 2; i++) {
      var after = http.post("/console/tasks/" + task + "/attempt", form(csrf, "result", "no_answer"), cookie, Map.of());
      assertEquals(200, after.statusCode(), after.body());
      assertTrue(after.body().contains("data-status=\"in_progress\""), after.body());
      assertTrue(after.body().contains("id=\"task-try-again\">thử lại sau " + hour(clock.instant().plus(retry))), after.body());
      assertEquals(i, db.count("SELECT COUNT(*) FROM followup_attempts WHERE task_id = ?", task));
      clock.advance(retry.plusMinutes(1));
      cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD); // her session may have timed out meanwhile
      csrf = ConsoleHttp.hidden(http.get("/console/tasks/" + task, cookie).body(), "csrf");
    }
    var third = http.post("/console/tasks/" + task + "/attempt", form(csrf, "result", "no_answer"), cookie, Map.of());
    assertEquals(200, third.statusCode(), third.body());
    assertTrue(third.body().contains("data-status=\"closed_failed\""), third.body());
    assertTrue(third.body().contains("data-outcome=\"no_answer\""), third.body());
    assertTrue(third.body().contains("không ai nghe máy"), third.body());
    assertFalse(third.body().contains("id=\"task-actions\""), "nothing more to do on a closed task");
    assertEquals(3, third.body().split("data-result=\"no_answer\"", -1).length - 1, "three attempts in its history");
    assertEquals("closed_failed", db.row("SELECT status FROM followup_tasks WHERE id = ?", task).get("status"));
    assertFalse(http.get("/console/tasks", cookie).body().contains("task-" + task), "off the list");

    var again = http.post("/console/tasks/" + task + "/attempt", form(csrf, "result", "no_answer"), cookie, Map.of());
    assertEquals(409, again.statusCode());
    assertTrue(again.body().contains("Việc này đã xong hoặc đã đóng"), again.body());
    assertEquals(404, http.post("/console/tasks/0190a000-0000-7000-8000-000000000000/attempt",
        form(csrf, "result", "reached"), cookie, Map.of()).statusCode());
    assertEquals(404, http.get("/console/tasks/nope", cookie).statusCode());
    assertEquals(3, accounts.audit("followup.attempt").stream().filter(e -> e.get("refs").contains(task)).count());
    assertTrue(accounts.audit("followup.closed").stream().anyMatch(e -> e.get("refs").contains(task)
        && e.get("data").contains("\"outcome\":\"no_answer\"") && e.get("actor").equals(lan.id())));
  }

  @Test
  void aSupervisorReassignsATaskACounsellorCannot() throws Exception {
    var task = dangerVoicemail();
    var lan = accounts.active(Role.COUNSELLOR);
    var minh = accounts.active(Role.COUNSELLOR);
    var boss = accounts.active(Role.SUPERVISOR);

    var lanCookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var lanPage = http.get("/console/tasks/" + task, lanCookie).body();
    assertFalse(lanPage.contains("id=\"assign-form\""), "a counsellor is not offered it");
    var lanCsrf = ConsoleHttp.hidden(lanPage, "csrf");
    var refused = http.post("/console/tasks/" + task + "/assign", form(lanCsrf, "operator", minh.id()), lanCookie, Map.of());
    assertEquals(403, refused.statusCode());
    assertEquals(null, db.row("SELECT assigned_operator FROM followup_tasks WHERE id = ?", task).get("assigned_operator"));

    var bossCookie = http.signIn(boss.login(), ConsoleFixture.PASSWORD);
    var bossPage = http.get("/console/tasks/" + task, bossCookie).body();
    assertTrue(bossPage.contains("id=\"assign-form\""), bossPage);
    assertTrue(bossPage.contains("value=\"" + minh.id() + "\""), "the counsellors to choose from");
    var csrf = ConsoleHttp.hidden(bossPage, "csrf");
    assertEquals(403, http.post("/console/tasks/" + task + "/assign", Map.of("operator", minh.id()), bossCookie, Map.of())
        .statusCode(), "without the CSRF token");
    var bad = http.post("/console/tasks/" + task + "/assign", form(csrf, "operator", "0190a000-0000-7000-8000-000000000000"),
        bossCookie, Map.of());
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("Không có tư vấn viên đang hoạt động này"), bad.body());

    var done = http.post("/console/tasks/" + task + "/assign", form(csrf, "operator", minh.id()), bossCookie, Map.of());
    assertEquals(200, done.statusCode(), done.body());
    assertTrue(done.body().contains("id=\"task-assignee\">" + minh.name() + "<"), done.body());
    assertEquals(minh.id(), db.row("SELECT assigned_operator FROM followup_tasks WHERE id = ?", task).get("assigned_operator"));
    var assigned = accounts.audit("followup.assigned").stream().filter(e -> e.get("refs").contains(task)).toList();
    assertEquals(1, assigned.size());
    assertEquals(boss.id(), assigned.getFirst().get("actor"));
    assertTrue(row(http.get("/console/tasks", lanCookie).body(), "task-" + task).contains(minh.name()));
    try (var store = vn.hotline.gateway.store.Store.open(gw.config().db(), null)) {
      assertTrue(AuditChain.verify(store.dataSource(), null).intact());
    }
  }

  @Test
  void aVoicemailWhoseCallerWithheldTheNumberIsHeardNotCalledBack() {
    // the caller says yes to "safe to call back?", but from a withheld number: nothing to call, the message is heard
    var call = gw.twilio().call();
    var safety = call.dialEnded(call.dangerNow(), "no-answer");
    call.record(call.post(safety.actionOf("Gather"), Map.of("Digits", "1", "From", "anonymous")), 25);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    var task = (String) db.row("SELECT id FROM followup_tasks WHERE contact_id = ?", contact).get("id");
    assertEquals("voicemail_review", db.row("SELECT kind FROM followup_tasks WHERE id = ?", task).get("kind"));

    var lan = accounts.active(Role.COUNSELLOR);
    var cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertTrue(row(http.get("/console/tasks", cookie).body(), "task-" + task).contains("Nghe lời nhắn thoại"));
    var page = http.get("/console/tasks/" + task, cookie).body();
    assertTrue(page.contains("id=\"reviewed-form\""), page);
    assertFalse(page.contains("id=\"attempt-form\""), "nobody is called back: " + page);
    assertFalse(page.contains("id=\"task-callback\""), "no Call back on a voicemail to hear: " + page);
    assertTrue(page.contains("id=\"voicemail-audio\""), page);
    var csrf = ConsoleHttp.hidden(page, "csrf");

    var attempt = http.post("/console/tasks/" + task + "/attempt", form(csrf, "result", "reached"), cookie, Map.of());
    assertEquals(400, attempt.statusCode());
    assertTrue(attempt.body().contains("Việc này không nhận thao tác đó"), attempt.body());
    assertEquals(403, http.post("/console/tasks/" + task + "/reviewed", Map.of(), cookie, Map.of()).statusCode(),
        "without the CSRF token");
    var heard = http.post("/console/tasks/" + task + "/reviewed", form(csrf), cookie, Map.of());
    assertEquals(200, heard.statusCode(), heard.body());
    assertTrue(heard.body().contains("data-status=\"done\"") && heard.body().contains("data-outcome=\"reviewed\""),
        heard.body());
    assertEquals(409, http.post("/console/tasks/" + task + "/reviewed", form(csrf), cookie, Map.of()).statusCode());
    assertTrue(accounts.audit("followup.closed").stream().anyMatch(e -> e.get("refs").contains(task)
        && e.get("data").contains("\"outcome\":\"reviewed\"") && e.get("actor").equals(lan.id())));
  }
}
