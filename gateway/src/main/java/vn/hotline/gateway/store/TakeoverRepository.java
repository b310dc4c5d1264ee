package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.OutboundStatus;
import vn.hotline.gateway.contact.SessionStatus;
import vn.hotline.gateway.util.Ids;

/**
 * SMS conversations a counsellor has taken over (sms_takeovers): which contact, who, since when, handed back or
 * closed when and by whom; and a conversation's transcript, opened for one operator and audited in the same
 * transaction. Rows and audit events carry ids, codes and times only, never a text or a number. It decides nothing:
 * whether a contact may be taken over, and what a texter's message does meanwhile, is sms.SmsTakeovers' and
 * sms.SmsConversations'.
 */
public final class TakeoverRepository {
  /** Why a takeover ended (sms_takeovers.end_reason). */
  public static final String HANDED_BACK = "handed_back";
  public static final String CLOSED = "closed";

  /** An SMS contact as a takeover needs it; {@code activeSessionId} null when its flow session is closed. */
  public record Conversation(String contactId, String reference, Channel channel, String link, String pseudonym,
      String sealedNumber, Instant startedAt, Instant endedAt, boolean erased, String activeSessionId, String language) {
    @Override
    public String toString() {
      return "Conversation[" + contactId + " " + channel + "]"; // no number, no pseudonym
    }
  }

  /** One takeover; {@code endedAt} null while it is open. */
  public record Takeover(String id, String contactId, String operatorId, Instant startedAt, Instant endedAt,
      String endedBy, String endReason) {
    public boolean open() {
      return endedAt == null;
    }
  }

  /** Who wrote one line of a transcript. */
  public enum From { TEXTER, HOTLINE, COUNSELLOR }

  /**
   * One SMS of the conversation, in order: {@code status} the outgoing one's (queued, sent, delivered...), null for
   * a received one; {@code operatorId} who wrote a counsellor's reply; {@code id} the row's (UUIDv7: in the order
   * made, which orders two lines of the same millisecond).
   */
  public record Line(From from, String text, Instant at, OutboundStatus status, String operatorId, String id) {}

  /** What the conversation page shows: the texts opened (audited), its takeovers (latest first), the opt-out. */
  public record Transcript(Conversation conversation, List<Line> lines, List<Takeover> takeovers, boolean optedOut,
      Instant optOutChangedAt) {
    public Optional<Takeover> open() {
      return takeovers.stream().filter(Takeover::open).findFirst();
    }
  }

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public TakeoverRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  // --- in the caller's transaction -------------------------------------------------------------------------

  /** The contact, its row locked for this transaction; empty when there is none. */
  public Optional<Conversation> lock(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id FROM contacts WHERE id = ? FOR UPDATE")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
      }
    }
    return conversation(c, contactId);
  }

  private Optional<Conversation> conversation(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT c.id, c.reference, c.channel, c.sms_link, c.caller_pseudonym,"
        + " c.caller_sealed, c.started_at, c.ended_at, c.erased_at, s.id, s.status, s.language"
        + " FROM contacts c LEFT JOIN flow_sessions s ON s.contact_id = c.id WHERE c.id = ?")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var active = SessionStatus.ACTIVE.wire().equals(rs.getString(11)) ? rs.getString(10) : null;
        var sealed = rs.getString(6);
        return Optional.of(new Conversation(rs.getString(1), rs.getString(2), Channel.of(rs.getString(3)),
            rs.getString(4), rs.getString(5), sealed == null || sealed.isEmpty() ? null : sealed, at(rs, 7), at(rs, 8),
            rs.getObject(9) != null, active, rs.getString(12)));
      }
    }
  }

  /** The open takeover of a contact, if any. */
  public Optional<Takeover> openOf(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM sms_takeovers WHERE contact_id = ? AND ended_at IS NULL"
        + " ORDER BY started_at DESC, id DESC")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(takeover(rs)) : Optional.empty();
      }
    }
  }

  /**
   * The conversation a counsellor has taken over from this texter on this channel, if any (the newest, should there
   * be two): their messages go to it.
   */
  public Optional<Conversation> takenOverFrom(Connection c, Channel channel, String pseudonym) throws SQLException {
    String contactId;
    try (var ps = c.prepareStatement("SELECT t.contact_id FROM sms_takeovers t JOIN contacts c ON c.id = t.contact_id"
        + " WHERE t.ended_at IS NULL AND c.channel = ? AND c.caller_pseudonym = ? ORDER BY t.started_at DESC, t.id DESC"
        + " FOR UPDATE")) { // a locking read: a takeover committed a moment ago is seen, one under way is waited for
      ps.setString(1, channel.wire());
      ps.setString(2, pseudonym);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        contactId = rs.getString(1);
      }
    }
    return conversation(c, contactId);
  }

  /** Records that {@code operatorId} took the contact over (audited sms.taken_over); returns the takeover's id. */
  public String start(Connection c, String contactId, String operatorId, Instant now) throws SQLException {
    var id = Ids.uuid7().toString();
    Store.update(c, "INSERT INTO sms_takeovers (id, contact_id, operator_id, started_at) VALUES (?, ?, ?, ?)", id,
        contactId, operatorId, now);
    audit.append(c, "sms.taken_over", "operator:" + operatorId, Map.of("contact", contactId, "takeover", id),
        Map.of("operator", operatorId), now);
    return id;
  }

  /** Ends an open takeover ({@link #HANDED_BACK} or {@link #CLOSED}), audited sms.handed_back or sms.closed. */
  public void end(Connection c, Takeover t, String reason, String operatorId, Instant now) throws SQLException {
    Store.update(c, "UPDATE sms_takeovers SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
        now, operatorId, reason, t.id());
    audit.append(c, HANDED_BACK.equals(reason) ? "sms.handed_back" : "sms.closed", "operator:" + operatorId,
        Map.of("contact", t.contactId(), "takeover", t.id()), Map.of("operator", operatorId, "taken_by", t.operatorId()),
        now);
  }

  /** Audits a counsellor's reply queued (sms.reply_sent): ids and the number of parts, never the text. */
  public void replyQueued(Connection c, Takeover t, String outboundId, int parts, String operatorId, Instant now)
      throws SQLException {
    audit.append(c, "sms.reply_sent", "operator:" + operatorId,
        Map.of("contact", t.contactId(), "takeover", t.id(), "outbound", outboundId),
        Map.of("operator", operatorId, "parts", parts), now);
  }

  /** Whether this texter asked for no messages (STOP and the flow's other opt-out words). */
  public static boolean optedOut(Connection c, String pseudonym) throws SQLException {
    if (pseudonym == null) {
      return false;
    }
    // a locking read: the latest committed answer, whatever this transaction read before
    try (var ps = c.prepareStatement("SELECT opted_out FROM sms_opt_outs WHERE pseudonym = ? FOR UPDATE")) {
      ps.setString(1, pseudonym);
      try (var rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  // --- on their own ----------------------------------------------------------------------------------------

  /** The contact as a takeover sees it, without its texts. */
  public Optional<Conversation> conversation(String contactId) {
    return store.read(c -> conversation(c, contactId));
  }

  /** The open takeover of a contact, if any. */
  public Optional<Takeover> openOf(String contactId) {
    return store.read(c -> openOf(c, contactId));
  }

  /**
   * The conversation's transcript opened for {@code operatorId}, recorded in the same transaction
   * (personal_data.viewed, view sms_transcript, with the contact and the operator, never the data). Empty when
   * there is no such contact.
   */
  public Optional<Transcript> transcript(String contactId, String operatorId, Instant now) {
    return store.inTransaction(c -> {
      var conv = conversation(c, contactId);
      if (conv.isEmpty()) {
        return Optional.<Transcript>empty();
      }
      var v = conv.get();
      var lines = v.erased() ? List.<Line>of() : lines(c, v, now);
      Instant changed = null;
      boolean optedOut = false;
      if (v.pseudonym() != null) {
        try (var ps = c.prepareStatement("SELECT opted_out, changed_at FROM sms_opt_outs WHERE pseudonym = ?")) {
          ps.setString(1, v.pseudonym());
          try (var rs = ps.executeQuery()) {
            if (rs.next()) {
              optedOut = rs.getBoolean(1);
              changed = at(rs, 2);
            }
          }
        }
      }
      audit.append(c, "personal_data.viewed", "operator:" + operatorId, Map.of("contact", contactId),
          Map.of("operator", operatorId, "view", "sms_transcript"), now);
      return Optional.of(new Transcript(v, lines, takeovers(c, contactId), optedOut, changed));
    });
  }

  /**
   * A cheap fingerprint of what the transcript would show (how many texts each way, the replies' statuses, the
   * takeovers, the opt-out), read without opening anything: a page asks again only when it changed.
   */
  public String stamp(String contactId) {
    return store.read(c -> {
      var b = new StringBuilder();
      try (var ps = c.prepareStatement("SELECT COUNT(*) FROM sms_inbound WHERE contact_id = ?")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          rs.next();
          b.append(rs.getInt(1));
        }
      }
      try (var ps = c.prepareStatement("SELECT status FROM sms_outbound WHERE contact_id = ? ORDER BY created_at, id")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            b.append(',').append(rs.getString(1));
          }
        }
      }
      try (var ps = c.prepareStatement("SELECT id, ended_at FROM sms_takeovers WHERE contact_id = ? ORDER BY started_at, id")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            b.append(';').append(rs.getString(1)).append(rs.getObject(2) == null ? "+" : "-");
          }
        }
      }
      try (var ps = c.prepareStatement("SELECT o.opted_out FROM sms_opt_outs o JOIN contacts c ON c.caller_pseudonym = o.pseudonym"
          + " WHERE c.id = ?")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          b.append(rs.next() && rs.getBoolean(1) ? "|stop" : "|");
        }
      }
      try {
        var digest = java.security.MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(
            java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest, 0, 12);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private List<Line> lines(Connection c, Conversation v, Instant now) throws SQLException {
    var out = new ArrayList<Line>();
    // Messages processed since V15 name their contact; older ones are found by the texter and the contact's time.
    var sql = "SELECT body_sealed, received_at, id FROM sms_inbound WHERE contact_id = ?"
        + (v.pseudonym() == null ? "" : " OR (contact_id IS NULL AND channel = ? AND sender_pseudonym = ?"
            + " AND received_at >= ? AND received_at <= ?)");
    try (var ps = c.prepareStatement(sql)) {
      ps.setString(1, v.contactId());
      if (v.pseudonym() != null) {
        ps.setString(2, v.channel().wire());
        ps.setString(3, v.pseudonym());
        ps.setObject(4, Store.toDb(v.startedAt().minusSeconds(1)));
        ps.setObject(5, Store.toDb(v.endedAt() == null ? now : v.endedAt()));
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Line(From.TEXTER, open(rs.getString(1)), at(rs, 2), null, null, rs.getString(3)));
        }
      }
    }
    try (var ps = c.prepareStatement("SELECT body, body_sealed, created_at, status, operator_id, id FROM sms_outbound"
        + " WHERE contact_id = ? ORDER BY created_at, id")) {
      ps.setString(1, v.contactId());
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var sealed = rs.getString(2);
          var operator = rs.getString(5);
          out.add(new Line(operator == null ? From.HOTLINE : From.COUNSELLOR, sealed == null ? rs.getString(1) : open(sealed),
              at(rs, 3), OutboundStatus.of(rs.getString(4)), operator, rs.getString(6)));
        }
      }
    }
    out.sort(Comparator.comparing(Line::at).thenComparing(Line::id));
    return List.copyOf(out);
  }

  private static List<Takeover> takeovers(Connection c, String contactId) throws SQLException {
    var out = new ArrayList<Takeover>();
    try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM sms_takeovers WHERE contact_id = ?"
        + " ORDER BY started_at DESC, id DESC")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(takeover(rs));
        }
      }
    }
    return List.copyOf(out);
  }

  private static final String COLUMNS = "id, contact_id, operator_id, started_at, ended_at, ended_by, end_reason";

  private static Takeover takeover(ResultSet rs) throws SQLException {
    return new Takeover(rs.getString(1), rs.getString(2), rs.getString(3), at(rs, 4), at(rs, 5), rs.getString(6),
        rs.getString(7));
  }

  private String open(String sealed) {
    return sealed == null ? null : sealer.open(sealed);
  }

  private static Instant at(ResultSet rs, int column) throws SQLException {
    var t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : Store.fromDb(t);
  }
}
