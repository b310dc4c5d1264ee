package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.chaos.Chaos;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayProcess;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.tools.TestSmsc;

/**
 * The gateway killed with SIGKILL in the middle of a flood of texts (each from its own number) and of reports on
 * their way to an agency, restarted at once on the same data: it is ready as fast as after a normal start, every
 * texter gets one reply (at most the duplicates it counts in hotline_sms_replies_possibly_duplicated_total), no
 * reply waits for a lease, every report reaches the agency under one webhook-id. On the embedded store and on
 * MariaDB, with the built jar as a separate process.
 *
 * Danger calls also go on through every kill and restart (one started every {@code crash.call_every_ms}): each
 * whole one that was stored (every webhook answered 2xx) reaches the agency once; those a kill cut are counted.
 *
 * <p>Short by default (CI); {@code mvn -P chaos verify} runs it full (1,000 texts, 3 kills, 30 calls between kills,
 * a call started every 10 ms through them), the run of docs/reliability.md. Each run writes its row of the chaos table.
 */
class CrashRecoveryIT {
  private static final int TEXTS = Integer.getInteger("crash.texts", 120);
  private static final int KILLS = Integer.getInteger("crash.kills", 1);
  private static final int CALLS = Integer.getInteger("crash.calls", 6);
  /** Calls also go on through every kill and restart, one started this often (ms), as a hotline's do. */
  private static final int CALL_EVERY_MS = Integer.getInteger("crash.call_every_ms", 200);
  /** The claim lease of SMS replies and deliveries: nothing may wait for it. */
  private static final Duration LEASE = Duration.ofMinutes(2);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work;
  private GatewayProcess gateway;
  private TestSmsc smsc;
  private FakeAgency agency;
  private TestDatabase mariadb;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
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
    long t0 = System.nanoTime();
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("crash.stores", "H2,MARIADB").contains(kind.name()));
    smsc = TestSmsc.start(TestSmsc.Config.defaults());
    agency = new FakeAgency();
    agency.always(new FakeAgency.Answer(200, null, Duration.ofMillis(150), null)); // deliveries are in flight at a kill
    var secret = WebhookSignature.newSecret();
    var env = new HashMap<String, String>();
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
    gateway = new GatewayProcess(work, "gateway", env);

    // A first start migrates; the second, after a clean stop, is the normal start a kill is measured against.
    gateway.start();
    gateway.awaitReady(Duration.ofSeconds(90));
    gateway.stopCleanly();
    long normal = gateway.start();
    normal = gateway.awaitReady(Duration.ofSeconds(60)) - normal;

    var numbers = new ArrayList<String>();
    for (int i = 0; i < TEXTS; i++) {
      numbers.add(String.format("09%08d", 10_000_000 + i));
    }
    long seed = Long.getLong("crash.seed", System.nanoTime());
    var random = new java.util.Random(seed);
    var twilio = new FakeTwilio(gateway.url(), "test-auth-token-0123456789abcdef");
    int calls = 0;
    // Calls through the kills: each whole one (every webhook answered 2xx) is owed its report once stored.
    var whole = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
    var interrupted = new java.util.concurrent.atomic.AtomicInteger();
    var callsStop = new java.util.concurrent.atomic.AtomicBoolean();
    var caller = Thread.ofPlatform().name("calls-through-kills").start(() -> {
      while (!callsStop.get()) {
        if (!wholeCall(twilio, whole)) {
          interrupted.incrementAndGet();
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(CALL_EVERY_MS).toNanos()); // pacing
      }
    });
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
      // At a random moment of the round: once between a fifth and four fifths of its texters have their reply.
      int round = TEXTS / (KILLS + 1);
      int target = sent - round + round * (20 + random.nextInt(61)) / 100;
      Await.until(() -> repliedTexters(numbers) >= target,
          () -> "this round's texters answered before the kill: " + repliedTexters(numbers) + " of " + target,
          Duration.ofSeconds(60));
      duplicatesCounted += gateway.metric(DUPLICATED);
      kills.add(java.time.Instant.now());
      gateway.kill(); // SIGKILL
      long restart = gateway.start();
      afterKill.add(gateway.awaitReady(Duration.ofSeconds(60)) - restart);
    }
    callsStop.set(true);
    caller.join();
    for (; sent < TEXTS; sent++) {
      smsc.deliverMo(numbers.get(sent), "111", "alo");
    }
    long restarted = System.nanoTime();

    // Every texter answered, and well before any lease could have run out.
    Await.until(() -> repliedTexters(numbers) == TEXTS,
        () -> "every texter got a reply: " + repliedTexters(numbers) + " of " + TEXTS, LEASE.dividedBy(2));
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
        System.out.println("crash-recovery | twice | kills at " + kills + " | " + got + " | " + outboundOfTexter(kind,
            smsc.mts().stream().filter(m -> m.to().equals(n)).map(TestSmsc.Mt::messageId).toList()));
      }
    }
    duplicatesCounted += gateway.metric(DUPLICATED);
    Await.until(() -> left(kind) == 0, () -> left(kind) + " replies or deliveries still claimed or queued after the"
        + " flood was answered", Duration.ofSeconds(30));
    // Every whole call that was stored is a report at the agency, under one webhook-id.
    var idsByReference = new java.util.HashMap<String, java.util.Set<String>>();
    for (var r : agency.received()) {
      var reference = vn.hotline.gateway.util.Json.JSON.readTree(r.body()).path("data").path("reference").asText();
      idsByReference.computeIfAbsent(reference, x -> new HashSet<>()).add(r.header("webhook-id"));
    }
    var owedNotThere = new ArrayList<String>();
    int wholeStored = 0;
    for (var sid : whole) {
      var reference = reference(kind, sid);
      if (reference == null) {
        continue; // answered with the fallback while the store was not there yet: nothing stored, by design
      }
      wholeStored++;
      if (reference.isEmpty() || idsByReference.getOrDefault(reference, java.util.Set.of()).size() != 1) {
        owedNotThere.add(sid + " " + reference + " " + idsByReference.get(reference));
      }
    }
    int reportRows = count(kind, "SELECT COUNT(*) FROM reports");
    var received = agency.received();
    var ids = new HashSet<String>();
    received.forEach(r -> ids.add(r.header("webhook-id")));
    int deliveryRows = count(kind, "SELECT COUNT(*) FROM deliveries");
    // A second normal start, after the flood, on the same (now larger) store: the machine is shared and noisy, so a
    // kill's restart is compared with the slower of two normal starts measured in the same run.
    gateway.stopCleanly();
    long again = gateway.start();
    normal = Math.max(normal, gateway.awaitReady(Duration.ofSeconds(60)) - again);
    var log = String.join("\n", gateway.logs());

    Chaos.row(new Chaos.Row("crash-recovery", kind.name(), TEXTS + calls + whole.size() + interrupted.get(),
        TEXTS + reportRows, answered + ids.size(),
        TEXTS - answered + calls - Math.min(calls, ids.size()) + owedNotThere.size(), twice + Math.max(0, deliveryRows - reportRows),
        Duration.ofNanos(System.nanoTime() - t0), KILLS + " kill(s), seed " + seed + "; texts " + TEXTS + ", " + answered
        + " answered, " + twice + " twice (" + (long) duplicatesCounted + " counted); calls through the kills: "
        + whole.size() + " whole (" + wholeStored + " stored, each a report at the agency: " + (wholeStored
        - owedNotThere.size()) + "), " + interrupted.get() + " cut by a kill; reports " + reportRows + ", "
        + ids.size() + " webhook-ids in " + received.size() + " requests; ready " + normal / 1_000_000
        + " ms after a normal start, " + afterKill.stream().map(t -> Long.toString(t / 1_000_000)).toList()
        + " ms after each kill; last reply " + waited.toSeconds() + " s after the last restart"));

    assertEquals(TEXTS, answered, "every texter got a reply");
    // Nothing is left claimed or queued that a lease could still send later.
    Await.until(() -> left(kind) == 0, () -> left(kind) + " replies or deliveries still claimed or queued after the"
        + " flood was answered", Duration.ofSeconds(30));
    assertTrue(twice <= duplicatesCounted, "duplicates " + twice + " are all counted (" + duplicatesCounted + ")");
    assertTrue(waited.compareTo(LEASE.dividedBy(2)) < 0, "no reply waited for a lease: " + waited);
    for (var t : afterKill) {
      assertTrue(t <= normal + 2_000_000_000L, "ready " + t / 1_000_000 + " ms after a kill, " + normal / 1_000_000
          + " ms after a normal start");
    }
    assertEquals(reportRows, deliveryRows, "one delivery per report");
    assertEquals(deliveryRows, ids.size(), "every report reached the agency, each under one webhook-id");
    assertTrue(reportRows >= calls + wholeStored, reportRows + " reports for " + calls + " calls between kills and "
        + wholeStored + " whole calls through them");
    assertEquals(List.of(), owedNotThere, "every whole call that was stored reached the agency once");
    assertFalse(log.contains("schema version null"), "the schema version is logged");
  }

  private static final String DUPLICATED = "hotline_sms_replies_possibly_duplicated_total";

  private int repliedTexters(List<String> numbers) {
    var to = new HashSet<String>();
    smsc.mts().forEach(m -> to.add(m.to()));
    int n = 0;
    for (var number : numbers) {
      n += to.contains(number) ? 1 : 0;
    }
    return n;
  }

  /**
   * A danger call (Vietnamese, danger now, a counsellor answers, the call ends); true when every webhook of it was
   * answered 2xx (then its sid is added to {@code whole}), false when a kill or a restart cut it.
   */
  private static boolean wholeCall(FakeTwilio twilio, java.util.Set<String> whole) {
    var call = twilio.call();
    try {
      var in = call.incoming();
      var language = in.status() == 200 ? call.press(in, "1") : in;
      var danger = language.status() == 200 ? call.press(language, "1") : language;
      var end = danger.status() == 200 ? call.dialEnded(danger, "completed") : danger;
      var status = end.status() == 200 ? call.status("completed") : end;
      if (status.status() / 100 == 2) {
        whole.add(call.sid);
        return true;
      }
      return false;
    } catch (AssertionError | RuntimeException e) {
      return false; // the gateway was not there (killed, or not listening yet)
    }
  }

  /** The reference of the report of the call {@code sid}: null when no contact was stored, "" when no report. */
  private String reference(TestDatabase.Kind kind, String sid) throws Exception {
    if (count(kind, "SELECT COUNT(*) FROM contacts WHERE provider_ref = '" + sid + "'") == 0) {
      return null;
    }
    try (var c = kind == TestDatabase.Kind.MARIADB ? mariadb.connect() : DriverManager.getConnection(h2Url(), "",
        Files.readString(work.resolve("data/embedded-db-password")).trim());
        var ps = c.prepareStatement("SELECT r.reference FROM reports r JOIN contacts c ON c.id = r.contact_id"
            + " WHERE c.provider_ref = ?")) {
      ps.setString(1, sid);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "";
      }
    }
  }

  private String h2Url() {
    return "jdbc:h2:file:" + work.resolve("data/hotline").toAbsolutePath()
        + ";MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE";
  }

  /** Replies claimed, queued or being sent, and deliveries pending. */
  private int left(TestDatabase.Kind kind) {
    try {
      return count(kind, "SELECT COUNT(*) FROM sms_outbound WHERE status IN ('queued', 'sending')")
          + count(kind, "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * What the store holds of the replies the SMSC's message ids belong to, and of the other replies of their contacts
   * (kind, status, attempts, times, last error, parts): codes and times only, no text.
   */
  private String outboundOfTexter(TestDatabase.Kind kind, List<String> messageIds) throws Exception {
    try (var c = kind == TestDatabase.Kind.MARIADB ? mariadb.connect() : DriverManager.getConnection(h2Url(), "",
        Files.readString(work.resolve("data/embedded-db-password")).trim())) {
      var outbound = new java.util.LinkedHashSet<String>();
      for (var id : messageIds) {
        try (var ps = c.prepareStatement("SELECT outbound_id FROM sms_outbound_parts WHERE message_id = ?")) {
          ps.setString(1, id);
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              outbound.add(rs.getString(1));
            }
          }
        }
      }
      if (outbound.isEmpty()) {
        return "no recorded part";
      }
      // the recorded replies, and every other reply of their contacts (a second reply to the same texter)
      var out = new StringBuilder();
      try (var ps = c.prepareStatement("SELECT o.id, o.kind, o.status, o.attempts, o.created_at, o.sent_at,"
          + " o.last_error, o.claimed_by, (SELECT COUNT(*) FROM sms_outbound_parts p WHERE p.outbound_id = o.id),"
          + " o.contact_id FROM sms_outbound o WHERE o.id = ? OR o.contact_id = (SELECT contact_id FROM sms_outbound"
          + " WHERE id = ?) ORDER BY o.created_at")) {
        for (var id : outbound) {
          ps.setString(1, id);
          ps.setString(2, id);
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              out.append(" [").append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ')
                  .append(rs.getString(3)).append(" attempts ").append(rs.getInt(4)).append(" created ")
                  .append(rs.getString(5)).append(" sent ").append(rs.getString(6)).append(" error ")
                  .append(rs.getString(7)).append(" claimed ").append(rs.getString(8)).append(" parts ")
                  .append(rs.getInt(9)).append(" contact ").append(rs.getString(10)).append(']');
            }
          }
        }
      }
      return out.toString();
    }
  }

  private int count(TestDatabase.Kind kind, String sql) throws Exception {
    try (var c = kind == TestDatabase.Kind.MARIADB ? mariadb.connect() : DriverManager.getConnection(h2Url(), "",
        Files.readString(work.resolve("data/embedded-db-password")).trim());
        var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
