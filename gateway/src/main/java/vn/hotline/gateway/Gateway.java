package vn.hotline.gateway;

import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.board.BoardFeed;
import vn.hotline.gateway.store.CardRepository;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.sms.smpp.SmppConnections;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.Instances;
import vn.hotline.gateway.store.Store;

/**
 * The composition root, for {@code serve} and the tests: opens the store on its own thread, deploys the
 * {@link GatewayVerticle} (which builds every part from the config and deploys one verticle per feature), waits
 * for it once, and takes it all down again in order. Reads nothing itself: the environment is in the config.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  /** How long the first connection may take at startup before the store counts as unreachable (a loaded machine). */
  private static final java.time.Duration STARTUP_PATIENCE = java.time.Duration.ofSeconds(10);

  private final GatewayConfig cfg;
  private final Vertx vertx;
  private final String deployment;
  private final GatewayVerticle root;
  private final Store store;
  private final Metrics metrics;
  private final Instances instances;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Gateway(GatewayConfig cfg, Vertx vertx, String deployment, GatewayVerticle root, Store store, Metrics metrics,
      Instances instances) {
    this.instances = instances;
    this.cfg = cfg;
    this.vertx = vertx;
    this.deployment = deployment;
    this.root = root;
    this.store = store;
    this.metrics = metrics;
  }

  /**
   * Starts the gateway and returns once it listens. A broken flow or config stops startup with the problem
   * named. A store that is down does not: the gateway serves the fallback and is not ready until the store
   * answers and is migrated.
   */
  public static Gateway start(GatewayConfig cfg) {
    return start(cfg, Clock.systemUTC());
  }

  public static Gateway start(GatewayConfig cfg, Clock clock) {
    var metrics = new Metrics();
    var store = Store.create(cfg.db(), metrics.registry());
    // Opening and migrating the store is the longest step of startup (H2, Flyway); it runs while the rest is
    // built and is awaited before the server listens.
    var storeChecked = new CompletableFuture<Void>();
    // This instance in the store's list once the schema is current, taking back what killed instances held, before
    // anything here claims work (docs/reliability.md).
    var instances = new Instances(store, clock, n -> metrics.smsRepliesPossiblyDuplicated("taken_back", n));
    Thread.ofPlatform().name("store-startup").daemon().start(() -> {
      try {
        store.start();
        store.whenMigrated(instances::start);
        if (store.pingAtStartup(STARTUP_PATIENCE)) {
          store.migrate(); // a failing migration stops startup: a half-migrated store must not serve
        } else {
          log.error("store {} is unreachable at startup; serving the fallback number until it answers",
              store.description());
        }
        storeChecked.complete(null);
      } catch (Throwable e) {
        storeChecked.completeExceptionally(e);
      }
    });
    var vertx = Vertx.vertx();
    var root = new GatewayVerticle(cfg, clock, store, metrics, storeChecked);
    var deployed = vertx.deployVerticle(root).toCompletionStage().toCompletableFuture();
    try {
      return new Gateway(cfg, vertx, deployed.join(), root, store, metrics, instances);
    } catch (java.util.concurrent.CompletionException failed) {
      // Whatever had started stops with Vert.x; the store is closed once it has finished opening.
      vertx.close().toCompletionStage().toCompletableFuture().exceptionally(x -> null).join();
      storeChecked.exceptionally(x -> null).join();
      store.close();
      metrics.close();
      var cause = failed.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(cause.toString(), cause);
    }
  }

  /** The deliveries (replay, listing); for tests and tools. */
  public DeliveryRepository deliveries() {
    return root.parts().deliveries;
  }

  /**
   * Counsellor review: the contact form completed (a new version of the report, sent through the outbox) and the
   * reports awaiting review. Its methods block on the store (call them from a worker).
   */
  public vn.hotline.gateway.casework.Casework casework() {
    return root.parts().casework;
  }

  /** Claims and starts sending due deliveries now (the worker also runs by itself). For tests and tools. */
  public int deliverNow() {
    return root.parts().delivery.sendDue();
  }

  /** The SMPP links, for tests and tools. */
  public SmppConnections smpp() {
    return root.parts().smpp;
  }

  /** Processes stored inbound SMS now; blocking. For tests and tools (the inbox also runs by itself). */
  public int drainSmsInbox() {
    return root.parts().inbox.drain();
  }

  /** Runs every periodic job once now, in order (stale calls, reminders, expiry, overdue parts...); blocking. */
  public void housekeepingNow() {
    root.housekeepingNow();
  }

  public int port() {
    return root.port();
  }

  /** The management listener's port (metrics, detailed health), or -1 when there is none. */
  public int managementPort() {
    return root.managementPort();
  }

  public String storeDescription() {
    return store.description();
  }

  /** The live board as it is now (blocking: reads the store). */
  public Board.View board() {
    return root.parts().board.read();
  }

  /** The live board's feed: what the console's browsers watch. */
  public BoardFeed boardFeed() {
    return root.parts().boardFeed;
  }

  /** The contact cards counsellors open. */
  public CardRepository cards() {
    return root.parts().cards;
  }

  /**
   * Follow-up tasks (callbacks, SMS replies, voicemails to hear): the board's open tasks, assignment, attempts. Its
   * methods block on the store (call them from a worker).
   */
  public vn.hotline.gateway.followup.Followups followups() {
    return root.parts().followups;
  }

  public FlowCatalog flows() {
    return root.parts().files.flows();
  }

  /** The meters (tests and tools count what the gateway counted). */
  public io.micrometer.core.instrument.MeterRegistry meters() {
    return metrics.registry();
  }

  public GatewayConfig config() {
    return cfg;
  }

  /**
   * Graceful: stop taking requests, let in-flight ones finish, unbind SMPP, stop the loops and timers, then
   * close the pool, the store and the event loops.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("stopping: draining in-flight requests for up to {} s", cfg.http().shutdownGraceSeconds());
    await(root.stopFeatures(), 6L * (cfg.http().shutdownGraceSeconds() + 5));
    await(vertx.undeploy(deployment), 15);
    instances.close();
    store.close();
    await(vertx.close(), 10);
    metrics.close();
    log.info("stopped");
  }

  private static void await(Future<?> f, long seconds) {
    try {
      f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("shutdown step did not finish cleanly: {}", e.toString());
    }
  }
}
