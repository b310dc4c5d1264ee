package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;

/**
 * Counsellors' presence (available, busy, away; none stored means away) and whose a contact is. Every change is
 * an audit event with ids and words only. The presence word is the caller's ({@code operators.Presence}).
 */
public final class PresenceRepository {
  /** One signed-up operator's presence; {@code since} null when they never set one. */
  public record State(String operatorId, String login, String name, String role, String presence, Instant since,
      boolean disabled) {}

  /** An available operator who can be rung, longest available first; {@code phone} opened (personal data). */
  /** An Available counsellor's phone; {@code language}: their whisper's (vi, en), null for the flow's first. */
  public record Ringable(String operatorId, String phone, Instant since, String language) {
    @Override
    public String toString() {
      return "Ringable[" + operatorId + "]";
    }
  }

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public PresenceRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /** Sets the operator's presence (audited as {@code operator.presence}); false when there is no such operator. */
  public boolean set(String operatorId, String presence, String actor, Instant now) {
    return store.inTransaction(c -> {
      try (var ps = c.prepareStatement("SELECT id FROM operators WHERE id = ? AND disabled_at IS NULL FOR UPDATE")) {
        ps.setString(1, operatorId);
        if (!ps.executeQuery().next()) {
          return false;
        }
      }
      int updated;
      try (var ps = c.prepareStatement("UPDATE operator_presence SET status = ?, since = ? WHERE operator_id = ?")) {
        ps.setString(1, presence);
        ps.setObject(2, Store.toDb(now));
        ps.setString(3, operatorId);
        updated = ps.executeUpdate();
      }
      if (updated == 0) {
        try (var ps = c.prepareStatement("INSERT INTO operator_presence (operator_id, status, since) VALUES (?, ?, ?)")) {
          ps.setString(1, operatorId);
          ps.setString(2, presence);
          ps.setObject(3, Store.toDb(now));
          ps.executeUpdate();
        }
      }
      audit.append(c, "operator.presence", actor, Map.of("operator", operatorId), Map.of("presence", presence), now);
      return true;
    });
  }

  /** The operator's presence word, or empty when they never set one. */
  public Optional<String> of(String operatorId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT status FROM operator_presence WHERE operator_id = ?")) {
        ps.setString(1, operatorId);
        var rs = ps.executeQuery();
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
      }
    });
  }

  /** Every operator with their presence (null presence: never set), by name. */
  public List<State> all() {
    return store.read(c -> {
      var out = new ArrayList<State>();
      try (var ps = c.prepareStatement("SELECT o.id, o.login, o.name, o.role, p.status, p.since, o.disabled_at"
          + " FROM operators o LEFT JOIN operator_presence p ON p.operator_id = o.id ORDER BY o.name, o.id")) {
        var rs = ps.executeQuery();
        while (rs.next()) {
          var since = rs.getObject(6, LocalDateTime.class);
          out.add(new State(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              since == null ? null : Store.fromDb(since), rs.getObject(7) != null));
        }
      }
      return List.copyOf(out);
    });
  }

  /**
   * The operators who are {@code presence} (the word for available), not disabled, set up, with a phone, and not
   * now with a contact: longest in that state first.
   */
  public List<Ringable> ringable(String presence) {
    return store.read(c -> {
      var out = new ArrayList<Ringable>();
      try (var ps = c.prepareStatement("SELECT o.id, o.phone_sealed, p.since, o.language FROM operators o"
          + " JOIN operator_presence p ON p.operator_id = o.id"
          + " WHERE p.status = ? AND o.disabled_at IS NULL AND o.password_hash IS NOT NULL AND o.phone_sealed IS NOT NULL"
          + " AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.assigned_operator = o.id AND c.ended_at IS NULL)"
          + " ORDER BY p.since, o.id")) {
        ps.setString(1, presence);
        var rs = ps.executeQuery();
        while (rs.next()) {
          out.add(new Ringable(rs.getString(1), sealer.open(rs.getString(2)),
              Store.fromDb(rs.getObject(3, LocalDateTime.class)), rs.getString(4)));
        }
      }
      return List.copyOf(out);
    });
  }

  /**
   * Gives the contact to {@code operatorId} (the one who took it, or a supervisor's reassignment), audited as
   * {@code contact.assigned}; false when there is no such contact or operator.
   */
  public boolean assign(String contactId, String operatorId, String actor, Instant now) {
    return store.inTransaction(c -> assign(c, contactId, operatorId, actor, now));
  }

  /** {@link #assign} inside the caller's transaction. */
  public boolean assign(Connection c, String contactId, String operatorId, String actor, Instant now)
      throws SQLException {
    try (var ps = c.prepareStatement("SELECT id FROM operators WHERE id = ? AND disabled_at IS NULL")) {
      ps.setString(1, operatorId);
      if (!ps.executeQuery().next()) {
        return false;
      }
    }
    int updated;
    try (var ps = c.prepareStatement("UPDATE contacts SET assigned_operator = ?, assigned_at = ? WHERE id = ?")) {
      ps.setString(1, operatorId);
      ps.setObject(2, Store.toDb(now));
      ps.setString(3, contactId);
      updated = ps.executeUpdate();
    }
    if (updated == 1) {
      audit.append(c, "contact.assigned", actor, Map.of("contact", contactId, "operator", operatorId), Map.of(), now);
    }
    return updated == 1;
  }

  /** The contacts not yet ended assigned to the operator, oldest first (ids). */
  public List<String> openContactsOf(String operatorId) {
    return store.read(c -> {
      var out = new ArrayList<String>();
      try (var ps = c.prepareStatement("SELECT id FROM contacts WHERE assigned_operator = ? AND ended_at IS NULL"
          + " ORDER BY assigned_at, id")) {
        ps.setString(1, operatorId);
        var rs = ps.executeQuery();
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return List.copyOf(out);
    });
  }
}
