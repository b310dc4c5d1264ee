package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.operators.Totp;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * A counsellor at the hotline centre signs in to the console in a real Chromium: right and wrong passwords, the
 * lockout and its end, signing out, a session left idle, the one-time setup link with a second factor, a
 * counsellor kept out of the admin pages. One gateway (on a clock the test moves) and one browser per store.
 */
@GatewayTest
class ConsoleSignInTest {
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

  @BeforeEach
  void signedOut() {
    browser.forgetCookies();
    browser.problems(); // what earlier tests made the browser say is theirs
  }

  void signIn(String login, String password) {
    browser.open("/console/login").type("login", login).type("password", password).click("sign-in");
  }

  @Test
  void aCounsellorSignsInSeesWhoSheIsAndSignsOut() {
    var lan = accounts.active(Role.COUNSELLOR);
    browser.open("/console");
    assertEquals("/console/login", browser.path(), "signed out, the console sends you to the login page");
    assertEquals("vi", browser.driver().findElement(org.openqa.selenium.By.tagName("html")).getAttribute("lang"),
        "Vietnamese first");
    browser.screenshot("console-login");

    signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertEquals("/console/board", browser.path(), "a counsellor's first page is the live board");
    assertTrue(browser.text("who-name").contains(lan.name()), browser.text("who-name"));
    assertTrue(browser.text("who-role").contains("Tư vấn viên"), "the role, in Vietnamese: " + browser.text("who-role"));
    var nav = browser.all("nav.nav a").stream().map(a -> a.getAttribute("href")).toList();
    assertTrue(nav.stream().anyMatch(h -> h.endsWith("/console/board")), "a counsellor has the board: " + nav);
    assertFalse(nav.stream().anyMatch(h -> h.endsWith("/console/admin/operators")), "and no admin page: " + nav);
    var cookie = browser.cookie(ConsoleAuth.SESSION_COOKIE);
    assertTrue(cookie.isHttpOnly() && "Strict".equals(cookie.getSameSite()) && "/console".equals(cookie.getPath()),
        "the session cookie is HttpOnly, SameSite=Strict, Path=/console: " + cookie);
    browser.screenshot("console-home-counsellor");
    assertEquals(List.of(), browser.problems(),
        "the pages load htmx, the style sheet and the scripts without a CSP refusal or a script error");

    browser.click("logout");
    assertEquals("/console/login", browser.path());
    assertTrue(browser.text("info").contains("đã đăng xuất"), browser.text("info"));
    browser.open("/console");
    assertEquals("/console/login", browser.path(), "after signing out the console is closed again");
    assertEquals(1, accounts.audit("operator.logout").stream().filter(e -> e.get("refs").contains(lan.id())).count());
  }

  @Test
  void aWrongPasswordSaysNothingMoreThanAnUnknownLogin() {
    var lan = accounts.active(Role.COUNSELLOR);
    signIn(lan.login(), "not her password at all");
    assertEquals("/console/login", browser.path());
    var wrongPassword = browser.text("error");
    assertEquals(lan.login(), browser.element("login").getAttribute("value"), "the login is kept, the password not");
    assertEquals("", browser.element("password").getAttribute("value"));
    signIn("nobody-has-this-login", "not her password at all");
    assertEquals(wrongPassword, browser.text("error"), "an unknown login reads exactly like a wrong password");
    assertEquals("Sai tên đăng nhập, mật khẩu hoặc mã xác thực.", wrongPassword);

    browser.open("/console/login?lang=en");
    signIn(lan.login(), "still not her password");
    assertEquals("Wrong login, password or code.", browser.text("error"), "and in English once chosen");
    assertFalse(accounts.allAuditText().contains("not her password"), "no password reaches the audit trail");
  }

  @Test
  void fiveFailuresLockTheLoginUntilTheBackoffHasPassed() {
    var lan = accounts.active(Role.COUNSELLOR);
    var http = new ConsoleHttp(gw.base); // the first three failures as a script would send them: quicker
    for (int i = 1; i <= 3; i++) {
      var r = http.signInFails(lan.login(), "wrong password number " + i);
      assertEquals(401, r.statusCode(), "failure " + i + " is just a failure");
    }
    signIn(lan.login(), "wrong password number 4");
    assertEquals("Sai tên đăng nhập, mật khẩu hoặc mã xác thực.", browser.text("error"), "the fourth is still a failure");
    signIn(lan.login(), "wrong password number 5");
    assertTrue(browser.text("error").contains("tạm khoá") && browser.text("error").contains("1 phút"),
        "the fifth failure locks the login for a minute: " + browser.text("error"));
    browser.screenshot("console-login-locked");

    signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertEquals("/console/login", browser.path(), "while locked, even the right password does not get in");
    assertTrue(browser.text("error").contains("tạm khoá"), browser.text("error"));

    clock.advance(Duration.ofSeconds(61));
    signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertEquals("/console/board", browser.path(), "once the minute is over the right password works again");
    var locked = accounts.audit("operator.locked").stream().filter(e -> e.get("refs").contains(lan.id())).toList();
    assertEquals(1, locked.size(), "the lockout is audited");
    assertTrue(locked.getFirst().get("data").contains("\"seconds\":60"), locked.toString());
    assertEquals(6, accounts.audit("operator.login_failed").stream().filter(e -> e.get("refs").contains(lan.id())).count(),
        "five failures and the refused try while locked");
  }

  @Test
  void aSessionLeftIdleEndsAndTheNextClickAsksToSignInAgain() {
    var lan = accounts.active(Role.COUNSELLOR);
    signIn(lan.login(), ConsoleFixture.PASSWORD);
    assertEquals("/console/board", browser.path());
    clock.advance(Duration.ofMinutes(29));
    browser.open("/console");
    assertEquals("/console/board", browser.path(), "29 minutes idle: still signed in (and the idle time starts again)");
    clock.advance(Duration.ofMinutes(29));
    browser.open("/console");
    assertEquals("/console/board", browser.path(), "another 29 minutes after a request: still signed in");
    clock.advance(Duration.ofMinutes(31));
    browser.open("/console");
    assertEquals("/console/login", browser.path(), "31 minutes idle (console.session_idle_minutes = 30): signed out");
    assertTrue(accounts.audit("operator.session_ended").stream()
        .anyMatch(e -> e.get("refs").contains(lan.id()) && e.get("data").contains("idle")));
  }

  @Test
  void theSetupLinkSetsAPasswordAndASecondFactorOnceAndTheCodeSignsIn() {
    var login = ConsoleFixture.login("tam");
    var link = accounts.pending(login, Role.COUNSELLOR, null);
    browser.open(link.url(gw.base));
    assertEquals("/console/setup", browser.path());
    var secret = browser.text("totp-secret").replace(" ", "");
    assertTrue(browser.text("totp-uri").startsWith("otpauth://totp/"), browser.text("totp-uri"));
    assertTrue(browser.text("totp-uri").contains("secret=" + secret), "the URI carries the secret shown");
    browser.screenshot("console-setup");

    browser.type("password", "short").type("repeat", "short");
    assertFalse(browser.valid("setup-form"), "the browser itself refuses a password under 12 characters");
    browser.retype("password", ConsoleFixture.PASSWORD).retype("repeat", ConsoleFixture.PASSWORD + " typo").click("save");
    assertTrue(browser.text("error").contains("không giống nhau"), "two different passwords: " + browser.text("error"));
    assertEquals(secret, browser.text("totp-secret").replace(" ", ""), "the same key to enrol, the form again");
    browser.type("password", ConsoleFixture.PASSWORD).type("repeat", ConsoleFixture.PASSWORD)
        .type("code", Totp.code(secret, clock.instant())).click("save");
    assertEquals("/console/login", browser.path());
    assertTrue(browser.text("info").contains("Đã đặt mật khẩu"), browser.text("info"));

    browser.open(link.url(gw.base));
    assertTrue(browser.text("error").contains("không dùng được nữa"), "the link works once: " + browser.text("error"));

    clock.advance(Duration.ofSeconds(30)); // the code used at setup is spent; the app shows the next one
    signIn(login, ConsoleFixture.PASSWORD);
    assertEquals("/console/login", browser.path(), "without the code, the password alone does not sign in");
    browser.open("/console/login").type("login", login).type("password", ConsoleFixture.PASSWORD)
        .type("code", Totp.code(secret, clock.instant())).click("sign-in");
    assertEquals("/console/board", browser.path(), "password and code sign in");
    var setup = accounts.audit("operator.setup_completed").getLast();
    assertTrue(setup.get("data").contains("\"totp\":true"), setup.toString());
    assertFalse(accounts.allAuditText().contains(secret), "the secret is not in the audit trail");
  }

  @Test
  void aCounsellorCannotOpenTheAdminPagesAndAnAdminMakesAnAccount() {
    var lan = accounts.active(Role.COUNSELLOR);
    signIn(lan.login(), ConsoleFixture.PASSWORD);
    browser.open("/console/admin/operators");
    assertTrue(browser.title().contains("Lỗi"), browser.title());
    assertTrue(browser.text("error").contains("không có quyền"), browser.text("error"));
    assertFalse(browser.has("create-form"), "no admin form for a counsellor");
    browser.screenshot("console-forbidden");

    browser.forgetCookies();
    var admin = accounts.active(Role.ADMIN);
    signIn(admin.login(), ConsoleFixture.PASSWORD);
    assertTrue(browser.all("nav.nav a").stream().anyMatch(a -> a.getAttribute("href").endsWith("/console/admin/operators")),
        "an admin has the admin page in the navigation");
    browser.open("/console/admin/operators");
    var newLogin = ConsoleFixture.login("hoa");
    PersonalData.used("+84987654321");
    browser.type("new-login", newLogin).type("new-name", "Trần Thị Hoa").type("new-phone", "+84987654321");
    new org.openqa.selenium.support.ui.Select(browser.element("new-role")).selectByValue("supervisor");
    browser.click("create");
    var link = browser.text("setup-link");
    assertTrue(link.startsWith(gw.base + "/console/setup?token="), link);
    assertTrue(browser.text("accounts").contains(newLogin), "the new account is listed");
    browser.screenshot("console-admin-operators");
    browser.open("/console/admin/operators");
    assertFalse(browser.has("setup-link"), "the setup link is shown once only");
    assertFalse(browser.source().contains("987654321"), "the phone number is never shown");
    assertNotEquals(0, accounts.audit("operator.created").stream()
        .filter(e -> e.get("actor").equals("operator:" + admin.id())).count(), "made by the admin, audited");
  }
}
