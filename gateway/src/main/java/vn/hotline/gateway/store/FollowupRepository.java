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
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.util.Ids;

/**
 * Follow-up tasks and their attempts, as rows; every change is an audit event with ids and codes (never a number).
 * A task names its contact: the number a callback needs is the contact's {@code caller_sealed}, kept or cleared
 * here as the layer above (followup.Followups) decides. Methods taking a {@link Connection} join the caller's
 * transaction.
 */
public final class FollowupRepository {
  /** Who a task change made by the gateway itself is audited as. */
  public static final String GATEWAY = "gateway";

  /**
   * A task with what the board shows of its contact: the reference read to the caller, the channel, and whether a
   * number to call back or reply to is still kept (never the number).
   */
  public record Task(String id, String contactId, String reference, Channel channel, String reportId,
      Followup.Kind kind, Followup.Priority priority, Followup.Status status, Instant createdAt, Instant dueAt,
      String assignedOperator, int attempts, Instant nextAttemptAt, Instant closedAt, Followup.Outcome outcome,
      boolean numberKept) {}

  /** One attempt: when, by which operator, what it found. */
  public record Attempt(String id, String taskId, Instant at, String operatorId, Followup.Result result) {}

  /** A task to create. */
  public record NewTask(String contactId, String reportId, Followup.Kind kind, Followup.Priority priority, Instant dueAt) {}

  private static final String SELECT = "SELECT t.id, t.contact_id, c.reference, c.channel, t.report_id, t.kind,"
      + " t.priority, t.status, t.created_at, t.due_at, t.assigned_operator, t.attempts, t.next_attempt_at,"
      + " t.closed_at, t.outcome, CASE WHEN c.caller_sealed IS NULL THEN 0 ELSE 1 END"
      + " FROM followup_tasks t JOIN contacts c ON c.id = t.contact_id";
  private static final String OPEN = "t.status IN (" + Followup.Status.OPEN.sql() + ", " + Followup.Status.IN_PROGRESS.sql() + ")";

  private final Store store;
  private final AuditLog audit;

  public FollowupRepository(Store store, AuditLog audit) {
    this.store = store;
    this.audit = audit;
  }

  // --- in the transaction that ends a contact ------------------------------------------------------------

  /** Whether the contact has a task already (the contact's end runs again on Twilio's status callback). */
  public boolean exists(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM followup_tasks WHERE contact_id = ?")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The id of the contact's report, if it made one. */
  public Optional<String> reportOf(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id FROM reports WHERE contact_id = ?")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Whether the contact's sealed number is still kept (a voice caller's only after they said a callback is safe). */
  public boolean callerNumberKept(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM contacts WHERE id = ? AND caller_sealed IS NOT NULL")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Creates a task; audited as followup.created. Returns its id. */
  public String insert(Connection c, NewTask t, Instant now) throws SQLException {
    var id = Ids.uuid7().toString();
    try (var ps = c.prepareStatement("INSERT INTO followup_tasks (id, contact_id, report_id, kind, priority, status,"
        + " due_at, created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
      ps.setString(1, id);
      ps.setString(2, t.contactId());
      ps.setString(3, t.reportId());
      ps.setString(4, t.kind().wire());
      ps.setString(5, t.priority().wire());
      ps.setString(6, Followup.Status.OPEN.wire());
      ps.setObject(7, Store.toDb(t.dueAt()));
      ps.setObject(8, Store.toDb(now));
      ps.executeUpdate();
    }
    var refs = new HashMap<String, Object>();
    refs.put("task", id);
    refs.put("contact", t.contactId());
    refs.put("report", t.reportId());
    audit.append(c, "followup.created", GATEWAY, refs, Map.of("kind", t.kind().wire(), "priority", t.priority().wire(),
        "due_at", t.dueAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString()), now);
    return id;
  }

  /**
   * Clears the contact's sealed number, if it is kept; audited as caller.number_released with {@code reason} (a
   * code) when there was one. Returns whether a number was cleared.
   */
  public boolean releaseCallerNumber(Connection c, String contactId, String reason, String actor, Instant now)
      throws SQLException {
    if (Store.update(c, "UPDATE contacts SET caller_sealed = NULL WHERE id = ? AND caller_sealed IS NOT NULL", contactId) == 0) {
      return false;
    }
    audit.append(c, "caller.number_released", actor, Map.of("contact", contactId), Map.of("reason", reason), now);
    return true;
  }

  // --- the board's reads ---------------------------------------------------------------------------------

  /** Tasks still to be done: urgent first, then the soonest due, then the oldest. */
  public List<Task> open() {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE " + OPEN + " ORDER BY CASE t.priority WHEN '"
          + Followup.Priority.URGENT.wire() + "' THEN 0 ELSE 1 END, t.due_at, t.created_at, t.id")) {
        return all(ps.executeQuery());
      }
    });
  }

  public Optional<Task> find(String id) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE t.id = ?")) {
        ps.setString(1, id);
        var found = all(ps.executeQuery());
        return found.isEmpty() ? Optional.<Task>empty() : Optional.of(found.getFirst());
      }
    });
  }

  /** The task of a contact, if it has one. */
  public Optional<Task> ofContact(String contactId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE t.contact_id = ?")) {
        ps.setString(1, contactId);
        var found = all(ps.executeQuery());
        return found.isEmpty() ? Optional.<Task>empty() : Optional.of(found.getFirst());
      }
    });
  }

  /** A task's attempts, oldest first. */
  public List<Attempt> attempts(String taskId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, task_id, at, operator_id, result FROM followup_attempts"
          + " WHERE task_id = ? ORDER BY at, id")) {
        ps.setString(1, taskId);
        try (var rs = ps.executeQuery()) {
          var out = new ArrayList<Attempt>();
          while (rs.next()) {
            out.add(new Attempt(rs.getString(1), rs.getString(2), Store.fromDb(rs.getObject(3, LocalDateTime.class)),
                rs.getString(4), Followup.Result.of(rs.getString(5))));
          }
          return List.copyOf(out);
        }
      }
    });
  }

  // --- changes, in the caller's transaction ----------------------------------------------------------------

  /** The task, locked until the transaction ends. */
  public Optional<Task> lock(Connection c, String id) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id FROM followup_tasks WHERE id = ? FOR UPDATE")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
      }
    }
    try (var ps = c.prepareStatement(SELECT + " WHERE t.id = ?")) {
      ps.setString(1, id);
      var found = all(ps.executeQuery());
      return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }
  }

  /** Whether an operator account with this id exists and is not disabled. */
  public boolean operatorActive(Connection c, String operatorId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM operators WHERE id = ? AND disabled_at IS NULL")) {
      ps.setString(1, operatorId);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Gives the task to {@code operatorId} (in progress); audited as followup.assigned with {@code actor}. */
  public void assign(Connection c, Task t, String operatorId, String actor, Instant now) throws SQLException {
    Store.update(c, "UPDATE followup_tasks SET assigned_operator = ?, status = ? WHERE id = ?", operatorId,
        Followup.Status.IN_PROGRESS.wire(), t.id());
    var data = new HashMap<String, Object>();
    data.put("previous", t.assignedOperator());
    audit.append(c, "followup.assigned", actor, Map.of("task", t.id(), "operator", operatorId), data, now);
  }

  /**
   * Records one attempt and the task's state after it: its attempt count, in progress, and when to try again (null:
   * any time); audited as followup.attempt. Closing the task is {@link #close}.
   */
  public void attempt(Connection c, Task t, String operatorId, Followup.Result result, Instant tryAgainAfter, Instant now)
      throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO followup_attempts (id, task_id, at, operator_id, result)"
        + " VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, Ids.uuid7().toString());
      ps.setString(2, t.id());
      ps.setObject(3, Store.toDb(now));
      ps.setString(4, operatorId);
      ps.setString(5, result.wire());
      ps.executeUpdate();
    }
    try (var ps = c.prepareStatement("UPDATE followup_tasks SET attempts = attempts + 1, status = ?, next_attempt_at = ?"
        + " WHERE id = ?")) {
      ps.setString(1, Followup.Status.IN_PROGRESS.wire());
      if (tryAgainAfter == null) {
        ps.setNull(2, java.sql.Types.TIMESTAMP);
      } else {
        ps.setObject(2, Store.toDb(tryAgainAfter));
      }
      ps.setString(3, t.id());
      ps.executeUpdate();
    }
    audit.append(c, "followup.attempt", operatorId, Map.of("task", t.id()),
        Map.of("result", result.wire(), "attempt", t.attempts() + 1), now);
  }

  /**
   * Closes the task with {@code status} and {@code outcome}; with {@code releaseNumber} the contact's sealed number
   * goes too (a callback's number is kept only for it). Audited as followup.closed (with whether a number went).
   */
  public void close(Connection c, Task t, Followup.Status status, Followup.Outcome outcome, boolean releaseNumber,
      String actor, Instant now) throws SQLException {
    close(c, audit, t.id(), t.contactId(), status, outcome, releaseNumber, actor, now);
  }

  private static void close(Connection c, AuditLog audit, String taskId, String contactId, Followup.Status status,
      Followup.Outcome outcome, boolean releaseNumber, String actor, Instant now) throws SQLException {
    Store.update(c, "UPDATE followup_tasks SET status = ?, outcome = ?, closed_at = ?, next_attempt_at = NULL"
        + " WHERE id = ?", status.wire(), outcome.wire(), now, taskId);
    boolean released = releaseNumber
        && Store.update(c, "UPDATE contacts SET caller_sealed = NULL WHERE id = ? AND caller_sealed IS NOT NULL", contactId) == 1;
    audit.append(c, "followup.closed", actor, Map.of("task", taskId, "contact", contactId),
        Map.of("status", status.wire(), "outcome", outcome.wire(), "number_released", released), now);
  }

  // --- for privacy.Retention, inside its transaction -----------------------------------------------------------

  /**
   * Closes every open callback or SMS reply task whose contact's number is gone (the retention purge cleared it):
   * closed_failed, number_purged, audited. Returns how many.
   */
  public static int closeWhereNumberPurged(Connection c, AuditLog audit, Instant now) throws SQLException {
    var ids = new ArrayList<String[]>();
    try (var ps = c.prepareStatement("SELECT t.id, t.contact_id FROM followup_tasks t WHERE " + OPEN + " AND t.kind IN ('"
        + Followup.Kind.CALLBACK.wire() + "', '" + Followup.Kind.SMS_REPLY.wire() + "') AND NOT EXISTS (SELECT 1 FROM"
        + " contacts c WHERE c.id = t.contact_id AND c.caller_sealed IS NOT NULL) ORDER BY t.id FOR UPDATE")) {
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    for (var t : ids) {
      close(c, audit, t[0], t[1], Followup.Status.CLOSED_FAILED, Followup.Outcome.NUMBER_PURGED, false, GATEWAY, now);
    }
    return ids.size();
  }

  /** Cancels the open tasks of an erased contact (erased, audited with {@code actor}). Returns how many. */
  public static int cancelForErasure(Connection c, AuditLog audit, String contactId, String actor, Instant now)
      throws SQLException {
    var ids = new ArrayList<String>();
    try (var ps = c.prepareStatement("SELECT t.id FROM followup_tasks t WHERE t.contact_id = ? AND " + OPEN + " FOR UPDATE")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    for (var id : ids) {
      close(c, audit, id, contactId, Followup.Status.CANCELLED, Followup.Outcome.ERASED, false, actor, now);
    }
    return ids.size();
  }

  private static List<Task> all(ResultSet rs) throws SQLException {
    try (rs) {
      var out = new ArrayList<Task>();
      while (rs.next()) {
        out.add(new Task(rs.getString(1), rs.getString(2), rs.getString(3), Channel.of(rs.getString(4)), rs.getString(5),
            Followup.Kind.of(rs.getString(6)), Followup.Priority.of(rs.getString(7)), Followup.Status.of(rs.getString(8)),
            Store.fromDb(rs.getObject(9, LocalDateTime.class)), Store.fromDb(rs.getObject(10, LocalDateTime.class)),
            rs.getString(11), rs.getInt(12), Store.fromDb(rs.getObject(13, LocalDateTime.class)),
            Store.fromDb(rs.getObject(14, LocalDateTime.class)), Followup.Outcome.find(rs.getString(15)), rs.getInt(16) == 1));
      }
      return List.copyOf(out);
    }
  }
}
