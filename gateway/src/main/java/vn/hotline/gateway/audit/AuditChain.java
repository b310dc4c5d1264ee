package vn.hotline.gateway.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * Walks the audit chain and says whether it is intact: every event's hash recomputes, links to the one before,
 * and the sequence has no gap up to the recorded head. Events committed but not linked yet are linked first
 * ({@link AuditLinker}), so the verdict covers everything recorded until then. An anchor (a head exported earlier and kept elsewhere)
 * proves the chain was not rewritten from the start since.
 */
public final class AuditChain {
  /** The verdict: intact with {@code events} and the head, or the first problem found. */
  public record Result(boolean intact, long events, String headHash, long brokenAt, String problem) {}

  /** A head kept elsewhere: event {@code seq} had {@code hash}. */
  public record Anchor(long seq, String hash) {}

  private AuditChain() {}

  public static Result verify(DataSource ds, Anchor anchor) throws SQLException {
    AuditLinker.linkPending(ds);
    try (Connection c = ds.getConnection()) {
      long headSeq;
      String headHash;
      try (var st = c.createStatement(); var rs = st.executeQuery("SELECT seq, hash FROM audit_head WHERE id = 1")) {
        if (!rs.next()) {
          return new Result(false, 0, null, 0, "audit_head is missing");
        }
        headSeq = rs.getLong(1);
        headHash = rs.getString(2);
      }
      String prev = AuditLog.GENESIS;
      long expected = 1;
      boolean anchorSeen = anchor == null;
      // Only up to the head read above: a live gateway keeps appending while we walk.
      try (var ps = c.prepareStatement("SELECT seq, at, event_type, actor, refs, data, prev_hash, hash"
          + " FROM audit_events WHERE seq <= ? ORDER BY seq")) {
        ps.setLong(1, headSeq);
        ps.setFetchSize(1000);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            long seq = rs.getLong(1);
            if (seq != expected) {
              return new Result(false, expected - 1, null, expected,
                  "event " + expected + " is missing (next present is " + seq + ")");
            }
            var at = rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC);
            var storedPrev = rs.getString(7);
            var stored = rs.getString(8);
            if (!storedPrev.equals(prev)) {
              return new Result(false, seq - 1, null, seq, "event " + seq + " does not link to event " + (seq - 1));
            }
            var recomputed = AuditLog.hash(prev, seq, at, rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6));
            if (!recomputed.equals(stored)) {
              return new Result(false, seq - 1, null, seq, "event " + seq + " was changed after it was written");
            }
            if (anchor != null && seq == anchor.seq()) {
              if (!stored.equals(anchor.hash())) {
                return new Result(false, seq, null, seq, "event " + seq + " differs from the anchor kept elsewhere:"
                    + " the chain was rewritten");
              }
              anchorSeen = true;
            }
            prev = stored;
            expected++;
          }
        }
      }
      long last = expected - 1;
      if (last != headSeq || !prev.equals(headHash)) {
        return new Result(false, last, null, last + 1, "the chain ends at event " + last + " but the head says "
            + headSeq + ": events were removed from the end");
      }
      if (!anchorSeen) {
        return new Result(false, last, null, anchor.seq(), "the anchored event " + anchor.seq() + " is not in the chain");
      }
      return new Result(true, last, headHash, 0, null);
    }
  }
}
