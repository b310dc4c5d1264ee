package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.callers.CallerFlags;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.CallerFlagRepository;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A counsellor says Available, Busy or Away from the console's header (a POST with the session's CSRF token,
 * audited), and in dial mode a child's call rings the phones of the counsellors who are Available, each with the
 * whisper naming them, else the configured on-duty numbers; whoever presses 1 is given the contact and is not rung
 * again while on it. Real HTTP and signed webhooks, a fresh store per test, both stores.
 */
@GatewayTest
class PresenceAndRingingTest {
  static final String LAN_PHONE = "+84901000001";
  static final String MINH_PHONE = "+84901000002";

  TestDatabase db;
  MutableClock clock = MutableClock.now();
  RunningGateway gw;
  FakeTwilio twilio;
  ConsoleFixture accounts;
  ConsoleHttp http;

  @BeforeEach
  void start(Harness house) {
    db = house.db();
    gw = house.start(Map.of(), clock);
    twilio = gw.twilio();
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    PersonalData.used(LAN_PHONE, MINH_PHONE);
  }

  @AfterEach
  void closeFixture() {
    accounts.close();
  }

  static Map<String, String> form(String... pairs) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** The htmx request the header's buttons send: the token as a header, the answer the control again. */
  java.net.http.HttpResponse<String> setPresence(String session, String csrf, String presence) {
    return http.post("/console/presence", form("presence", presence), session,
        Map.of("X-CSRF-Token", csrf, "HX-Request", "true"));
  }

  String csrfOf(String session) {
    return ConsoleHttp.hidden(http.get("/console/board", session).body(), "csrf");
  }

  List<Map<String, String>> presenceEvents(Operator who) {
    return accounts.audit("operator.presence").stream().filter(e -> e.get("refs").contains(who.id())).toList();
  }

  @Test
  void aCounsellorSetsHerPresenceWithTheSessionsTokenSeesItAndSigningOutMakesHerAway() {
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE);
    var session = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var control = http.get("/console/presence", session);
    assertEquals(200, control.statusCode());
    assertTrue(control.body().contains("Bạn đang vắng mặt"), "never set: away. " + control.body());
    assertTrue(control.body().contains("id=\"presence-away\" class=\"presence-choice\" aria-pressed=\"true\""), control.body());

    var noToken = http.post("/console/presence", form("presence", "available"), session, Map.of("HX-Request", "true"));
    assertEquals(403, noToken.statusCode(), "no CSRF token: refused");
    var forged = http.post("/console/presence", form("presence", "available", "csrf", "from-another-site"), session, Map.of());
    assertEquals(403, forged.statusCode());
    assertTrue(http.get("/console/presence", session).body().contains("Bạn đang vắng mặt"), "and nothing changed");
    assertEquals(List.of(), presenceEvents(lan));

    var csrf = csrfOf(session);
    var available = setPresence(session, csrf, "available");
    assertEquals(200, available.statusCode(), available.body());
    assertTrue(available.body().contains("Bạn đang sẵn sàng"), available.body());
    assertTrue(available.body().contains("id=\"presence-available\" class=\"presence-choice\" aria-pressed=\"true\""));
    assertTrue(http.get("/console/presence", session).body().contains("Bạn đang sẵn sàng"), "shown on every page");
    var board = http.get("/console/board", session).body();
    assertTrue(board.contains(lan.name()) && board.contains("sẵn sàng"), "the board lists her as available: " + board);

    var plainForm = http.post("/console/presence", form("presence", "busy", "csrf", csrf), session, Map.of());
    assertEquals(303, plainForm.statusCode(), "a form sent without htmx goes back to the board");
    assertEquals("/console/board", plainForm.headers().firstValue("Location").orElse(""));
    assertTrue(http.get("/console/presence", session).body().contains("Bạn đang bận"));
    assertEquals(400, setPresence(session, csrf, "asleep").statusCode(), "only the three words");

    var events = presenceEvents(lan);
    assertEquals(2, events.size(), events.toString());
    assertEquals("operator:" + lan.id(), events.get(0).get("actor"), "audited with who did it");
    assertTrue(events.get(0).get("data").contains("\"presence\":\"available\""), events.toString());
    assertTrue(events.get(1).get("data").contains("\"presence\":\"busy\""), events.toString());

    assertEquals(303, http.post("/console/logout", form("csrf", csrf), session, Map.of()).statusCode());
    var afterLogout = presenceEvents(lan);
    assertEquals(3, afterLogout.size(), "signing out sets her away: " + afterLogout);
    assertTrue(afterLogout.get(2).get("data").contains("\"presence\":\"away\""), afterLogout.toString());
    assertFalse(accounts.allAuditText().contains("901000001"), "no phone number in the audit trail");

    var admin = accounts.active(Role.ADMIN);
    var adminSession = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    var adminCsrf = ConsoleHttp.hidden(http.get("/console", adminSession).body(), "csrf");
    assertEquals(403, setPresence(adminSession, adminCsrf, "available").statusCode(), "an admin takes no calls");
  }

  @Test
  void eachCounsellorHearsTheWhisperInTheLanguageOfHerAccount() {
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE); // no language: the flow's first, Vietnamese
    clock.advance(Duration.ofSeconds(1));
    var minh = accounts.active(Role.COUNSELLOR, MINH_PHONE, "en");
    var lanSession = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertEquals(200, setPresence(lanSession, csrfOf(lanSession), "available").statusCode());
    clock.advance(Duration.ofSeconds(1));
    var minhSession = http.signIn(minh.login(), ConsoleFixture.PASSWORD);
    assertEquals(200, setPresence(minhSession, csrfOf(minhSession), "available").statusCode());

    var call = twilio.call();
    var dial = call.dangerNow(); // a Vietnamese caller
    assertEquals(List.of(LAN_PHONE, MINH_PHONE), dial.dialled(), dial.body());
    var lanHears = call.leg(dial, 0).pickUp();
    var minhHears = call.leg(dial, 1).pickUp();
    assertTrue(lanHears.body().contains("Khẩn cấp. Nguy hiểm ngay.") && lanHears.body().contains("language=\"vi-VN\""),
        lanHears.body());
    assertTrue(minhHears.body().contains("Urgent. In danger right now.") && minhHears.body().contains("Press 1 to take the call.")
        && minhHears.body().contains("language=\"en-US\""), minhHears.body());
    assertFalse(minhHears.body().contains("Khẩn cấp"), minhHears.body());
    call.dialEndedWithoutKey(dial, "no-answer");
    call.status("completed");

    assertThrows(Accounts.Refused.class, () -> accounts.active(Role.COUNSELLOR, null, "fr"),
        "a language the whisper has no words for is refused when the account is made");
  }

  @Test
  void onlyTheAvailableCounsellorIsRungAndWhoeverPressesOneIsNotRungAgainWhileOnTheCall() {
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE);
    var minh = accounts.active(Role.COUNSELLOR, MINH_PHONE);
    var lanSession = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var minhSession = http.signIn(minh.login(), ConsoleFixture.PASSWORD);
    assertEquals(200, setPresence(lanSession, csrfOf(lanSession), "available").statusCode());
    assertEquals(200, setPresence(minhSession, csrfOf(minhSession), "busy").statusCode());

    var first = twilio.call();
    var dial = first.dangerNow();
    assertEquals(List.of(LAN_PHONE), dial.dialled(), "only the Available counsellor's phone rings: " + dial.body());
    var whisper = dial.whisperUrls().getFirst();
    assertTrue(whisper.contains("&op=" + lan.id()), "her whisper names her, so the contact records her: " + whisper);
    var leg = first.leg(dial, 0);
    assertTrue(leg.press(leg.pickUp(), "1").verbs().isEmpty(), "she pressed 1: put through");
    var row = db.row("SELECT id, answered_operator, assigned_operator FROM contacts WHERE provider_ref = ?", first.sid);
    assertEquals(lan.id(), row.get("answered_operator"));
    assertEquals(lan.id(), row.get("assigned_operator"), "the contact is hers");
    assertTrue(accounts.audit("contact.assigned").stream()
        .anyMatch(e -> e.get("refs").contains((String) row.get("id")) && e.get("refs").contains(lan.id())));

    var second = twilio.call();
    var whileOnIt = second.dangerNow();
    assertEquals(List.of(RunningGateway.OPERATOR_1, RunningGateway.OPERATOR_2), whileOnIt.dialled(),
        "she is on a call and Minh is busy: nobody Available, so the configured operators.numbers ring");
    assertTrue(whileOnIt.whisperUrls().stream().noneMatch(u -> u.contains("&op=")), whileOnIt.whisperUrls().toString());
    second.dialEndedWithoutKey(whileOnIt, "no-answer");
    second.status("completed");

    first.dialEndedWithoutKey(dial, "completed"); // she pressed 1 above
    first.status("completed");
    var third = twilio.call();
    assertEquals(List.of(LAN_PHONE), third.dangerNow().dialled(), "her call over, she is rung again");
    third.status("completed");

    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, setPresence(minhSession, csrfOf(minhSession), "available").statusCode());
    var both = twilio.call().dangerNow();
    assertEquals(List.of(LAN_PHONE, MINH_PHONE), both.dialled(), "both Available: both rung, longest available first");

    // a flagged caller still rings nobody but for danger (callers.CallerFlags, upstream of who is rung)
    var advice = twilio.call();
    var t = advice.press(advice.press(advice.incoming(), "1"), "3");
    assertEquals(List.of(LAN_PHONE, MINH_PHONE), t.dialled());
    var reference = (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", advice.sid).get("reference");
    advice.dialEndedWithoutKey(t, "no-answer");
    advice.status("completed");
    new CallerFlags(new CallerFlagRepository(accounts.store, gw.sealer(), new AuditLog()), clock)
        .set(reference, Duration.ofHours(1), "prank calls", "cli");
    var flagged = twilio.call();
    var noDial = flagged.press(flagged.press(flagged.incoming(), "1"), "3");
    assertFalse(noDial.has("Dial"), "a flagged caller's advice call rings no counsellor: " + noDial.body());
    var flaggedDanger = twilio.call().dangerNow();
    assertEquals(List.of(LAN_PHONE, MINH_PHONE), flaggedDanger.dialled(), "danger always reaches a person");
  }
}
