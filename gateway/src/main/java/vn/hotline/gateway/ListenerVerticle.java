package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.ops.ConnectionGuard;

/**
 * One HTTP listener: the public one (webhooks, API, up/down health) or the management one (metrics, detailed
 * health). Stopping it stops taking requests and lets those in flight finish within the grace period.
 */
final class ListenerVerticle extends VerticleBase {
  private final GatewayConfig.Http cfg;
  private final Router router;
  private final boolean management;
  private volatile HttpServer server;

  private ListenerVerticle(GatewayConfig.Http cfg, Router router, boolean management) {
    this.cfg = cfg;
    this.router = router;
    this.management = management;
  }

  static ListenerVerticle publicListener(GatewayConfig.Http cfg, Router router) {
    return new ListenerVerticle(cfg, router, false);
  }

  static ListenerVerticle managementListener(GatewayConfig.Http cfg, Router router) {
    return new ListenerVerticle(cfg, router, true);
  }

  @Override
  public Future<?> start() {
    var host = management ? cfg.managementHost() : cfg.host();
    var port = management ? cfg.managementPort() : cfg.port();
    var options = new HttpServerOptions().setHost(host).setPort(port)
        // Twilio and Prometheus speak HTTP/1.1; no h2c upgrade path to get wrong.
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(cfg.idleTimeoutSeconds());
    if (!management && cfg.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(cfg.tlsCertFile().toString()).setKeyPath(cfg.tlsKeyFile().toString()));
    }
    var where = host + ":" + port + (management ? " (management.host, management.port)" : "");
    return ConnectionGuard.guard(vertx, cfg, options, router).listen()
        .timeout(30, TimeUnit.SECONDS)
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen on " + where + ": " + e.getMessage(), e)))
        .onSuccess(s -> server = s);
  }

  int port() {
    var s = server;
    return s == null ? -1 : s.actualPort();
  }

  @Override
  public Future<?> stop() {
    var s = server;
    if (s == null) {
      return Future.succeededFuture();
    }
    return management ? s.close() : s.shutdown(cfg.shutdownGraceSeconds(), TimeUnit.SECONDS);
  }
}
