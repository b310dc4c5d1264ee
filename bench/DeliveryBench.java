// Webhook delivery benchmark: queues N reports in the gateway's store through the gateway's own code (the
// report row with its report.created audit event, then Outbox.enqueue: one delivery per agency Routing names,
// each with its report.routed audit event, in one transaction per batch of reports: what ContactClosing does
// when a contact ends), then receives what the gateway sends, verifying every Standard Webhooks signature, and
// compares it with a bare HTTP POST loop to the same kind of receiver. Runs on the gateway jar's classpath:
//
//   java -cp gateway/target/hotline-gateway.jar bench/DeliveryBench.java queue --reports 5000
//       (in the gateway's working directory, with the gateway's environment: it opens the store as `serve` does)
//   java -cp gateway/target/hotline-gateway.jar bench/DeliveryBench.java receive --port 9500 --secret whsec_... \
//       --expect 7000 [--baseline-port 9501 --concurrency 8 --baseline-count 7000]
//
// receive: a receiver on --port (every agency's webhook_url points at http://127.0.0.1:<port>/<agency>) that
// checks each POST as docs/integrators.md asks (WebhookSignature.verify: one of the secrets, timestamp within
// 5 minutes), answers 200 at once, and counts distinct webhook-ids, duplicates, refusals, and distinct
// (report id, agency) pairs from the body. Before and after the gateway's deliveries, the baseline: the same
// receiver on --baseline-port, fed by --concurrency virtual threads POSTing signed bodies of the same shape
// (the gateway's own WebhookPayload of a report like the queued ones; after the run, the bodies the gateway sent)
// with java.net.http.HttpClient over HTTP/1.1 keep-alive, the client the gateway uses. It prints "ready" once the
// first baseline is done (start the gateway then), and a result table when --expect distinct deliveries came
// (or nothing came for --idle seconds). Deliveries/s: distinct webhook-ids from the first to the last arrival.
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.delivery.Outbox;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.delivery.RoutingLoader;
import vn.hotline.gateway.delivery.WebhookPayload;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.util.Ids;
import vn.hotline.gateway.util.Json;

public final class DeliveryBench {
  /** The shapes of the queued reports, in turn: category, subcategory, urgent; about 1.4 deliveries a report. */
  private static final List<String[]> KINDS = List.of(
      new String[] {"physical_violence", null, "false"}, new String[] {"online_abuse_harmful_content", null, "false"},
      new String[] {"physical_violence", null, "false"}, new String[] {"bullying", "school_bullying", "false"},
      new String[] {"emotional_violence_neglect", null, "false"}, new String[] {"physical_violence", null, "true"},
      new String[] {"physical_violence", null, "false"}, new String[] {"online_abuse_harmful_content", null, "false"},
      new String[] {"sexual_violence", null, "false"}, new String[] {"physical_violence", null, "false"});
  private static final List<String> PATH = List.of("choose-language", "main-menu", "report-category", "report-about",
      "report-age", "report-province", "report-reference", "report-handoff");

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
    }
    var opts = new HashMap<String, String>();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        usage();
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    switch (args[0]) {
      case "queue" -> queue(Integer.parseInt(opts.getOrDefault("reports", "5000")),
          Integer.parseInt(opts.getOrDefault("batch", "100")));
      case "receive" -> receive(opts);
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println("usage: DeliveryBench queue [--reports 5000] [--batch 100]\n"
        + "       DeliveryBench receive --port 9500 --secret whsec_... --expect N [--baseline-port 9501]"
        + " [--concurrency 8] [--baseline-count N] [--idle 30]");
    System.exit(2);
  }

  // --- queue ---------------------------------------------------------------------------------------------

  static GatewayConfig config() {
    var env = System.getenv();
    var file = env.get("GATEWAY_CONFIG") == null ? null : Path.of(env.get("GATEWAY_CONFIG"));
    return GatewayConfig.load(file, env);
  }

  static Routing routing(GatewayConfig cfg) {
    return RoutingLoader.load(cfg, Taxonomy.load(cfg.taxonomyFile()), Provinces.load(cfg.provincesFile()),
        cfg.env().variables());
  }

  /** A report as a whole 111 call makes it (no free text: voice), for contact {@code contactId}. */
  static Report report(int i, String contactId, String reference, Instant started, Instant completed) {
    var k = KINDS.get(i % KINDS.size());
    boolean urgent = Boolean.parseBoolean(k[2]);
    return new Report(Ids.uuid7().toString(), reference, contactId, Channel.VOICE, urgent ? "danger" : "report",
        urgent ? null : k[0], k[1], "self", "13-15", "01", urgent, Outcome.ABANDONED, null, null, List.of(), null,
        "p1_" + String.format("%032x", i), PATH, started, completed);
  }

  static void queue(int n, int batch) {
    var cfg = config();
    var routing = routing(cfg);
    var audit = new AuditLog();
    long t0 = System.nanoTime();
    try (var store = Store.open(cfg.db(), null)) {
      store.migrate();
      var reports = new ReportRepository(store, Sealer.parse(cfg.privacy().encryptionKeys()), audit);
      var deliveries = new DeliveryRepository(store, audit);
      var outbox = new Outbox(deliveries, new CaseRepository(store, Sealer.parse(cfg.privacy().encryptionKeys())), audit);
      var perAgency = new TreeMap<String, Integer>();
      long refBase = 10_000_000L + new java.util.Random().nextInt(40_000_000);
      for (int from = 0; from < n; from += batch) {
        int start = from;
        int end = Math.min(n, from + batch);
        store.inTransaction(c -> {
          var now = Instant.now();
          for (int i = start; i < end; i++) {
            var contactId = Ids.uuid7().toString();
            var reference = Long.toString(refBase + i);
            var started = now.minusSeconds(60);
            // the contact row as the voice path leaves it once the call ended (SessionRepository's columns)
            Store.update(c, "INSERT INTO contacts (id, channel, provider_ref, reference, started_at, ended_at, end_status,"
                + " outcome, caller_pseudonym) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", contactId, "voice",
                "CA" + contactId.replace("-", ""), reference, started, now, "completed", "abandoned",
                "p1_" + String.format("%032x", i));
            var r = report(i, contactId, reference, started, now);
            if (reports.insertIfAbsent(c, r)) {
              var targets = routing.route(r);
              outbox.enqueue(c, r, targets);
              for (var t : targets) {
                perAgency.merge(t.agencyId(), 1, Integer::sum);
              }
            }
          }
          return null;
        });
      }
      double s = (System.nanoTime() - t0) / 1e9;
      int total = perAgency.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(Locale.ROOT, "queued %d reports, %d deliveries %s in %.1f s (%s)%n", n, total, perAgency, s,
          cfg.db().describe());
      System.out.println("deliveries=" + total);
    }
  }

  // --- receive -------------------------------------------------------------------------------------------

  /** A receiver as docs/integrators.md asks for one: verify, dedupe by webhook-id, 200 at once. */
  static final class Receiver implements AutoCloseable {
    final HttpServer server;
    final List<String> secrets;
    final Map<String, Integer> ids = new ConcurrentHashMap<>();
    final Map<String, Boolean> pairs = new ConcurrentHashMap<>();
    final Map<String, LongAdder> perAgency = new ConcurrentHashMap<>();
    final LongAdder duplicates = new LongAdder();
    final LongAdder refused = new LongAdder();
    final AtomicLong first = new AtomicLong();
    final AtomicLong last = new AtomicLong();
    final CopyOnWriteArrayList<byte[]> samples = new CopyOnWriteArrayList<>();
    volatile String firstRefusal;

    Receiver(int port, List<String> secrets) throws Exception {
      this.secrets = secrets;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext("/", ex -> {
        try (ex) {
          var body = ex.getRequestBody().readAllBytes();
          var h = ex.getRequestHeaders();
          var id = h.getFirst("webhook-id");
          var why = !"POST".equals(ex.getRequestMethod()) ? "not a POST"
              : WebhookSignature.verify(this.secrets, id, h.getFirst("webhook-timestamp"), h.getFirst("webhook-signature"),
                  body, Clock.systemUTC().instant());
          if (why != null) {
            refused.increment();
            if (firstRefusal == null) {
              firstRefusal = why;
            }
            ex.sendResponseHeaders(401, -1);
            return;
          }
          var data = Json.JSON.readTree(body).path("data");
          var agency = data.path("routing").path("agency").asText();
          long now = System.nanoTime();
          // counted before the answer, so that the sender never sees a 200 this receiver has not counted yet
          if (ids.merge(id, 1, Integer::sum) > 1) {
            duplicates.increment();
          } else {
            first.compareAndSet(0, now);
            last.accumulateAndGet(now, Math::max);
            pairs.put(data.path("id").asText() + " " + agency, true);
            perAgency.computeIfAbsent(agency, a -> new LongAdder()).increment();
            if (samples.size() < 1000) {
              samples.add(body);
            }
          }
          ex.sendResponseHeaders(200, -1);
        }
      });
      server.start();
    }

    void reset() {
      ids.clear();
      pairs.clear();
      perAgency.clear();
      duplicates.reset();
      refused.reset();
      first.set(0);
      last.set(0);
    }

    double rate() {
      long span = last.get() - first.get();
      return span <= 0 ? 0 : (ids.size() - 1) / (span / 1e9);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  record Row(String what, int sent, int distinct, long duplicates, long refused, int pairs, double seconds, double rate) {}

  /** {@code count} signed POSTs of {@code bodies} (in turn) by {@code concurrency} keep-alive connections. */
  static Row baseline(String label, Receiver r, int port, List<byte[]> bodies, int count, int concurrency,
      List<String> secrets) throws Exception {
    r.reset();
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    var next = new AtomicInteger();
    var failed = new AtomicInteger();
    var uri = URI.create("http://127.0.0.1:" + port + "/baseline");
    var threads = new ArrayList<Thread>();
    for (int w = 0; w < concurrency; w++) {
      threads.add(Thread.ofVirtual().start(() -> {
        int i;
        while ((i = next.getAndIncrement()) < count) {
          var body = bodies.get(i % bodies.size());
          var id = DeliveryRepository.newDeliveryId();
          long ts = Instant.now().getEpochSecond();
          var req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
              .header("Content-Type", "application/json").header("User-Agent", "hotline-gateway/0.1")
              .header("webhook-id", id).header("webhook-timestamp", Long.toString(ts))
              .header("webhook-signature", WebhookSignature.header(secrets, id, ts, body))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
          try {
            if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() / 100 != 2) {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      }));
    }
    long t0 = System.nanoTime();
    for (var t : threads) {
      t.join();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    return new Row(label, count, r.ids.size(), r.duplicates.sum(), r.refused.sum() + failed.get(), r.pairs.size(), s,
        count / s);
  }

  static void receive(Map<String, String> o) throws Exception {
    int port = Integer.parseInt(o.getOrDefault("port", "9500"));
    int basePort = Integer.parseInt(o.getOrDefault("baseline-port", Integer.toString(port + 1)));
    var secrets = List.of(o.get("secret").split(","));
    int expect = Integer.parseInt(o.get("expect"));
    int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "8"));
    int baseCount = Integer.parseInt(o.getOrDefault("baseline-count", Integer.toString(expect)));
    int idle = Integer.parseInt(o.getOrDefault("idle", "30"));
    var rows = new ArrayList<Row>();
    try (var gw = new Receiver(port, secrets); var base = new Receiver(basePort, secrets)) {
      // bodies like the gateway's: its own WebhookPayload of reports like the queued ones, for each agency routed
      var cfg = config();
      var routing = routing(cfg);
      var payloads = new WebhookPayload(Provinces.load(cfg.provincesFile()));
      var bodies = new ArrayList<byte[]>();
      var now = Instant.now();
      for (int i = 0; i < 100; i++) {
        var r = report(i, Ids.uuid7().toString(), Long.toString(90_000_000L + i), now.minusSeconds(60), now);
        for (var t : routing.route(r)) {
          bodies.add(payloads.envelope(r, routing.agency(t.agencyId()), t.rule(), now));
        }
      }
      baseline(bodies, base, basePort, Math.min(2000, baseCount), concurrency, secrets); // warm-up
      rows.add(baseline("baseline (bare POST loop, before)", base, basePort, bodies, baseCount, concurrency, secrets));
      System.out.println("ready");
      System.out.flush();
      long lastChange = System.nanoTime();
      int seen = 0;
      while (gw.ids.size() < expect && System.nanoTime() - lastChange < idle * 1_000_000_000L) {
        Thread.sleep(200);
        if (gw.ids.size() != seen) {
          seen = gw.ids.size();
          lastChange = System.nanoTime();
        }
      }
      Thread.sleep(5000); // a late duplicate would arrive in this time (positive event came first: all ids seen)
      double span = (gw.last.get() - gw.first.get()) / 1e9;
      rows.add(new Row("gateway (queued deliveries)", expect, gw.ids.size(), gw.duplicates.sum(), gw.refused.sum(),
          gw.pairs.size(), span, gw.rate()));
      var sent = new ArrayList<>(gw.samples);
      if (sent.isEmpty()) {
        sent = bodies;
      }
      rows.add(baseline("baseline (bare POST loop, after, gateway's bodies)", base, basePort, sent, baseCount,
          concurrency, secrets));
      if (gw.firstRefusal != null) {
        System.out.println("first refusal at the gateway's receiver: " + gw.firstRefusal);
      }
      System.out.println("per agency (distinct webhook-ids): " + new TreeMap<>(gw.perAgency));
      double baseRate = (rows.get(0).rate() + rows.get(2).rate()) / 2;
      System.out.println("| run | sent / expected | distinct webhook-ids | duplicates | refused | distinct (report, agency)"
          + " | seconds | deliveries/s | × baseline |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      for (var r : rows) {
        System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %d | %d | %,d | %.1f | %,.0f | %s |%n", r.what(), r.sent(),
            r.distinct(), r.duplicates(), r.refused(), r.pairs(), r.seconds(), r.rate(),
            r.what().startsWith("gateway") ? String.format(Locale.ROOT, "%.3f", r.rate() / baseRate) : "");
      }
      System.out.println("RESULT distinct=" + gw.ids.size() + " expected=" + expect + " duplicates=" + gw.duplicates.sum()
          + " refused=" + gw.refused.sum() + " pairs=" + gw.pairs.size());
    }
  }

  private static void baseline(List<byte[]> bodies, Receiver r, int port, int count, int concurrency,
      List<String> secrets) throws Exception {
    baseline("warm-up", r, port, bodies, count, concurrency, secrets);
  }
}
