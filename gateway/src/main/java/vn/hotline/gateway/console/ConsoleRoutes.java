package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.operators.Sessions;
import vn.hotline.gateway.operators.Totp;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;

/**
 * The console's own pages under /console on the public listener: sign-in and sign-out, the setup link, home,
 * and the admin's accounts page; the static files; and what every console answer carries (a strict
 * Content-Security-Policy and the other headers below, HTML error pages). The store and Argon2 run on the
 * {@code store} workers, never on the event loop. Other console pages mount after these with
 * {@link ConsoleAuth#require} and {@link ConsoleViews}.
 */
public final class ConsoleRoutes {
  public static final String BASE = "/console";
  /**
   * Sent on every console answer: nothing but this origin's own files, no inline script or style, no framing; voicemails
   * play from this origin too (/console/recordings: the gateway fetches them from Twilio).
   */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  /** The largest form the console takes: the contact form's case notes (20,000 characters, up to 9 bytes each sent). */
  static final int BODY_LIMIT = 256 * 1024;
  static final String LANG_COOKIE = "hg_console_lang";
  static final String FORM_COOKIE = "hg_console_form";
  private static final Logger log = LoggerFactory.getLogger(ConsoleRoutes.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Accounts accounts;
  private final Sessions sessions;
  private final ConsoleAuth auth;
  private final ConsoleViews views;
  private final Assets assets;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final java.net.URI publicUrl;
  private final boolean secureCookies;
  private final TwilioWebhookGuard limits;
  private final int failedAuthPerMinute;
  /** Run on a worker when someone signs out, before the session ends (e.g. their presence set to away). */
  private final List<java.util.function.Consumer<Sessions.Active>> onSignOut = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Where /console sends a role whose first page is another (e.g. counsellors to the live board). */
  private final Map<Role, String> landing = new java.util.concurrent.ConcurrentHashMap<>();

  ConsoleRoutes(Accounts accounts, Sessions sessions, ConsoleAuth auth, ConsoleViews views, Assets assets,
      WorkerExecutor workers, Clock clock, java.net.URI publicUrl, boolean secureCookies, TwilioWebhookGuard limits,
      int failedAuthPerMinute) {
    this.accounts = accounts;
    this.sessions = sessions;
    this.auth = auth;
    this.views = views;
    this.assets = assets;
    this.workers = workers;
    this.clock = clock;
    this.publicUrl = publicUrl;
    this.secureCookies = secureCookies;
    this.limits = limits;
    this.failedAuthPerMinute = failedAuthPerMinute;
  }

  /** Mounts the console's edge, its pages and, last of all routes, its HTML "not found" page. */
  public void mount(Router router) {
    router.route(BASE + "/*").handler(this::edge);
    for (var m : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
      router.route(BASE + "/*").method(m).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    }
    router.route(BASE + "/*").failureHandler(this::failure);
    router.get(BASE + "/assets/:name").handler(this::asset);
    router.get(BASE + "/login").handler(this::loginPage);
    router.post(BASE + "/login").handler(this::login);
    router.post(BASE + "/logout").handler(auth.require()).handler(this::logout);
    router.get(BASE + "/setup").handler(this::setupPage);
    router.post(BASE + "/setup").handler(this::setup);
    router.get(BASE).handler(auth.require()).handler(this::home);
    router.get(BASE + "/").handler(auth.require()).handler(this::home);
    router.get(BASE + "/admin/operators").handler(auth.require(Role.ADMIN)).handler(this::adminPage);
    router.post(BASE + "/admin/operators").handler(auth.require(Role.ADMIN)).handler(this::createAccount);
    router.post(BASE + "/admin/operators/:id/disable").handler(auth.require(Role.ADMIN)).handler(this::disableAccount);
    router.post(BASE + "/admin/operators/:id/reset").handler(auth.require(Role.ADMIN)).handler(this::resetAccount);
    router.route(BASE + "/*").last().handler(ctx -> views.error(ctx, 404, "error.404"));
  }

  /** Every console answer: its headers, and the reader's language (a ?lang= link sets it for next time). */
  private void edge(RoutingContext ctx) {
    HttpEdge.route(ctx, BASE + "/*");
    ctx.response().headers()
        .set("Content-Security-Policy", CSP)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("Cache-Control", "no-store")
        .set("X-Frame-Options", "DENY");
    var asked = ctx.request().getParam("lang");
    String lang;
    if (asked != null && Messages.LANGUAGES.contains(asked)) {
      lang = asked;
      ctx.response().addCookie(Cookie.cookie(LANG_COOKIE, lang).setPath(BASE).setHttpOnly(true)
          .setSameSite(CookieSameSite.STRICT).setSecure(secureCookies).setMaxAge(Duration.ofDays(365).toSeconds()));
    } else {
      var c = ctx.request().getCookie(LANG_COOKIE);
      lang = c != null && Messages.LANGUAGES.contains(c.getValue()) ? c.getValue() : Messages.DEFAULT;
    }
    ctx.put(ConsoleViews.LANG, lang);
    ctx.next();
  }

  /** A request that failed before a page answered: 4xx as an HTML page; our own faults go on to the 500 handler. */
  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (status == 413) {
      views.error(ctx, 413, "error.413");
    } else if (status >= 400 && status < 500) {
      views.error(ctx, status, status == 404 ? "error.404" : status == 403 ? "error.403" : "error.400");
    } else {
      ctx.next();
    }
  }

  private void asset(RoutingContext ctx) {
    var name = ctx.pathParam("name");
    if (!Assets.plausible(name)) {
      views.error(ctx, 404, "error.404");
      return;
    }
    var known = assets.cached(name);
    if (known != null) {
      serve(ctx, known);
      return;
    }
    workers.executeBlocking(() -> assets.get(name), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        serve(ctx, ar.result());
      }
    });
  }

  private void serve(RoutingContext ctx, Optional<Assets.Asset> asset) {
    if (asset.isEmpty()) {
      views.error(ctx, 404, "error.404");
      return;
    }
    ctx.response().putHeader("Content-Type", asset.get().contentType())
        .end(io.vertx.core.buffer.Buffer.buffer(asset.get().body()));
  }

  // ---- signing in and out

  private void loginPage(RoutingContext ctx) {
    var cookie = ctx.request().getCookie(ConsoleAuth.SESSION_COOKIE);
    if (cookie == null || cookie.getValue().isEmpty()) {
      showLogin(ctx, 200, null, null, info(ctx));
      return;
    }
    var token = cookie.getValue();
    workers.executeBlocking(() -> sessions.check(token), false).onComplete(ar -> {
      if (ar.succeeded() && ar.result().isPresent()) {
        redirect(ctx, BASE);
      } else {
        showLogin(ctx, 200, null, null, info(ctx));
      }
    });
  }

  /** What the login page says first: signed out, session over, password set. */
  private static String info(RoutingContext ctx) {
    var done = ctx.request().getParam("done");
    if (done == null) {
      return ctx.request().getParam("next") != null ? "login.expired" : null;
    }
    return switch (done) {
      case "logout" -> "login.bye";
      case "setup" -> "login.setup_done";
      default -> null;
    };
  }

  private void showLogin(RoutingContext ctx, int status, String error, String login, String info) {
    formToken(ctx);
    var p = new HashMap<String, Object>();
    p.put("page", views.page(ctx, "login.title"));
    p.put("error", error);
    p.put("info", info);
    p.put("login", login == null ? "" : login);
    var next = ConsoleAuth.safeNext(ctx.request().getParam("next"));
    if (next == null) {
      next = ConsoleAuth.safeNext(ctx.request().getFormAttribute("next"));
    }
    p.put("next", next == null ? "" : next);
    views.render(ctx, status, "console/login.jte", p);
  }

  private void login(RoutingContext ctx) {
    if (!formTokenMatches(ctx)) {
      views.error(ctx, 403, "error.csrf");
      return;
    }
    var ip = ip(ctx);
    long wait = limits.waitSeconds("auth", ip, failedAuthPerMinute);
    if (wait > 0 && !limits.allow("auth", ip, failedAuthPerMinute)) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      showLogin(ctx, 429, views.words(ctx).t("login.too_many"), form(ctx, "login"), null);
      return;
    }
    var login = form(ctx, "login");
    var password = form(ctx, "password");
    var code = form(ctx, "code");
    workers.executeBlocking(() -> accounts.signIn(login, password, code), false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("console sign-in could not be checked");
        views.error(ctx, 503, "error.503");
        return;
      }
      switch (ar.result()) {
        case Accounts.SignIn.Ok ok -> {
          ctx.response().addCookie(auth.sessionCookie(ok.token()));
          var next = ConsoleAuth.safeNext(form(ctx, "next"));
          redirect(ctx, next == null ? BASE : next);
        }
        case Accounts.SignIn.Locked locked -> {
          limits.allow("auth", ip, failedAuthPerMinute);
          long seconds = Math.max(1, Duration.between(clock.instant(), locked.until()).toSeconds());
          ctx.response().putHeader("Retry-After", Long.toString(seconds));
          showLogin(ctx, 429, views.words(ctx).t("login.locked", (seconds + 59) / 60), login, null);
        }
        case Accounts.SignIn.Failed failed -> {
          limits.allow("auth", ip, failedAuthPerMinute);
          showLogin(ctx, 401, views.words(ctx).t("login.failed"), login, null);
        }
      }
    });
  }

  void onSignOut(java.util.function.Consumer<Sessions.Active> hook) {
    onSignOut.add(hook);
  }

  void landing(String path, Role... roles) {
    for (var r : roles) {
      landing.put(r, path);
    }
  }

  private void logout(RoutingContext ctx) {
    var signed = ConsoleAuth.signed(ctx);
    workers.executeBlocking(() -> {
      for (var hook : onSignOut) {
        try {
          hook.accept(signed);
        } catch (RuntimeException e) {
          log.atWarn().addKeyValue("error", HttpEdge.reason(e)).log("a sign-out step failed; signing out anyway");
        }
      }
      sessions.logout(signed);
      return null;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        views.error(ctx, 503, "error.503");
        return;
      }
      ctx.response().addCookie(auth.ended());
      redirect(ctx, BASE + "/login?done=logout");
    });
  }

  // ---- the setup link

  private void setupPage(RoutingContext ctx) {
    var token = ctx.request().getParam("token");
    workers.executeBlocking(() -> accounts.setupFor(token), false).onComplete(ar -> {
      if (ar.failed()) {
        views.error(ctx, 503, "error.503");
      } else if (ar.result().isEmpty()) {
        views.error(ctx, 410, "setup.gone");
      } else {
        showSetup(ctx, 200, ar.result().get(), token, Totp.newSecret(), null);
      }
    });
  }

  private void showSetup(RoutingContext ctx, int status, Operator who, String token, String secret, String errorKey) {
    formToken(ctx);
    var p = new HashMap<String, Object>();
    p.put("page", views.page(ctx, "setup.title"));
    p.put("who", who);
    p.put("token", token);
    p.put("secret", secret);
    p.put("secretGrouped", Totp.grouped(secret));
    p.put("uri", Totp.uri(Accounts.ISSUER, who.login(), secret));
    p.put("error", errorKey == null ? null : views.words(ctx).t(errorKey));
    views.render(ctx, status, "console/setup.jte", p);
  }

  private void setup(RoutingContext ctx) {
    if (!formTokenMatches(ctx)) {
      views.error(ctx, 403, "error.csrf");
      return;
    }
    var token = form(ctx, "token");
    var secret = form(ctx, "totp_secret");
    var password = form(ctx, "password");
    var repeat = form(ctx, "repeat");
    var code = form(ctx, "code");
    record Outcome(Accounts.Setup setup, Optional<Operator> who) {}
    workers.executeBlocking(() -> {
      var done = accounts.completeSetup(token, password, repeat, secret, code);
      return new Outcome(done, done instanceof Accounts.Setup.Invalid ? accounts.setupFor(token) : Optional.empty());
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        views.error(ctx, 503, "error.503");
        return;
      }
      switch (ar.result().setup()) {
        case Accounts.Setup.Done done -> redirect(ctx, BASE + "/login?done=setup");
        case Accounts.Setup.Gone gone -> views.error(ctx, 410, "setup.gone");
        case Accounts.Setup.Invalid invalid -> {
          if (ar.result().who().isEmpty()) {
            views.error(ctx, 410, "setup.gone");
          } else {
            var keep = secret != null && secret.matches("[A-Z2-7]{16,64}") ? secret : Totp.newSecret();
            showSetup(ctx, 400, ar.result().who().get(), token, keep, invalid.key());
          }
        }
      }
    });
  }

  // ---- home

  private void home(RoutingContext ctx) {
    var elsewhere = landing.get(ConsoleAuth.operator(ctx).role());
    if (elsewhere != null) {
      redirect(ctx, elsewhere);
      return;
    }
    views.render(ctx, 200, "console/home.jte", Map.of("page", views.page(ctx, "home.title")));
  }

  // ---- the admin's accounts page

  private void adminPage(RoutingContext ctx) {
    showAdmin(ctx, 200, null, null, null, Map.of());
  }

  /** The accounts page, with a notice (and a setup link shown this once), an error, or the form as it was typed. */
  private void showAdmin(RoutingContext ctx, int status, String notice, String link, String error,
      Map<String, String> typed) {
    workers.executeBlocking(accounts::list, false).onComplete(ar -> {
      if (ar.failed()) {
        views.error(ctx, 503, "error.503");
        return;
      }
      var p = new HashMap<String, Object>();
      p.put("page", views.page(ctx, "admin.title"));
      p.put("accounts", ar.result());
      p.put("roles", List.of(Role.values()));
      p.put("notice", notice);
      p.put("link", link);
      p.put("error", error);
      p.put("typed", typed);
      views.render(ctx, status, "console/admin_operators.jte", p);
    });
  }

  private void createAccount(RoutingContext ctx) {
    var login = form(ctx, "login");
    var name = form(ctx, "name");
    var roleWord = form(ctx, "role");
    var phone = form(ctx, "phone");
    var language = form(ctx, "language");
    var typed = new HashMap<String, String>();
    typed.put("login", login == null ? "" : login);
    typed.put("name", name == null ? "" : name);
    typed.put("role", roleWord == null ? "" : roleWord);
    typed.put("phone", phone == null ? "" : phone);
    typed.put("language", language == null ? "vi" : language);
    Role role;
    try {
      role = Role.of(roleWord);
    } catch (IllegalArgumentException e) {
      showAdmin(ctx, 400, null, null, views.words(ctx).t("account.role_invalid"), typed);
      return;
    }
    var actor = ConsoleAuth.actor(ctx);
    workers.executeBlocking(() -> accounts.create(new Accounts.NewAccount(login, name, role, phone, language), actor), false)
        .onComplete(ar -> {
          if (ar.failed() && ar.cause() instanceof Accounts.Refused refused) {
            showAdmin(ctx, refused.key().equals("account.login_taken") ? 409 : 400, null, null,
                views.words(ctx).t(refused.key()), typed);
          } else if (ar.failed()) {
            views.error(ctx, 503, "error.503");
          } else {
            var made = ar.result();
            showAdmin(ctx, 201, views.words(ctx).t("admin.created", made.login()), made.url(publicUrl), null, Map.of());
          }
        });
  }

  private void disableAccount(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var me = ConsoleAuth.operator(ctx);
    if (me.id().equals(id)) {
      showAdmin(ctx, 409, null, null, views.words(ctx).t("admin.cannot_disable_self"), Map.of());
      return;
    }
    var actor = ConsoleAuth.actor(ctx);
    workers.executeBlocking(() -> {
      var who = accounts.byId(id);
      return who.isPresent() && accounts.disable(id, actor) ? who : Optional.<Operator>empty();
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        views.error(ctx, 503, "error.503");
      } else if (ar.result().isEmpty()) {
        showAdmin(ctx, 404, null, null, views.words(ctx).t("admin.no_such"), Map.of());
      } else {
        showAdmin(ctx, 200, views.words(ctx).t("admin.disabled_done", ar.result().get().login()), null, null, Map.of());
      }
    });
  }

  private void resetAccount(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    var actor = ConsoleAuth.actor(ctx);
    workers.executeBlocking(() -> accounts.reset(id, actor), false).onComplete(ar -> {
      if (ar.failed()) {
        views.error(ctx, 503, "error.503");
      } else if (ar.result().isEmpty()) {
        showAdmin(ctx, 404, null, null, views.words(ctx).t("admin.no_such"), Map.of());
      } else {
        var link = ar.result().get();
        showAdmin(ctx, 200, views.words(ctx).t("admin.reset_done", link.login()), link.url(publicUrl), null, Map.of());
      }
    });
  }

  // ---- helpers

  /**
   * The login and setup forms come before any session: their token is a random cookie the form sends back
   * (double submit), which another site can neither read nor set.
   */
  private void formToken(RoutingContext ctx) {
    if (ctx.get(ConsoleViews.FORM_TOKEN) != null) {
      return;
    }
    var c = ctx.request().getCookie(FORM_COOKIE);
    String value = c != null && c.getValue().matches("[A-Za-z0-9_-]{43}") ? c.getValue() : null;
    if (value == null) {
      var b = new byte[32];
      RANDOM.nextBytes(b);
      value = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      ctx.response().addCookie(Cookie.cookie(FORM_COOKIE, value).setPath(BASE).setHttpOnly(true)
          .setSameSite(CookieSameSite.STRICT).setSecure(secureCookies));
    }
    ctx.put(ConsoleViews.FORM_TOKEN, value);
  }

  private static boolean formTokenMatches(RoutingContext ctx) {
    var c = ctx.request().getCookie(FORM_COOKIE);
    return c != null && Sessions.same(c.getValue(), ConsoleAuth.submittedCsrf(ctx));
  }

  private static String form(RoutingContext ctx, String name) {
    return ctx.request().getFormAttribute(name);
  }

  private static String ip(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).end();
  }
}
