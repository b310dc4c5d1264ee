package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.tools.TestSmsc;

/**
 * The gateway killed with SIGKILL in the middle of a flood of texts (each from its own number) and of reports on
 * their way to an agency, restarted at once on the same data: it is ready as fast as after a normal start, every
 * texter gets one reply (at most the duplicates it counts in hotline_sms_replies_possibly_duplicated_total), no
 * reply waits for a lease, every report reaches the agency under one webhook-id. On the embedded store and on
 * MariaDB, with the built jar as a separate process.
 *
 * <p>Short by default (CI); {@code -Dcrash.texts=2000 -Dcrash.kills=3 -Dcrash.calls=60} is the full run of
 * docs/reliability.md. Each run prints a table row per store on stdout.
 */
class CrashRecoveryIT {
  private static final Path JAR = Path.of("gateway/target/hotline-gateway.jar").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final int TEXTS = Integer.getInteger("crash.texts", 120);
  private static final int KILLS = Integer.getInteger("crash.kills", 1);
  private static final int CALLS = Integer.getInteger("crash.calls", 6);
  /** The claim lease of SMS replies and deliveries: nothing may wait for it. */
  private static final Duration LEASE = Duration.ofMinutes(2);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work;
  private Process gateway;
  private TestSmsc smsc;
  private FakeAgency agency;
  private TestDatabase mariadb;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private int starts;
  private int port;
  private int managementPort;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null && gateway.isAlive()) {
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (smsc != null) {
      smsc.close();
    }
    if (agency != null) {
      agency.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void killedMidFloodItIsBackAtOnceAndEveryTexterAndAgencyGetsWhatWasOwed(TestDatabase.Kind kind) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("crash.stores", "H2,MARIADB").contains(kind.name()));
    Files.createDirectories(work.resolve("ivr-flows"));
    try (var flows = Files.list(Path.of("ivr-flows"))) {
      for (var f : flows.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, work.resolve("ivr-flows").resolve(f.getFileName()));
      }
    }
    smsc = TestSmsc.start(TestSmsc.Config.defaults());
    agency = new FakeAgency();
    agency.always(new FakeAgency.Answer(200, null, Duration.ofMillis(150), null)); // deliveries are in flight at a kill
    var secret = WebhookSignature.newSecret();
    port = freePort();
    managementPort = freePort();
    var env = new HashMap<String, String>();
    env.put("GATEWAY_HTTP_HOST", "127.0.0.1");
    env.put("GATEWAY_HTTP_PORT", Integer.toString(port));
    env.put("GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port);
    env.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("GATEWAY_DATA_DIR", work.resolve("data").toString());
    env.put("TWILIO_AUTH_TOKEN", "test-auth-token-0123456789abcdef");
    env.put("GATEWAY_FALLBACK_NUMBER", "+842437911111");
    env.put("GATEWAY_OPERATORS_NUMBERS", "+842400000001,+842400000002");
    env.put("GATEWAY_LIMITS_CALLS_PER_MINUTE", "10000");
    env.put("GATEWAY_LIMITS_SMS_PER_MINUTE", "10000");
    env.put("GATEWAY_SMPP_HOST", "127.0.0.1");
    env.put("GATEWAY_SMPP_PORT", Integer.toString(smsc.port()));
    env.put("GATEWAY_SMPP_SYSTEM_ID", "hotline");
    env.put("GATEWAY_SMPP_PASSWORD", "hotline");
    env.put("GATEWAY_INBOX_URL", agency.url("/reports"));
    env.put("GATEWAY_INBOX_SECRET", secret);
    if (kind == TestDatabase.Kind.MARIADB) {
      mariadb = TestDatabase.create(kind, work);
      env.put("GATEWAY_DB_URL", mariadb.gatewayUrl());
      env.put("GATEWAY_DB_USER", mariadb.user());
    }

    // A first start migrates; the second, after a clean stop, is the normal start a kill is measured against.
    start(env);
    awaitReady(Duration.ofSeconds(90));
    stopCleanly();
    long normal = start(env);
    normal = awaitReady(Duration.ofSeconds(60)) - normal;

    var numbers = new ArrayList<String>();
    for (int i = 0; i < TEXTS; i++) {
      numbers.add(String.format("09%08d", 10_000_000 + i));
    }
    var twilio = new FakeTwilio(URI.create("http://127.0.0.1:" + port), "test-auth-token-0123456789abcdef");
    int calls = 0;
    double duplicatesCounted = 0;
    var afterKill = new ArrayList<Long>();
    var kills = new ArrayList<java.time.Instant>();
    int sent = 0;
    for (int k = 1; k <= KILLS; k++) {
      // This round's share of the texts, then this round's reports, then SIGKILL while replies and deliveries go.
      int upTo = TEXTS * k / (KILLS + 1);
      for (; sent < upTo; sent++) {
        smsc.deliverMo(numbers.get(sent), "111", "alo");
      }
      for (int i = 0; i < CALLS / KILLS; i++) {
        twilio.dangerCallAnswered();
        calls++;
      }
      int target = sent - TEXTS / (KILLS + 1) / 2;
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (repliedTexters(numbers) < target && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      duplicatesCounted += scrapeDuplicates();
      kills.add(java.time.Instant.now());
      gateway.destroyForcibly(); // SIGKILL
      assertTrue(gateway.waitFor(10, TimeUnit.SECONDS));
      long t0 = start(env);
      afterKill.add(awaitReady(Duration.ofSeconds(60)) - t0);
    }
    for (; sent < TEXTS; sent++) {
      smsc.deliverMo(numbers.get(sent), "111", "alo");
    }
    long restarted = System.nanoTime();

    // Every texter answered, and well before any lease could have run out.
    long until = System.nanoTime() + LEASE.dividedBy(2).toNanos();
    while (repliedTexters(numbers) < TEXTS && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    var waited = Duration.ofNanos(System.nanoTime() - restarted);
    int answered = repliedTexters(numbers);
    int twice = 0;
    for (var n : numbers) {
      int extra = Math.max(0, smsc.mtTexts(n).size() - 1);
      twice += extra;
      if (extra > 0) { // what the SMSC got, against the kills, and which of them the store recorded
        var got = new ArrayList<String>();
        for (var m : smsc.mts().stream().filter(m -> m.to().equals(n)).toList()) {
          got.add(m.at() + " id " + m.messageId() + " recorded " + count(kind,
              "SELECT COUNT(*) FROM sms_outbound_parts WHERE message_id = '" + m.messageId() + "'"));
        }
        System.out.println("crash-recovery | twice | kills at " + kills + " | " + got);
      }
    }
    duplicatesCounted += scrapeDuplicates();
    var received = agency.received();
    var ids = new HashSet<String>();
    received.forEach(r -> ids.add(r.header("webhook-id")));
    int deliveryRows = count(kind, "SELECT COUNT(*) FROM deliveries");
    // A second normal start, after the flood, on the same (now larger) store: the machine is shared and noisy, so a
    // kill's restart is compared with the slower of two normal starts measured in the same run.
    stopCleanly();
    long again = start(env);
    normal = Math.max(normal, awaitReady(Duration.ofSeconds(60)) - again);
    var log = String.join("\n", readLogs());

    System.out.printf("crash-recovery | %s | texts %d | kills %d | ready after start %d ms | after kill %s ms"
            + " | answered %d | duplicates %d (counted %.0f) | last reply %d s after the last restart"
            + " | reports %d | delivered %d webhook-ids in %d requests%n",
        kind, TEXTS, KILLS, normal / 1_000_000, afterKill.stream().map(t -> Long.toString(t / 1_000_000)).toList(),
        answered, twice, duplicatesCounted, waited.toSeconds(), calls, ids.size(), received.size());

    assertEquals(TEXTS, answered, "every texter got a reply");
    // Nothing is left claimed or queued that a lease could still send later.
    awaitQuiet(kind);
    assertTrue(twice <= duplicatesCounted, "duplicates " + twice + " are all counted (" + duplicatesCounted + ")");
    assertTrue(waited.compareTo(LEASE.dividedBy(2)) < 0, "no reply waited for a lease: " + waited);
    for (var t : afterKill) {
      assertTrue(t <= normal + 2_000_000_000L, "ready " + t / 1_000_000 + " ms after a kill, " + normal / 1_000_000
          + " ms after a normal start");
    }
    assertEquals(calls, deliveryRows, "one delivery per report");
    assertEquals(calls, ids.size(), "every report reached the agency, each under one webhook-id");
    assertFalse(log.contains("schema version null"), "the schema version is logged");
  }

  private int repliedTexters(List<String> numbers) {
    var to = new HashSet<String>();
    smsc.mts().forEach(m -> to.add(m.to()));
    int n = 0;
    for (var number : numbers) {
      n += to.contains(number) ? 1 : 0;
    }
    return n;
  }

  /** Waits until no reply is claimed, queued or being sent and no delivery is pending. */
  private void awaitQuiet(TestDatabase.Kind kind) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int left;
    do {
      left = count(kind, "SELECT COUNT(*) FROM sms_outbound WHERE status IN ('queued', 'sending')")
          + count(kind, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'");
      if (left == 0) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < until);
    throw new AssertionError(left + " replies or deliveries still claimed or queued 30 s after the flood was answered");
  }

  private int count(TestDatabase.Kind kind, String sql) throws Exception {
    try (var c = kind == TestDatabase.Kind.MARIADB ? mariadb.connect() : DriverManager.getConnection("jdbc:h2:file:"
            + work.resolve("data/hotline").toAbsolutePath()
            + ";MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE", "",
        Files.readString(work.resolve("data/embedded-db-password")).trim());
        var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private double scrapeDuplicates() {
    try {
      var body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      var m = Pattern.compile("(?m)^hotline_sms_replies_possibly_duplicated_total(?:\\{[^}]*\\})? (\\S+)$").matcher(body);
      double sum = 0;
      while (m.find()) {
        sum += Double.parseDouble(m.group(1));
      }
      return sum;
    } catch (IOException | InterruptedException e) {
      return 0;
    }
  }

  /** Starts the jar; returns System.nanoTime() at the start. */
  private long start(Map<String, String> env) throws IOException {
    starts++;
    var cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString(), "serve"));
    var pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("TWILIO_"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(work.resolve("gateway-" + starts + ".out").toFile());
    long t0 = System.nanoTime();
    gateway = pb.start();
    return t0;
  }

  /** Polls /health/ready until it answers UP (store migrated, SMPP bound); returns System.nanoTime() then. */
  private long awaitReady(Duration timeout) throws Exception {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      try {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"status\":\"UP\"")) {
          return System.nanoTime();
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertTrue(gateway.isAlive(), () -> "the gateway exited: " + String.join("\n", readLogs()));
      Thread.sleep(25);
    }
    throw new AssertionError("not ready within " + timeout + ":\n" + String.join("\n", readLogs()));
  }

  private void stopCleanly() throws InterruptedException {
    gateway.destroy(); // SIGTERM
    assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway stops on SIGTERM");
  }

  private List<String> readLogs() {
    var out = new ArrayList<String>();
    for (int i = 1; i <= starts; i++) {
      try {
        out.add("--- start " + i);
        out.addAll(Files.readAllLines(work.resolve("gateway-" + i + ".out")));
      } catch (IOException e) {
        out.add(e.toString());
      }
    }
    return out;
  }

  private static int freePort() {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
