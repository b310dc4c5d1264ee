package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.stats.Statistics;
import vn.hotline.gateway.store.PresenceRepository;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * The supervisor view as a supervisor (and a counsellor kept out of it) notices it over plain HTTP: every
 * counsellor's status and contact, a danger call waiting and for how long, today's calls abandoned before
 * reaching anyone, overdue reviews, reassigning a contact (audited), flagging a caller from the console (the
 * next calls ring nobody, danger still does) and unflagging, and the yearly figures with the stats command's
 * suppression. Real signed Twilio webhooks, both stores, a fresh store per test.
 */
@GatewayTest
class SupervisorViewTest {
  static final String REASON = "gọi đùa liên tục, 12 lần hôm nay";

  Harness house;
  TestDatabase db;
  MutableClock clock = MutableClock.now();
  RunningGateway gw;
  FakeTwilio twilio;
  ConsoleFixture accounts;
  ConsoleHttp http;
  PresenceRepository presence;
  FakeAgencies fakes;

  @BeforeEach
  void setUp(Harness house) {
    this.house = house;
    db = house.db();
    PersonalData.used(REASON);
  }

  void start(Map<String, String> env) {
    gw = house.start(env, clock);
    twilio = gw.twilio();
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    presence = new PresenceRepository(accounts.store, gw.sealer(), new AuditLog());
  }

  void start() {
    start(Map.of());
  }

  @AfterEach
  void tearDown() {
    if (accounts != null) {
      accounts.close();
    }
    if (fakes != null) {
      fakes.close();
    }
  }

  static Map<String, String> form(String... pairs) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  // --- who may open it -----------------------------------------------------------------------------------

  @Test
  void aCounsellorGetsForbiddenOnTheSupervisorViewItsFormsAndTheFigures() {
    start();
    var lan = accounts.active(Role.COUNSELLOR);
    var session = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var csrf = ConsoleHttp.hidden(http.get("/console/board", session).body(), "csrf");
    var reference = adviceCall();

    for (var path : List.of("/console/supervisor", "/console/supervisor/live", "/console/supervisor/stats",
        "/console/supervisor/stats.csv?year=2025")) {
      var r = http.get(path, session);
      assertEquals(403, r.statusCode(), path);
      assertTrue(r.body().contains("Bạn không có quyền mở trang này"), path + ": " + r.body());
    }
    var flag = http.post("/console/supervisor/flags",
        form("csrf", csrf, "reference", reference, "hours", "24", "reason", REASON), session, Map.of());
    assertEquals(403, flag.statusCode(), "her own session's token does not make her a supervisor");
    assertEquals(0, db.count("caller_flags"));
    var home = http.get("/console/board", session).body();
    assertFalse(home.contains("href=\"/console/supervisor\""), "no supervisor entry in her navigation");

    var admin = accounts.active(Role.ADMIN);
    var adminSession = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    assertEquals(403, http.get("/console/supervisor", adminSession).statusCode(), "the live view is the supervisors'");
    assertEquals(200, http.get("/console/supervisor/stats", adminSession).statusCode(), "an admin may read the figures");

    var signedOut = http.get("/console/supervisor", null);
    assertEquals(303, signedOut.statusCode());
    assertEquals("/console/login?next=%2Fconsole%2Fsupervisor", signedOut.headers().firstValue("Location").orElse(""));
  }

  // --- the live view -------------------------------------------------------------------------------------

  @Test
  void theSupervisorSeesEachCounsellorsStatusAndAWaitingDangerCallWithItsWaitingTime() {
    start();
    var lan = accounts.active(Role.COUNSELLOR);
    var mai = accounts.active(Role.COUNSELLOR);
    var boss = accounts.active(Role.SUPERVISOR);
    presence.set(lan.id(), "available", "operator:" + lan.id(), clock.instant());
    clock.advance(Duration.ofMinutes(3));
    var call = twilio.call();
    var dial = call.dangerNow();
    assertTrue(dial.has("Dial"));
    var reference = referenceOf(call.sid);
    clock.advance(Duration.ofSeconds(42));

    var session = http.signIn(boss.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/supervisor", session);
    assertEquals(200, page.statusCode(), page.body());
    var lanRow = row(page.body(), "data-operator=\"" + lan.login() + "\"");
    assertTrue(lanRow.contains("Sẵn sàng") && lanRow.contains("(3:42)"), "available for 3 min 42 s: " + lanRow);
    assertTrue(lanRow.contains(lan.name()), lanRow);
    assertTrue(row(page.body(), "data-operator=\"" + mai.login() + "\"").contains("Vắng mặt"),
        "who never said is away");
    var waiting = row(section(page.body(), "waiting"), "data-reference=\"" + reference + "\"");
    assertTrue(waiting.contains("Khẩn cấp") && waiting.contains("đang gặp nguy hiểm"), waiting);
    assertTrue(waiting.contains("<td class=\"waited\">0:42</td>"), "waiting for 42 seconds: " + waiting);
    assertTrue(page.body().contains("Đang chờ tư vấn viên (1)"), "one waiting");
    assertTrue(page.body().contains("hx-get=\"/console/supervisor/live\" hx-trigger=\"every 5s\""),
        "the live part refreshes by itself");

    clock.advance(Duration.ofSeconds(60));
    var live = http.get("/console/supervisor/live", session);
    assertEquals(200, live.statusCode());
    assertFalse(live.body().contains("<html"), "the live part alone, for htmx to swap in");
    assertTrue(row(live.body(), "data-reference=\"" + reference + "\"").contains("1:42"), "the wait goes on: " + live.body());

    // a counsellor takes it (presses 1 at the whisper): no longer waiting, with a counsellor
    var leg = call.leg(dial, 0);
    leg.press(leg.pickUp(), "1");
    var taken = http.get("/console/supervisor/live", session).body();
    assertTrue(taken.contains("id=\"waiting-empty\""), "nobody waits now");
    assertTrue(row(section(taken, "others-heading"), "data-reference=\"" + reference + "\"")
        .contains("đang nói chuyện với tư vấn viên"), taken);
  }

  @Test
  void aCallHungUpWhileWaitingForACounsellorCountsAsAbandonedBeforeAnyoneToday() {
    start();
    var boss = accounts.active(Role.SUPERVISOR);
    var gone = twilio.call();
    gone.dangerNow();
    clock.advance(Duration.ofSeconds(25));
    gone.status("completed"); // the child hangs up while the phones ring
    var inMenu = twilio.call();
    inMenu.incoming();
    inMenu.status("completed"); // hung up at the menu: never waited for anyone
    var answered = twilio.dangerCallAnswered(); // a counsellor took it
    var unanswered = twilio.call(); // nobody answered, and the child hung up at the voicemail prompt
    unanswered.dialEnded(unanswered.press(unanswered.press(unanswered.incoming(), "1"), "3"), "no-answer");
    unanswered.status("completed");
    var message = twilio.call(); // nobody answered, and the child left a message: that reached the hotline
    message.record(message.callbackSafe(message.dialEnded(message.dangerNow(), "no-answer")), 20);
    message.status("completed");

    var page = http.get("/console/supervisor", http.signIn(boss.login(), ConsoleFixture.PASSWORD)).body();
    var abandoned = section(page, "abandoned-heading");
    assertTrue(abandoned.contains("<strong>2</strong>"), "two calls abandoned before anyone: " + abandoned);
    var row = row(abandoned, "data-reference=\"" + referenceOf(gone.sid) + "\"");
    assertTrue(row.contains("0:25"), "it waited 25 s before hanging up: " + row);
    assertFalse(abandoned.contains(referenceOf(inMenu.sid)), "a call hung up at the menu reached no line");
    assertFalse(abandoned.contains(referenceOf(answered.sid)), "an answered call reached someone");
    assertTrue(abandoned.contains("data-reference=\"" + referenceOf(unanswered.sid) + "\""), "rung, unanswered, hung up");
    assertFalse(abandoned.contains(referenceOf(message.sid)), "a voice message was left");
    assertTrue(page.contains("Hôm nay: 5 liên hệ"), "today's totals: " + page);
  }

  @Test
  void overdueReviewsAreListedWithHowLateTheyAre() throws Exception {
    fakes = new FakeAgencies(house.dir());
    Files.writeString(fakes.routingFile, Files.readString(fakes.routingFile) + """
          - name: online-harm-review
            match: { category: [online_abuse_harmful_content] }
            agencies: [child-protection]
            review: counsellor
            review_within_minutes: 30
        """);
    start(Map.of("GATEWAY_ROUTING_FILE", fakes.routingFile.toString()));
    var boss = accounts.active(Role.SUPERVISOR);
    var call = twilio.call();
    var t = call.press(call.press(call.press(call.press(call.incoming(), "2"), "2"), "4"), "2");
    var handoff = call.press(call.press(t, "4"), "79");
    call.record(call.callbackSafe(call.dialEnded(handoff, "no-answer")), 42);
    call.status("completed");
    var reference = referenceOf(call.sid);
    var session = http.signIn(boss.login(), ConsoleFixture.PASSWORD);

    var before = http.get("/console/supervisor", session).body();
    assertTrue(before.contains("id=\"reviews-empty\""), "not overdue yet");
    assertTrue(before.contains("Còn 1 báo cáo khác đang chờ xem lại"), "but waiting");
    clock.advance(Duration.ofMinutes(31));
    var after = http.get("/console/supervisor", http.signIn(boss.login(), ConsoleFixture.PASSWORD)).body();
    var row = row(section(after, "reviews-heading"), "data-reference=\"" + reference + "\"");
    assertTrue(row.contains("1:00"), "a minute late: " + row);
    assertTrue(after.contains("Báo cáo quá hạn xem lại (1)"));
  }

  // --- reassigning ---------------------------------------------------------------------------------------

  @Test
  void aSupervisorReassignsAWaitingCallToAnotherCounsellorAndItIsAudited() {
    start();
    var lan = accounts.active(Role.COUNSELLOR);
    var mai = accounts.active(Role.COUNSELLOR);
    var boss = accounts.active(Role.SUPERVISOR);
    presence.set(mai.id(), "available", "operator:" + mai.id(), clock.instant());
    var call = twilio.call();
    call.dangerNow();
    var reference = referenceOf(call.sid);
    var contactId = contactOf(call.sid);
    var session = http.signIn(boss.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/supervisor", session).body();
    assertTrue(page.contains("action=\"/console/supervisor/contacts/" + contactId + "/assign\""), "a reassign form");
    var csrf = ConsoleHttp.hidden(page, "csrf");

    var forged = http.post("/console/supervisor/contacts/" + contactId + "/assign", form("operator", mai.id()), session,
        Map.of());
    assertEquals(403, forged.statusCode(), "no CSRF token: refused");
    assertEquals(0, accounts.audit("contact.assigned").size(), "and nothing assigned");

    var done = http.post("/console/supervisor/contacts/" + contactId + "/assign",
        form("csrf", csrf, "operator", mai.id()), session, Map.of());
    assertEquals(200, done.statusCode(), done.body());
    assertTrue(done.body().contains("Liên hệ " + reference + " nay do " + mai.name() + " phụ trách"), done.body());
    var english = http.get("/console/supervisor/contacts/" + contactId + "/assign?lang=en", session);
    assertEquals(303, english.statusCode(), "the language link of the answer leads back to the view");
    assertEquals("/console/supervisor", english.headers().firstValue("Location").orElse(""));
    var maiRow = row(done.body(), "data-operator=\"" + mai.login() + "\"");
    assertTrue(maiRow.contains(reference), "the call shows as hers: " + maiRow);
    assertFalse(row(done.body(), "data-operator=\"" + lan.login() + "\"").contains(reference));
    var events = accounts.audit("contact.assigned");
    assertEquals(1, events.size());
    assertEquals("operator:" + boss.id(), events.get(0).get("actor"), "the supervisor is the actor");
    assertTrue(events.get(0).get("refs").contains(contactId) && events.get(0).get("refs").contains(mai.id()),
        events.get(0).toString());
    assertEquals(mai.id(), db.row("SELECT assigned_operator FROM contacts WHERE id = ?", contactId).get("assigned_operator"));

    var again = http.post("/console/supervisor/contacts/" + contactId + "/assign",
        form("csrf", csrf, "operator", lan.id()), session, Map.of());
    assertEquals(200, again.statusCode());
    assertTrue(row(again.body(), "data-operator=\"" + lan.login() + "\"").contains(reference), "moved on to Lan");

    assertEquals(400, http.post("/console/supervisor/contacts/" + contactId + "/assign",
        form("csrf", csrf, "operator", "no-such-operator"), session, Map.of()).statusCode());
    var admin = accounts.active(Role.ADMIN);
    assertEquals(400, http.post("/console/supervisor/contacts/" + contactId + "/assign",
        form("csrf", csrf, "operator", admin.id()), session, Map.of()).statusCode(), "an admin takes no calls");
    assertEquals(404, http.post("/console/supervisor/contacts/no-such-contact/assign",
        form("csrf", csrf, "operator", lan.id()), session, Map.of()).statusCode());
    call.status("completed");
    var ended = http.post("/console/supervisor/contacts/" + contactId + "/assign",
        form("csrf", csrf, "operator", mai.id()), session, Map.of());
    assertEquals(409, ended.statusCode(), "an ended contact is not reassigned");
    assertTrue(ended.body().contains("Liên hệ này đã kết thúc"), ended.body());
    assertEquals(2, accounts.audit("contact.assigned").size(), "only the two reassignments were made");
  }

  // --- flagged callers -----------------------------------------------------------------------------------

  @Test
  void aCallerFlaggedFromTheConsoleRingsNobodyButDangerStillRingsAndUnflaggingRingsAgain() {
    start();
    var boss = accounts.active(Role.SUPERVISOR);
    var reference = adviceCall();
    var session = http.signIn(boss.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/supervisor", session).body();
    assertTrue(page.contains("Trường hợp nguy hiểm luôn gặp được người"), "the page says danger always rings");
    var csrf = ConsoleHttp.hidden(page, "csrf");

    assertEquals(403, http.post("/console/supervisor/flags", form("reference", reference, "hours", "24", "reason", REASON),
        session, Map.of()).statusCode(), "no CSRF token: refused");
    for (var hours : List.of("0", "2161", "abc", "")) {
      var bad = http.post("/console/supervisor/flags", form("csrf", csrf, "reference", reference, "hours", hours,
          "reason", REASON), session, Map.of());
      assertEquals(400, bad.statusCode(), hours);
      assertTrue(bad.body().contains("Số giờ phải là số nguyên từ 1 đến 2160"), bad.body());
    }
    assertEquals(400, http.post("/console/supervisor/flags", form("csrf", csrf, "reference", reference, "hours", "24",
        "reason", "   "), session, Map.of()).statusCode());
    var noSuch = http.post("/console/supervisor/flags", form("csrf", csrf, "reference", "99999999", "hours", "24",
        "reason", REASON), session, Map.of());
    assertEquals(404, noSuch.statusCode());
    assertTrue(noSuch.body().contains("Không có liên hệ nào mang mã số này"), noSuch.body());
    assertEquals(0, db.count("caller_flags"), "nothing flagged so far");

    var flagged = http.post("/console/supervisor/flags", form("csrf", csrf, "reference", reference, "hours", "24",
        "reason", REASON), session, Map.of());
    assertEquals(201, flagged.statusCode(), flagged.body());
    assertTrue(flagged.body().contains("Đã gắn cờ người gọi của liên hệ " + reference + " trong 24 giờ"));
    var listed = row(section(flagged.body(), "flags-heading"), "data-reference=\"" + reference + "\"");
    assertTrue(listed.contains(REASON) && listed.contains(boss.name()), "reason and who set it: " + listed);
    var pseudonym = (String) db.row("SELECT pseudonym FROM caller_flags WHERE reference = ?", reference).get("pseudonym");
    assertFalse(flagged.body().contains(FakeTwilio.CALLER.substring(3)) || flagged.body().contains(pseudonym),
        "never the number or the pseudonym");
    var set = accounts.audit("caller.flag.set");
    assertEquals(1, set.size());
    assertEquals("operator:" + boss.id(), set.get(0).get("actor"));
    assertFalse(set.get(0).toString().contains(REASON), "the reason is not in the audit trail");

    // the flagged caller's report: every question, then the voicemail path and no Dial
    var report = twilio.call();
    var t = report.press(report.press(report.incoming(), "1"), "2");
    t = report.press(report.press(report.press(t, "1"), "1"), "1");
    var afterReport = report.press(t, "*");
    assertFalse(afterReport.has("Dial"), afterReport.body());
    var voicemail = report.callbackSafe(afterReport); // is it safe to call back? yes: the voicemail path
    assertFalse(voicemail.has("Dial"), voicemail.body());
    assertTrue(voicemail.has("Record"), voicemail.body());
    report.status("completed");
    // danger reaches a person whoever calls
    var danger = twilio.call();
    var afterDanger = danger.dangerNow();
    assertTrue(afterDanger.has("Dial"), afterDanger.body());
    assertEquals(List.of(RunningGateway.OPERATOR_1, RunningGateway.OPERATOR_2), afterDanger.dialled());
    danger.status("completed");

    assertEquals(403, http.post("/console/supervisor/flags/clear", form("reference", reference), session, Map.of())
        .statusCode(), "no CSRF token: refused");
    assertFalse(advice().has("Dial"), "still flagged");
    var cleared = http.post("/console/supervisor/flags/clear", form("csrf", csrf, "reference", reference), session, Map.of());
    assertEquals(200, cleared.statusCode(), cleared.body());
    assertTrue(cleared.body().contains("id=\"flags-empty\""), "no active flag left");
    assertEquals("operator:" + boss.id(), accounts.audit("caller.flag.cleared").get(0).get("actor"));
    assertTrue(advice().has("Dial"), "unflagged: counsellors are rung again");
    assertEquals(404, http.post("/console/supervisor/flags/clear", form("csrf", csrf, "reference", reference), session,
        Map.of()).statusCode(), "nothing left to clear");
  }

  // --- the figures ---------------------------------------------------------------------------------------

  @Test
  void theFiguresPageShowsWhatTheStatsCommandComputesHiddenCellsIncluded() {
    start();
    var boss = accounts.active(Role.SUPERVISOR);
    for (int i = 0; i < 5; i++) { // five reports abandoned at the first question
      var call = twilio.call();
      call.press(call.press(call.incoming(), "1"), "2");
      call.status("completed");
    }
    var voicemail = twilio.call(); // one danger call nobody answered: a voice message
    voicemail.record(voicemail.callbackSafe(voicemail.dialEnded(voicemail.dangerNow(), "no-answer")), 20);
    voicemail.status("completed");
    var advice = twilio.call();
    advice.press(advice.press(advice.incoming(), "1"), "3");
    advice.status("completed");

    var session = http.signIn(boss.login(), ConsoleFixture.PASSWORD);
    var stats = new Statistics(accounts.store, Provinces.load(gw.config().provincesFile()));
    var today = LocalDate.now(clock.withZone(Statistics.ZONE));
    int year = today.getMonthValue() >= 11 ? today.getYear() : today.getYear() - 1;
    for (var by : List.of("", "channel", "outcome,urgency")) {
      var q = new Statistics.Query(LocalDate.of(year, 11, 1), LocalDate.of(year + 1, 10, 31),
          Statistics.Dimension.parseList(by));
      var csv = stats.toCsv(stats.compute(q)).lines().skip(1).map(l -> List.of(l.split(",", -1))).toList();
      var page = http.get("/console/supervisor/stats" + (by.isEmpty() ? "" : "?by=" + by), session);
      assertEquals(200, page.statusCode(), page.body());
      assertEquals(csv, table(page.body()), "by " + by + ": the page shows what the stats command prints");
      var download = http.get("/console/supervisor/stats.csv?year=" + year + (by.isEmpty() ? "" : "&by=" + by), session);
      assertEquals(stats.toCsv(stats.compute(q)), download.body());
    }
    var total = table(http.get("/console/supervisor/stats?year=" + year + "&by=channel", session).body());
    var last = total.get(total.size() - 1);
    assertEquals("TOTAL", last.get(0));
    int f = 1; // after the one label column
    assertEquals("7", last.get(f + Statistics.FIGURES.indexOf("contacts")));
    assertEquals("6", last.get(f + Statistics.FIGURES.indexOf("reports")));
    assertEquals("<5", last.get(f + Statistics.FIGURES.indexOf("reports_urgent")), "1 urgent: suppressed");
    assertEquals("<5", last.get(f + Statistics.FIGURES.indexOf("reports_voicemail")));
    assertEquals("x", last.get(f + Statistics.FIGURES.indexOf("reports_abandoned")),
        "5 abandoned is hidden too, or 6 - 0 - 0 - 5 would give the voicemail away");
    var page = http.get("/console/supervisor/stats?by=channel", session).body();
    assertTrue(Pattern.compile("id=\"by-channel\"\\s+checked").matcher(page).find(), "the grouping is kept");
    assertFalse(Pattern.compile("id=\"by-month\"\\s+checked").matcher(page).find());
    assertTrue(page.contains("x: một số được ẩn để bảo vệ một ô &lt;5"), "the page explains x and <5");
    assertEquals(400, http.get("/console/supervisor/stats?by=colour", session).statusCode());
    assertEquals(400, http.get("/console/supervisor/stats?year=1999", session).statusCode());
    assertEquals(400, http.get("/console/supervisor/stats?year=" + (year + 1), session).statusCode());
  }

  // --- helpers -------------------------------------------------------------------------------------------

  /** An advice call from FakeTwilio.CALLER to the Dial, ended; its reference. */
  String adviceCall() {
    var call = twilio.call();
    call.press(call.press(call.incoming(), "1"), "3");
    call.status("completed");
    return referenceOf(call.sid);
  }

  /** Another advice call from the same caller; what it answers after the choice. */
  Twiml advice() {
    var call = twilio.call();
    var t = call.press(call.press(call.incoming(), "1"), "3");
    call.status("completed");
    return t;
  }

  String referenceOf(String callSid) {
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", callSid).get("reference");
  }

  String contactOf(String callSid) {
    return (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", callSid).get("id");
  }

  /** The table row (tr) of the page that carries {@code marker}; fails when there is none. */
  static String row(String html, String marker) {
    int at = html.indexOf(marker);
    if (at < 0) {
      throw new AssertionError("no row with " + marker + " in " + html);
    }
    int start = html.lastIndexOf("<tr", at);
    int end = html.indexOf("</tr>", at);
    return html.substring(start, end);
  }

  /** From the element with this id to the end of its section. */
  static String section(String html, String id) {
    int at = html.indexOf("id=\"" + id + "\"");
    if (at < 0) {
      throw new AssertionError("no " + id + " in " + html);
    }
    int end = html.indexOf("</section>", at);
    return html.substring(at, end < 0 ? html.length() : end);
  }

  /** The figures table's body and TOTAL rows, cell by cell, as text. */
  static List<List<String>> table(String html) {
    var t = html.substring(html.indexOf("<table id=\"figures\""), html.indexOf("</table>", html.indexOf("<table id=\"figures\"")));
    var rows = new ArrayList<List<String>>();
    var body = t.substring(t.indexOf("<tbody>"));
    var tr = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(body);
    var cell = Pattern.compile("<t[hd][^>]*>(.*?)</t[hd]>", Pattern.DOTALL);
    while (tr.find()) {
      var cells = new ArrayList<String>();
      var m = cell.matcher(tr.group(1));
      while (m.find()) {
        cells.add(m.group(1).strip().replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
            .replace("&quot;", "\"").replace("&amp;", "&"));
      }
      rows.add(cells);
    }
    return rows;
  }
}
