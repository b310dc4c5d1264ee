package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.util.Ids;
import vn.hotline.gateway.util.Wire;

/**
 * The calls counsellors make to keep a callback task ("Call back" on the console), as rows of followup_calls; each
 * start and end is an audit event with ids and codes. What a call means for its task is decided above
 * (followup.Callbacks); here a call ends once ({@link #end}: Twilio retries its webhooks). The number a callback
 * dials is the contact's {@code caller_sealed}, opened by {@link #callerNumber} for the TwiML only. Methods taking
 * a {@link Connection} join the caller's transaction.
 */
public final class CallbackRepository {
  /** Where a call is. */
  public enum State {
    /** Twilio was asked to ring the counsellor's phone. */
    CALLING("calling"),
    /** The counsellor picked up and hears the whisper (press 1 to call). */
    COUNSELLOR_ANSWERED("counsellor_answered"),
    /** The counsellor pressed 1: the child's phone rings, or they talk. */
    DIALLING("dialling"),
    /** Over, with its {@link Result}. */
    ENDED("ended");

    private final String wire;

    State(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static State of(String wire) {
      return Wire.of(values(), State::wire, wire, "callback call state");
    }
  }

  /** How a call ended. Only {@link #REACHED} and {@link #NO_ANSWER} are attempts on the child. */
  public enum Result {
    REACHED("reached"),
    /** The child's phone was not answered (busy, failed, no answer, or a machine picked up). */
    NO_ANSWER("no_answer"),
    /** The counsellor's own phone was not answered, or they did not press 1: the child was not called. */
    COUNSELLOR_MISSED("counsellor_missed"),
    /** Twilio refused or could not be reached: nobody was called. */
    NOT_STARTED("not_started"),
    /** The task was closed (or its number gone) before the child was called. */
    TASK_CLOSED("task_closed");

    private final String wire;

    Result(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static Result find(String wire) {
      for (var r : values()) {
        if (r.wire.equals(wire)) {
          return r;
        }
      }
      return null;
    }
  }

  /** One call; {@code callSid} is the counsellor's call at Twilio (null until Twilio answered the request). */
  public record Call(String id, String taskId, String operatorId, String lang, String callSid, State state,
      String answeredBy, Result result, Instant createdAt, Instant endedAt) {}

  private static final String SELECT = "SELECT id, task_id, operator_id, lang, call_sid, state, answered_by, result,"
      + " created_at, ended_at FROM followup_calls";

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public CallbackRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /** Whether a call of this task, started after {@code since}, has not ended. */
  public boolean inProgress(Connection c, String taskId, Instant since) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM followup_calls WHERE task_id = ? AND state <> ? AND created_at > ?")) {
      ps.setString(1, taskId);
      ps.setString(2, State.ENDED.wire());
      ps.setObject(3, Store.toDb(since));
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** A new call (calling); audited as followup.callback_requested by the operator. Returns its id. */
  public String insert(Connection c, String taskId, String operatorId, String lang, Instant now) throws SQLException {
    var id = Ids.uuid7().toString();
    Store.update(c, "INSERT INTO followup_calls (id, task_id, operator_id, lang, state, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        id, taskId, operatorId, lang, State.CALLING.wire(), now);
    audit.append(c, "followup.callback_requested", operatorId, Map.of("task", taskId, "call", id, "operator", operatorId),
        Map.of(), now);
    return id;
  }

  /** Twilio took the request: the counsellor's call SID. */
  public void started(String id, String callSid) {
    store.inTransaction(c -> Store.update(c, "UPDATE followup_calls SET call_sid = ? WHERE id = ?", callSid, id));
  }

  /** The call, locked until the transaction ends. */
  public Optional<Call> lock(Connection c, String id) throws SQLException {
    try (var ps = c.prepareStatement(SELECT + " WHERE id = ? FOR UPDATE")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(call(rs)) : Optional.empty();
      }
    }
  }

  public Optional<Call> find(String id) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(call(rs)) : Optional.<Call>empty();
        }
      }
    });
  }

  /** The task's latest call, if any. */
  public Optional<Call> latest(String taskId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE task_id = ? ORDER BY created_at DESC, id DESC")) {
        ps.setMaxRows(1);
        ps.setString(1, taskId);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(call(rs)) : Optional.<Call>empty();
        }
      }
    });
  }

  /** Moves a call that has not ended on; a call SID learnt from a webhook fills one still unknown. */
  public void state(Connection c, Call call, State state, String callSid) throws SQLException {
    Store.update(c, "UPDATE followup_calls SET state = ?, call_sid = COALESCE(call_sid, ?) WHERE id = ? AND state <> ?",
        state.wire(), callSid, call.id(), State.ENDED.wire());
  }

  /** What answered the child's leg, as Twilio's answering-machine detection says (a code). */
  public void answeredBy(Connection c, Call call, String code) throws SQLException {
    Store.update(c, "UPDATE followup_calls SET answered_by = ? WHERE id = ?", code, call.id());
  }

  /**
   * Ends a call with {@code result}, once: false when it had ended already (a webhook Twilio sent again). Audited as
   * followup.callback_ended (the result, and what answered the child's leg when known).
   */
  public boolean end(Connection c, Call call, Result result, Instant now) throws SQLException {
    if (Store.update(c, "UPDATE followup_calls SET state = ?, result = ?, ended_at = ? WHERE id = ? AND state <> ?",
        State.ENDED.wire(), result.wire(), now, call.id(), State.ENDED.wire()) == 0) {
      return false;
    }
    var data = new HashMap<String, Object>();
    data.put("result", result.wire());
    if (call.answeredBy() != null) {
      data.put("answered_by", call.answeredBy());
    }
    audit.append(c, "followup.callback_ended", FollowupRepository.GATEWAY, Map.of("task", call.taskId(), "call", call.id()),
        data, now);
    return true;
  }

  /**
   * The number kept sealed on the contact, opened: personal data, for the TwiML that dials it only (never a page, a
   * log line or an audit event). Null when it is no longer kept.
   */
  public String callerNumber(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT caller_sealed FROM contacts WHERE id = ?")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return null;
        }
        return sealer.open(rs.getString(1));
      }
    }
  }

  private static Call call(ResultSet rs) throws SQLException {
    return new Call(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        State.of(rs.getString(6)), rs.getString(7), Result.find(rs.getString(8)),
        Store.fromDb(rs.getObject(9, LocalDateTime.class)), Store.fromDb(rs.getObject(10, LocalDateTime.class)));
  }
}
