package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;

/** An admin switches an agency's endpoint off (with a reason) and on again from the console; nobody else can. */
@GatewayTest
class AgencyAdminTest {
  static MutableClock clock;
  static RunningGateway gw;
  static ConsoleFixture accounts;
  static ConsoleHttp http;

  @GatewayTest.BeforeStore
  static void startGateway(Harness h) {
    clock = MutableClock.now();
    gw = h.start(Map.of(), clock);
    accounts = new ConsoleFixture(gw, clock, h.db());
    http = new ConsoleHttp(gw.base);
  }

  @GatewayTest.AfterStore
  static void stop() {
    accounts.close();
  }

  static Map<String, String> form(String... pairs) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @Test
  void anAdminSwitchesAnEndpointOffWithAReasonAndOnAgainAndEachIsAudited() {
    var admin = accounts.active(Role.ADMIN);
    var session = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/admin/agencies", session);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("data-agency=\"police-cyber\""), "every agency of the routing file is listed");
    var csrf = ConsoleHttp.hidden(page.body(), "csrf");

    var noReason = http.post("/console/admin/agencies/police-cyber", form("csrf", csrf, "action", "off", "reason", " "),
        session, Map.of());
    assertEquals(400, noReason.statusCode(), "switching off needs a reason");
    assertFalse(gw.gateway().deliveries().disabledAgencies().contains("police-cyber"), "nothing changed");

    var off = http.post("/console/admin/agencies/police-cyber",
        form("csrf", csrf, "action", "off", "reason", "máy chủ bảo trì"), session, Map.of());
    assertEquals(303, off.statusCode(), off.body());
    assertTrue(gw.gateway().deliveries().disabledAgencies().contains("police-cyber"));
    var after = http.get("/console/admin/agencies?changed=police-cyber", session).body();
    assertTrue(after.contains("máy chủ bảo trì"), "the page says why it is off");
    assertTrue(accounts.audit("agency.disabled").stream().anyMatch(e -> e.get("refs").contains("police-cyber")
        && e.get("actor").equals("operator:" + admin.id())), "audited with the admin as actor");

    var on = http.post("/console/admin/agencies/police-cyber", form("csrf", csrf, "action", "on"), session, Map.of());
    assertEquals(303, on.statusCode());
    assertFalse(gw.gateway().deliveries().disabledAgencies().contains("police-cyber"));
    assertTrue(accounts.audit("agency.enabled").stream().anyMatch(e -> e.get("actor").equals("operator:" + admin.id())));
    assertEquals(404, http.post("/console/admin/agencies/no-such-agency", form("csrf", csrf, "action", "off",
        "reason", "x"), session, Map.of()).statusCode());
  }

  @Test
  void aCounsellorCannotAndAPostWithoutTheTokenChangesNothing() {
    var admin = accounts.active(Role.ADMIN);
    var lan = accounts.active(Role.COUNSELLOR);
    var lanSession = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertEquals(403, http.get("/console/admin/agencies", lanSession).statusCode());
    var lanCsrf = ConsoleHttp.hidden(http.get("/console/board", lanSession).body(), "csrf");
    assertEquals(403, http.post("/console/admin/agencies/education", form("csrf", lanCsrf, "action", "off",
        "reason", "x"), lanSession, Map.of()).statusCode());
    var adminSession = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    assertEquals(403, http.post("/console/admin/agencies/education", form("action", "off", "reason", "x"),
        adminSession, Map.of()).statusCode());
    assertFalse(gw.gateway().deliveries().disabledAgencies().contains("education"), "nothing was switched off");
  }
}
