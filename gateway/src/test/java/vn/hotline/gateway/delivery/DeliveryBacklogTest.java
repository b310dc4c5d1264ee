package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.util.Ids;

/**
 * A backlog larger than the worker count (a TV spot, an agency back after an outage) is sent as fast as the
 * agencies answer: an attempt that ends lets the worker claim the next due delivery at once, instead of
 * {@code delivery.workers} deliveries per claim tick. Real store (both), real HTTP agency, the worker's own loop.
 */
@GatewayTest
class DeliveryBacklogTest {
  Harness house;
  FakeAgencies fakes;
  Store store;
  DeliveryWorker worker;

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    fakes = new FakeAgencies(house.dir());
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    if (store != null) {
      store.close();
    }
    fakes.close();
  }

  /** The configuration, routing and repositories a delivery worker runs on, over the test's store. */
  record Wired(GatewayConfig cfg, Routing routing, AuditLog audit, ReportRepository reports, CaseRepository cases,
      DeliveryRepository deliveries) {}

  /** Opens the store with these settings (beside the fake agencies' routing) and the repositories over it. */
  Wired wire(String... settings) {
    var db = house.db();
    var env = new java.util.HashMap<>(Map.of("GATEWAY_DB_URL", db.gatewayUrl(), "GATEWAY_DB_USER", db.user(),
        "GATEWAY_DATA_DIR", house.dir().resolve("data").toString(), "GATEWAY_ROUTING_FILE", fakes.routingFile.toString()));
    for (int i = 0; i < settings.length; i += 2) {
      env.put(settings[i], settings[i + 1]);
    }
    var cfg = GatewayConfig.load(null, env);
    var routing = RoutingLoader.load(cfg, Taxonomy.load(cfg.taxonomyFile()), Provinces.load(cfg.provincesFile()),
        cfg.env().variables());
    store = Store.open(cfg.db(), null);
    var audit = new AuditLog();
    var sealer = Sealer.parse(cfg.privacy().encryptionKeys());
    return new Wired(cfg, routing, audit, new ReportRepository(store, sealer, audit), new CaseRepository(store, sealer),
        new DeliveryRepository(store, audit));
  }

  /** What a call's end stores in {@code c}: its contact and its report (physical violence, abandoned). */
  static Report storeReport(java.sql.Connection c, ReportRepository reports, String reference, String callSid,
      Instant now) throws java.sql.SQLException {
    var contactId = Ids.uuid7().toString();
    Store.update(c, "INSERT INTO contacts (id, channel, provider_ref, reference, started_at, ended_at, outcome)"
        + " VALUES (?, 'voice', ?, ?, ?, ?, 'abandoned')", contactId, callSid, reference, now.minusSeconds(60), now);
    var r = new Report(Ids.uuid7().toString(), reference, contactId, Channel.VOICE, "report", "physical_violence",
        null, "self", "13-15", "01", false, Outcome.ABANDONED, null, null, List.of(), null, null,
        List.of("choose-language", "main-menu"), now.minusSeconds(60), now);
    reports.insertIfAbsent(c, r);
    return r;
  }

  /** The worker's own loop, an hour between ticks: only attempts ending can make it claim again within a test. */
  void startWorker(Wired w) {
    worker = new DeliveryWorker(w.routing(), w.deliveries(), new Editions(w.reports(), w.cases()),
        new WebhookPayload(Provinces.load(w.cfg().provincesFile())), w.cfg().delivery(), new Metrics(),
        Clock.systemUTC(), Duration.ofHours(1));
    worker.start();
  }

  @Test
  void aBacklogOfMoreDeliveriesThanWorkersIsAllSentWithoutWaitingForTheNextTick() throws Exception {
    var w = wire("GATEWAY_DELIVERY_WORKERS", "2");
    var deliveries = w.deliveries();
    var outbox = new Outbox(deliveries, w.cases(), w.audit());
    int backlog = 7;
    var now = Instant.now();
    store.inTransaction(c -> { // what a contact's end stores: its report and the deliveries routing names
      for (int i = 0; i < backlog; i++) {
        var r = storeReport(c, w.reports(), Integer.toString(70_000_000 + i), "CA" + i, now);
        outbox.enqueue(c, r, w.routing().route(r)); // physical violence: child protection only
      }
      return null;
    });

    startWorker(w);

    var child = fakes.get("child-protection");
    Await.until(() -> child.received().size() >= backlog, "all " + backlog + " deliveries received by the agency");
    Await.until(() -> deliveries.count("delivered") == backlog, "all recorded as delivered");
    assertEquals(backlog, child.received().stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet()).size(),
        "each delivery once, under its own webhook-id");
  }

  @Test
  void anAgencyAtItsCapDoesNotHoldUpTheDeliveriesOfOthersQueuedAfterIt() throws Exception {
    var w = wire("GATEWAY_DELIVERY_WORKERS", "8", "GATEWAY_DELIVERY_TIMEOUT_SECONDS", "120");
    var cfg = w.cfg();
    var deliveries = w.deliveries();
    int cap = w.routing().agency("child-protection").maxConcurrency();
    var now = Instant.now();
    store.inTransaction(c -> { // twice the workers for child protection, the oldest; then one for the police
      var pending = new java.util.ArrayList<DeliveryRepository.Pending>();
      for (int i = 0; i <= 2 * cfg.delivery().workers(); i++) {
        var r = storeReport(c, w.reports(), Integer.toString(71_000_000 + i), "CB" + i, now);
        boolean last = i == 2 * cfg.delivery().workers();
        pending.add(new DeliveryRepository.Pending(DeliveryRepository.newDeliveryId(), r.id(),
            last ? "police-investigation" : "child-protection", "test", false, now.minusSeconds(last ? 10 : 30 - i)));
      }
      deliveries.insertPending(c, pending);
      return null;
    });
    var child = fakes.get("child-protection").always(new FakeAgency.Answer(200, null, Duration.ofSeconds(60), null));

    startWorker(w);

    // Child protection takes a minute to answer each: its first 'cap' are in flight, the rest wait for its slots;
    // the police delivery, queued after them all, goes to the free workers meanwhile.
    Await.until(() -> fakes.get("police-investigation").received().size() == 1, () -> "the police delivery sent while"
        + " child protection is at its cap (child protection has " + child.received().size() + ")", Duration.ofSeconds(20));
    Await.until(() -> child.received().size() >= cap, "child protection's first " + cap + " in flight");
    assertEquals(cap, child.received().size(), "child protection at its cap, not over it");
    assertEquals(cap, child.maxConcurrent());
  }
}
