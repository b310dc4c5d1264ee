package vn.hotline.gateway.store;

import static vn.hotline.gateway.contact.DeliveryStatus.DEAD;
import static vn.hotline.gateway.contact.DeliveryStatus.DELIVERED;
import static vn.hotline.gateway.contact.DeliveryStatus.HELD;
import static vn.hotline.gateway.contact.DeliveryStatus.PENDING;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.contact.AttemptOutcome;
import vn.hotline.gateway.contact.DeliveryStatus;
import vn.hotline.gateway.util.Ids;

/**
 * Deliveries of reports to agencies (the outbox) and their attempts. Claiming uses
 * {@code SELECT ... FOR UPDATE SKIP LOCKED} and a lease, so gateway instances sharing one database split the work
 * and never send one delivery twice at the same time; a sender that dies leaves the lease to expire.
 */
public final class DeliveryRepository {
  /** The event of a delivery that carries a report to an agency the first time. */
  public static final String CREATED = "report.created";
  /** The event of a delivery that carries a later version to an agency that may have had an earlier one. */
  public static final String UPDATED = "report.updated";

  /**
   * A delivery claimed for sending; {@code attempt} is the number this try will have. It carries version
   * {@code version} of its report as {@code eventType}; {@code reviewDueAt} is set when it was held for review.
   */
  public record Claimed(String id, String reportId, String agencyId, String rule, int attempt, int version,
      String eventType, Instant reviewDueAt) {
    public Claimed(String id, String reportId, String agencyId, String rule, int attempt) {
      this(id, reportId, agencyId, rule, attempt, 1, CREATED, null);
    }
  }

  /** A delivery as the integrator API shows it. */
  public record Delivery(String id, String reportId, String agencyId, String rule, String status, int attempts,
      Instant nextAttemptAt, Integer lastStatus, String lastError, Instant createdAt, Instant deliveredAt,
      Instant acknowledgedAt, String caseNumber, String eventType, int version, Instant reviewDueAt) {}

  /**
   * One delivery of a report as a counsellor's completion sees it, locked: {@code unsent} when no attempt was
   * ever made or started (it may still change what it carries: no agency has seen its webhook-id).
   */
  public record OfReport(String id, String agencyId, String rule, DeliveryStatus status, int version, String eventType,
      boolean unsent, Instant reviewDueAt) {}

  /** One attempt: when, how long, what came back. Never the body. */
  public record Attempt(int attempt, Instant startedAt, int latencyMs, Integer httpStatus, String outcome, String error) {}

  private final Store store;
  private final AuditLog audit;

  public DeliveryRepository(Store store, AuditLog audit) {
    this.store = store;
    this.audit = audit;
  }

  /**
   * A delivery to write in the transaction that stores its report (the outbox row; the worker sends it later):
   * version {@code version} as {@code eventType}, held for review until {@code heldUntil} when that is set.
   */
  public record Pending(String id, String reportId, String agencyId, String rule, boolean urgent, Instant at,
      int version, String eventType, Instant heldUntil) {
    public Pending(String id, String reportId, String agencyId, String rule, boolean urgent, Instant at) {
      this(id, reportId, agencyId, rule, urgent, at, 1, CREATED, null);
    }
  }

  /** Writes deliveries inside the caller's transaction: due at once, or held until their review time. */
  public void insertPending(Connection c, List<Pending> pending) throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO deliveries (id, report_id, agency_id, rule_name, urgent, status,"
        + " attempts, next_attempt_at, created_at, report_version, event_type, review_due_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)")) {
      for (var p : pending) {
        ps.setString(1, p.id());
        ps.setString(2, p.reportId());
        ps.setString(3, p.agencyId());
        ps.setString(4, p.rule());
        ps.setBoolean(5, p.urgent());
        ps.setString(6, (p.heldUntil() == null ? PENDING : HELD).wire());
        ps.setObject(7, Store.toDb(p.heldUntil() == null ? p.at() : p.heldUntil()));
        ps.setObject(8, Store.toDb(p.at()));
        ps.setInt(9, p.version());
        ps.setString(10, p.eventType());
        ps.setObject(11, p.heldUntil() == null ? null : Store.toDb(p.heldUntil()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  // --- counsellor review: held deliveries, later versions ------------------------------------------------

  /** Every delivery of a report, locked for the rest of {@code c}'s transaction (a claim skips them meanwhile). */
  public List<OfReport> lockForReport(Connection c, String reportId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT d.id, d.agency_id, d.rule_name, d.status, d.report_version, d.event_type,"
        + " d.attempts, d.review_due_at, (SELECT COUNT(*) FROM delivery_attempts a WHERE a.delivery_id = d.id)"
        + " FROM deliveries d WHERE d.report_id = ? ORDER BY d.created_at, d.id FOR UPDATE")) {
      ps.setString(1, reportId);
      var out = new ArrayList<OfReport>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new OfReport(rs.getString(1), rs.getString(2), rs.getString(3), DeliveryStatus.of(rs.getString(4)),
              rs.getInt(5), rs.getString(6), rs.getInt(7) == 0 && rs.getLong(9) == 0,
              Store.fromDb(rs.getObject(8, LocalDateTime.class))));
        }
      }
      return out;
    }
  }

  /**
   * A delivery nothing was ever sent for now carries {@code version}, due at once (a held one is released).
   * Its webhook-id has never reached the agency, so what it carries may change. Returns false when it was
   * attempted meanwhile (then nothing changed).
   */
  public boolean carryNow(Connection c, String id, int version, boolean urgent, Instant now) throws SQLException {
    return Store.update(c, "UPDATE deliveries SET report_version = ?, status = " + PENDING.sql() + ", next_attempt_at = ?,"
        + " urgent = ? WHERE id = ? AND attempts = 0 AND status IN (" + PENDING.sql() + ", " + HELD.sql() + ")",
        version, now, urgent, id) == 1;
  }

  /** Takes back a delivery nothing was ever sent for (the agency was taken out of the referral). */
  public boolean withdraw(Connection c, String id) throws SQLException {
    return Store.update(c, "DELETE FROM deliveries WHERE id = ? AND attempts = 0 AND NOT EXISTS"
        + " (SELECT 1 FROM delivery_attempts a WHERE a.delivery_id = ?)", id, id) == 1;
  }

  /** A held delivery whose review time is up, released. */
  public record Released(String id, String reportId, String agencyId) {}

  /**
   * Releases held deliveries whose review time has come (up to {@code limit}): pending, due at once, each with a
   * delivery.released audit event. Rows another instance is releasing or a counsellor is completing are skipped.
   */
  public List<Released> releaseHeld(Instant now, int limit) {
    return store.inTransaction(c -> {
      var out = new ArrayList<Released>();
      try (var ps = c.prepareStatement("SELECT id, report_id, agency_id FROM deliveries WHERE status = " + HELD.sql()
          + " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT " + Math.max(1, limit) + " FOR UPDATE SKIP LOCKED")) {
        ps.setObject(1, Store.toDb(now));
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Released(rs.getString(1), rs.getString(2), rs.getString(3)));
          }
        }
      }
      for (var r : out) {
        Store.update(c, "UPDATE deliveries SET status = " + PENDING.sql() + ", next_attempt_at = ? WHERE id = ?", now, r.id());
        audit.append(c, "delivery.released", "gateway", Map.of("delivery", r.id(), "report", r.reportId()),
            Map.of("agency", r.agencyId(), "review", "not_reviewed"), now);
      }
      return out;
    });
  }

  /** A Standard Webhooks message id: msg_ + 32 hex digits of a UUIDv7. */
  public static String newDeliveryId() {
    return "msg_" + Ids.uuid7().toString().replace("-", "");
  }

  /**
   * Claims up to {@code limit} due deliveries, urgent first, skipping agencies in {@code skipAgencies} (circuit
   * open, at their concurrency cap, switched off in config) and agencies switched off at run time.
   */
  public List<Claimed> claim(int limit, Duration lease, Instant now, Collection<String> skipAgencies) {
    return claim(limit, Map.of(), lease, now, skipAgencies);
  }

  /**
   * As {@link #claim(int, Duration, Instant, Collection)}, taking at most {@code room.get(agency)} deliveries of
   * each agency named in {@code room} (its free slots; a delivery of an agency left out is not taken, so it stays
   * due for the next claim). Reads urgent then other due deliveries in the order of {@code ix_deliveries_claim}
   * (V20), so each query reads a few rows past {@code limit} and stops, however deep the backlog.
   */
  public List<Claimed> claim(int limit, Map<String, Integer> room, Duration lease, Instant now,
      Collection<String> skipAgencies) {
    if (limit <= 0) {
      return List.of();
    }
    return store.inTransaction(c -> {
      var skip = new HashSet<>(skipAgencies);
      skip.addAll(disabledAgencies(c));
      room.forEach((a, n) -> {
        if (n <= 0) {
          skip.add(a);
        }
      });
      var left = new HashMap<>(room);
      var out = new ArrayList<Claimed>();
      for (boolean urgent : new boolean[] {true, false}) {
        if (out.size() < limit) {
          claimDue(c, urgent, limit, now, skip, left, out);
        }
      }
      try (var ps = c.prepareStatement("UPDATE deliveries SET next_attempt_at = ?, attempts = attempts + 1, claimed_by = ?"
          + " WHERE id = ?")) {
        for (var d : out) {
          ps.setObject(1, Store.toDb(now.plus(lease)));
          ps.setString(2, store.instanceId()); // taken back at once should this instance die (Instances)
          ps.setString(3, d.id());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return out;
    });
  }

  /**
   * Adds to {@code out} (up to {@code limit} in all) due deliveries of one urgency, oldest first, each agency within
   * what is {@code left} of its room. Two steps: a plain read of the first due ids in the claim index's order,
   * which stops at its limit on both stores (H2 reads and sorts every matching row when the read itself locks),
   * then a locking read of those ids that checks again that each is still due ({@code SKIP LOCKED}: what another
   * instance holds is left to it; what it claimed and committed meanwhile is no longer due). It reads a few more
   * ids than it needs, so that an agency at its cap does not leave the claim short, and reads on past what other
   * instances hold, a few rounds at most.
   */
  private static void claimDue(Connection c, boolean urgent, int limit, Instant now, Set<String> skip,
      Map<String, Integer> left, List<Claimed> out) throws SQLException {
    boolean h2 = c.getMetaData().getDatabaseProductName().startsWith("H2");
    var seen = new ArrayList<String>();
    for (int round = 0; round < 3 && out.size() < limit; round++) {
      int want = limit - out.size();
      int read = want * (left.isEmpty() ? 1 : 4);
      var picked = new ArrayList<String>();
      var tentative = new HashMap<>(left);
      int candidates = 0;
      try (var ps = c.prepareStatement(claimQuery(h2, skip.size(), seen.size(), read))) {
        int i = 1;
        ps.setBoolean(i++, urgent);
        ps.setObject(i++, Store.toDb(now));
        for (var a : skip) {
          ps.setString(i++, a);
        }
        for (var id : seen) {
          ps.setString(i++, id);
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            candidates++;
            var id = rs.getString(1);
            seen.add(id);
            var room = tentative.get(rs.getString(2));
            if (picked.size() < want && (room == null || room > 0)) {
              picked.add(id);
              if (room != null) {
                tentative.put(rs.getString(2), room - 1);
              }
            }
          }
        }
      }
      if (!picked.isEmpty()) {
        var locked = new HashMap<String, Claimed>();
        try (var ps = c.prepareStatement("SELECT id, report_id, agency_id, rule_name, attempts, report_version,"
            + " event_type, review_due_at FROM deliveries WHERE id IN (" + "?,".repeat(picked.size()).replaceAll(",$", "")
            + ") AND status = " + PENDING.sql() + " AND next_attempt_at <= ? FOR UPDATE SKIP LOCKED")) {
          int i = 1;
          for (var id : picked) {
            ps.setString(i++, id);
          }
          ps.setObject(i, Store.toDb(now));
          try (var rs = ps.executeQuery()) {
            while (rs.next()) {
              locked.put(rs.getString(1), new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                  rs.getInt(5) + 1, rs.getInt(6), rs.getString(7), Store.fromDb(rs.getObject(8, LocalDateTime.class))));
            }
          }
        }
        for (var id : picked) { // in the claim's order
          var d = locked.get(id);
          if (d != null) {
            out.add(d);
            left.computeIfPresent(d.agencyId(), (k, n) -> n - 1);
          }
        }
      }
      if (candidates < read) {
        return; // nothing more is due
      }
    }
  }

  /**
   * The claim's plain read of the first due ids of one urgency, with their agency (parameters: urgent, now, then
   * {@code skipped} agency ids, then {@code seen} ids), in {@code ix_deliveries_claim}'s order so that it stops at
   * the limit instead of sorting the due backlog. Each store needs its own words for that: H2 reads an index in
   * order only when the ORDER BY names its columns from the first (status and urgent included, though the WHERE
   * fixes them); MariaDB sorts when they are named, and left to itself (most rows due) scans the table or ranges
   * over the agency index, so it is told which index to read.
   */
  static String claimQuery(boolean h2, int skipped, int seen, int limit) {
    var sql = new StringBuilder("SELECT id, agency_id FROM deliveries" + (h2 ? "" : " FORCE INDEX (ix_deliveries_claim)")
        + " WHERE status = " + PENDING.sql() + " AND urgent = ? AND next_attempt_at <= ?");
    if (skipped > 0) {
      sql.append(" AND agency_id NOT IN (").append("?,".repeat(skipped).replaceAll(",$", "")).append(")");
    }
    if (seen > 0) {
      sql.append(" AND id NOT IN (").append("?,".repeat(seen).replaceAll(",$", "")).append(")");
    }
    return sql.append(h2 ? " ORDER BY status, urgent, next_attempt_at, id" : " ORDER BY next_attempt_at, id")
        .append(" LIMIT ").append(limit).toString();
  }

  /** Records how an attempt ended and what happens next: delivered, pending again at {@code next}, or dead. */
  public void finish(Claimed d, Instant startedAt, int latencyMs, Integer httpStatus,
      AttemptOutcome outcome, String error, DeliveryStatus newStatus,
      Instant next) {
    store.inGroup(c -> { // with the attempts that ended at the same time: one commit for them all
      try (var ps = c.prepareStatement("INSERT INTO delivery_attempts (delivery_id, attempt, started_at, latency_ms,"
          + " http_status, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, d.id());
        ps.setInt(2, d.attempt());
        ps.setObject(3, Store.toDb(startedAt));
        ps.setInt(4, latencyMs);
        ps.setObject(5, httpStatus);
        ps.setString(6, outcome.wire());
        ps.setString(7, truncate(error));
        ps.executeUpdate();
      }
      try (var ps = c.prepareStatement("UPDATE deliveries SET status = ?, next_attempt_at = ?, last_status = ?,"
          + " claimed_by = NULL, last_error = ?, delivered_at = CASE WHEN ? = " + DELIVERED.sql() + " THEN ? ELSE delivered_at END WHERE id = ?")) {
        ps.setString(1, newStatus.wire());
        ps.setObject(2, Store.toDb(next));
        ps.setObject(3, httpStatus);
        ps.setString(4, truncate(error));
        ps.setString(5, newStatus.wire());
        ps.setObject(6, Store.toDb(startedAt.plusMillis(latencyMs)));
        ps.setString(7, d.id());
        ps.executeUpdate();
      }
      var data = new HashMap<String, Object>();
      data.put("agency", d.agencyId());
      data.put("attempt", d.attempt());
      data.put("http_status", httpStatus);
      data.put("outcome", outcome.wire());
      data.put("latency_ms", latencyMs);
      data.put("status", newStatus.wire());
      audit.append(c, "delivery.attempt", "gateway", Map.of("delivery", d.id(), "report", d.reportId()), data,
          startedAt.plusMillis(latencyMs));
      return null;
    });
  }

  // --- agency endpoints switched off at run time ----------------------------------------------------

  /** @param actor gateway (a 410), or admin:<key id> */
  public void setEnabled(String agencyId, boolean enabled, String reason, String actor, Instant now) {
    store.inTransaction(c -> {
      audit.append(c, enabled ? "agency.enabled" : "agency.disabled", actor, Map.of("agency", agencyId),
          Map.of("reason", truncate(reason)), now);
      try (var ps = c.prepareStatement("UPDATE agency_endpoints SET enabled = ?, reason = ?, changed_at = ? WHERE agency_id = ?")) {
        ps.setBoolean(1, enabled);
        ps.setString(2, truncate(reason));
        ps.setObject(3, Store.toDb(now));
        ps.setString(4, agencyId);
        if (ps.executeUpdate() > 0) {
          return null;
        }
      }
      try (var ps = c.prepareStatement("INSERT INTO agency_endpoints (agency_id, enabled, reason, changed_at) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, agencyId);
        ps.setBoolean(2, enabled);
        ps.setString(3, truncate(reason));
        ps.setObject(4, Store.toDb(now));
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** One agency's runtime switch and its deliveries by status (status word -> count). */
  public record AgencyState(String agencyId, boolean switchedOff, String reason, Instant changedAt,
      Map<String, Integer> deliveries) {}

  /** The runtime switch and delivery counts of each of {@code agencyIds}, in that order. */
  public List<AgencyState> agencyStates(List<String> agencyIds) {
    return store.read(c -> {
      var switches = new HashMap<String, Object[]>();
      try (var st = c.createStatement();
          var rs = st.executeQuery("SELECT agency_id, enabled, reason, changed_at FROM agency_endpoints")) {
        while (rs.next()) {
          switches.put(rs.getString(1), new Object[] {rs.getBoolean(2), rs.getString(3),
              Store.fromDb(rs.getObject(4, LocalDateTime.class))});
        }
      }
      var counts = new HashMap<String, Map<String, Integer>>();
      try (var st = c.createStatement();
          var rs = st.executeQuery("SELECT agency_id, status, COUNT(*) FROM deliveries GROUP BY agency_id, status")) {
        while (rs.next()) {
          counts.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2), rs.getInt(3));
        }
      }
      var out = new ArrayList<AgencyState>();
      for (var id : agencyIds) {
        var sw = switches.get(id);
        out.add(new AgencyState(id, sw != null && !(Boolean) sw[0], sw == null ? null : (String) sw[1],
            sw == null ? null : (Instant) sw[2], Map.copyOf(counts.getOrDefault(id, Map.of()))));
      }
      return List.copyOf(out);
    });
  }

  public Set<String> disabledAgencies() {
    return store.read(DeliveryRepository::disabledAgencies);
  }

  private static Set<String> disabledAgencies(Connection c) throws SQLException {
    var out = new HashSet<String>();
    try (var st = c.createStatement(); var rs = st.executeQuery("SELECT agency_id FROM agency_endpoints WHERE enabled = FALSE")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  // --- what integrators see ---------------------------------------------------------------------------

  /** The case number on file for an agency's delivery of a report, and when it was first recorded. */
  public record Acknowledgement(String caseNumber, Instant acknowledgedAt, boolean recordedNow) {}

  /**
   * Records the agency's own case number for a report delivered to it, once: a delivery already acknowledged
   * keeps its first case number and time (returned, so the caller can tell a repeat from a conflict). Empty when
   * no such delivery exists.
   */
  public Optional<Acknowledgement> acknowledge(String reportId, String agencyId, String caseNumber, Instant now) {
    return store.inTransaction(c -> {
      try (var ps = c.prepareStatement("UPDATE deliveries SET acknowledged_at = ?, case_number = ?"
          + " WHERE report_id = ? AND agency_id = ? AND case_number IS NULL AND event_type = '" + CREATED + "'"
          + " AND status <> " + HELD.sql())) {
        ps.setObject(1, Store.toDb(now));
        ps.setString(2, caseNumber);
        ps.setString(3, reportId);
        ps.setString(4, agencyId);
        if (ps.executeUpdate() == 1) {
          // The agency's case number is its own reference, not the child's data: it proves who took the case on.
          audit.append(c, "report.acknowledged", "agency:" + agencyId, Map.of("report", reportId),
              Map.of("case_number", caseNumber), now);
          return Optional.of(new Acknowledgement(caseNumber, Store.fromDb(Store.toDb(now)), true)); // as stored
        }
      }
      try (var ps = c.prepareStatement("SELECT case_number, acknowledged_at FROM deliveries WHERE report_id = ? AND agency_id = ?"
          + " AND event_type = '" + CREATED + "' AND status <> " + HELD.sql())) {
        ps.setString(1, reportId);
        ps.setString(2, agencyId);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Acknowledgement(rs.getString(1),
              Store.fromDb(rs.getObject(2, LocalDateTime.class)), false)) : Optional.empty();
        }
      }
    });
  }

  public Optional<Delivery> find(String id) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  /** Deliveries of one agency (all when null), newest first, optionally of one status, before {@code beforeId}. */
  public List<Delivery> list(String agencyId, String status, String beforeId, int limit) {
    return store.read(c -> {
      var sql = new StringBuilder(SELECT + " WHERE 1 = 1");
      var args = new ArrayList<String>();
      if (agencyId != null) {
        sql.append(" AND agency_id = ? AND status <> ").append(HELD.sql()); // not sent to it yet: not its own yet
        args.add(agencyId);
      }
      if (status != null) {
        sql.append(" AND status = ?");
        args.add(status);
      }
      if (beforeId != null) {
        sql.append(" AND id < ?");
        args.add(beforeId);
      }
      sql.append(" ORDER BY id DESC LIMIT ").append(limit);
      try (var ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < args.size(); i++) {
          ps.setString(i + 1, args.get(i));
        }
        var out = new ArrayList<Delivery>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
        return out;
      }
    });
  }

  /** Deliveries of one report (to see which agencies got it). */
  public List<Delivery> forReport(String reportId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE report_id = ? ORDER BY agency_id")) {
        ps.setString(1, reportId);
        var out = new ArrayList<Delivery>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
        return out;
      }
    });
  }

  public List<Attempt> attempts(String deliveryId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT attempt, started_at, latency_ms, http_status, outcome, error"
          + " FROM delivery_attempts WHERE delivery_id = ? ORDER BY id")) {
        ps.setString(1, deliveryId);
        var out = new ArrayList<Attempt>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            var status = rs.getObject(4);
            out.add(new Attempt(rs.getInt(1), Store.fromDb(rs.getObject(2, LocalDateTime.class)), rs.getInt(3),
                status == null ? null : ((Number) status).intValue(), rs.getString(5), rs.getString(6)));
          }
        }
        return out;
      }
    });
  }

  /** Sends a delivery again from the start of the schedule (same webhook-id). */
  public boolean replay(String id, String actor, Instant now) {
    return store.inTransaction(c -> {
      try (var ps = c.prepareStatement("UPDATE deliveries SET status = " + PENDING.sql() + ", attempts = 0, next_attempt_at = ?"
          + " WHERE id = ? AND status <> " + HELD.sql())) {
        ps.setObject(1, Store.toDb(now));
        ps.setString(2, id);
        if (ps.executeUpdate() == 0) {
          return false;
        }
      }
      audit.append(c, "delivery.replayed", actor, Map.of("delivery", id), Map.of(), now);
      return true;
    });
  }

  /** Every dead letter of an agency (all agencies when null) goes back to the queue. Returns how many. */
  public int replayDead(String agencyId, String actor, Instant now) {
    return store.inTransaction(c -> {
      int n;
      try (var ps = c.prepareStatement("UPDATE deliveries SET status = " + PENDING.sql() + ", attempts = 0, next_attempt_at = ?"
          + " WHERE status = " + DEAD.sql() + (agencyId == null ? "" : " AND agency_id = ?"))) {
        ps.setObject(1, Store.toDb(now));
        if (agencyId != null) {
          ps.setString(2, agencyId);
        }
        n = ps.executeUpdate();
      }
      var refs = new HashMap<String, Object>();
      refs.put("agency", agencyId);
      audit.append(c, "delivery.replayed_dead", actor, refs, Map.of("count", n), now);
      return n;
    });
  }

  public int count(String status) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT COUNT(*) FROM deliveries WHERE status = ?")) {
        ps.setString(1, status);
        try (var rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  private static final String SELECT = "SELECT id, report_id, agency_id, rule_name, status, attempts, next_attempt_at,"
      + " last_status, last_error, created_at, delivered_at, acknowledged_at, case_number, event_type, report_version,"
      + " review_due_at FROM deliveries";

  private static Delivery row(ResultSet rs) throws SQLException {
    var last = rs.getObject(8);
    return new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getInt(6), Store.fromDb(rs.getObject(7, LocalDateTime.class)), last == null ? null : ((Number) last).intValue(),
        rs.getString(9), Store.fromDb(rs.getObject(10, LocalDateTime.class)),
        Store.fromDb(rs.getObject(11, LocalDateTime.class)), Store.fromDb(rs.getObject(12, LocalDateTime.class)),
        rs.getString(13), rs.getString(14), rs.getInt(15), Store.fromDb(rs.getObject(16, LocalDateTime.class)));
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 250 ? s : s.substring(0, 250);
  }
}
