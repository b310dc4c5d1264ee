package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.contact.SessionStatus;

/**
 * What the counsellors' live board reads: the contacts in progress with where each one is, how many times the
 * same caller was seen before, and today's totals. Codes only (channel, node, intent, category), never a number,
 * a pseudonym or a caller's words: the board shows no personal data until a contact is opened.
 */
public final class BoardRepository {
  /**
   * One contact in progress. {@code nodeSince} is when it entered the node it is at (for a handoff node: since
   * when it has been waiting for a counsellor); {@code earlierContacts} counts the same caller's contacts before;
   * {@code assignedTo} is the operator whose contact it is (who took it, or a supervisor's reassignment).
   */
  public record Live(String contactId, String reference, String channel, String flowId, String nodeId,
      Map<String, String> codes, Instant startedAt, Instant nodeSince, int earlierContacts, Instant answeredAt,
      String answeredBy, String assignedTo) {}

  /** Counts since {@code since}: contacts started, reports made, urgent ones, contacts abandoned. */
  public record Totals(int contacts, int reports, int urgent, int abandoned) {}

  private final Store store;

  public BoardRepository(Store store) {
    this.store = store;
  }

  /**
   * Every contact not yet ended whose flow session is active, oldest first, each with how many earlier contacts its
   * caller made (one query, whatever the number of contacts on the board).
   */
  public List<Live> live() {
    return store.read(c -> {
      var live = new ArrayList<Live>();
      try (var ps = c.prepareStatement("SELECT c.id, c.reference, c.channel, s.flow_id, s.node_id, s.answers,"
          + " c.started_at, s.updated_at,"
          + " (SELECT COUNT(*) FROM contacts e WHERE e.caller_pseudonym = c.caller_pseudonym"
          + "   AND e.started_at < c.started_at AND e.erased_at IS NULL) AS earlier,"
          + " (SELECT MAX(st.at) FROM flow_steps st WHERE st.session_id = s.id AND st.node_id = s.node_id"
          + "   AND st.event = 'enter') AS entered, c.answered_at, c.answered_operator, c.assigned_operator"
          + " FROM contacts c JOIN flow_sessions s ON s.contact_id = c.id"
          + " WHERE c.ended_at IS NULL AND s.status = " + SessionStatus.ACTIVE.sql() + " ORDER BY c.started_at, c.id")) {
        var rs = ps.executeQuery();
        while (rs.next()) {
          var entered = rs.getObject(10, LocalDateTime.class);
          live.add(new Live(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              CardRepository.codes(rs.getString(6)), Store.fromDb(rs.getObject(7, LocalDateTime.class)),
              entered == null ? Store.fromDb(rs.getObject(8, LocalDateTime.class)) : Store.fromDb(entered), rs.getInt(9),
              rs.getObject(11) == null ? null : Store.fromDb(rs.getObject(11, LocalDateTime.class)), rs.getString(12),
              rs.getString(13)));
        }
      }
      return List.copyOf(live);
    });
  }

  /** Today's (or any period's) counts, from {@code since} on. */
  public Totals since(Instant since) {
    return store.read(c -> {
      int contacts = count(c, "SELECT COUNT(*) FROM contacts WHERE started_at >= ?", since);
      int reports = count(c, "SELECT COUNT(*) FROM reports WHERE received_at >= ?", since);
      int urgent = count(c, "SELECT COUNT(*) FROM reports WHERE received_at >= ? AND urgent = TRUE", since);
      int abandoned = count(c, "SELECT COUNT(*) FROM contacts WHERE started_at >= ? AND outcome = '" + Outcome.ABANDONED.wire() + "'", since);
      return new Totals(contacts, reports, urgent, abandoned);
    });
  }

  private static int count(Connection c, String sql, Instant since) throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      ps.setObject(1, Store.toDb(since));
      var rs = ps.executeQuery();
      rs.next();
      return rs.getInt(1);
    }
  }
}
