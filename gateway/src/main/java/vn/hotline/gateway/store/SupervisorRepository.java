package vn.hotline.gateway.store;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;

/**
 * What the supervisor view reads beyond the live board: the contacts not ended that are assigned to someone, whether a
 * contact is still open, and the calls abandoned before reaching anyone. Ids, references, codes and times only:
 * never a number, a pseudonym or a caller's words. Which flow nodes are handoffs is decided above the store and
 * handed in.
 */
public final class SupervisorRepository {
  /** A contact not ended that is assigned to an operator (the one who took it, or whom a supervisor chose). */
  public record Assigned(String contactId, String reference, String channel, String operatorId, Instant assignedAt,
      Instant startedAt) {}

  /**
   * A call that reached a handoff where phones rang (or it was queued) and ended, hung up, without anyone
   * answering: {@code reachedHandoffAt} is when it first entered such a handoff.
   */
  public record Abandoned(String contactId, String reference, Instant startedAt, Instant reachedHandoffAt,
      Instant endedAt) {}

  /** What a reassignment did: done, or why not; the contact's reference when there is such a contact. */
  public record Reassignment(Result result, String reference) {
    public enum Result { DONE, NO_CONTACT, ENDED, NO_OPERATOR }
  }

  /** Step events at a handoff that mean nobody was rung there (outside opening hours, a flagged caller). */
  static final List<String> RANG_NOBODY = List.of("closed-hours", "caller-flagged");

  private final Store store;

  public SupervisorRepository(Store store) {
    this.store = store;
  }

  /** Every contact not ended with an assigned operator, oldest assignment first. */
  public List<Assigned> assignedOpen() {
    return store.read(c -> {
      var out = new ArrayList<Assigned>();
      try (var ps = c.prepareStatement("SELECT id, reference, channel, assigned_operator, assigned_at, started_at"
          + " FROM contacts WHERE assigned_operator IS NOT NULL AND ended_at IS NULL ORDER BY assigned_at, id");
          var rs = ps.executeQuery()) {
        while (rs.next()) {
          var at = rs.getObject(5, LocalDateTime.class);
          out.add(new Assigned(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              at == null ? null : Store.fromDb(at), Store.fromDb(rs.getObject(6, LocalDateTime.class))));
        }
      }
      return List.copyOf(out);
    });
  }

  /**
   * Gives a contact not ended to {@code operatorId} in one transaction (the contact's row locked, so it cannot end
   * in between): {@link PresenceRepository#assign}, audited as {@code contact.assigned} with {@code actor}.
   */
  public Reassignment reassign(PresenceRepository presence, String contactId, String operatorId, String actor,
      Instant now) {
    return store.inTransaction(c -> {
      String reference;
      try (var ps = c.prepareStatement("SELECT reference, ended_at FROM contacts WHERE id = ? FOR UPDATE")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return new Reassignment(Reassignment.Result.NO_CONTACT, null);
          }
          reference = rs.getString(1);
          if (rs.getObject(2) != null) {
            return new Reassignment(Reassignment.Result.ENDED, reference);
          }
        }
      }
      return new Reassignment(presence.assign(c, contactId, operatorId, actor, now)
          ? Reassignment.Result.DONE : Reassignment.Result.NO_OPERATOR, reference);
    });
  }

  /**
   * Voice calls started since {@code since} that entered one of {@code handoffs} (flow id to its handoff node ids)
   * where someone was rung or the call was queued, then ended abandoned (the caller hung up, or the call was closed
   * as stale) with nobody having answered: newest first, at most {@code limit}.
   */
  public List<Abandoned> abandonedBeforeAnyone(Instant since, Map<String, Set<String>> handoffs, int limit) {
    var pairs = new ArrayList<String[]>();
    handoffs.forEach((flow, nodes) -> nodes.forEach(n -> pairs.add(new String[] {flow, n})));
    if (pairs.isEmpty()) {
      return List.of();
    }
    var where = new StringBuilder();
    for (int i = 0; i < pairs.size(); i++) {
      where.append(i == 0 ? "" : " OR ").append("(s.flow_id = ? AND st.node_id = ?)");
    }
    var sql = "SELECT c.id, c.reference, c.started_at, c.ended_at, MIN(st.at) FROM contacts c"
        + " JOIN flow_sessions s ON s.contact_id = c.id JOIN flow_steps st ON st.session_id = s.id"
        + " WHERE c.started_at >= ? AND c.channel = ? AND c.ended_at IS NOT NULL AND c.outcome = ?"
        + " AND c.answered_at IS NULL AND st.event = 'enter' AND (" + where + ")"
        + " AND NOT EXISTS (SELECT 1 FROM flow_steps x WHERE x.session_id = s.id AND x.node_id = st.node_id"
        + "   AND x.event IN ('" + String.join("', '", RANG_NOBODY) + "'))"
        + " GROUP BY c.id, c.reference, c.started_at, c.ended_at ORDER BY c.started_at DESC, c.id DESC";
    return store.read(c -> {
      try (var ps = c.prepareStatement(sql)) {
        int i = 1;
        ps.setObject(i++, Store.toDb(since));
        ps.setString(i++, Channel.VOICE.wire());
        ps.setString(i++, Outcome.ABANDONED.wire());
        for (var p : pairs) {
          ps.setString(i++, p[0]);
          ps.setString(i++, p[1]);
        }
        ps.setMaxRows(Math.max(1, limit));
        var out = new ArrayList<Abandoned>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Abandoned(rs.getString(1), rs.getString(2), time(rs.getObject(3, LocalDateTime.class)),
                time(rs.getObject(5, LocalDateTime.class)), time(rs.getObject(4, LocalDateTime.class))));
          }
        }
        return List.copyOf(out);
      }
    });
  }

  private static Instant time(LocalDateTime t) {
    return t == null ? null : Store.fromDb(t);
  }
}
