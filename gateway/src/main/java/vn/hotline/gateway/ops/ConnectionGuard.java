package vn.hotline.gateway.ops;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * The edge of a listener, in front of its router: what a client can do to the server before any route sees a
 * request.
 *
 * <ul>
 *   <li>A client must send a whole request, headers and body, within {@code http.request_timeout_seconds} of the
 *       moment the connection starts waiting for it: its opening or, kept alive, our previous answer (then plus
 *       {@code http.idle_timeout_seconds}). Slower (nothing sent, headers or body a byte at a time), it is
 *       disconnected. Once a request is in, the clock stops until we have answered: a slow handler is never cut.
 *   <li>At most {@code http.max_connections_per_ip} open connections per remote address; a new one beyond is
 *       closed at once.
 *   <li>A request whose length is ambiguous ({@code Content-Length} with {@code Transfer-Encoding}, several
 *       lengths, a transfer coding other than {@code chunked}) gets 400 and its connection is closed, so that
 *       nothing a proxy in front would read differently (a smuggled second request) is served.
 * </ul>
 *
 * Each connection's state is touched only on its own event loop (the timer is set from its connection handler).
 */
public final class ConnectionGuard {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnectionGuard.class);

  private final Vertx vertx;
  private final HttpServerOptions options;
  private final long requestMs;
  private final long keptAliveMs;
  private final long tickMs;
  private final int maxPerIp;
  private final Handler<HttpServerRequest> next;
  private final Map<String, Integer> perIp = new ConcurrentHashMap<>();
  private final Map<HttpConnection, Conn> conns = new ConcurrentHashMap<>();

  private ConnectionGuard(Vertx vertx, GatewayConfig.Http cfg, HttpServerOptions options,
      Handler<HttpServerRequest> next) {
    this.vertx = vertx;
    this.options = options;
    this.requestMs = cfg.requestTimeoutSeconds() * 1000L;
    this.keptAliveMs = (cfg.requestTimeoutSeconds() + cfg.idleTimeoutSeconds()) * 1000L;
    this.tickMs = Math.max(50, Math.min(1000, requestMs / 4));
    this.maxPerIp = cfg.maxConnectionsPerIp();
    this.next = next;
  }

  /** A server with {@code options} whose requests pass the guard before {@code next}. */
  public static HttpServer guard(Vertx vertx, GatewayConfig.Http cfg, HttpServerOptions options,
      Handler<HttpServerRequest> next) {
    var guard = new ConnectionGuard(vertx, cfg, options, next);
    return vertx.createHttpServer(options).connectionHandler(guard::connected).requestHandler(guard::request);
  }

  /** One connection: the request it is receiving or answering, and since when it waits on the client. */
  private static final class Conn {
    final String ip;
    HttpServerRequest current;
    long waitingSince = System.nanoTime();
    long allowanceMs;
    boolean refused;
    long timer = -1;

    Conn(String ip, long allowanceMs) {
      this.ip = ip;
      this.allowanceMs = allowanceMs;
    }
  }

  private void connected(HttpConnection connection) {
    var address = connection.remoteAddress();
    var ip = address == null || address.host() == null ? "unknown" : address.host();
    int open = perIp.merge(ip, 1, Integer::sum);
    var c = new Conn(ip, requestMs);
    conns.put(connection, c);
    connection.closeHandler(v -> {
      vertx.cancelTimer(c.timer);
      conns.remove(connection);
      perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    });
    if (open > maxPerIp) {
      log.atWarn().addKeyValue("open", open - 1).log("refused a connection: too many open from one address");
      connection.close();
      return;
    }
    keepBothLengths(connection);
    c.timer = vertx.setPeriodic(tickMs, tickMs, id -> tick(connection, c));
  }

  /**
   * Netty reads a request with both {@code Transfer-Encoding: chunked} and {@code Content-Length} by the former and
   * drops the latter, so the request handler could not tell; a decoder that keeps both headers lets it refuse the
   * request. The decoder is Vert.x's own (5.0), reached through its connection; it is swapped before the first byte
   * is read (the connection handler runs while the channel is set up). Should that ever not be possible, Netty's
   * RFC 9112 reading stays, and the other ambiguous forms are still refused.
   */
  private void keepBothLengths(HttpConnection connection) {
    if (!(connection instanceof io.vertx.core.net.impl.ConnectionBase base)) {
      return;
    }
    var pipeline = base.channel().pipeline();
    if (pipeline.get("httpDecoder") instanceof io.vertx.core.http.impl.VertxHttpRequestDecoder) {
      pipeline.replace("httpDecoder", "httpDecoder", new io.vertx.core.http.impl.VertxHttpRequestDecoder(options) {
        @Override
        protected void handleTransferEncodingChunkedWithContentLength(io.netty.handler.codec.http.HttpMessage message) {
          var lengths = message.headers().getAll(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH);
          super.handleTransferEncodingChunkedWithContentLength(message);
          message.headers().add(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH, lengths);
        }
      });
    }
  }

  private void tick(HttpConnection connection, Conn c) {
    var req = c.current;
    if (req == null || !req.isEnded()) {
      if ((System.nanoTime() - c.waitingSince) / 1_000_000 > c.allowanceMs) {
        log.atInfo().addKeyValue("pending", req == null ? "headers" : "body")
            .log("closed a connection whose client was too slow to send its request");
        vertx.cancelTimer(c.timer);
        connection.close();
      }
    } else if (req.response().ended()) {
      // Answered: the connection now waits on the client for its next request.
      c.current = null;
      c.waitingSince = System.nanoTime();
      c.allowanceMs = keptAliveMs;
    }
    // else: the request is in and we are still answering: never cut here (Twilio waits up to 15 s).
  }

  private void request(HttpServerRequest req) {
    var connection = req.connection();
    var c = conns.get(connection);
    if (c != null && c.refused) {
      connection.close(); // read behind a refused request on the same connection: never served
      return;
    }
    if (c != null) {
      c.current = req; // the clock keeps running from when the connection started waiting until the body is in
    }
    var why = ambiguousFraming(req);
    if (why != null) {
      if (c != null) {
        c.refused = true;
      }
      req.response().setStatusCode(400).putHeader("Content-Type", "application/problem+json")
          .putHeader("Connection", "close").end(HttpEdge.problemBody(400, why)).onComplete(ar -> connection.close());
      return;
    }
    next.handle(req);
  }

  /** Why the request's body length could be read two ways, or null. */
  static String ambiguousFraming(HttpServerRequest req) {
    List<String> te = req.headers().getAll("Transfer-Encoding");
    List<String> cl = req.headers().getAll("Content-Length");
    if (!te.isEmpty() && !cl.isEmpty()) {
      return "Content-Length and Transfer-Encoding together: the request's length is ambiguous";
    }
    if (te.size() > 1 || te.size() == 1 && !te.get(0).trim().toLowerCase(Locale.ROOT).equals("chunked")) {
      return "Transfer-Encoding must be chunked (one coding, one header)";
    }
    if (cl.size() > 1 || cl.size() == 1 && !cl.get(0).trim().matches("\\d{1,18}")) {
      return "Content-Length must be one number";
    }
    return null;
  }
}
