package vn.hotline.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.contact.SessionStatus;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.flow.StepEvent;
import vn.hotline.gateway.util.Ids;
import vn.hotline.gateway.util.Json;

/**
 * Contacts, their flow sessions and step history: the aggregate a webhook or an SMS reads and advances.
 * Methods taking a {@link Connection} join the caller's transaction (an SMS is processed, answered and marked
 * done in one); the others run their own.
 */
public final class SessionRepository {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SessionRepository.class);

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;
  private final OnClose onClose;

  /**
   * What happens, inside the closing transaction, when a contact gets its outcome: the domain step above the
   * store (delivery.ContactClosing: the report, if the contact makes one, and its deliveries).
   */
  @FunctionalInterface
  public interface OnClose {
    void closed(Connection c, ContactSession s, Outcome outcome, Instant now) throws SQLException;
  }

  public SessionRepository(Store store, Sealer sealer, AuditLog audit, OnClose onClose) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
    this.onClose = onClose;
  }

  public Optional<ContactSession> find(Channel channel, String providerRef) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE c.channel = ? AND c.provider_ref = ?")) {
        ps.setString(1, channel.wire());
        ps.setString(2, providerRef);
        return one(ps.executeQuery());
      }
    });
  }

  /** A contact with its session, by the contact's id (a counsellor's whisper names the contact it is about). */
  public Optional<ContactSession> findByContact(String contactId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE c.id = ?")) {
        ps.setString(1, contactId);
        return one(ps.executeQuery());
      }
    });
  }

  /** The open conversation of one caller on one channel, locked for this transaction. */
  public Optional<ContactSession> findActive(Connection c, Channel channel, String callerPseudonym) throws SQLException {
    try (var ps = c.prepareStatement(SELECT + " WHERE c.channel = ? AND c.caller_pseudonym = ? AND s.status = "
        + SessionStatus.ACTIVE.sql() + " ORDER BY c.started_at DESC FOR UPDATE")) {
      ps.setString(1, channel.wire());
      ps.setString(2, callerPseudonym);
      return one(ps.executeQuery());
    }
  }

  /**
   * Stores a new contact with its first step, in one transaction. A duplicate provider reference (the provider
   * retried the first webhook) or a reference already in use raises a duplicate-key {@link StoreException}.
   */
  public ContactSession create(NewContact n, FlowState state, List<StepEvent> events, Instant now) {
    return store.inGroup(c -> create(c, n, state, events, now)); // a new call's first step, with others'
  }

  public ContactSession create(Connection c, NewContact n, FlowState state, List<StepEvent> events, Instant now)
      throws SQLException {
    var created = insert(c, n, state, events, now);
    if (state.closed()) {
      closeContact(c, created, state.outcome(), null, now, false);
    }
    contactLine(log.atInfo(), created).log("contact started");
    return created;
  }

  /**
   * The statements of {@link #create} (the contact, its session, its first steps, their audit events) in a
   * transaction that is always rolled back, with no log line: the warm-up at startup (voice.WarmUp), so the first
   * real caller does not pay for a cold store path. Nothing stays but the ids an auto-increment column skipped.
   */
  public ContactSession rehearseCreate(NewContact n, FlowState state, List<StepEvent> events, Instant now) {
    return store.rolledBack(c -> insert(c, n, state, events, now));
  }

  private ContactSession insert(Connection c, NewContact n, FlowState state, List<StepEvent> events, Instant now)
      throws SQLException {
    var contactId = Ids.uuid7().toString();
    var sessionId = Ids.uuid7().toString();
    try (var ps = c.prepareStatement("INSERT INTO contacts (id, channel, provider_ref, reference, started_at,"
        + " caller_pseudonym, caller_sealed, sms_link) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, contactId);
      ps.setString(2, n.channel().wire());
      ps.setString(3, n.providerRef());
      ps.setString(4, n.reference());
      ps.setObject(5, Store.toDb(now));
      ps.setString(6, n.callerPseudonym());
      ps.setString(7, n.callerSealed());
      ps.setString(8, n.smsLink());
      ps.executeUpdate();
    }
    try (var ps = c.prepareStatement("INSERT INTO flow_sessions (id, contact_id, flow_id, node_id, language, attempts,"
        + " seq, answers, texts_sealed, path, outcome, status, version, created_at, updated_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 0, ?, ?)")) {
      ps.setString(1, sessionId);
      ps.setString(2, contactId);
      ps.setString(3, n.flowId());
      ps.setString(4, state.nodeId());
      ps.setString(5, state.language());
      ps.setInt(6, state.attempts());
      ps.setString(7, json(state.answers()));
      ps.setString(8, sealTexts(state.texts()));
      ps.setString(9, String.join(",", state.path()));
      ps.setString(10, wire(state.outcome()));
      ps.setString(11, SessionStatus.of(state.closed()).wire());
      ps.setObject(12, Store.toDb(now));
      ps.setObject(13, Store.toDb(now));
      ps.executeUpdate();
    }
    insertSteps(c, sessionId, 0, events, now);
    audit.append(c, "contact.received", actor(n.channel(), n.smsLink()), Map.of("contact", contactId, "session", sessionId),
        Map.of("channel", n.channel().wire(), "flow", n.flowId(), "reference", n.reference()), now);
    auditSteps(c, contactId, n.channel(), n.smsLink(), events, now);
    return new ContactSession(sessionId, contactId, n.channel(), n.providerRef(), n.reference(), n.flowId(), 0, 0,
        now, now, null, n.callerPseudonym(), n.callerSealed(), n.smsLink(), state);
  }

  /** What a contact's log lines carry: ids and the channel, never a number or a text. */
  private static org.slf4j.spi.LoggingEventBuilder contactLine(org.slf4j.spi.LoggingEventBuilder b, ContactSession s) {
    b = b.addKeyValue("channel", s.channel().wire()).addKeyValue("contact", s.contactId()).addKeyValue("reference", s.reference());
    if (s.channel() == Channel.VOICE) {
      b = b.addKeyValue("callSid", s.providerRef());
    }
    return s.smsLink() != null ? b.addKeyValue("link", s.smsLink()) : b;
  }

  /**
   * Applies one step if nobody else has since {@code before} was read. Returns false when another instance
   * (or a duplicate callback) got there first; the caller then re-reads and answers from the fresh state.
   * When the step closes the flow, the contact's outcome is written and {@link OnClose} runs in the same transaction.
   */
  public boolean advance(ContactSession before, FlowState after, List<StepEvent> events, Instant now) {
    return store.inGroup(c -> advance(c, before, after, events, now, null));
  }

  /**
   * {@link #advance} for the step at which a voice caller said that calling them back is safe: {@code callbackNumber}
   * (the number the call came from) is kept sealed on the contact in the same transaction, for the callback its end
   * owes (followup.Followups keeps it with the task, or clears it when no callback is made). Null: like advance.
   */
  public boolean advance(ContactSession before, FlowState after, List<StepEvent> events, Instant now, String callbackNumber) {
    return store.inGroup(c -> advance(c, before, after, events, now, callbackNumber));
  }

  public boolean advance(Connection c, ContactSession before, FlowState after, List<StepEvent> events, Instant now)
      throws SQLException {
    return advance(c, before, after, events, now, null);
  }

  private boolean advance(Connection c, ContactSession before, FlowState after, List<StepEvent> events, Instant now,
      String callbackNumber) throws SQLException {
    try (var ps = c.prepareStatement("UPDATE flow_sessions SET node_id = ?, language = ?, attempts = ?, answers = ?,"
        + " texts_sealed = ?, path = ?, outcome = ?, status = ?, seq = seq + 1, version = version + 1, updated_at = ?,"
        + " reminded_at = NULL WHERE id = ? AND version = ?")) {
      ps.setString(1, after.nodeId());
      ps.setString(2, after.language());
      ps.setInt(3, after.attempts());
      ps.setString(4, json(after.answers()));
      ps.setString(5, sealTexts(after.texts()));
      ps.setString(6, String.join(",", after.path()));
      ps.setString(7, wire(after.outcome()));
      ps.setString(8, SessionStatus.of(after.closed()).wire());
      ps.setObject(9, Store.toDb(now));
      ps.setString(10, before.sessionId());
      ps.setInt(11, before.version());
      if (ps.executeUpdate() == 0) {
        return false;
      }
    }
    insertSteps(c, before.sessionId(), before.seq() + 1, events, now);
    auditSteps(c, before.contactId(), before.channel(), before.smsLink(), events, now);
    if (callbackNumber != null) {
      Store.update(c, "UPDATE contacts SET caller_sealed = ? WHERE id = ? AND caller_sealed IS NULL",
          sealer.seal(callbackNumber), before.contactId());
    }
    if (after.closed()) {
      closeContact(c, before.advanced(after, now), after.outcome(), null, now, true);
    }
    return true;
  }

  /**
   * The contact is over (status callback, an expired or restarted conversation, a stale session swept). Closes
   * the session if the flow had not, records the provider's final status, and runs {@link OnClose} (the report,
   * if the flow had not written it already). {@code outcome} overrides the session's own (null: the session's,
   * else {@link Outcome#ABANDONED}).
   *
   * @return false when another writer changed the session first
   */
  public boolean end(ContactSession s, String endStatus, Instant now) {
    return store.inTransaction(c -> end(c, s, endStatus, null, now));
  }

  public boolean end(Connection c, ContactSession s, String endStatus, Outcome outcomeOverride, Instant now)
      throws SQLException {
    var state = s.state();
    var outcome = outcomeOverride != null ? outcomeOverride : state.outcome() != null ? state.outcome() : Outcome.ABANDONED;
    if (!state.closed()) {
      try (var ps = c.prepareStatement("UPDATE flow_sessions SET status = " + SessionStatus.CLOSED.sql() + ", outcome = ?,"
          + " version = version + 1, updated_at = ? WHERE id = ? AND version = ?")) {
        ps.setString(1, outcome.wire());
        ps.setObject(2, Store.toDb(now));
        ps.setString(3, s.sessionId());
        ps.setInt(4, s.version());
        if (ps.executeUpdate() == 0) {
          return false;
        }
      }
      insertSteps(c, s.sessionId(), s.seq(), List.of(StepEvent.of(state.nodeId(), "ended-" + outcome.wire())), now);
    }
    closeContact(c, s, outcome, endStatus, now, true);
    var data = new java.util.HashMap<String, Object>();
    data.put("outcome", outcome.wire());
    data.put("end_status", endStatus);
    audit.append(c, "contact.ended", actor(s.channel(), s.smsLink()), Map.of("contact", s.contactId()), data, now);
    return true;
  }

  private void auditSteps(Connection c, String contactId, Channel channel, String link, List<StepEvent> events,
      Instant now) throws SQLException {
    for (var e : events) {
      var data = new java.util.HashMap<String, Object>();
      data.put("node", e.nodeId());
      data.put("event", e.event());
      data.put("value", e.value()); // a menu key or a validated code, never free text (see StepEvent)
      audit.append(c, "flow.step", actor(channel, link), Map.of("contact", contactId), data, now);
    }
  }

  /** Who an SMS or a contact's audit events name: the channel's word, and the SMPP link after a colon. */
  static String actor(Channel channel, String link) {
    return link == null ? channel.wire() : channel.wire() + ":" + link;
  }

  private static String wire(Outcome outcome) {
    return outcome == null ? null : outcome.wire();
  }

  /** Marks that the reminder went out, so it is sent once per silence. */
  public void markReminded(Connection c, ContactSession s, Instant now) throws SQLException {
    try (var ps = c.prepareStatement("UPDATE flow_sessions SET reminded_at = ? WHERE id = ?")) {
      ps.setObject(1, Store.toDb(now));
      ps.setString(2, s.sessionId());
      ps.executeUpdate();
    }
  }

  private void closeContact(Connection c, ContactSession s, Outcome outcome, String endStatus, Instant now,
      boolean over) throws SQLException {
    var sql = over
        ? "UPDATE contacts SET outcome = ?, end_status = COALESCE(?, end_status), ended_at = COALESCE(ended_at, ?)"
            + " WHERE id = ?"
        : "UPDATE contacts SET outcome = ? WHERE id = ?";
    if (over) {
      try (var ps = c.prepareStatement("UPDATE contacts SET ended_at = ? WHERE id = ? AND ended_at IS NULL")) {
        ps.setObject(1, Store.toDb(now));
        ps.setString(2, s.contactId());
        if (ps.executeUpdate() == 1) { // the first end only: a repeated status callback is not another contact
          var line = contactLine(log.atInfo(), s).addKeyValue("outcome", wire(outcome))
              .addKeyValue("durationSeconds", java.time.Duration.between(s.startedAt(), now).toSeconds());
          (endStatus != null ? line.addKeyValue("endStatus", endStatus) : line).log("contact ended");
        }
      }
    }
    try (var ps = c.prepareStatement(sql)) {
      ps.setString(1, wire(outcome));
      if (over) {
        ps.setString(2, endStatus);
        ps.setObject(3, Store.toDb(now));
        ps.setString(4, s.contactId());
      } else {
        ps.setString(2, s.contactId());
      }
      ps.executeUpdate();
    }
    onClose.closed(c, s, outcome, now);
  }

  /** Active sessions on one of these channels not touched since {@code before}. */
  public List<ContactSession> idleSince(Set<Channel> channels, Instant before, int limit) {
    var words = channels.stream().map(Channel::wire).sorted().toList();
    return store.read(c -> {
      try (var ps = c.prepareStatement(SELECT + " WHERE s.status = " + SessionStatus.ACTIVE.sql() + " AND c.channel IN ("
          + String.join(", ", java.util.Collections.nCopies(words.size(), "?")) + ") AND s.updated_at < ?"
          + " ORDER BY s.updated_at")) {
        int i = 1;
        for (var w : words) {
          ps.setString(i++, w);
        }
        ps.setObject(i, Store.toDb(before));
        ps.setMaxRows(limit);
        return all(ps.executeQuery());
      }
    });
  }

  /** Re-reads a session inside a transaction, locked, to act on it (remind, expire) without racing a message. */
  public Optional<ContactSession> lock(Connection c, String sessionId) throws SQLException {
    try (var ps = c.prepareStatement(SELECT + " WHERE s.id = ? FOR UPDATE")) {
      ps.setString(1, sessionId);
      return one(ps.executeQuery());
    }
  }

  public int countActive() {
    return store.read(c -> {
      try (var st = c.createStatement();
          var rs = st.executeQuery("SELECT COUNT(*) FROM flow_sessions WHERE status = " + SessionStatus.ACTIVE.sql())) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  /** The step history of a session, oldest first, as (node, event, value). */
  public List<StepEvent> steps(String sessionId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(
          "SELECT node_id, event, step_value FROM flow_steps WHERE session_id = ? ORDER BY id")) {
        ps.setString(1, sessionId);
        try (var rs = ps.executeQuery()) {
          var out = new ArrayList<StepEvent>();
          while (rs.next()) {
            out.add(new StepEvent(rs.getString(1), rs.getString(2), rs.getString(3)));
          }
          return out;
        }
      }
    });
  }

  private static void insertSteps(Connection c, String sessionId, int seq, List<StepEvent> events, Instant now)
      throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    try (var ps = c.prepareStatement(
        "INSERT INTO flow_steps (session_id, seq, node_id, event, step_value, at) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (var e : events) {
        ps.setString(1, sessionId);
        ps.setInt(2, seq);
        ps.setString(3, e.nodeId());
        ps.setString(4, e.event());
        ps.setString(5, e.value());
        ps.setObject(6, Store.toDb(now));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static final String SELECT = "SELECT s.id, c.id, c.channel, c.provider_ref, c.reference, s.flow_id, s.seq,"
      + " s.version, c.started_at, s.node_id, s.language, s.attempts, s.answers, s.path, s.outcome, s.status,"
      + " s.texts_sealed, s.updated_at, s.reminded_at, c.caller_pseudonym, c.caller_sealed, c.sms_link"
      + " FROM flow_sessions s JOIN contacts c ON c.id = s.contact_id";

  private Optional<ContactSession> one(ResultSet rs) throws SQLException {
    try (rs) {
      return rs.next() ? Optional.of(row(rs)) : Optional.empty();
    }
  }

  private List<ContactSession> all(ResultSet rs) throws SQLException {
    try (rs) {
      var out = new ArrayList<ContactSession>();
      while (rs.next()) {
        out.add(row(rs));
      }
      return out;
    }
  }

  private ContactSession row(ResultSet rs) throws SQLException {
    var path = rs.getString(14);
    var state = new FlowState(rs.getString(10), rs.getString(11), rs.getInt(12), map(rs.getString(13)),
        openTexts(rs.getString(17)), path.isEmpty() ? List.of() : Arrays.asList(path.split(",")),
        Outcome.find(rs.getString(15)), SessionStatus.CLOSED.wire().equals(rs.getString(16)));
    return new ContactSession(rs.getString(1), rs.getString(2), Channel.of(rs.getString(3)), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getInt(7), rs.getInt(8), Store.fromDb(rs.getObject(9, LocalDateTime.class)),
        Store.fromDb(rs.getObject(18, LocalDateTime.class)), Store.fromDb(rs.getObject(19, LocalDateTime.class)),
        rs.getString(20), rs.getString(21), rs.getString(22), state);
  }

  private String sealTexts(Map<String, String> texts) {
    return texts.isEmpty() ? null : sealer.seal(json(texts));
  }

  private Map<String, String> openTexts(String sealed) {
    return sealed == null ? Map.of() : map(sealer.open(sealed));
  }

  static String json(Object value) {
    try {
      return Json.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> map(String json) {
    try {
      return Json.JSON.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new StoreException("flow_sessions.answers is not JSON: " + e.getOriginalMessage());
    }
  }
}
