package vn.hotline.gateway.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import javax.sql.DataSource;

/**
 * Gives committed, unlinked audit events their place in the hash chain: under the chain head's row lock it numbers
 * them in the order they were inserted, hashes each over the one before, and moves the head, up to {@link #BATCH}
 * events per transaction. Writers never take that lock ({@link AuditLog#append}), so a thousand new calls wait for
 * one linker's transaction instead of for each other. Any instance may link; the head row keeps one chain.
 */
public final class AuditLinker {
  /** Events linked per transaction. */
  public static final int BATCH = 1000;

  private AuditLinker() {}

  /** Links every event committed so far, in batches; returns how many were linked. */
  public static long linkPending(DataSource ds) throws SQLException {
    long total = 0;
    int n;
    do {
      n = linkBatch(ds, BATCH);
      total += n;
    } while (n == BATCH);
    return total;
  }

  /** One batch of at most {@code limit} events in one transaction; a cheap unlocked look first when none waits. */
  static int linkBatch(DataSource ds, int limit) throws SQLException {
    try (Connection c = ds.getConnection()) {
      try (var ps = c.prepareStatement("SELECT id FROM audit_events WHERE seq IS NULL LIMIT 1"); var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return 0;
        }
      }
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        int n = link(c, limit);
        c.commit();
        return n;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    }
  }

  private record Waiting(long id, LocalDateTime at, String type, String actor, String refs, String data) {}

  private static int link(Connection c, int limit) throws SQLException {
    long seq;
    String prev;
    try (var ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"); var rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("audit_head is missing: the schema was not migrated");
      }
      seq = rs.getLong(1);
      prev = rs.getString(2);
    }
    var waiting = new ArrayList<Waiting>();
    try (var ps = c.prepareStatement("SELECT id, at, event_type, actor, refs, data FROM audit_events"
        + " WHERE seq IS NULL ORDER BY id LIMIT ?")) {
      ps.setInt(1, limit);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          waiting.add(new Waiting(rs.getLong(1), rs.getObject(2, LocalDateTime.class), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6)));
        }
      }
    }
    if (waiting.isEmpty()) {
      return 0;
    }
    try (var ps = c.prepareStatement("UPDATE audit_events SET seq = ?, prev_hash = ?, hash = ? WHERE id = ? AND seq IS NULL")) {
      for (var w : waiting) {
        seq++;
        var hash = AuditLog.hash(prev, seq, w.at().toInstant(ZoneOffset.UTC), w.type(), w.actor(), w.refs(), w.data());
        ps.setLong(1, seq);
        ps.setString(2, prev);
        ps.setString(3, hash);
        ps.setLong(4, w.id());
        ps.addBatch();
        prev = hash;
      }
      for (int updated : ps.executeBatch()) {
        if (updated != 1 && updated != java.sql.Statement.SUCCESS_NO_INFO) {
          throw new SQLException("an audit event was linked by someone else while this linker held the head");
        }
      }
    }
    try (var ps = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
      ps.setLong(1, seq);
      ps.setString(2, prev);
      ps.executeUpdate();
    }
    return waiting.size();
  }
}
