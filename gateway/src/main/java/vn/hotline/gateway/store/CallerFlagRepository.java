package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.util.Ids;

/**
 * Flags on caller pseudonyms (abusive or prank callers), as rows: set, cleared, expired. The reason is the
 * supervisor's free text and is sealed; every change is an audit event (ids and counts, never the pseudonym or
 * the reason). What a flag means for a call is decided above the store (callers.CallerFlags, voice).
 */
public final class CallerFlagRepository {
  /** Who cleared a flag that an erasure of its contact or caller cleared (cleared_by; audited with actor cli). */
  public static final String ERASURE = "erasure";

  /**
   * A flag as stored; {@code reason} opened. Once the flag has ended more than retention.caller_number_days ago,
   * or its contact or caller was erased, {@code pseudonym} is "" and {@code reason} null (purged).
   */
  public record Flag(String id, String pseudonym, String reference, String reason, String setBy, Instant setAt,
      Instant expiresAt, Instant clearedAt, String clearedBy, Instant expiredAt) {
    /** Neither cleared nor expired at {@code now}. */
    public boolean activeAt(Instant now) {
      return clearedAt == null && expiredAt == null && now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
      return "Flag[" + id + " ref=" + reference + " until " + expiresAt + "]";
    }
  }

  /** What changing an open flag needs to know of it (no pseudonym, no reason). */
  private record OpenFlag(String id, String reference, Instant expiresAt) {}

  private static final String COLUMNS = "id, pseudonym, reference, reason_sealed, set_by, set_at, expires_at,"
      + " cleared_at, cleared_by, expired_at";

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public CallerFlagRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /** The pseudonym of the caller of the contact with this reference, if that contact has one (not erased). */
  public Optional<String> pseudonymOfReference(String reference) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT caller_pseudonym FROM contacts WHERE reference = ?")) {
        ps.setString(1, reference);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /** Whether a contact has this reference at all (to tell "no such reference" from "no caller pseudonym"). */
  public boolean referenceExists(String reference) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT 1 FROM contacts WHERE reference = ?")) {
        ps.setString(1, reference);
        try (var rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  /**
   * Sets a flag on {@code pseudonym}; a flag it already has is replaced (cleared by the new one), so a caller has
   * one active flag at most. Audited as caller.flag.set (and caller.flag.cleared for the one replaced).
   */
  public Flag set(String pseudonym, String reference, String reason, String setBy, Instant expiresAt, Instant now) {
    var id = Ids.uuid7().toString();
    return store.inTransaction(c -> {
      for (var old : open(c, pseudonym)) {
        clear(c, old, "flag:" + id, now);
      }
      try (var ps = c.prepareStatement("INSERT INTO caller_flags (id, pseudonym, reference, reason_sealed, set_by,"
          + " set_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, pseudonym);
        ps.setString(3, reference);
        ps.setString(4, sealer.seal(reason));
        ps.setString(5, setBy);
        ps.setObject(6, Store.toDb(now));
        ps.setObject(7, Store.toDb(expiresAt));
        ps.executeUpdate();
      }
      var data = new HashMap<String, Object>();
      data.put("set_by", setBy);
      data.put("expires_at", expiresAt.toString());
      data.put("hours", java.time.Duration.between(now, expiresAt).toHours());
      audit.append(c, "caller.flag.set", actor(setBy), Map.of("flag", id, "reference", reference), data, now);
      return new Flag(id, pseudonym, reference, reason, setBy, now, expiresAt, null, null, null);
    });
  }

  /** Clears the open flags of {@code pseudonym} (audited as caller.flag.cleared); returns them, empty if none. */
  public List<Flag> clearAll(String pseudonym, String by, Instant now) {
    return store.inTransaction(c -> {
      var cleared = new ArrayList<Flag>();
      for (var f : open(c, pseudonym)) {
        if (f.expiresAt().isAfter(now)) {
          clear(c, f, by, now);
          cleared.add(f);
        } else {
          expire(c, f, now); // it had run out already: that is what happened to it, not a clearing
        }
      }
      return cleared;
    });
  }

  /**
   * The open flags (neither cleared nor expired yet) of one pseudonym, newest first, without a write; a caller
   * with no flag costs one indexed read.
   */
  public List<Flag> open(String pseudonym) {
    return store.read(c -> open(c, pseudonym));
  }

  /**
   * Records that these flags ran out (expired_at, audited caller.flag.expired once each): the first time the
   * gateway finds a flag past its expiry it applies that, so the audit trail says when a flag stopped counting.
   */
  public void applyExpiry(List<Flag> flags, Instant now) {
    if (flags.isEmpty()) {
      return;
    }
    store.inTransaction(c -> {
      for (var f : flags) {
        expire(c, f, now);
      }
      return null;
    });
  }

  /**
   * Applies the expiry of every open flag whose time is up at {@code now} (expired_at, caller.flag.expired once
   * each), whether or not its caller calls: the housekeeping job runs it, so the audit trail says when each flag
   * stopped counting to within a housekeeping interval. Returns how many expired.
   */
  public int expireDue(Instant now) {
    return store.inTransaction(c -> expireDue(c, audit, now));
  }

  /** {@link #expireDue(Instant)} inside {@code c}'s transaction (the retention purge runs it before it purges). */
  public static int expireDue(Connection c, AuditLog audit, Instant now) throws SQLException {
    int expired = 0;
    for (var f : openRows(c, "expires_at <= ?", now)) {
      if (expire(c, audit, f.id(), f.reference(), f.expiresAt(), now)) {
        expired++;
      }
    }
    return expired;
  }

  /**
   * For the erasure of the contact with {@code reference}: every open flag set from that reference or on
   * {@code pseudonym} (that contact's caller; may be null) is cleared by {@link #ERASURE} (caller.flag.cleared),
   * or marked expired if its time was up already, inside {@code c}'s transaction. Returns how many were cleared.
   * Purging the flags' pseudonym and reason is the caller's (privacy.Retention).
   */
  public static int clearForErasure(Connection c, AuditLog audit, String reference, String pseudonym, Instant now)
      throws SQLException {
    int cleared = 0;
    var open = pseudonym == null ? openRows(c, "reference = ?", reference)
        : openRows(c, "reference = ? OR pseudonym = ?", reference, pseudonym);
    for (var f : open) {
      if (f.expiresAt().isAfter(now)) {
        if (clear(c, audit, f.id(), f.reference(), ERASURE, now)) {
          cleared++;
        }
      } else {
        expire(c, audit, f.id(), f.reference(), f.expiresAt(), now); // it had run out already
      }
    }
    return cleared;
  }

  /** Every flag, newest first, including cleared and expired ones: the history an operator lists. */
  public List<Flag> all(int limit) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM caller_flags ORDER BY set_at DESC, id DESC")) {
        ps.setMaxRows(limit);
        return rows(ps.executeQuery());
      }
    });
  }

  private List<Flag> open(Connection c, String pseudonym) throws SQLException {
    try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM caller_flags WHERE pseudonym = ?"
        + " AND cleared_at IS NULL AND expired_at IS NULL ORDER BY set_at DESC, id DESC")) {
      ps.setString(1, pseudonym);
      return rows(ps.executeQuery());
    }
  }

  private void clear(Connection c, Flag f, String by, Instant now) throws SQLException {
    clear(c, audit, f.id(), f.reference(), by, now);
  }

  private void expire(Connection c, Flag f, Instant now) throws SQLException {
    expire(c, audit, f.id(), f.reference(), f.expiresAt(), now);
  }

  private static boolean clear(Connection c, AuditLog audit, String id, String reference, String by, Instant now)
      throws SQLException {
    if (Store.update(c, "UPDATE caller_flags SET cleared_at = ?, cleared_by = ? WHERE id = ? AND cleared_at IS NULL"
        + " AND expired_at IS NULL", now, by, id) == 1) {
      audit.append(c, "caller.flag.cleared", actor(by), Map.of("flag", id, "reference", reference),
          Map.of("cleared_by", by), now);
      return true;
    }
    return false;
  }

  private static boolean expire(Connection c, AuditLog audit, String id, String reference, Instant expiresAt,
      Instant now) throws SQLException {
    if (Store.update(c, "UPDATE caller_flags SET expired_at = ? WHERE id = ? AND cleared_at IS NULL"
        + " AND expired_at IS NULL", now, id) == 1) {
      audit.append(c, "caller.flag.expired", "gateway", Map.of("flag", id, "reference", reference),
          Map.of("expires_at", expiresAt.toString()), now);
      return true;
    }
    return false;
  }

  /** The audit actor: an operator by id, the CLI (and an erasure, run from it) as cli, a newer flag as gateway. */
  private static String actor(String by) {
    return by.equals("cli") || by.equals(ERASURE) ? "cli" : by.startsWith("flag:") ? "gateway" : "operator:" + by;
  }

  /** Id, reference and expiry of the open flags (neither cleared nor expired) that {@code where} selects. */
  private static List<OpenFlag> openRows(Connection c, String where, Object... args) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id, reference, expires_at FROM caller_flags WHERE cleared_at IS NULL"
        + " AND expired_at IS NULL AND (" + where + ") ORDER BY set_at, id")) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i] instanceof Instant t ? Store.toDb(t) : args[i]);
      }
      var out = new ArrayList<OpenFlag>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new OpenFlag(rs.getString(1), rs.getString(2), time(rs, 3)));
        }
      }
      return out;
    }
  }

  private List<Flag> rows(ResultSet rs) throws SQLException {
    try (rs) {
      var out = new ArrayList<Flag>();
      while (rs.next()) {
        out.add(new Flag(rs.getString(1), rs.getString(2), rs.getString(3), sealer.open(rs.getString(4)),
            rs.getString(5), time(rs, 6), time(rs, 7), time(rs, 8), rs.getString(9), time(rs, 10)));
      }
      return out;
    }
  }

  private static Instant time(ResultSet rs, int column) throws SQLException {
    return Store.fromDb(rs.getObject(column, LocalDateTime.class));
  }
}
