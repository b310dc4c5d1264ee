package vn.hotline.gateway.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayProcess;
import vn.hotline.gateway.testing.Twiml;
import vn.hotline.gateway.util.Json;

/**
 * Beyond one database server: two gateway processes on a three-node MariaDB Galera cluster, writing to one node
 * at a time (Connector/J's sequential URL: the first node that answers, the next when it is lost, as a proxy in
 * single-writer mode would). Danger calls go through both (each caller pausing 20 ms between calls); mid-load the writer node is killed with SIGKILL, the
 * calls go on, the node is started again and rejoins (IST). Every report stored reaches the agency under one
 * webhook-id, each whole call (every webhook answered 2xx) among them, nothing is doubled, the audit chain both
 * gateways wrote verifies, and the rejoined node holds the same rows as the two that stayed.
 *
 * <p>Not run in CI: skipped unless {@code -Dgalera.url} names the cluster. {@code bash bench/galera.sh run} brings
 * the cluster up on this machine, runs this and takes it down (docs/reliability.md).
 */
class GaleraChaosIT {
  private static final String URL = System.getProperty("galera.url", "");
  private static final String USER = System.getProperty("galera.user", "root");
  private static final String PASSWORD = System.getProperty("galera.password", "");
  private static final String SCRIPT = System.getProperty("galera.script", "bench/galera.sh");
  /** Which node is killed: 1 is the one both gateways write to (the first of the URL). */
  private static final int KILL = Integer.getInteger("galera.kill", 1);
  private static final int CALLS = Integer.getInteger("galera.calls", 200);
  /** The pause between one caller's calls (two callers): leaves the machine's two cores room for a joining node. */
  private static final long PAUSE_MS = Long.getLong("galera.pause_ms", 20);
  private static final String TOKEN = "test-auth-token-0123456789abcdef";
  private static final String FALLBACK = "+842437911111";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work;
  private FakeAgency agency;
  private GatewayProcess a;
  private GatewayProcess b;

  @AfterEach
  void stop() throws Exception {
    Chaos.closeAll(a, b, agency);
  }

  /** How one call went. */
  record Walk(String sid, boolean whole, boolean fallback, Instant at) {}

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void writerNodeKilledMidLoadGatewaysFailOverNoneLostNoneDoubledRejoinedNodeHoldsTheSameRows() throws Exception {
    assumeTrue(!URL.isEmpty(), "no -Dgalera.url: the Galera run is started by bench/galera.sh run, never in CI");
    long t0 = System.nanoTime();
    var nodes = nodeUrls(URL);
    assertEquals(3, nodes.size(), "three nodes in " + URL);
    for (var node : nodes) {
      assertEquals(0, count(node, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"),
          "an empty database on " + node + " (bash bench/galera.sh down, then up)");
    }
    agency = new FakeAgency();
    agency.always(new FakeAgency.Answer(200, null, Duration.ofMillis(50), null)); // deliveries on the wire at the kill
    var env = new HashMap<String, String>();
    env.put("TWILIO_AUTH_TOKEN", TOKEN);
    env.put("GATEWAY_FALLBACK_NUMBER", FALLBACK);
    env.put("GATEWAY_OPERATORS_NUMBERS", "+842400000001,+842400000002");
    env.put("GATEWAY_LIMITS_CALLS_PER_MINUTE", "10000");
    env.put("GATEWAY_INBOX_URL", agency.url("/reports"));
    env.put("GATEWAY_INBOX_SECRET", WebhookSignature.newSecret());
    env.put("GATEWAY_DB_URL", URL);
    env.put("GATEWAY_DB_USER", USER);
    env.put("GATEWAY_DB_PASSWORD", PASSWORD);
    a = new GatewayProcess(work, "a", env); // one data directory: one sealing key, as one deployment has
    b = new GatewayProcess(work, "b", env);
    a.start();
    a.awaitReady(Duration.ofSeconds(120)); // migrates
    b.start();
    b.awaitReady(Duration.ofSeconds(90));

    // Calls through both gateways, one every galera.pause_ms from each, until told to stop.
    var walks = new ConcurrentLinkedQueue<Walk>();
    var stopCalls = new AtomicBoolean();
    var callers = new ArrayList<Thread>();
    for (var g : List.of(a, b)) {
      var twilio = new FakeTwilio(g.url(), TOKEN);
      callers.add(Thread.ofPlatform().name("calls-" + g.port()).start(() -> {
        while (!stopCalls.get()) {
          walks.add(walk(twilio));
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MS)); // pacing
        }
      }));
    }
    Await.until(() -> walks.size() >= CALLS / 3, () -> "a third of the calls before the kill: " + walks.size(),
        Duration.ofSeconds(120));
    int atKill = walks.size();
    int deliveredAtKill = ids();
    var killedAt = Instant.now();
    var kill = script("kill", Integer.toString(KILL));
    assertEquals(0, kill.exit(), kill.output());
    // The load goes on with the node gone: at least 10 s of it, and up to two thirds of the calls.
    Await.until(() -> walks.size() >= CALLS * 2 / 3 && Duration.between(killedAt, Instant.now()).toSeconds() >= 10,
        () -> "calls after the kill: " + (walks.size() - atKill), Duration.ofSeconds(180));
    int whileDown = walks.size() - atKill;
    var restartAt = Instant.now();
    var start = script("start", Integer.toString(KILL));
    assertEquals(0, start.exit(), start.output());
    var rejoin = script("wait", Integer.toString(KILL));
    assertEquals(0, rejoin.exit(), rejoin.output());
    var rejoinedAt = Instant.now();
    Await.until(() -> walks.size() >= CALLS, () -> "every call: " + walks.size() + " of " + CALLS,
        Duration.ofSeconds(180));
    stopCalls.set(true);
    for (var t : callers) {
      t.join(TimeUnit.SECONDS.toMillis(60));
    }
    var all = List.copyOf(walks);

    // Every report stored reaches the agency (the whole calls among them), each under one webhook-id.
    var any = nodes.get(KILL == 1 ? 1 : 0); // a node that stayed
    Await.until(() -> count(any, "SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'") == 0
            && ids() == count(any, "SELECT COUNT(*) FROM reports"),
        () -> "every report at the agency: " + ids() + " of " + count(any, "SELECT COUNT(*) FROM reports")
            + "; deliveries " + count(any, "SELECT COUNT(*) FROM deliveries") + ", not delivered "
            + count(any, "SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'") + ", reports without one "
            + count(any, "SELECT COUNT(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE"
            + " d.report_id = r.id)") + ", agency requests " + agency.received().size(),
        Duration.ofSeconds(120));
    var waited = Duration.between(rejoinedAt, Instant.now());
    var idsByReference = new HashMap<String, Set<String>>();
    for (var r : agency.received()) {
      var reference = Json.JSON.readTree(r.body()).path("data").path("reference").asText();
      idsByReference.computeIfAbsent(reference, x -> new HashSet<>()).add(r.header("webhook-id"));
    }
    var references = references(any);
    var owedNotThere = new ArrayList<String>();
    int whole = 0;
    int wholeStored = 0;
    for (var w : all) {
      if (!w.whole()) {
        continue;
      }
      whole++;
      var reference = references.get(w.sid());
      if (reference == null) {
        owedNotThere.add(w.sid() + " answered 2xx throughout, yet no report stored");
        continue;
      }
      wholeStored++;
      if (idsByReference.getOrDefault(reference, Set.of()).size() != 1) {
        owedNotThere.add(w.sid() + " " + reference + " " + idsByReference.get(reference));
      }
    }
    long fellBack = all.stream().filter(Walk::fallback).count();
    long cut = all.stream().filter(w -> !w.whole() && !w.fallback()).count();
    var firstBad = all.stream().filter(w -> !w.whole() && !w.at().isBefore(killedAt)).map(Walk::at).min(Instant::compareTo);
    var lastBad = all.stream().filter(w -> !w.whole() && !w.at().isBefore(killedAt)).map(Walk::at).max(Instant::compareTo);
    var firstWholeAfterKill = all.stream().filter(w -> w.whole() && w.at().isAfter(killedAt)).map(Walk::at)
        .min(Instant::compareTo);
    // When the calls that were not whole began, against the kill (ms; f: sent to the fallback number).
    var badAt = all.stream().filter(w -> !w.whole()).map(w -> Duration.between(killedAt, w.at()).toMillis()
        + (w.fallback() ? " f" : "")).toList();
    int reportRows = count(any, "SELECT COUNT(*) FROM reports");
    int deliveryRows = count(any, "SELECT COUNT(*) FROM deliveries");
    int contacts = count(any, "SELECT COUNT(*) FROM contacts");
    int referencesUnderTwoIds = (int) idsByReference.values().stream().filter(s -> s.size() > 1).count();
    int requests = agency.received().size();

    // The rejoined node holds what the others hold.
    var tables = List.of("contacts", "flow_sessions", "flow_steps", "reports", "deliveries", "delivery_attempts", "audit_events");
    var rowsByNode = new LinkedHashMap<String, List<Integer>>();
    for (int i = 0; i < nodes.size(); i++) {
      var counts = new ArrayList<Integer>();
      for (var t : tables) {
        counts.add(count(nodes.get(i), "SELECT COUNT(*) FROM " + t));
      }
      rowsByNode.put("node" + (i + 1), counts);
    }
    var wsrep = new LinkedHashMap<String, Map<String, String>>();
    for (int i = 0; i < nodes.size(); i++) {
      wsrep.put("node" + (i + 1), status(nodes.get(i), "wsrep_local_commits", "wsrep_local_cert_failures",
          "wsrep_local_bf_aborts", "wsrep_cluster_size", "wsrep_local_state_comment"));
    }
    var verify = b.run(Duration.ofSeconds(120), "audit", "verify");
    var logs = String.join("\n", a.logs()) + "\n" + String.join("\n", b.logs());
    long downLines = logs.lines().filter(l -> l.contains(" is down (")).count();
    long gatewaysDown = firstBad.isPresent() && lastBad.isPresent()
        ? Duration.between(firstBad.get(), lastBad.get()).toMillis() : 0;

    Chaos.row(new Chaos.Row("galera-writer-killed", "GALERA", all.size(), contacts, ids(),
        reportRows - ids() + owedNotThere.size(), Math.max(0, deliveryRows - reportRows) + referencesUnderTwoIds,
        Duration.ofNanos(System.nanoTime() - t0), "node " + KILL + " (the writer) SIGKILLed after " + atKill
        + " calls (" + deliveredAtKill + " reports at the agency), " + whileDown + " calls while it was down, restarted "
        + Duration.between(killedAt, restartAt).toSeconds() + " s after the kill and Synced again "
        + Duration.between(restartAt, rejoinedAt).toSeconds() + " s later; calls " + all.size() + ": " + whole
        + " whole (" + wholeStored + " stored, each at the agency under one webhook-id), " + fellBack
        + " sent to the fallback number, " + cut + " cut; callers saw the fallback or an error from "
        + firstBad.map(t -> Duration.between(killedAt, t).toMillis() + " ms").orElse("-") + " to "
        + lastBad.map(t -> Duration.between(killedAt, t).toMillis() + " ms").orElse("-") + " after the kill ("
        + gatewaysDown + " ms; each, ms after the kill: " + badAt + "; node restarted at "
        + Duration.between(killedAt, restartAt).toMillis() + " ms), first whole call after it at "
        + firstWholeAfterKill.map(t -> Duration.between(killedAt, t).toMillis() + " ms").orElse("-") + "; reports "
        + reportRows + ", " + ids() + " webhook-ids in " + requests + " requests; all delivered " + waited.toSeconds()
        + " s after the rejoin; rows " + tables + " per node " + rowsByNode + "; " + wsrep + "; 'store is down' log"
        + " lines " + downLines + "; audit verify exit " + verify.exit()));

    assertTrue(whileDown > 0, "calls went on while the node was down");
    assertEquals(List.of(), owedNotThere, "every whole call is a report at the agency under one webhook-id");
    assertEquals(reportRows, deliveryRows, "one delivery per report");
    assertEquals(reportRows, ids(), "every report stored reached the agency");
    assertEquals(0, referencesUnderTwoIds, "no report under two webhook-ids");
    assertTrue(whole > all.size() / 2, "most calls went through whole: " + whole + " of " + all.size());
    assertEquals(0, verify.exit(), verify.output());
    assertTrue(verify.output().contains("audit chain intact"), verify.output());
    var expected = rowsByNode.values().iterator().next();
    rowsByNode.forEach((node, rows) -> assertEquals(expected, rows, node + " holds the rows of " + tables
        + " the others hold: " + rowsByNode));
    wsrep.forEach((node, s) -> {
      assertEquals("3", s.get("wsrep_cluster_size"), node + " in a cluster of 3: " + s);
      assertEquals("Synced", s.get("wsrep_local_state_comment"), node + " Synced: " + s);
    });
  }

  /**
   * A danger call (Vietnamese, danger now, a counsellor answers, the call ends): whole when every webhook was
   * answered 2xx on the menu's path; fallback when a step sent the caller to the fallback number.
   */
  private static Walk walk(FakeTwilio twilio) {
    var at = Instant.now();
    var call = twilio.call();
    boolean fallback = false;
    try {
      var in = call.incoming();
      fallback = isFallback(in);
      var language = in.status() == 200 && in.has("Gather") ? call.press(in, "1") : in;
      fallback |= isFallback(language);
      var danger = language.status() == 200 && language.has("Gather") ? call.press(language, "1") : language;
      fallback |= isFallback(danger);
      if (danger.status() != 200 || !danger.has("Dial") || fallback) {
        call.status("completed");
        return new Walk(call.sid, false, fallback, at);
      }
      var end = call.dialEnded(danger, "completed");
      var status = call.status("completed");
      return new Walk(call.sid, end.status() == 200 && status.status() / 100 == 2, fallback, at);
    } catch (AssertionError | RuntimeException e) {
      return new Walk(call.sid, false, fallback, at); // a step answered with something other than the flow's next
    }
  }

  private static boolean isFallback(Twiml t) {
    return t.status() == 200 && t.has("Dial") && t.dialled().equals(List.of(FALLBACK));
  }

  private int ids() {
    var ids = new HashSet<String>();
    agency.received().forEach(r -> ids.add(r.header("webhook-id")));
    return ids.size();
  }

  /** One direct URL per node of a sequential URL (jdbc:mariadb:sequential://h1:p1,h2:p2,h3:p3/db). */
  static List<String> nodeUrls(String url) {
    var rest = url.substring(url.indexOf("//") + 2);
    int slash = rest.indexOf('/');
    var hosts = rest.substring(0, slash);
    var db = rest.substring(slash);
    var out = new ArrayList<String>();
    for (var h : hosts.split(",")) {
      out.add("jdbc:mariadb://" + h + db.replaceFirst("\\?.*$", ""));
    }
    return out;
  }

  /** Report references by call sid, read on one node. */
  private static Map<String, String> references(String node) throws SQLException {
    var out = new ConcurrentHashMap<String, String>();
    try (var c = DriverManager.getConnection(node, USER, PASSWORD); var st = c.createStatement();
        var rs = st.executeQuery("SELECT c.provider_ref, r.reference FROM reports r JOIN contacts c ON c.id = r.contact_id")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  private static int count(String node, String sql) {
    try (var c = DriverManager.getConnection(node, USER, PASSWORD); var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(node + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> status(String node, String... names) throws SQLException {
    var out = new LinkedHashMap<String, String>();
    try (var c = DriverManager.getConnection(node, USER, PASSWORD); var st = c.createStatement();
        var rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'wsrep_%'")) {
      var all = new HashMap<String, String>();
      while (rs.next()) {
        all.put(rs.getString(1).toLowerCase(), rs.getString(2));
      }
      for (var n : names) {
        out.put(n, all.get(n));
      }
    }
    return out;
  }

  /** bench/galera.sh with these arguments; its exit code and output. */
  private static GatewayProcess.Command script(String... args) throws Exception {
    var cmd = new ArrayList<>(List.of("bash", SCRIPT));
    cmd.addAll(List.of(args));
    var out = java.nio.file.Files.createTempFile("galera", ".out");
    var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean ended = p.waitFor(300, TimeUnit.SECONDS);
    var output = java.nio.file.Files.readString(out);
    java.nio.file.Files.delete(out);
    if (!ended) {
      p.destroyForcibly();
    }
    assertTrue(ended, String.join(" ", cmd) + " ends within 300 s: " + output);
    System.out.println("galera | " + String.join(" ", args) + " | " + output.strip());
    return new GatewayProcess.Command(p.exitValue(), output);
  }
}
