package vn.hotline.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.api.ApiRoutes;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.voice.WarmUp;

/**
 * The gateway as one deployment: reads the files (while the OpenAPI contract is read and the store opens),
 * builds the {@link Parts}, then deploys one verticle per feature: the webhooks' and the API's routes; once the
 * store is checked and the new-call path warmed up ({@link WarmUp}), the public listener, then the management one;
 * then the SMPP links, the SMS inbox, the delivery worker and the housekeeping timers. A step that fails fails the start, with its reason.
 * {@link #stopFeatures()} takes them down in the order that loses nothing; {@link #stop()} then closes the pool.
 * The store and the metrics are {@link Gateway}'s: opened before this deploys, closed after it is gone.
 */
final class GatewayVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final DeploymentOptions WORKER = new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER);

  private final GatewayConfig cfg;
  private final Clock clock;
  private final Store store;
  private final Metrics metrics;
  private final CompletableFuture<Void> storeChecked;
  /** Deployed features, in the order they stop: listeners first, the loops after. */
  private final List<String> stopOrder = new ArrayList<>();
  private volatile Parts parts;
  private volatile ListenerVerticle listener;
  private volatile ListenerVerticle management;
  private volatile HousekeepingVerticle housekeeping;

  /** @param storeChecked completes when the store opened on its own thread is reachable and migrated, or is down */
  GatewayVerticle(GatewayConfig cfg, Clock clock, Store store, Metrics metrics, CompletableFuture<Void> storeChecked) {
    this.cfg = cfg;
    this.clock = clock;
    this.store = store;
    this.metrics = metrics;
    this.storeChecked = storeChecked;
  }

  @Override
  public Future<?> start() {
    var contract = ApiRoutes.contract(vertx); // read and resolved on Vert.x's threads while the files are read
    return vertx.executeBlocking(() -> Parts.Files.read(cfg), false).compose(files -> {
      var p = parts = new Parts(vertx, cfg, clock, store, metrics, files);
      var router = Router.router(vertx);
      HttpEdge.mount(router, metrics);
      p.ops.mount(router);
      // the live board reads again when a webhook was answered or an SMS processed (a reply queued)
      router.route("/twilio/*").handler(ctx -> {
        ctx.addEndHandler(x -> p.boardFeed.changed());
        ctx.next();
      });
      vertx.eventBus().localConsumer(Addresses.REPLIES_QUEUED, m -> p.boardFeed.changed());
      // one after the other: a router takes its routes from one thread at a time
      var routes = deploy(new WebhooksVerticle(p, router), null, false)
          .compose(x -> deploy(new ApiVerticle(p, router, contract), null, false))
          .compose(x -> deploy(new ConsoleVerticle(p, router), null, false))
          .compose(x -> deploy(new WebFormVerticle(p, router), null, false));
      return Future.all(routes, Future.fromCompletionStage(storeChecked, context))
          .compose(x -> warmUp(p)) // before the listener: the first callers must not meet a cold gateway
          .compose(x -> deploy(listener = ListenerVerticle.publicListener(cfg.http(), router), null, true))
          .compose(x -> {
            metrics.bindJvm();
            if (!cfg.http().management()) {
              return Future.succeededFuture();
            }
            var managementRouter = Router.router(vertx);
            HttpEdge.mount(managementRouter, metrics);
            p.ops.mountManagement(managementRouter);
            return deploy(management = ListenerVerticle.managementListener(cfg.http(), managementRouter), null, true);
          })
          .compose(x -> Future.all(deploy(new SmppVerticle(p.smpp), WORKER, true),
              deploy(new InboxVerticle(p.inbox), WORKER, true),
              deploy(new DeliveryVerticle(p.delivery), WORKER, true),
              deploy(housekeeping = new HousekeepingVerticle(p), null, true)));
    });
  }

  /** voice.WarmUp on a webhook worker; it never fails the start, and a slow store cannot hold it past 5 s. */
  private Future<Void> warmUp(Parts p) {
    var warmUp = new WarmUp(p.calls, p.renderer, p.files.flows(), p.files.engine(), store);
    return p.workers.executeBlocking(warmUp::run, false).timeout(5, TimeUnit.SECONDS)
        .<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private Future<String> deploy(VerticleBase verticle, DeploymentOptions options, boolean stopsInOrder) {
    return (options == null ? vertx.deployVerticle(verticle) : vertx.deployVerticle(verticle, options))
        .onSuccess(id -> {
          if (stopsInOrder) {
            synchronized (stopOrder) {
              stopOrder.add(id);
            }
          }
        });
  }

  Parts parts() {
    return parts;
  }

  int port() {
    return listener.port();
  }

  int managementPort() {
    return management == null ? -1 : management.port();
  }

  void housekeepingNow() {
    housekeeping.runAllNow();
  }

  /**
   * Stops taking requests and lets those in flight finish (public listener, within the grace period), closes the
   * management listener, unbinds SMPP, then stops the inbox, the delivery worker and the timers: one after the
   * other, each after the one before it has finished, so nothing still works when the store closes.
   */
  Future<Void> stopFeatures() {
    List<String> ids;
    synchronized (stopOrder) {
      ids = List.copyOf(stopOrder);
      stopOrder.clear();
    }
    Future<Void> chain = Future.succeededFuture();
    for (var id : ids) {
      chain = chain.compose(x -> vertx.undeploy(id)
          .timeout(cfg.http().shutdownGraceSeconds() + 5L, TimeUnit.SECONDS)
          .recover(e -> {
            log.warn("shutdown step did not finish cleanly: {}", e.toString());
            return Future.succeededFuture();
          }));
    }
    return chain;
  }

  /** Last: the webhooks' pool (Vert.x has undeployed any feature still up before this runs). */
  @Override
  public Future<?> stop() {
    var p = parts;
    if (p == null) {
      return Future.succeededFuture();
    }
    p.boardFeed.close();
    return p.workers.close().timeout(10, TimeUnit.SECONDS);
  }
}
