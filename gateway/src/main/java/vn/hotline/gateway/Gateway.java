package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.flow.FlowException;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.ops.ConnectionGuard;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.ops.RateLimits;
import vn.hotline.gateway.ops.OpsRoutes;
import vn.hotline.gateway.privacy.Retention;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.ReportPolicy;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.delivery.ContactClosing;
import vn.hotline.gateway.delivery.DeliveryWorker;
import vn.hotline.gateway.delivery.Outbox;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.delivery.RoutingLoader;
import vn.hotline.gateway.delivery.WebhookPayload;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.api.ApiRoutes;
import vn.hotline.gateway.stats.Statistics;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.SessionRepository;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.sms.SmsConversations;
import vn.hotline.gateway.sms.SmsInbox;
import vn.hotline.gateway.sms.smpp.SmppConnections;
import vn.hotline.gateway.sms.twilio.TwilioSmsRoutes;
import vn.hotline.gateway.sms.twilio.TwilioSmsSender;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.voice.CallService;
import vn.hotline.gateway.twilio.TwilioSignatures;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;
import vn.hotline.gateway.voice.TwimlRenderer;
import vn.hotline.gateway.voice.VoiceRoutes;

/**
 * The one composition root: reads nothing itself, builds every part from the config, starts the HTTP server
 * and the housekeeping timer, and takes it all down again in order.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final long HOUSEKEEPING_MS = 15_000;

  private final GatewayConfig cfg;
  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Store store;
  private final Metrics metrics;
  private final HttpServer server;
  private final FlowCatalog flows;
  private final Runnable housekeeping;
  private final SmppConnections smpp;
  private final SmsInbox inbox;
  private final DeliveryWorker delivery;
  private final DeliveryRepository deliveriesRepo;
  private final AtomicBoolean closed = new AtomicBoolean();
  private HttpServer management; // metrics and detailed health; null when management.port is -1

  private Gateway(GatewayConfig cfg, Vertx vertx, WorkerExecutor workers, Store store, Metrics metrics,
      HttpServer server, FlowCatalog flows, Runnable housekeeping, SmppConnections smpp, SmsInbox inbox,
      DeliveryWorker delivery, DeliveryRepository deliveriesRepo) {
    this.cfg = cfg;
    this.vertx = vertx;
    this.workers = workers;
    this.store = store;
    this.metrics = metrics;
    this.server = server;
    this.flows = flows;
    this.housekeeping = housekeeping;
    this.smpp = smpp;
    this.inbox = inbox;
    this.delivery = delivery;
    this.deliveriesRepo = deliveriesRepo;
  }

  /** The deliveries (replay, listing); for tests and tools. */
  public DeliveryRepository deliveries() {
    return deliveriesRepo;
  }

  /** Claims and starts sending due deliveries now (the worker also runs by itself). For tests and tools. */
  public int deliverNow() {
    return delivery.sendDue();
  }

  /** The SMPP links, for tests and tools. */
  public SmppConnections smpp() {
    return smpp;
  }

  /** Processes stored inbound SMS now; blocking. For tests and tools (the inbox also runs by itself). */
  public int drainSmsInbox() {
    return inbox.drain();
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
    var storeChecked = new java.util.concurrent.CompletableFuture<Void>();
    Thread.ofPlatform().name("store-startup").daemon().start(() -> {
      try {
        store.start();
        if (store.ping()) {
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

    Provinces provinces;
    Routing routing;
    Map<String, Set<String>> valueLists;
    FlowCatalog flows;
    FlowDefinition voiceFlow;
    FlowDefinition smsFlow;
    try {
      provinces = Provinces.load(cfg.provincesFile());
      var taxonomy = Taxonomy.load(cfg.taxonomyFile());
      routing = RoutingLoader.load(cfg, taxonomy, provinces, System.getenv());
      valueLists = Map.of("provinces", provinces.byCode().keySet());
      flows = new FlowLoader(valueLists).loadDirectory(cfg.flowsDir());
      TwimlRenderer.checkVoices(flows);
      taxonomy.check(flows);
      voiceFlow = pick(flows, cfg, cfg.voiceFlow(), "voice", "voice_flow");
      smsFlow = pick(flows, cfg, cfg.sms().flow(), "sms", "sms.flow");
    } catch (RuntimeException e) { // a broken file stops startup: the store opened meanwhile is closed again
      storeChecked.exceptionally(x -> null).join();
      store.close();
      metrics.close();
      throw e;
    }

    var vertx = Vertx.vertx();
    var apiContract = ApiRoutes.contract(vertx); // read and resolved on Vert.x's threads while the rest is built
    var workers = vertx.createSharedWorkerExecutor("store", cfg.db().poolSize() + 2, 60, TimeUnit.SECONDS);
    var sealer = Sealer.parse(cfg.privacy().encryptionKeys());
    var pseudonyms = Pseudonyms.parse(cfg.privacy().pseudonymKey());
    var audit = new AuditLog();
    var reports = new ReportRepository(store, sealer, audit);
    var deliveries = new DeliveryRepository(store, audit);
    var payloads = new WebhookPayload(provinces);
    var closing = new ContactClosing(new ReportPolicy(), reports, routing, new Outbox(deliveries, audit));
    var sessions = new SessionRepository(store, sealer, audit, closing);
    var engine = new FlowEngine(valueLists);
    var calls = new CallService(voiceFlow, engine, sessions, pseudonyms, cfg.operators().hours(), metrics, clock);
    var renderer = new TwimlRenderer(cfg.operators(), cfg.fallbackNumber());
    var signatures = new TwilioSignatures(cfg.twilio().authToken(), cfg.publicUrl());

    var router = Router.router(vertx);
    HttpEdge.mount(router, metrics);
    var smppStates = new java.util.concurrent.atomic.AtomicReference<java.util.function.Supplier<Map<String, String>>>(Map::of);
    var ops = new OpsRoutes(store, flows, metrics, workers, () -> smppStates.get().get());
    ops.mount(router);
    var rateLimits = new RateLimits(clock);
    var guard = new TwilioWebhookGuard(signatures, metrics, cfg.http().maxBodyBytes(),
        new TwilioWebhookGuard.Limits(rateLimits, cfg.limits().failedAuthPerMinute(),
            (kind, source) -> workers.executeBlocking(() -> store.inTransaction(c -> {
              audit.append(c, "ratelimit.exceeded", "gateway", Map.of(), Map.of("kind", kind), clock.instant());
              return null;
            }), false),
            (reason, webhook) -> workers.executeBlocking(() -> store.inTransaction(c -> {
              audit.append(c, "webhook.refused", "gateway", Map.of(), Map.of("reason", reason, "webhook", webhook),
                  clock.instant());
              return null;
            }), false)));
    new VoiceRoutes(calls, renderer, guard, workers, metrics, cfg.http().webhookDeadlineMs(), pseudonyms::of,
        cfg.limits().callsPerMinute()).mount(router);

    var smsStore = new SmsRepository(store, sealer, audit);
    var conversations = new SmsConversations(smsFlow, engine, sessions, smsStore, store, metrics, clock,
        Duration.ofMinutes(cfg.sms().reminderAfterMinutes()), Duration.ofMinutes(cfg.sms().sessionIdleMinutes()));
    new TwilioSmsRoutes(conversations, smsStore, store, pseudonyms, guard, workers, metrics,
        cfg.http().webhookDeadlineMs(), clock, cfg.limits().smsPerMinute()).mount(router);
    var twilioSms = new TwilioSmsSender(cfg.twilio(), cfg.publicUrl(), smsStore, clock);
    var smpp = new SmppConnections[1];
    var inbox = new SmsInbox(conversations, smsStore, store, clock, () -> smpp[0].wakeSenders());
    smpp[0] = new SmppConnections(cfg.smppLinks(), smsStore, pseudonyms, metrics, clock,
        Duration.ofSeconds(cfg.sms().dedupeWindowSeconds()), inbox::wake);

    var apiKeys = new ApiKeyRepository(store, audit);
    var deliveryWake = new java.util.concurrent.atomic.AtomicReference<Runnable>(() -> { });
    try {
      new ApiRoutes(apiKeys, reports, deliveries, routing, payloads, workers, clock, () -> deliveryWake.get().run(),
          new Statistics(store, provinces), guard, cfg.limits().failedAuthPerMinute())
          .mount(vertx, router, apiContract.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      vertx.close();
      storeChecked.exceptionally(x -> null).join();
      store.close();
      throw new IllegalStateException("the API's OpenAPI contract does not load: "
          + (e instanceof ExecutionException ? e.getCause() : e), e);
    }

    try {
      storeChecked.join();
    } catch (java.util.concurrent.CompletionException e) {
      vertx.close();
      store.close();
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    HttpServer server;
    try {
      var options = new HttpServerOptions().setHost(cfg.http().host()).setPort(cfg.http().port())
          // Twilio and Prometheus speak HTTP/1.1; no h2c upgrade path to get wrong.
          .setHttp2ClearTextEnabled(false)
          .setIdleTimeout(cfg.http().idleTimeoutSeconds());
      if (cfg.http().tls()) {
        options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
            .setCertPath(cfg.http().tlsCertFile().toString()).setKeyPath(cfg.http().tlsKeyFile().toString()));
      }
      server = ConnectionGuard.guard(vertx, cfg.http(), options, router)
          .listen()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      vertx.close();
      store.close();
      var cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot listen on " + cfg.http().host() + ":" + cfg.http().port() + ": "
          + cause.getMessage(), cause);
    }

    metrics.bindJvm();
    HttpServer management = null;
    if (cfg.http().management()) {
      var managementRouter = Router.router(vertx);
      HttpEdge.mount(managementRouter, metrics);
      ops.mountManagement(managementRouter);
      var managementOptions = new HttpServerOptions().setHost(cfg.http().managementHost())
          .setPort(cfg.http().managementPort()).setHttp2ClearTextEnabled(false)
          .setIdleTimeout(cfg.http().idleTimeoutSeconds());
      try {
        management = ConnectionGuard.guard(vertx, cfg.http(), managementOptions, managementRouter)
            .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
        vertx.close();
        store.close();
        var cause = e instanceof ExecutionException ? e.getCause() : e;
        throw new IllegalStateException("cannot listen on " + cfg.http().managementHost() + ":"
            + cfg.http().managementPort() + " (management.host, management.port): " + cause.getMessage(), cause);
      }
    }

    smppStates.set(smpp[0]::states);
    smpp[0].start();
    var delivery = new DeliveryWorker(routing, deliveries, reports, payloads, cfg.delivery(), metrics, clock);
    deliveryWake.set(delivery::wake);

    var retention = new Retention(store, audit, cfg.retention(), routing.freeTextDays());
    var staleAfter = Duration.ofSeconds(cfg.sessions().staleAfterSeconds());
    var concatTimeout = Duration.ofSeconds(cfg.sms().concatTimeoutSeconds());
    Runnable housekeeping = () -> {
      if (!store.ready()) {
        return;
      }
      int swept = calls.sweepStale(staleAfter);
      if (swept > 0) {
        log.info("closed {} call session(s) whose end was never reported", swept);
      }
      metrics.activeCalls(calls.activeCalls());
      int overdue = smsStore.assembleOverdue(clock.instant(), concatTimeout);
      if (overdue > 0) {
        log.info("{} long SMS assembled without parts that never came", overdue);
      }
      conversations.sweep();
      retention.purgeIfDue(clock.instant()).ifPresent(counts -> log.info("retention purge: {}", counts));
      twilioSms.sendDue();
      smpp[0].wakeSenders();
      delivery.wake();
    };
    vertx.setPeriodic(HOUSEKEEPING_MS, HOUSEKEEPING_MS, id -> workers.executeBlocking(() -> {
      housekeeping.run();
      return null;
    }, false).onFailure(e -> log.warn("housekeeping failed: {}", e.toString())));

    var gateway = new Gateway(cfg, vertx, workers, store, metrics, server, flows, housekeeping, smpp[0], inbox, delivery, deliveries);
    gateway.management = management;
    return gateway;
  }

  private static FlowDefinition pick(FlowCatalog flows, GatewayConfig cfg, String id, String channel, String key) {
    var flow = flows.find(id).orElseThrow(() -> new FlowException(cfg.flowsDir() + ": " + key + " '" + id
        + "' is not loaded (flows: " + flows.flows().keySet() + ")"));
    if (!flow.channel().equals(channel)) {
      throw new FlowException(flow.file() + ": " + key + " must name a " + channel + " flow, not a " + flow.channel() + " one");
    }
    return flow;
  }

  /** Runs the periodic tasks now (reminders, expiry, overdue parts, stale calls); blocking. For tests and tools. */
  public void housekeepingNow() {
    housekeeping.run();
  }

  public int port() {
    return server.actualPort();
  }

  /** The management listener's port (metrics, detailed health), or -1 when there is none. */
  public int managementPort() {
    return management == null ? -1 : management.actualPort();
  }

  public String storeDescription() {
    return store.description();
  }

  public FlowCatalog flows() {
    return flows;
  }

  public GatewayConfig config() {
    return cfg;
  }

  /** Graceful: stop taking requests, let in-flight ones finish, then close the pool and the event loops. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("stopping: draining in-flight requests for up to {} s", cfg.http().shutdownGraceSeconds());
    await(server.shutdown(cfg.http().shutdownGraceSeconds(), TimeUnit.SECONDS), cfg.http().shutdownGraceSeconds() + 5);
    if (management != null) {
      await(management.close(), 5);
    }
    smpp.close(); // unbind: the SMSC keeps what it still has for us until the next bind
    inbox.close();
    delivery.close(); // attempts in flight finish or their lease brings them back on the next start
    await(workers.close(), 10);
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
