package vn.hotline.gateway.console;

import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.operators.Sessions;

/**
 * The door of every console page: {@code router.get("/console/x").handler(auth.require(Role.SUPERVISOR))
 * .handler(ctx -> ... ConsoleAuth.operator(ctx) ...)}. It finds the session from its cookie (on a worker),
 * sends whoever has none to the login page (htmx requests get 401 with {@code HX-Redirect}), refuses a
 * POST/PUT/PATCH/DELETE whose CSRF token (form field {@code csrf} or header {@code X-CSRF-Token}) is not the
 * session's (403, nothing done), and a role not listed (403 page). Then the handler runs with
 * {@link #signed(RoutingContext)}.
 */
public final class ConsoleAuth {
  private static final Logger log = LoggerFactory.getLogger(ConsoleAuth.class);
  public static final String SESSION_COOKIE = "hg_console_session";
  public static final String CSRF_FIELD = "csrf";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  static final String SIGNED = "console.signed";
  private static final List<HttpMethod> SAFE = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final Sessions sessions;
  private final WorkerExecutor workers;
  private final ConsoleViews views;
  private final boolean secureCookies;

  ConsoleAuth(Sessions sessions, WorkerExecutor workers, ConsoleViews views, boolean secureCookies) {
    this.sessions = sessions;
    this.workers = workers;
    this.views = views;
    this.secureCookies = secureCookies;
  }

  /** The signed-in session of this request (after {@link #require}), or null. */
  public static Sessions.Active signed(RoutingContext ctx) {
    return ctx.get(SIGNED);
  }

  /** The signed-in operator of this request (after {@link #require}), or null. */
  public static Operator operator(RoutingContext ctx) {
    Sessions.Active s = ctx.get(SIGNED);
    return s == null ? null : s.operator();
  }

  /** The audit actor of the signed-in operator: {@code operator:<id>}. */
  public static String actor(RoutingContext ctx) {
    return "operator:" + operator(ctx).id();
  }

  /** A handler that lets the request on only for a signed-in operator of one of these roles (none listed: any). */
  public Handler<RoutingContext> require(Role... roles) {
    var allowed = List.of(roles);
    return ctx -> {
      Sessions.Active known = ctx.get(SIGNED);
      if (known != null) {
        admit(ctx, known, allowed);
        return;
      }
      var cookie = ctx.request().getCookie(SESSION_COOKIE);
      if (cookie == null || cookie.getValue().isEmpty()) {
        notSignedIn(ctx);
        return;
      }
      var token = cookie.getValue();
      workers.executeBlocking(() -> sessions.check(token), false).onComplete(ar -> {
        if (ar.failed()) {
          log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("console session could not be checked");
          views.error(ctx, 503, "error.503");
        } else if (ar.result().isEmpty()) {
          ctx.response().addCookie(ended());
          notSignedIn(ctx);
        } else {
          ctx.put(SIGNED, ar.result().get());
          admit(ctx, ar.result().get(), allowed);
        }
      });
    };
  }

  private void admit(RoutingContext ctx, Sessions.Active session, List<Role> allowed) {
    if (!SAFE.contains(ctx.request().method()) && !Sessions.same(session.csrfToken(), submittedCsrf(ctx))) {
      log.atInfo().addKeyValue("path", ctx.request().path()).log("console request refused: missing or wrong CSRF token");
      views.error(ctx, 403, "error.csrf");
      return;
    }
    if (!allowed.isEmpty() && !allowed.contains(session.operator().role())) {
      views.error(ctx, 403, "error.403");
      return;
    }
    ctx.next();
  }

  /** The CSRF token the request sent: the htmx header, else the form field. */
  static String submittedCsrf(RoutingContext ctx) {
    var header = ctx.request().getHeader(CSRF_HEADER);
    if (header != null && !header.isEmpty()) {
      return header;
    }
    return ctx.request().getFormAttribute(CSRF_FIELD);
  }

  private static void notSignedIn(RoutingContext ctx) {
    var req = ctx.request();
    var target = "/console/login";
    var here = req.uri();
    if (req.method() == HttpMethod.GET && safeNext(here) != null && !req.path().equals("/console")) {
      target += "?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8);
    }
    if (req.getHeader("HX-Request") != null) {
      ctx.response().setStatusCode(401).putHeader("HX-Redirect", target).end();
      return;
    }
    ctx.response().setStatusCode(303).putHeader("Location", target).end();
  }

  /** {@code next} when it is a console path of this gateway (no open redirect), else null. */
  static String safeNext(String next) {
    if (next == null || !(next.equals("/console") || next.startsWith("/console/") || next.startsWith("/console?"))
        || next.contains("\\")
        || next.length() > 500 || next.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return null;
    }
    if (next.startsWith("/console/login") || next.startsWith("/console/logout") || next.startsWith("/console/setup")) {
      return null;
    }
    return next;
  }

  /** The session cookie for this token: HttpOnly, SameSite=Strict, Path=/console, Secure behind https. */
  Cookie sessionCookie(String token) {
    return Cookie.cookie(SESSION_COOKIE, token).setPath("/console").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setSecure(secureCookies);
  }

  /** The session cookie removed (the browser forgets it). */
  Cookie ended() {
    return sessionCookie("").setMaxAge(0);
  }
}
