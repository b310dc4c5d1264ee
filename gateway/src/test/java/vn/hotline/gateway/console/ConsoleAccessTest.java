package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.OperatorCommand;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * The console's door seen from a plain HTTP client: a forged request without the CSRF token changes nothing,
 * every answer carries the security headers and its cookies their flags, sessions end when they should, and
 * the {@code operator} command makes, lists, disables and resets accounts with links that work once.
 */
@GatewayTest
class ConsoleAccessTest {
  static final String PHONE = "+84912345678";
  static Harness house;
  static MutableClock clock;
  static RunningGateway gw;
  static ConsoleFixture accounts;
  static ConsoleHttp http;

  @GatewayTest.BeforeStore
  static void startGateway(Harness h) {
    house = h;
    clock = MutableClock.now();
    gw = h.start(Map.of(), clock);
    accounts = new ConsoleFixture(gw, clock, h.db());
    http = new ConsoleHttp(gw.base);
    PersonalData.used(PHONE);
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
  void aPostWithoutTheSessionsCsrfTokenIsRefusedAndChangesNothing() {
    var admin = accounts.active(Role.ADMIN);
    var other = accounts.active(Role.COUNSELLOR);
    var session = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/admin/operators", session);
    assertEquals(200, page.statusCode());
    var csrf = ConsoleHttp.hidden(page.body(), "csrf");
    int before = accounts.accountCount();

    var create = form("login", ConsoleFixture.login("forged"), "name", "Forged", "role", "admin");
    var none = http.post("/console/admin/operators", create, session, Map.of());
    assertEquals(403, none.statusCode());
    assertTrue(none.body().contains("không có gì được thay đổi"), "the page says nothing was changed: " + none.body());
    var forged = new LinkedHashMap<>(create);
    forged.put("csrf", "a-token-from-another-session");
    assertEquals(403, http.post("/console/admin/operators", forged, session, Map.of()).statusCode());
    assertEquals(403, http.post("/console/admin/operators", create, session, Map.of("X-CSRF-Token", "nope")).statusCode());
    assertEquals(before, accounts.accountCount(), "no account was made");

    assertEquals(403, http.post("/console/admin/operators/" + other.id() + "/disable", form(), session, Map.of()).statusCode());
    assertEquals(Operator.Status.ACTIVE, accounts.accounts.byId(other.id()).orElseThrow().status(), "nobody was disabled");
    assertEquals(403, http.post("/console/logout", form(), session, Map.of()).statusCode());
    assertEquals(200, http.get("/console", session).statusCode(), "a forged logout does not end the session");

    var viaHeader = http.post("/console/admin/operators", create, session, Map.of("X-CSRF-Token", csrf));
    assertEquals(201, viaHeader.statusCode(), "the session's own token (as htmx sends it) does work: " + viaHeader.body());
    assertEquals(before + 1, accounts.accountCount());

    var loginWithoutFormCookie = http.post("/console/login",
        form("csrf", "x", "login", admin.login(), "password", ConsoleFixture.PASSWORD), null, Map.of());
    assertEquals(403, loginWithoutFormCookie.statusCode(), "a sign-in posted from elsewhere is refused too");
    assertNull(ConsoleHttp.setCookie(loginWithoutFormCookie, ConsoleAuth.SESSION_COOKIE));
  }

  @Test
  void sessionsPastTheirAbsoluteTimeoutAreForgottenWhileTheSignInStaysInTheAuditChain() throws Exception {
    var lan = accounts.active(Role.COUNSELLOR);
    var first = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    http.post("/console/logout", form("csrf", ConsoleHttp.hidden(http.get("/console/board", first).body(), "csrf")), first,
        Map.of());
    http.signIn(lan.login(), ConsoleFixture.PASSWORD); // never signed out: the browser was closed
    assertEquals(2, sessionsOf(lan.id()));
    clock.advance(Duration.ofHours(12 + 24).plusMinutes(1)); // the absolute timeout (12 h) and the day's margin
    var now = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    gw.gateway().housekeepingNow();
    assertEquals(1, sessionsOf(lan.id()), "the two sessions nobody can use any more are gone, today's is kept");
    assertEquals(200, http.get("/console/board", now).statusCode(), "and still works");
    assertEquals(3, accounts.audit("operator.login").stream().filter(e -> e.get("refs").contains(lan.id())).count(),
        "every sign-in is still in the audit chain");
  }

  private static int sessionsOf(String operatorId) throws java.sql.SQLException {
    try (var c = accounts.db.connect();
        var ps = c.prepareStatement("SELECT COUNT(*) FROM console_sessions WHERE operator_id = ?")) {
      ps.setString(1, operatorId);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void anAdminDisablesAndResetsAnAccountFromTheAdminPage() {
    var admin = accounts.active(Role.ADMIN);
    var lan = accounts.active(Role.COUNSELLOR);
    var adminSession = http.signIn(admin.login(), ConsoleFixture.PASSWORD);
    var lanSession = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var csrf = ConsoleHttp.hidden(http.get("/console/admin/operators", adminSession).body(), "csrf");

    var self = http.post("/console/admin/operators/" + admin.id() + "/disable", form("csrf", csrf), adminSession, Map.of());
    assertEquals(409, self.statusCode(), "an admin cannot lock herself out");
    var disabled = http.post("/console/admin/operators/" + lan.id() + "/disable", form("csrf", csrf), adminSession, Map.of());
    assertEquals(200, disabled.statusCode(), disabled.body());
    assertTrue(disabled.body().contains("Đã khoá tài khoản " + lan.login()), disabled.body());
    assertEquals(303, http.get("/console/board", lanSession).statusCode(), "her session ended at once");
    assertTrue(accounts.audit("operator.disabled").stream()
        .anyMatch(e -> e.get("refs").contains(lan.id()) && e.get("actor").equals("operator:" + admin.id())));

    var reset = http.post("/console/admin/operators/" + lan.id() + "/reset", form("csrf", csrf), adminSession, Map.of());
    assertEquals(200, reset.statusCode(), reset.body());
    var link = Pattern.compile("<code id=\"setup-link\" class=\"wrap\">([^<]+)</code>").matcher(reset.body());
    assertTrue(link.find(), reset.body());
    assertEquals(303, useLink(link.group(1), "Mật khẩu mới sau khi đặt lại").statusCode());
    assertEquals(200, http.get("/console/board", http.signIn(lan.login(), "Mật khẩu mới sau khi đặt lại")).statusCode(),
        "reset enables her again with the new password");
    assertEquals(404, http.post("/console/admin/operators/no-such-id/reset", form("csrf", csrf), adminSession, Map.of())
        .statusCode());
  }

  @Test
  void afterSigningInYouLandWhereYouWereGoingAndNeverOnAnotherSite() {
    var admin = accounts.active(Role.ADMIN);
    var away = http.get("/console/admin/operators", null);
    assertEquals(303, away.statusCode());
    assertEquals("/console/login?next=%2Fconsole%2Fadmin%2Foperators", away.headers().firstValue("Location").orElse(""));
    var page = http.get("/console/login?next=%2Fconsole%2Fadmin%2Foperators", null);
    var next = ConsoleHttp.hidden(page.body(), "next");
    assertEquals("/console/admin/operators", next);
    var formCookie = "hg_console_form=" + ConsoleHttp.cookie(page, "hg_console_form");
    var in = http.post("/console/login", form("csrf", ConsoleHttp.hidden(page.body(), "csrf"), "login", admin.login(),
        "password", ConsoleFixture.PASSWORD, "next", next), formCookie, Map.of());
    assertEquals("/console/admin/operators", in.headers().firstValue("Location").orElse(""));
    var evil = http.post("/console/login", form("csrf", ConsoleHttp.hidden(page.body(), "csrf"), "login", admin.login(),
        "password", ConsoleFixture.PASSWORD, "next", "//evil.example/console"), formCookie, Map.of());
    assertEquals("/console", evil.headers().firstValue("Location").orElse(""), "no redirect off this gateway");
  }

  @Test
  void aCounsellorIsRefusedTheAdminPagesAndTheirPosts() {
    var lan = accounts.active(Role.COUNSELLOR);
    var session = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var home = http.get("/console/board", session); // a counsellor's first page
    var csrf = ConsoleHttp.hidden(home.body(), "csrf");
    assertFalse(home.body().contains("/console/admin/operators"), "no admin link for a counsellor");
    var page = http.get("/console/admin/operators", session);
    assertEquals(403, page.statusCode());
    assertTrue(page.body().contains("không có quyền"), page.body());
    int before = accounts.accountCount();
    var post = http.post("/console/admin/operators",
        form("csrf", csrf, "login", ConsoleFixture.login("sneaky"), "name", "Sneaky", "role", "admin"), session, Map.of());
    assertEquals(403, post.statusCode(), "even with her own valid token");
    assertEquals(before, accounts.accountCount());
  }

  @Test
  void everyConsoleAnswerCarriesTheSecurityHeadersAndItsCookiesTheirFlags() {
    var login = http.get("/console/login", null);
    var formCookie = ConsoleHttp.setCookie(login, "hg_console_form");
    assertNotNull(formCookie);
    assertCookieFlags(formCookie, false);

    var lan = accounts.active(Role.COUNSELLOR);
    var page = http.get("/console/login", null);
    var signIn = http.post("/console/login", form("csrf", ConsoleHttp.hidden(page.body(), "csrf"), "login", lan.login(),
        "password", ConsoleFixture.PASSWORD), "hg_console_form=" + ConsoleHttp.cookie(page, "hg_console_form"), Map.of());
    assertEquals(303, signIn.statusCode());
    var sessionCookie = ConsoleHttp.setCookie(signIn, ConsoleAuth.SESSION_COOKIE);
    assertCookieFlags(sessionCookie, false);
    var session = ConsoleAuth.SESSION_COOKIE + "=" + ConsoleHttp.cookie(signIn, ConsoleAuth.SESSION_COOKIE);

    var answers = List.of(login, signIn, http.get("/console/board", session), http.get("/console/admin/operators", session),
        http.get("/console/no-such-page", session), http.get("/console/assets/console.css", null),
        http.get("/console/assets/htmx.min.js", null), http.get("/console/assets/htmx-ext-sse.js", null),
        http.get("/console/assets/console.js", null), http.get("/console/setup?token=nope", null),
        http.post("/console/logout", form(), session, Map.of()));
    for (var r : answers) {
      var what = r.request().method() + " " + r.request().uri().getPath() + " (" + r.statusCode() + ")";
      assertEquals(ConsoleRoutes.CSP, r.headers().firstValue("Content-Security-Policy").orElse(null), what);
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), what);
      assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), what);
      assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null), what);
    }
    assertEquals(List.of(200, 303, 200, 403, 404, 200, 200, 200, 200, 410, 403),
        answers.stream().map(HttpResponse::statusCode).toList());
    var htmx = answers.get(6);
    assertTrue(htmx.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
    assertTrue(htmx.body().contains("htmx") && htmx.body().length() > 40_000, "htmx itself, from its WebJar");
    assertTrue(answers.get(4).headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
        "a console page that does not exist is an HTML page, not a problem document");
    var html = answers.get(2).body();
    assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find(),
        "no inline script: " + html);
    assertFalse(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(),
        "no inline style or event handler: " + html);

    // Behind https (public_url), the cookies are Secure.
    try (var behindTls = house.startAnother("https", Map.of("GATEWAY_PUBLIC_URL", "https://console.hotline.test"), clock)) {
      var tls = new ConsoleHttp(behindTls.base);
      var p = tls.get("/console/login", null);
      assertCookieFlags(ConsoleHttp.setCookie(p, "hg_console_form"), true);
      var r = tls.post("/console/login", form("csrf", ConsoleHttp.hidden(p.body(), "csrf"), "login", lan.login(),
          "password", ConsoleFixture.PASSWORD), "hg_console_form=" + ConsoleHttp.cookie(p, "hg_console_form"), Map.of());
      assertEquals(303, r.statusCode());
      assertCookieFlags(ConsoleHttp.setCookie(r, ConsoleAuth.SESSION_COOKIE), true);
    }
  }

  static void assertCookieFlags(String setCookie, boolean secure) {
    var attrs = List.of(setCookie.toLowerCase().split(";\\s*"));
    assertTrue(attrs.contains("httponly"), setCookie);
    assertTrue(attrs.contains("samesite=strict"), setCookie);
    assertTrue(attrs.contains("path=/console"), setCookie);
    assertEquals(secure, attrs.contains("secure"), setCookie);
  }

  @Test
  void aBusySessionStillEndsTwelveHoursAfterSignIn() {
    var lan = accounts.active(Role.COUNSELLOR);
    var session = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var signedInFor = Duration.ZERO;
    while (signedInFor.plusMinutes(25).compareTo(Duration.ofHours(12)) < 0) {
      clock.advance(Duration.ofMinutes(25));
      signedInFor = signedInFor.plusMinutes(25);
      assertEquals(200, http.get("/console/board", session).statusCode(), "still signed in after " + signedInFor);
    }
    clock.advance(Duration.ofMinutes(25));
    var after = http.get("/console", session);
    assertEquals(303, after.statusCode(), "12 h after sign-in (console.session_absolute_hours) the session is over");
    assertEquals("/console/login", after.headers().firstValue("Location").orElse(""));
    assertTrue(accounts.audit("operator.session_ended").stream()
        .anyMatch(e -> e.get("refs").contains(lan.id()) && e.get("data").contains("absolute")));
  }

  /** Runs `operator ARGS` in this JVM on the gateway's store and keys, as the jar would; stdout and stderr. */
  record Cli(int exit, String out, String err) {}

  static Cli operator(String... args) {
    var cl = new CommandLine(new OperatorCommand());
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var command = (OperatorCommand.WithAccounts) cl.getSubcommands().get(args[0]).getCommandSpec().userObject();
    var env = new HashMap<String, String>();
    env.put("GATEWAY_DB_URL", house.db().gatewayUrl());
    env.put("GATEWAY_DB_USER", house.db().user());
    env.put("GATEWAY_DATA_DIR", gw.config().dataDir().toString()); // the same dev keys as the gateway
    env.put("GATEWAY_PUBLIC_URL", gw.base.toString());
    env.put("TWILIO_AUTH_TOKEN", RunningGateway.TOKEN);
    command.env = env;
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.clock = clock; // the gateway's: other tests have moved it on
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int exit = cl.execute(args);
    return new Cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String link(Cli created) {
    var m = Pattern.compile("setup link: (\\S+)").matcher(created.out());
    assertTrue(m.find(), created.out());
    return m.group(1);
  }

  /** Uses a setup link as its person would: the page, then the form with a new password. */
  static HttpResponse<String> useLink(String link, String password) {
    var path = link.substring(gw.base.toString().length());
    var page = http.get(path, null);
    assertEquals(200, page.statusCode(), page.body());
    return http.post("/console/setup", form("csrf", ConsoleHttp.hidden(page.body(), "csrf"),
        "token", ConsoleHttp.hidden(page.body(), "token"), "totp_secret", ConsoleHttp.hidden(page.body(), "totp_secret"),
        "password", password, "repeat", password, "code", ""),
        "hg_console_form=" + ConsoleHttp.cookie(page, "hg_console_form"), Map.of());
  }

  @Test
  void theOperatorCommandMakesAnAccountWhoseLinkWorksOnceAndDisablesAndResetsIt() {
    var login = ConsoleFixture.login("lan");
    var created = operator("create", "--login", login, "--name", "Nguyễn Thị Lan", "--role", "counsellor",
        "--phone", PHONE);
    assertEquals(0, created.exit(), created.err());
    var link = link(created);
    assertTrue(link.startsWith(gw.base + "/console/setup?token="), link);
    assertFalse(created.out().contains("912345678"), "the phone number is not printed");
    var row = accounts.db.row("SELECT id, phone_sealed, setup_token_hash FROM operators WHERE login = ?", login);
    var sealed = (String) row.get("phone_sealed");
    assertTrue(sealed.startsWith("v1.") && !sealed.contains("912345678"), "the phone is sealed at rest: " + sealed);
    assertEquals(PHONE, new OperatorRepository(accounts.store, gw.sealer(), new AuditLog()).phone((String) row.get("id")));
    assertFalse(((String) row.get("setup_token_hash")).contains(link.substring(link.indexOf('=') + 1)),
        "only the link's hash is kept");

    var list = operator("list");
    assertEquals(0, list.exit(), list.err());
    var line = list.out().lines().filter(l -> l.startsWith(login + " ")).findFirst().orElseThrow(() -> new AssertionError(list.out()));
    assertTrue(line.contains("counsellor") && line.contains("setup-pending") && line.contains("Nguyễn Thị Lan"), line);
    assertFalse(list.out().contains("912345678"), "no phone in the list");

    var taken = operator("create", "--login", login, "--name", "Someone Else", "--role", "admin");
    assertEquals(2, taken.exit());
    assertTrue(taken.err().contains("taken"), taken.err());
    var badRole = operator("create", "--login", ConsoleFixture.login("x"), "--name", "X", "--role", "boss");
    assertEquals(2, badRole.exit());
    assertTrue(badRole.err().contains("counsellor, supervisor or admin"), badRole.err());

    var set = useLink(link, ConsoleFixture.PASSWORD);
    assertEquals(303, set.statusCode(), set.body());
    assertEquals("/console/login?done=setup", set.headers().firstValue("Location").orElse(""));
    assertEquals(410, http.get(link.substring(gw.base.toString().length()), null).statusCode(), "the link works once");
    var session = http.signIn(login, ConsoleFixture.PASSWORD);
    assertEquals(200, http.get("/console/board", session).statusCode());

    var disabled = operator("disable", "--login", login);
    assertEquals(0, disabled.exit(), disabled.err());
    assertEquals(303, http.get("/console/board", session).statusCode(), "disabling ends the session at once");
    assertEquals(401, http.signInFails(login, ConsoleFixture.PASSWORD).statusCode(), "and it cannot sign in");

    var reset = operator("reset", "--login", login);
    assertEquals(0, reset.exit(), reset.err());
    var again = link(reset);
    assertEquals(401, http.signInFails(login, ConsoleFixture.PASSWORD).statusCode(), "the old password is gone");
    assertEquals(303, useLink(again, "Một mật khẩu mới cũng dài").statusCode());
    assertEquals(200, http.get("/console/board", http.signIn(login, "Một mật khẩu mới cũng dài")).statusCode());
    assertEquals(1, operator("disable", "--login", "nobody-by-that-name").exit());

    var audit = accounts.allAuditText();
    assertFalse(audit.contains("912345678"), "no phone number in the audit trail");
    assertFalse(audit.contains(ConsoleFixture.PASSWORD) || audit.contains("Một mật khẩu"), "no password in it");
    for (var type : List.of("operator.created", "operator.setup_completed", "operator.login", "operator.disabled",
        "operator.reset")) {
      assertTrue(accounts.audit(type).stream().anyMatch(e -> e.get("refs").contains((String) row.get("id"))), type);
    }
  }

  @Test
  void aSetupLinkStopsWorkingAfterADay() {
    var link = accounts.pending(ConsoleFixture.login("late"), Role.SUPERVISOR, null);
    var path = link.url(gw.base).substring(gw.base.toString().length());
    assertEquals(200, http.get(path, null).statusCode());
    clock.advance(Duration.ofHours(24).plusSeconds(1));
    var late = http.get(path, null);
    assertEquals(410, late.statusCode());
    assertTrue(late.body().contains("24 giờ"), late.body());
  }
}
