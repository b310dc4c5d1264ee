package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.PresenceRepository;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * A supervisor opens the supervisor view in a real Chromium: a danger call that comes in while the page is open
 * appears by itself (the live part refreshes), she gives it to a counsellor, and the figures page opens; no
 * script or style is refused by the Content-Security-Policy. Screenshots: supervisor.png, supervisor-stats.png.
 */
@GatewayTest
class SupervisorBrowserTest {
  static MutableClock clock;
  static RunningGateway gw;
  static Browser browser;
  static ConsoleFixture accounts;

  @GatewayTest.BeforeStore
  static void startGatewayAndBrowser(Harness house) {
    clock = MutableClock.now();
    gw = house.start(Map.of(), clock);
    accounts = new ConsoleFixture(gw, clock, house.db());
    browser = Browser.start().on(gw.base);
  }

  @GatewayTest.AfterStore
  static void stopBrowser() {
    browser.close();
    accounts.close();
  }

  @Test
  void aSupervisorWatchesACallComeInGivesItToACounsellorAndOpensTheFigures() {
    browser.forgetCookies();
    browser.problems();
    var lan = accounts.active(Role.COUNSELLOR);
    var boss = accounts.active(Role.SUPERVISOR);
    new PresenceRepository(accounts.store, gw.sealer(), new AuditLog())
        .set(lan.id(), "available", "operator:" + lan.id(), clock.instant());

    browser.open("/console/login").type("login", boss.login()).type("password", ConsoleFixture.PASSWORD).click("sign-in");
    browser.open("/console/supervisor");
    assertEquals("/console/supervisor", browser.path());
    assertTrue(browser.has("waiting-empty"), "nobody waits yet");
    assertTrue(browser.text("people").contains(lan.name()) && browser.text("people").contains("Sẵn sàng"),
        browser.text("people"));

    var call = gw.twilio().call();
    call.dangerNow();
    var reference = (String) accounts.db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid)
        .get("reference");
    clock.advance(Duration.ofSeconds(37));
    new WebDriverWait(browser.driver(), Duration.ofSeconds(15), Duration.ofMillis(100))
        .until(d -> !d.findElements(By.id("assign-" + reference)).isEmpty());
    assertTrue(browser.text("waiting").contains(reference), "the call appeared by itself: " + browser.text("waiting"));
    browser.screenshot("supervisor");

    new Select(browser.element("assign-" + reference)).selectByValue(lan.id());
    browser.click("assign-" + reference + "-submit");
    assertTrue(browser.text("notice").contains(lan.name()), browser.text("notice"));
    assertTrue(browser.text("people").contains(reference), "the call shows as Lan's: " + browser.text("people"));

    browser.click("stats-link");
    assertEquals("/console/supervisor/stats", browser.path());
    browser.element("by-channel").click();
    browser.click("stats-submit");
    assertTrue(browser.url().contains("by=channel"), browser.url());
    assertTrue(browser.text("figures-total").startsWith("TOTAL"), browser.text("figures-total"));
    browser.screenshot("supervisor-stats");
    assertEquals(List.of(), browser.problems(), "no CSP refusal and no script error");
  }
}
