package vn.hotline.gateway.console;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import vn.hotline.gateway.operators.Sessions;

/**
 * One console page's Server-Sent Events response, what the live board's stream and an SMS conversation's share:
 * the headers (no proxy buffering), the reconnect delay, a keep-alive comment every {@link #HEARTBEAT_MS}, the
 * session checked every {@link #RECHECK_MS} without counting as a request (over: an {@code ended} event, and the
 * page reloads to the login page), and closing once, whichever side goes first. Touched on its own context only.
 */
final class EventStream {
  static final long HEARTBEAT_MS = 10_000;
  static final long RECHECK_MS = 30_000;

  final Context context;
  final HttpServerResponse res;
  /** Who opened the page, as the request that opened the stream was signed. */
  final Sessions.Active signed;
  private final Vertx vertx;
  private final Console console;
  private final String token;
  private Runnable onClose = () -> {};
  private boolean closed;
  private long heartbeat = -1;
  private long recheck = -1;

  private EventStream(Vertx vertx, Console console, RoutingContext ctx) {
    this.vertx = vertx;
    this.console = console;
    this.context = vertx.getOrCreateContext();
    this.res = ctx.response();
    this.signed = ConsoleAuth.signed(ctx);
    var cookie = ctx.request().getCookie(ConsoleAuth.SESSION_COOKIE);
    this.token = cookie == null ? "" : cookie.getValue();
  }

  /** Answers {@code ctx} with an event stream; {@code onClose} runs once when it closes (the owner forgets it). */
  static EventStream open(Vertx vertx, Console console, RoutingContext ctx) {
    var s = new EventStream(vertx, console, ctx);
    s.res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("X-Accel-Buffering", "no"); // a reverse proxy in front must not hold the events back
    s.res.closeHandler(v -> s.close());
    s.res.exceptionHandler(e -> s.close());
    ctx.request().connection().shutdownHandler(v -> s.end()); // the listener stops: do not hold its shutdown up
    s.write("retry: 3000\n\n");
    s.heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> s.write(": keep-alive\n\n"));
    s.recheck = vertx.setPeriodic(RECHECK_MS, id -> console.workers()
        .executeBlocking(() -> console.sessions().stillOn(s.token), false)
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().isEmpty()) {
            s.ended();
          }
        }));
    return s;
  }

  /** What the owner does when the stream closes (forget it, stop watching). */
  EventStream onClose(Runnable r) {
    this.onClose = r;
    return this;
  }

  boolean closed() {
    return closed;
  }

  void write(String text) {
    if (closed || res.ended() || res.closed()) {
      return;
    }
    res.write(text).onFailure(e -> close());
  }

  /** The session is over (signed out, timed out, disabled): the page reloads, which shows the login page. */
  void ended() {
    write(event("ended", "signed-out"));
    end();
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    vertx.cancelTimer(heartbeat);
    vertx.cancelTimer(recheck);
    onClose.run();
  }

  void end() {
    close();
    if (!res.ended() && !res.closed()) {
      res.end();
    }
  }

  /** One Server-Sent Event: its name, then the data line by line. */
  static String event(String name, String data) {
    var b = new StringBuilder(data.length() + 64).append("event: ").append(name).append('\n');
    for (var line : data.replace("\r", "").split("\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    return b.append('\n').toString();
  }
}
