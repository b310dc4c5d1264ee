package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import java.time.Clock;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Sessions;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;

/**
 * The counsellors' console, served by the gateway under /console on the public listener: what the pages share
 * ({@link #auth()}, the door; {@link #views()}, the templates and words) and the console's own pages. Pages
 * built elsewhere mount after {@link #mount}, with these two.
 */
public final class Console {
  private final ConsoleAuth auth;
  private final ConsoleViews views;
  private final ConsoleRoutes routes;
  private final Sessions sessions;
  private final WorkerExecutor workers;

  private Console(ConsoleAuth auth, ConsoleViews views, ConsoleRoutes routes, Sessions sessions,
      WorkerExecutor workers) {
    this.auth = auth;
    this.views = views;
    this.routes = routes;
    this.sessions = sessions;
    this.workers = workers;
  }

  /**
   * Builds the console; reads its words and static files from the jar (blocking: on a worker). Cookies are
   * {@code Secure} when the public URL is https or the gateway terminates TLS itself.
   *
   * @param limits the per-IP failed-authentication buckets shared with the webhooks and the API
   */
  public static Console build(GatewayConfig cfg, Accounts accounts, Sessions sessions, WorkerExecutor workers,
      Clock clock, TwilioWebhookGuard limits) {
    boolean secure = "https".equalsIgnoreCase(cfg.publicUrl().getScheme()) || cfg.http().tls();
    var views = new ConsoleViews(Messages.load());
    var auth = new ConsoleAuth(sessions, workers, views, secure);
    var routes = new ConsoleRoutes(accounts, sessions, auth, views, Assets.load(), workers, clock, cfg.publicUrl(),
        secure, limits, cfg.limits().failedAuthPerMinute());
    return new Console(auth, views, routes, sessions, workers);
  }

  /** Mounts the console's edge (headers, language, bodies), its own pages, and its HTML "not found" page. */
  public void mount(Router router) {
    routes.mount(router);
  }

  public ConsoleAuth auth() {
    return auth;
  }

  public ConsoleViews views() {
    return views;
  }

  /** Runs {@code hook} on a worker whenever someone signs out, before their session ends. */
  public void onSignOut(java.util.function.Consumer<Sessions.Active> hook) {
    routes.onSignOut(hook);
  }

  /** Makes {@code path} the page /console sends these roles to (their first page). */
  public void landing(String path, vn.hotline.gateway.operators.Role... roles) {
    routes.landing(path, roles);
  }

  Sessions sessions() {
    return sessions;
  }

  /** The store workers (never block an event loop). */
  WorkerExecutor workers() {
    return workers;
  }
}
