package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The contact card and its form over plain HTTP, as a script or a forged cross-site request could send them: no
 * CSRF token changes nothing, a wrong category comes back marked with what was typed and saves nothing, a
 * supervisor opens any card, an unknown or malformed contact id is a 404 page (never a 500), nothing personal is
 * on the card until asked for, and each asking is an audit event. One gateway per store, the shipped routing with
 * fake agencies.
 */
@GatewayTest
class ContactCardPageTest {
  static final String TEXTER = "+84987654326";
  static final String STORY = "Co nguoi la nhan tin doa dang anh cua ban em len mang neu khong chuyen tien.";
  static final String LINK = "https://facebook.com/groups/abc987";
  static final String NOTES = "Đã hướng dẫn em chụp lại tin nhắn, không chuyển tiền.";

  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static FakeAgencies fakes;
  static ConsoleFixture accounts;
  static ConsoleHttp http;

  @GatewayTest.BeforeStore
  static void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    var routed = house.startRouted(clock);
    gw = routed.gw();
    fakes = routed.fakes();
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    PersonalData.used(TEXTER, STORY, LINK, NOTES);
  }

  @GatewayTest.AfterStore
  static void stop() {
    accounts.close();
    fakes.close();
  }

  String signedIn(Role role) {
    var who = accounts.active(role);
    return http.signIn(who.login(), ConsoleFixture.PASSWORD);
  }

  /** A child reports online harm by voicemail in English (13-15, Ho Chi Minh City): its contact id. */
  String voicemailReport() {
    var call = gw.twilio().call();
    var t = call.press(call.press(call.press(call.press(call.incoming(), "2"), "2"), "4"), "2");
    var handoff = call.press(call.press(t, "4"), "79");
    call.record(call.callbackSafe(call.dialEnded(handoff, "no-answer")), 42);
    call.status("completed");
    var id = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    settled();
    return id;
  }

  /** Waits until every delivery so far has been made (each attempt is an audit event of its own). */
  static void settled() {
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status <> ?", "delivered") == 0,
        "every report delivered");
  }

  /** A texter reports online harm by SMS with a story and a link: its contact id. */
  String smsReport() {
    var twilio = gw.twilio();
    for (var text : List.of("BAOCAO", "4", "2", "4", "79", STORY, "xong", LINK)) {
      twilio.sms(TEXTER, text);
    }
    twilio.sms(TEXTER, "1");
    var end = twilio.sms(TEXTER, "1"); // yes, a counsellor may text back
    var m = Pattern.compile("ma so (\\d{8})").matcher(end.messageText());
    assertTrue(m.find(), end.body());
    settled();
    return (String) db.row("SELECT contact_id FROM reports WHERE reference = ?", m.group(1)).get("contact_id");
  }

  String reference(String contactId) {
    return (String) db.row("SELECT reference FROM contacts WHERE id = ?", contactId).get("reference");
  }

  int views() {
    return db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "personal_data.viewed");
  }

  /** The form as the page shows it, with these fields changed. */
  static Map<String, String> form(String page, Map<String, String> changes) {
    var f = new LinkedHashMap<String, String>();
    f.put("csrf", ConsoleHttp.hidden(page, "csrf"));
    f.put("based_on", ConsoleHttp.hidden(page, "based_on"));
    f.put("category", "online_abuse_harmful_content");
    f.put("subcategory", "sextortion");
    f.put("risk_level", "high");
    f.put("age_band", "13-15");
    f.put("sex", "");
    f.put("province", "79");
    f.put("district", "");
    f.put("notes", NOTES);
    f.put("outcome", "referred");
    f.put("agencies", "police-cyber");
    f.put("reason", "");
    f.putAll(changes);
    return f;
  }

  @Test
  void theCardShowsTheCallersAnswersAndNothingTheCallerSaidUntilAsked() {
    var contact = voicemailReport();
    var reference = reference(contact);
    var recording = gw.sealer().open((String) db.row("SELECT recording_sealed FROM reports WHERE contact_id = ?",
        contact).get("recording_sealed"));
    var cookie = signedIn(Role.COUNSELLOR);
    int before = views();

    var page = http.get("/console/contacts/" + contact + "?lang=en", cookie);
    assertEquals(200, page.statusCode(), page.body());
    var html = page.body();
    assertTrue(html.contains(reference.substring(0, 4) + " " + reference.substring(4)), "the reference, grouped");
    assertTrue(html.contains("Online abuse or harmful content"), "the category's label");
    assertTrue(html.contains("13 to 15"), "the age band");
    assertTrue(html.contains("Thành phố Hồ Chí Minh"), "the province by name");
    assertTrue(html.contains("Another child") && html.contains("Reporting abuse or harm") && html.contains("English"),
        "about, intent and language");
    assertTrue(html.contains("report-province") && html.contains("answered 79"), "the menu path, with the answers");
    assertFalse(html.contains(recording), "no voicemail reference before the counsellor asks");
    assertEquals(before, views(), "opening the card opens nothing personal");

    var shown = http.post("/console/contacts/" + contact + "/personal",
        Map.of("csrf", ConsoleHttp.hidden(html, "csrf")), cookie, Map.of("HX-Request", "true"));
    assertEquals(200, shown.statusCode(), shown.body());
    assertTrue(shown.body().contains(recording), "asked for: the recording's reference");
    assertFalse(shown.body().contains("<html"), "htmx gets the part of the card it swaps in");
    assertEquals(before + 1, views(), "and that view is an audit event");
  }

  @Test
  void theCardNamesTheFormerProvinceTheCallerKeyedBesideTodaysUnit() {
    var call = gw.twilio().call();
    var t = call.press(call.press(call.press(call.press(call.incoming(), "1"), "2"), "4"), "2");
    var handoff = call.press(call.press(t, "4"), "67"); // Đắk Nông's code before 2025
    call.record(call.callbackSafe(call.dialEnded(handoff, "no-answer")), 12);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    settled();
    var cookie = signedIn(Role.COUNSELLOR);
    var vi = http.get("/console/contacts/" + contact + "?lang=vi", cookie).body();
    assertTrue(vi.contains("Lâm Đồng (trước đây Đắk Nông)"), "today's unit, and the province the caller named");
    var en = http.get("/console/contacts/" + contact + "?lang=en", cookie).body();
    assertTrue(en.contains("Lâm Đồng (formerly Đắk Nông)"), "in the counsellor's language");
  }

  @Test
  void aDangerCallsCardIsUrgentAndShowsTheTimeSpentAtEachStepAndInAll() {
    var call = gw.twilio().call();
    var menu = call.incoming();
    clock.advance(java.time.Duration.ofSeconds(4));
    var main = call.press(menu, "2"); // English
    clock.advance(java.time.Duration.ofSeconds(7));
    var dial = call.press(main, "1"); // in danger now
    clock.advance(java.time.Duration.ofSeconds(95));
    call.dialEnded(dial, "completed");
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    settled();

    var html = http.get("/console/contacts/" + contact + "?lang=en", signedIn(Role.COUNSELLOR)).body();
    assertTrue(html.contains("id=\"urgent\""), "the urgent badge");
    assertTrue(html.contains("<dd id=\"card-intent\">In danger right now</dd>"), "the intent");
    assertTrue(html.contains("<dd id=\"card-urgency\">Urgent</dd>"));
    assertTrue(Pattern.compile("<code>choose-language</code></td><td>pressed 2</td><td class=\"num\">4 s</td>")
        .matcher(html).find(), "4 seconds choosing the language");
    assertTrue(Pattern.compile("<code>main-menu</code></td><td>pressed 1</td><td class=\"num\">7 s</td>")
        .matcher(html).find(), "7 at the main menu");
    assertTrue(Pattern.compile("<code>danger-handoff</code></td><td>a counsellor answered, hung up</td><td class=\"num\">1 min 35 s</td>")
        .matcher(html).find(), "95 with the counsellor: " + html);
    assertTrue(html.contains("<td class=\"num\" id=\"path-total\">1 min 46 s</td>"), "and 106 seconds in all");
    assertTrue(Pattern.compile("value=\"immediate\" selected").matcher(html).find(),
        "the form starts from immediate danger, as the child said");
  }

  @Test
  void whatATexterWroteIsShownAsTextAndLinksDoNotLoad() {
    var contact = smsReport();
    var cookie = signedIn(Role.COUNSELLOR);
    var html = http.get("/console/contacts/" + contact, cookie).body();
    assertFalse(html.contains(STORY) || html.contains(LINK), "nothing written on the card before asking");

    var shown = http.post("/console/contacts/" + contact + "/personal", Map.of("csrf", ConsoleHttp.hidden(html, "csrf")),
        cookie, Map.of());
    assertEquals(200, shown.statusCode(), shown.body());
    assertTrue(shown.body().contains("<html"), "without htmx, the whole card again");
    assertTrue(shown.body().contains(STORY), "the description");
    assertTrue(shown.body().contains("<code class=\"wrap\">" + LINK + "</code>"), "the link, as text");
    assertFalse(shown.body().contains("href=\"" + LINK), "never as a link that loads");
    assertTrue(shown.body().contains("id=\"personal-messages\""), "the SMS conversation");
  }

  @Test
  void withoutTheCsrfTokenNothingIsOpenedOrSaved() {
    var contact = voicemailReport();
    var cookie = signedIn(Role.COUNSELLOR);
    var page = http.get("/console/contacts/" + contact, cookie).body();
    int audited = db.count("audit_events");
    int versions = db.count("report_versions");
    int deliveries = db.count("deliveries");

    var fields = form(page, Map.of("category", "sexual_violence"));
    fields.remove("csrf");
    var save = http.post("/console/contacts/" + contact + "/assessment", fields, cookie, Map.of());
    assertEquals(403, save.statusCode());
    var wrong = form(page, Map.of("csrf", "not-the-token"));
    assertEquals(403, http.post("/console/contacts/" + contact + "/assessment", wrong, cookie, Map.of()).statusCode());
    var open = http.post("/console/contacts/" + contact + "/personal", Map.of(), cookie, Map.of("HX-Request", "true"));
    assertEquals(403, open.statusCode());

    assertEquals(versions, db.count("report_versions"), "no version saved");
    assertEquals(deliveries, db.count("deliveries"), "nothing sent");
    assertEquals(audited, db.count("audit_events"), "nothing opened or changed, nothing audited");
    assertEquals(1, ((Number) db.row("SELECT version FROM reports WHERE contact_id = ?", contact).get("version")).intValue());
  }

  @Test
  void anInvalidCategoryComesBackMarkedWithWhatWasTypedAndSavesNothing() {
    var contact = voicemailReport();
    var cookie = signedIn(Role.COUNSELLOR);
    var page = http.get("/console/contacts/" + contact, cookie).body();
    int audited = db.count("audit_events");
    int deliveries = db.count("deliveries");

    var r = http.post("/console/contacts/" + contact + "/assessment", form(page, Map.of("category", "cyber")), cookie,
        Map.of());
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("data-field=\"category\""), "the field at fault is named");
    assertTrue(Pattern.compile("id=\"f-category\" name=\"category\" required aria-invalid=\"true\"").matcher(r.body()).find(),
        "and marked on the form");
    assertTrue(r.body().contains("Loại việc: hãy chọn một loại trong danh sách."), "in words");
    assertTrue(r.body().contains(">" + NOTES + "</textarea>"), "what was typed is kept");
    assertTrue(Pattern.compile("value=\"high\" selected").matcher(r.body()).find(), "the choices too");

    var noAgency = form(page, Map.of());
    noAgency.remove("agencies");
    var r2 = http.post("/console/contacts/" + contact + "/assessment", noAgency, cookie, Map.of());
    assertEquals(400, r2.statusCode());
    assertTrue(r2.body().contains("data-field=\"agencies\""), "referred to nobody: the referral is named");

    assertEquals(0, db.count("SELECT COUNT(*) FROM report_versions v JOIN reports r ON r.id = v.report_id"
        + " WHERE r.contact_id = ?", contact));
    assertEquals(deliveries, db.count("deliveries"));
    assertEquals(audited, db.count("audit_events"), "nothing saved, nothing audited");
  }

  @Test
  void savingMakesVersion2AndSaysWhereItWentAndAFormOfAnOlderVersionIsNotSavedOverIt() {
    var contact = voicemailReport();
    var cookie = signedIn(Role.COUNSELLOR);
    var page = http.get("/console/contacts/" + contact + "?lang=en", cookie).body();
    assertEquals("1", ConsoleHttp.hidden(page, "based_on"));

    var saved = http.post("/console/contacts/" + contact + "/assessment?lang=en",
        form(page, Map.of("agencies", "police-cyber")), cookie, Map.of());
    assertEquals(200, saved.statusCode(), saved.body());
    assertTrue(saved.body().contains("Saved as version 2."), "the version made");
    assertTrue(saved.body().contains("Sent as an update (report.updated) to: Công an tỉnh - Phòng An ninh mạng"),
        "and where it went");
    assertEquals("2", ConsoleHttp.hidden(saved.body(), "based_on"));
    assertEquals(2, ((Number) db.row("SELECT version FROM reports WHERE contact_id = ?", contact).get("version")).intValue());

    // The first page, still open in another tab, is sent again: it would overwrite version 2 unseen.
    var stale = http.post("/console/contacts/" + contact + "/assessment?lang=en",
        form(page, Map.of("category", "other", "subcategory", "")), cookie, Map.of());
    assertEquals(409, stale.statusCode());
    assertTrue(stale.body().contains("Another counsellor saved a newer version"), stale.body());
    assertEquals("2", ConsoleHttp.hidden(stale.body(), "based_on"), "the form kept, now on version 2");
    assertEquals(2, ((Number) db.row("SELECT version FROM reports WHERE contact_id = ?", contact).get("version")).intValue());

    // Opened again: the form holds the saved assessment (its case notes too), and that view is audited.
    int viewed = db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "report.viewed");
    var again = http.get("/console/contacts/" + contact + "?lang=vi", cookie).body();
    assertTrue(again.contains(">" + NOTES + "</textarea>"), "the saved case notes, to amend");
    assertTrue(again.contains("Phiên bản 2"), "the review state");
    assertEquals(viewed + 1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "report.viewed"));
  }

  @Test
  void aSupervisorOpensAnyCardAndAnAdminNone() {
    var contact = voicemailReport();
    var supervisor = signedIn(Role.SUPERVISOR);
    var page = http.get("/console/contacts/" + contact, supervisor);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("id=\"assessment-form\""), "with its form");
    var admin = signedIn(Role.ADMIN);
    assertEquals(403, http.get("/console/contacts/" + contact, admin).statusCode(), "accounts, not cases");
    var nobody = http.get("/console/contacts/" + contact, null);
    assertEquals(303, nobody.statusCode(), "not signed in: to the login page");
    assertTrue(nobody.headers().firstValue("Location").orElse("").startsWith("/console/login?next="));
  }

  @Test
  void anUnknownOrMalformedContactIsA404PageNever500() {
    var cookie = signedIn(Role.COUNSELLOR);
    for (var id : List.of("0190f0f0-0000-7000-8000-000000000000", "nope", "0190F0F0-0000-7000-8000-000000000000",
        "1%27%20OR%20%271%27%3D%271", "%00", "x".repeat(300))) {
      HttpResponse<String> r = http.get("/console/contacts/" + id, cookie);
      assertEquals(404, r.statusCode(), id);
      assertTrue(r.body().contains("Không tìm thấy liên hệ này."), id + ": " + r.body());
    }
    var page = http.get("/console/contacts/" + voicemailReport(), cookie).body();
    var csrf = Map.of("csrf", ConsoleHttp.hidden(page, "csrf"));
    assertEquals(404, http.post("/console/contacts/0190f0f0-0000-7000-8000-000000000000/personal", csrf, cookie,
        Map.of()).statusCode());
    assertEquals(404, http.post("/console/contacts/nope/assessment", csrf, cookie, Map.of()).statusCode());
    assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ? AND refs LIKE '%0190f0f0%'",
        "personal_data.viewed"));
  }
}
