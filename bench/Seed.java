// Seeds a gateway store with N more contacts as the gateway stores them, fast (multi-row INSERTs of the store's
// own columns, many rows per statement, one transaction per chunk), for the "how cost grows" benchmarks. Runs on
// the gateway jar's classpath, in the gateway's working directory with the gateway's environment (it opens the
// store as `serve` does and migrates it); the gateway must not be running (the audit chain head is read first
// and written last):
//
//   java -cp gateway/target/hotline-gateway.jar bench/Seed.java --contacts 1000000 [--days 400] [--chunk 500] \
//       [--steps false]
//
// --steps true also writes each node's flow_steps row and its flow.step audit event (about 3 times the rows and
// the seeding time; no measured path reads them: they are written once and read only by session id).
//
// What one contact is, in the proportions of the shape measured on a real whole 111 call (bench_shape, see
// docs/benchmarks.md): a contact row (voice 80 %, sms-smpp 20 %), its flow session (closed), one flow step per
// node visited, and the audit events the gateway writes for them (contact.received, one flow.step each,
// contact.ended); of every 10 contacts, 4 hang up at the main menu (3 nodes, no report), 2 ask for a counsellor
// (4 nodes, outcome operator, no report), 4 walk the report path (8 nodes) and make a report (report.created) with
// its deliveries (1 or 2 agencies as the shipped routing names them, report.routed each), each delivered on the
// first attempt (delivery_attempts row, delivery.attempt event). Contacts spread evenly over the last --days days;
// as a daily purge would leave them, only contacts of the last 31 days still hold a sealed caller number (sealed
// with the gateway's own Sealer). The audit events continue the existing hash chain with the gateway's hash
// (AuditLog.hash: SHA-256 over prev, seq, time, type, actor, refs, data on their own lines), so
// `audit verify` still passes. References are random 8-digit numbers like Ids.reference(), unique in the store.
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.store.Store;

public final class Seed {
  private static final DateTimeFormatter SQL_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter AUDIT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final List<String> MENU = List.of("choose-language", "main-menu", "hangup");
  private static final List<String> COUNSEL = List.of("choose-language", "main-menu", "counselling", "handoff");
  private static final List<String> REPORT = List.of("choose-language", "main-menu", "report-category", "report-about",
      "report-age", "report-province", "report-reference", "report-handoff");
  /** category, agencies (rule) as config/routing.yaml routes them. */
  private static final String[][] CATEGORIES = {
      {"physical_violence", "violence-and-neglect", "child-protection"},
      {"sexual_violence", "sexual-violence", "police-investigation", "child-protection"},
      {"online_abuse_harmful_content", "online-harm", "harmful-content", "police-cyber"},
      {"emotional_violence_neglect", "violence-and-neglect", "child-protection"},
      {"child_labour_trafficking", "labour-trafficking", "police-investigation", "child-protection"}};
  private static final String[] AGES = {"0-5", "6-12", "13-15", "16-17"};
  private static final String[] PROVINCES = {"01", "79", "48", "31", "92", "26", "38", "46"};

  private final Random random = new Random();
  private final StringBuilder contacts = new StringBuilder();
  private final StringBuilder sessions = new StringBuilder();
  private final StringBuilder steps = new StringBuilder();
  private final StringBuilder reports = new StringBuilder();
  private final StringBuilder deliveries = new StringBuilder();
  private final StringBuilder attempts = new StringBuilder();
  private final StringBuilder audit = new StringBuilder();
  private final MessageDigest sha;
  private final Sealer sealer;
  private long seq;
  private String prev;
  private long rows;

  private final boolean withSteps;

  Seed(Sealer sealer, long seq, String prev, boolean withSteps) throws Exception {
    this.withSteps = withSteps;
    this.sealer = sealer;
    this.seq = seq;
    this.prev = prev;
    this.sha = MessageDigest.getInstance("SHA-256");
  }

  public static void main(String[] args) throws Exception {
    long n = 1000;
    int days = 400;
    int chunk = 500;
    boolean withSteps = false;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--contacts" -> n = Long.parseLong(args[i + 1]);
        case "--days" -> days = Integer.parseInt(args[i + 1]);
        case "--chunk" -> chunk = Integer.parseInt(args[i + 1]);
        case "--steps" -> withSteps = Boolean.parseBoolean(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    var env = System.getenv();
    var cfg = GatewayConfig.load(env.get("GATEWAY_CONFIG") == null ? null : Path.of(env.get("GATEWAY_CONFIG")), env);
    long t0 = System.nanoTime();
    try (var store = Store.open(cfg.db(), null)) {
      store.migrate();
      var refs = new HashSet<String>();
      long[] head = new long[1];
      String[] hash = new String[1];
      store.read(c -> {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT reference FROM contacts")) {
          while (rs.next()) {
            refs.add(rs.getString(1));
          }
        }
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT seq, hash FROM audit_head WHERE id = 1")) {
          rs.next();
          head[0] = rs.getLong(1);
          hash[0] = rs.getString(2);
        }
        return null;
      });
      var seed = new Seed(Sealer.parse(cfg.privacy().encryptionKeys()), head[0], hash[0], withSteps);
      var end = Instant.now().minusSeconds(3600);
      var start = end.minusSeconds(days * 86400L);
      double step = (double) (end.toEpochMilli() - start.toEpochMilli()) / n;
      var recentFrom = end.minusSeconds(31 * 86400L); // a day's worth for the next purge
      long done = 0;
      while (done < n) {
        long from = done;
        long to = Math.min(n, done + chunk);
        store.inTransaction(c -> {
          for (long i = from; i < to; i++) {
            var at = Instant.ofEpochMilli(start.toEpochMilli() + (long) (i * step) + seed.random.nextInt((int) Math.max(1, step)));
            seed.contact(i, at, reference(seed.random, refs), !at.isBefore(recentFrom));
          }
          seed.flush(c);
          Store.update(c, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", seed.seq, seed.prev);
          return null;
        });
        done = to;
        if (done % 100_000 == 0 || done == n) {
          System.out.printf(Locale.ROOT, "%,d contacts, %,d rows, %.0f s%n", done, seed.rows, (System.nanoTime() - t0) / 1e9);
        }
      }
      var count = store.read(c -> {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM contacts")) {
          rs.next();
          return rs.getLong(1);
        }
      });
      System.out.printf(Locale.ROOT, "seeded %,d contacts (%,d rows) in %.1f s; the store has %,d contacts (%s)%n", n,
          seed.rows, (System.nanoTime() - t0) / 1e9, count, cfg.db().describe());
    }
  }

  static String reference(Random random, Set<String> refs) {
    while (true) {
      var r = Integer.toString(10_000_000 + random.nextInt(90_000_000));
      if (refs.add(r)) {
        return r;
      }
    }
  }

  private String uuid7(Instant at) {
    long msb = (at.toEpochMilli() << 16) | 0x7000L | random.nextInt(1 << 12);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new java.util.UUID(msb, lsb).toString();
  }

  private static String t(Instant i) {
    return "'" + SQL_TIME.format(i) + "'";
  }

  private static void row(StringBuilder sb, String values) {
    sb.append(sb.isEmpty() ? "" : ",").append('(').append(values).append(')');
  }

  void contact(long i, Instant started, String reference, boolean recent) {
    boolean voice = random.nextInt(10) < 8;
    String channel = voice ? "voice" : "sms-smpp";
    int kind = (int) (i % 10);
    var path = kind < 4 ? MENU : kind < 6 ? COUNSEL : REPORT;
    String outcome = kind < 4 ? "abandoned" : kind < 6 ? "operator" : "completed";
    var contactId = uuid7(started);
    var sessionId = uuid7(started);
    var pseudonym = "p1_" + HexFormat.of().formatHex(longBytes(random.nextLong())) + HexFormat.of().formatHex(longBytes(random.nextLong()));
    var ended = started.plusSeconds(20L + path.size() * 8L + random.nextInt(30));
    String sealed = recent && (!voice || kind >= 4) ? "'" + sealer.seal("+8490" + (1_000_000 + random.nextInt(9_000_000))) + "'" : "NULL";
    String providerRef = voice ? "CA" + contactId.replace("-", "") : "sms-" + contactId;
    row(contacts, String.join(",", q(contactId), q(channel), q(providerRef), q(reference), t(started), t(ended),
        voice ? "'completed'" : "NULL", q(outcome), q(pseudonym), sealed, voice ? "NULL" : "'telco-a'"));
    audit(started, "contact.received", voice ? "voice" : "sms-smpp:telco-a",
        "{\"contact\":\"" + contactId + "\",\"session\":\"" + sessionId + "\"}",
        "{\"channel\":\"" + channel + "\",\"flow\":\"hotline-111\",\"reference\":\"" + reference + "\"}");
    String category = null;
    String[] cat = null;
    String age = AGES[random.nextInt(AGES.length)];
    String province = PROVINCES[random.nextInt(PROVINCES.length)];
    if (path == REPORT) {
      cat = CATEGORIES[random.nextInt(CATEGORIES.length)];
      category = cat[0];
    }
    var answers = category == null ? "{}" : "{\"about\":\"self\",\"age_band\":\"" + age + "\",\"category\":\"" + category
        + "\",\"province\":\"" + province + "\"}";
    long stepGap = Math.max(1, (ended.toEpochMilli() - started.toEpochMilli()) / (path.size() + 1));
    for (int s = 0; withSteps && s < path.size(); s++) {
      var at = started.plusMillis(s * stepGap);
      String event = s == 0 ? "enter" : "option";
      String value = s == 0 ? "NULL" : "'" + (1 + random.nextInt(3)) + "'";
      row(steps, String.join(",", q(sessionId), Integer.toString(s), q(path.get(s)), q(event), value, t(at)));
      audit(at, "flow.step", voice ? "voice" : "sms-smpp:telco-a", "{\"contact\":\"" + contactId + "\"}",
          "{\"event\":\"" + event + "\",\"node\":\"" + path.get(s) + "\"}");
    }
    row(sessions, String.join(",", q(sessionId), q(contactId), "'hotline-111'", q(path.get(path.size() - 1)), "'vi-VN'",
        "0", Integer.toString(path.size() - 1), q(answers), q(String.join(",", path)), q(outcome), "'closed'",
        Integer.toString(path.size()), t(started), t(ended)));
    audit(ended, "contact.ended", voice ? "voice" : "sms-smpp:telco-a", "{\"contact\":\"" + contactId + "\"}",
        "{\"outcome\":\"" + outcome + "\"}");
    if (cat != null) {
      var reportId = uuid7(ended);
      row(reports, String.join(",", q(reportId), q(reference), q(contactId), q(channel), "'report'", q(category),
          "'self'", q(age), q(province), "FALSE", q(outcome), q(String.join(",", path)), t(started), t(ended), q(pseudonym)));
      audit(ended, "report.created", channel, "{\"contact\":\"" + contactId + "\",\"report\":\"" + reportId + "\"}",
          "{\"category\":\"" + category + "\",\"channel\":\"" + channel + "\",\"intent\":\"report\",\"outcome\":\""
              + outcome + "\",\"urgent\":false}");
      for (int a = 2; a < cat.length; a++) {
        var deliveryId = "msg_" + uuid7(ended).replace("-", "");
        audit(ended, "report.routed", "gateway", "{\"delivery\":\"" + deliveryId + "\",\"report\":\"" + reportId + "\"}",
            "{\"agency\":\"" + cat[a] + "\",\"rule\":\"" + cat[1] + "\"}");
        int latency = 20 + random.nextInt(200);
        var sent = ended.plusMillis(300 + random.nextInt(500));
        var delivered = sent.plusMillis(latency);
        row(deliveries, String.join(",", q(deliveryId), q(reportId), q(cat[a]), q(cat[1]), "FALSE", "'delivered'", "1",
            t(delivered), "200", t(ended), t(delivered)));
        row(attempts, String.join(",", q(deliveryId), "1", t(sent), Integer.toString(latency), "200", "'delivered'"));
        audit(delivered, "delivery.attempt", "gateway", "{\"delivery\":\"" + deliveryId + "\",\"report\":\"" + reportId + "\"}",
            "{\"agency\":\"" + cat[a] + "\",\"attempt\":1,\"http_status\":200,\"latency_ms\":" + latency
                + ",\"outcome\":\"delivered\",\"status\":\"delivered\"}");
      }
    }
  }

  private static byte[] longBytes(long v) {
    return java.nio.ByteBuffer.allocate(8).putLong(v).array();
  }

  private static String q(String s) {
    return "'" + s + "'"; // every value is made here: digits, hex, codes, JSON without quotes of its own
  }

  /** One event of the chain, hashed as AuditLog.hash does. */
  private void audit(Instant at, String type, String actor, String refs, String data) {
    seq++;
    var content = prev + "\n" + seq + "\n" + AUDIT_TIME.format(at) + "\n" + type + "\n" + actor + "\n" + refs + "\n" + data;
    var hash = HexFormat.of().formatHex(sha.digest(content.getBytes(StandardCharsets.UTF_8)));
    row(audit, String.join(",", Long.toString(seq), t(at), q(type), q(actor), q(refs), q(data), q(prev), q(hash)));
    prev = hash;
  }

  void flush(Connection c) throws SQLException {
    insert(c, "contacts (id, channel, provider_ref, reference, started_at, ended_at, end_status, outcome, caller_pseudonym,"
        + " caller_sealed, sms_link)", contacts);
    insert(c, "flow_sessions (id, contact_id, flow_id, node_id, language, attempts, seq, answers, path, outcome, status,"
        + " version, created_at, updated_at)", sessions);
    insert(c, "flow_steps (session_id, seq, node_id, event, step_value, at)", steps);
    insert(c, "reports (id, reference, contact_id, channel, intent, category, about, age_band, province, urgent, outcome,"
        + " flow_path, received_at, completed_at, caller_pseudonym)", reports);
    insert(c, "deliveries (id, report_id, agency_id, rule_name, urgent, status, attempts, next_attempt_at, last_status,"
        + " created_at, delivered_at)", deliveries);
    insert(c, "delivery_attempts (delivery_id, attempt, started_at, latency_ms, http_status, outcome)", attempts);
    insert(c, "audit_events (seq, at, event_type, actor, refs, data, prev_hash, hash)", audit);
  }

  private void insert(Connection c, String table, StringBuilder values) throws SQLException {
    if (values.isEmpty()) {
      return;
    }
    try (var st = c.createStatement()) {
      rows += st.executeUpdate("INSERT INTO " + table + " VALUES " + values);
    }
    values.setLength(0);
  }
}
