package vn.hotline.gateway.store;

import static vn.hotline.gateway.contact.OutboundStatus.FAILED;
import static vn.hotline.gateway.contact.OutboundStatus.QUEUED;
import static vn.hotline.gateway.contact.OutboundStatus.SENDING;
import static vn.hotline.gateway.contact.OutboundStatus.SENT;
import static vn.hotline.gateway.contact.OutboundStatus.SKIPPED;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.InboundStatus;
import vn.hotline.gateway.contact.OutboundStatus;
import vn.hotline.gateway.util.Ids;

/**
 * The SMS side of the store: inbound parts (committed before the SMSC is acknowledged), whole inbound messages
 * (processed once), the outbound queue with its parts and delivery receipts, and opt-outs. Numbers and texts
 * are sealed; lookups go by pseudonym.
 */
public final class SmsRepository {
  /**
   * A part as it came off the wire, already pseudonymised and decoded; {@code malformed} the reason codes when it
   * could not be read as sent (then {@code raw} may hold its bytes, kept sealed), null for a sound part.
   */
  public record PartIn(Channel channel, String link, String bindId, String senderPseudonym, String sender,
      String recipient, Integer concatRef, int total, int seq, String text, String malformed, byte[] raw) {
    public PartIn(Channel channel, String link, String bindId, String senderPseudonym, String sender,
        String recipient, Integer concatRef, int total, int seq, String text) {
      this(channel, link, bindId, senderPseudonym, sender, recipient, concatRef, total, seq, text, null, null);
    }

    @Override
    public String toString() {
      return "PartIn[" + channel + "/" + link + " " + seq + "/" + total + "]"; // no number, no text
    }
  }

  /**
   * Whether a message's reasons leave nobody to answer: no source address ({@code no_sender}), or one too long for
   * SMPP that our PDU reader kept aside ({@code pdu_src}: cut, it would be a stranger's number).
   */
  static boolean unanswerable(java.util.Collection<String> reasons) {
    return reasons.contains("no_sender") || reasons.contains("pdu_src");
  }

  public enum PartResult { DUPLICATE, WAITING_FOR_PARTS, MESSAGE_READY }

  /** A whole inbound message, opened for processing. */
  public record Inbound(String id, Channel channel, String link, String providerRef, String senderPseudonym,
      String senderSealed, String recipient, String text, int parts, int missingParts, Instant receivedAt) {
    @Override
    public String toString() {
      return "Inbound[" + id + " " + channel + "/" + link + "]";
    }
  }

  /** A queued outbound SMS claimed for sending. */
  public record Outbound(String id, Channel channel, String link, String destination, String body, int attempts,
      List<Integer> partsAlreadySubmitted) {
    @Override
    public String toString() {
      return "Outbound[" + id + " " + channel + "/" + link + " attempt " + attempts + "]";
    }
  }

  private static final String MISSING = "[...]";
  /** sms_outbound.kind of a counsellor's reply (the others: reply, reminder, expiry). */
  public static final String COUNSELLOR_REPLY = "counsellor";

  private final Store store;
  private final Sealer sealer;
  private final vn.hotline.gateway.audit.AuditLog audit;

  public SmsRepository(Store store, Sealer sealer, vn.hotline.gateway.audit.AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  // --- inbound ---------------------------------------------------------------------------------------

  /**
   * Commits one part. The same part (sender, reference, position, text) committed within {@code dedupeWindow}
   * on an earlier bind is a redelivery: the SMSC resends only what it thinks unacknowledged, which happens when
   * a link or a gateway died between our commit and our deliver_sm_resp, so it comes on a new bind. The same
   * text again on the same bind is the texter sending it again ("1", then "1") and is a new message.
   * When the part completes its message, the message is stored too.
   */
  public PartResult storePart(PartIn p, Instant now, Duration dedupeWindow) {
    return storeParts(List.of(p), now, dedupeWindow).getFirst();
  }

  /**
   * Commits parts in one transaction (a group commit: a link's writer hands over whatever arrived together), each
   * as {@link #storePart} would, in the order given, so a later part sees the earlier ones (a redelivery in the
   * same batch is a duplicate; the last part of a message in the batch joins it). Returns each part's result in
   * that order. All or nothing: when it throws, none of them is stored.
   */
  public List<PartResult> storeParts(List<PartIn> parts, Instant now, Duration dedupeWindow) {
    return store.inTransaction(c -> {
      var out = new ArrayList<PartResult>(parts.size());
      var keys = parts.stream().map(SmsRepository::dedupeKey).toList();
      var binds = storedBinds(c, keys, now.minus(dedupeWindow)); // key -> the binds it came on, this batch's too
      try (var insert = c.prepareStatement("INSERT INTO sms_inbound_parts (channel, link, sender_pseudonym, sender_sealed,"
              + " recipient, concat_ref, part_total, part_seq, body_sealed, dedupe_key, received_at, bind_id, malformed,"
              + " raw_sealed, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
          var inbound = c.prepareStatement(INSERT_INBOUND)) {
        // Whole texts (one part) go in JDBC batches, a round trip or two for all of them; a part of a longer
        // text first sends those batches, so every row is written in the order the parts came.
        boolean batched = false;
        for (int i = 0; i < parts.size(); i++) {
          var p = parts.get(i);
          var seen = binds.computeIfAbsent(keys.get(i), k -> new ArrayList<>());
          if (seen.stream().anyMatch(b -> !java.util.Objects.equals(b, p.bindId()))) {
            out.add(PartResult.DUPLICATE);
            continue;
          }
          seen.add(p.bindId());
          var sealedSender = sealer.seal(p.sender());
          // A message of one part is whole as it comes: stored with it at once, no need to look for other parts.
          var messageId = p.total() == 1 ? Ids.uuid7().toString() : null;
          if (p.malformed() != null) {
            // the reason codes only: never the number or the text
            audit.append(c, "sms.malformed", SessionRepository.actor(p.channel(), p.link()),
                java.util.Map.of(), java.util.Map.of("reasons", p.malformed(), "part", p.seq(), "parts", p.total()), now);
          }
          if (messageId != null) {
            bindPart(insert, p, sealedSender, keys.get(i), now, messageId);
            insert.addBatch();
            var reasons = new java.util.LinkedHashSet<String>(p.malformed() == null ? List.of() : List.of(p.malformed().split(",")));
            // No source address: nobody to answer, so no conversation; kept for a counsellor to read (as assemble does).
            bindInbound(inbound, messageId, p.channel(), p.link(), null, p.senderPseudonym(), sealedSender, p.recipient(),
                p.text(), 1, 0, now, unanswerable(reasons) ? InboundStatus.UNANSWERABLE : InboundStatus.PENDING,
                reasons.isEmpty() ? null : String.join(",", reasons));
            inbound.addBatch();
            batched = true;
            out.add(PartResult.MESSAGE_READY);
            continue;
          }
          if (batched) {
            flush(insert, inbound);
            batched = false;
          }
          bindPart(insert, p, sealedSender, keys.get(i), now, null);
          insert.executeUpdate();
          out.add(assemble(c, p.channel(), p.link(), p.senderPseudonym(), p.concatRef(), p.total(), false, now)
              ? PartResult.MESSAGE_READY : PartResult.WAITING_FOR_PARTS);
        }
        if (batched) {
          flush(insert, inbound);
        }
      }
      return out;
    });
  }

  private static void flush(java.sql.PreparedStatement parts, java.sql.PreparedStatement inbound) throws SQLException {
    parts.executeBatch();
    inbound.executeBatch();
  }

  /** For each dedupe key, the binds its parts came on since {@code since}: one query for a whole batch. */
  private static java.util.Map<String, List<String>> storedBinds(Connection c, List<String> keys, Instant since)
      throws SQLException {
    var out = new java.util.HashMap<String, List<String>>();
    var distinct = List.copyOf(new java.util.LinkedHashSet<>(keys));
    try (var ps = c.prepareStatement("SELECT dedupe_key, bind_id FROM sms_inbound_parts WHERE dedupe_key IN ("
        + String.join(", ", java.util.Collections.nCopies(distinct.size(), "?")) + ") AND received_at > ?")) {
      int i = 1;
      for (var k : distinct) {
        ps.setString(i++, k);
      }
      ps.setObject(i, Store.toDb(since));
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
        }
      }
    }
    return out;
  }

  private void bindPart(java.sql.PreparedStatement insert, PartIn p, String sealedSender, String key, Instant now,
      String messageId) throws SQLException {
    insert.setString(1, p.channel().wire());
    insert.setString(2, p.link());
    insert.setString(3, p.senderPseudonym());
    insert.setString(4, sealedSender);
    insert.setString(5, p.recipient());
    insert.setObject(6, p.concatRef());
    insert.setInt(7, p.total());
    insert.setInt(8, p.seq());
    insert.setString(9, sealer.seal(p.text()));
    insert.setString(10, key);
    insert.setObject(11, Store.toDb(now));
    insert.setString(12, p.bindId());
    insert.setString(13, fitReasons(p.malformed()));
    insert.setString(14, p.raw() == null ? null : sealer.seal(java.util.Base64.getEncoder().encodeToString(p.raw())));
    insert.setString(15, messageId);
  }

  /**
   * Joins the open parts of one message into an inbound message when all are there, or (with {@code force},
   * after the concatenation timeout) whatever did arrive, with a marker where parts are missing.
   */
  private boolean assemble(Connection c, Channel channel, String link, String sender, Integer ref, int total,
      boolean force, Instant now) throws SQLException {
    var sql = "SELECT id, part_seq, body_sealed, sender_sealed, recipient, received_at, malformed FROM sms_inbound_parts"
        + " WHERE message_id IS NULL AND channel = ? AND sender_pseudonym = ? AND part_total = ?"
        + (link == null ? " AND link IS NULL" : " AND link = ?")
        + (ref == null ? " AND concat_ref IS NULL" : " AND concat_ref = ?") + " ORDER BY id FOR UPDATE";
    var bySeq = new TreeMap<Integer, String>();
    var ids = new ArrayList<Long>();
    String senderSealed = null;
    String recipient = null;
    Instant first = null;
    var malformed = new java.util.LinkedHashSet<String>();
    try (var ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, channel.wire());
      ps.setString(i++, sender);
      ps.setInt(i++, total);
      if (link != null) {
        ps.setString(i++, link);
      }
      if (ref != null) {
        ps.setInt(i, ref);
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
          bySeq.putIfAbsent(rs.getInt(2), rs.getString(3));
          senderSealed = rs.getString(4);
          recipient = rs.getString(5);
          var at = Store.fromDb(rs.getObject(6, LocalDateTime.class));
          first = first == null || at.isBefore(first) ? at : first;
          if (rs.getString(7) != null) {
            malformed.addAll(List.of(rs.getString(7).split(",")));
          }
        }
      }
    }
    if (ids.isEmpty() || (bySeq.size() < total && !force)) {
      return false;
    }
    var text = new StringBuilder();
    int missing = 0;
    for (int seq = 1; seq <= total; seq++) {
      var body = bySeq.get(seq);
      if (body == null) {
        missing++;
        text.append(MISSING);
      } else {
        text.append(sealer.open(body));
      }
    }
    var messageId = Ids.uuid7().toString();
    // No source address: nobody to answer, so no conversation; kept for a counsellor to read.
    insertInbound(c, messageId, channel, link, null, sender, senderSealed, recipient, text.toString(), total, missing,
        first, unanswerable(malformed) ? InboundStatus.UNANSWERABLE : InboundStatus.PENDING,
        malformed.isEmpty() ? null : String.join(",", malformed));
    try (var ps = c.prepareStatement("UPDATE sms_inbound_parts SET message_id = ? WHERE id = ?")) {
      for (var id : ids) {
        ps.setString(1, messageId);
        ps.setLong(2, id);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return true;
  }

  /**
   * Messages whose missing parts never came within {@code timeout} of their first part, by the caller's clock
   * ({@code now}): assembled from what arrived. Returns how many.
   */
  public int assembleOverdue(Instant now, Duration timeout) {
    var olderThan = now.minus(timeout);
    return store.inTransaction(c -> {
      var groups = new ArrayList<Object[]>();
      try (var ps = c.prepareStatement("SELECT DISTINCT channel, link, sender_pseudonym, concat_ref, part_total"
          + " FROM sms_inbound_parts WHERE message_id IS NULL AND received_at < ?")) {
        ps.setObject(1, Store.toDb(olderThan));
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            groups.add(new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4), rs.getInt(5)});
          }
        }
      }
      int n = 0;
      for (var g : groups) {
        var ref = g[3] == null ? null : ((Number) g[3]).intValue();
        if (assemble(c, Channel.of((String) g[0]), (String) g[1], (String) g[2], ref, (Integer) g[4], true, now)) {
          n++;
        }
      }
      return n;
    });
  }

  /**
   * Stores a whole message that arrived in one piece from a provider with its own id (Twilio MessageSid).
   * Returns empty when that id was already stored (a retried webhook).
   */
  public Optional<Inbound> insertProviderMessage(Connection c, Channel of, String providerRef, String senderPseudonym,
      String sender, String recipient, String text, Instant now) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM sms_inbound WHERE channel = ? AND provider_ref = ?")) {
      ps.setString(1, of.wire());
      ps.setString(2, providerRef);
      try (var rs = ps.executeQuery()) {
        if (rs.next()) {
          return Optional.empty();
        }
      }
    }
    var id = Ids.uuid7().toString();
    var sealed = sealer.seal(sender);
    insertInbound(c, id, of, null, providerRef, senderPseudonym, sealed, recipient, text, 1, 0, now, InboundStatus.PENDING,
        null);
    return Optional.of(new Inbound(id, of, null, providerRef, senderPseudonym, sealed, recipient, text, 1, 0, now));
  }

  private static final String INSERT_INBOUND = "INSERT INTO sms_inbound (id, channel, link, provider_ref, sender_pseudonym,"
      + " sender_sealed, recipient, body_sealed, parts, missing_parts, status, received_at, malformed)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private void insertInbound(Connection c, String id, Channel channel, String link, String providerRef, String sender,
      String senderSealed, String recipient, String text, int parts, int missing, Instant at, InboundStatus status,
      String malformed) throws SQLException {
    try (var ps = c.prepareStatement(INSERT_INBOUND)) {
      bindInbound(ps, id, channel, link, providerRef, sender, senderSealed, recipient, text, parts, missing, at, status,
          malformed);
      ps.executeUpdate();
    }
  }

  private void bindInbound(java.sql.PreparedStatement ps, String id, Channel channel, String link, String providerRef,
      String sender, String senderSealed, String recipient, String text, int parts, int missing, Instant at,
      InboundStatus status, String malformed) throws SQLException {
    ps.setString(1, id);
    ps.setString(2, channel.wire());
    ps.setString(3, link);
    ps.setString(4, providerRef);
    ps.setString(5, sender);
    ps.setString(6, senderSealed);
    ps.setString(7, recipient);
    ps.setString(8, sealer.seal(text));
    ps.setInt(9, parts);
    ps.setInt(10, missing);
    ps.setString(11, status.wire());
    ps.setObject(12, Store.toDb(at));
    ps.setString(13, fitReasons(malformed));
  }

  /** A pending message as a claim first sees it, unlocked. */
  private record Candidate(String id, String senderPseudonym, Instant receivedAt) {}

  /** How many of the oldest pending messages one claim looks at (those locked by another worker included). */
  static final int CLAIM_CANDIDATES = 20;

  /**
   * Locks the oldest pending message whose sender has no older one still pending, so one texter's messages
   * are handled in order even with several workers or instances. Bounded whatever the backlog: it reads the
   * {@link #CLAIM_CANDIDATES} oldest pending ids by the (status, received_at, id) index, without locking (H2 would
   * lock, and so read, every pending row for a FOR UPDATE with a LIMIT), then locks the first it may take by its
   * id, skipping one another worker holds.
   */
  public Optional<Inbound> claimPending(Connection c) throws SQLException {
    var candidates = new ArrayList<Candidate>();
    // ORDER BY status too: H2 reads an index in order only from its first column
    try (var ps = c.prepareStatement("SELECT id, sender_pseudonym, received_at FROM sms_inbound WHERE status = "
        + InboundStatus.PENDING.sql() + " ORDER BY status, received_at, id LIMIT " + CLAIM_CANDIDATES)) {
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          candidates.add(new Candidate(rs.getString(1), rs.getString(2), Store.fromDb(rs.getObject(3, LocalDateTime.class))));
        }
      }
    }
    for (var k : candidates) {
      if (olderPendingExists(c, k.senderPseudonym(), k.receivedAt(), k.id())) {
        continue;
      }
      try (var ps = c.prepareStatement("SELECT id, channel, link, provider_ref, sender_pseudonym, sender_sealed, recipient,"
          + " body_sealed, parts, missing_parts, received_at FROM sms_inbound WHERE id = ? AND status = "
          + InboundStatus.PENDING.sql() + " FOR UPDATE SKIP LOCKED")) {
        ps.setString(1, k.id());
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            return Optional.of(new Inbound(rs.getString(1), Channel.of(rs.getString(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), sealer.open(rs.getString(8)), rs.getInt(9),
                rs.getInt(10), Store.fromDb(rs.getObject(11, LocalDateTime.class))));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean olderPendingExists(Connection c, String senderPseudonym, Instant receivedAt, String id)
      throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM sms_inbound WHERE sender_pseudonym = ? AND status = " + InboundStatus.PENDING.sql()
        + " AND (received_at < ? OR (received_at = ? AND id < ?))")) {
      ps.setString(1, senderPseudonym);
      ps.setObject(2, Store.toDb(receivedAt));
      ps.setObject(3, Store.toDb(receivedAt));
      ps.setString(4, id);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  public void markProcessed(Connection c, Inbound m, Instant now) throws SQLException {
    try (var ps = c.prepareStatement("UPDATE sms_inbound SET status = " + InboundStatus.PROCESSED.sql()
        + ", processed_at = ? WHERE id = ?")) {
      ps.setObject(1, Store.toDb(now));
      ps.setString(2, m.id());
      ps.executeUpdate();
    }
    audit.append(c, "sms.received", SessionRepository.actor(m.channel(), m.link()),
        java.util.Map.of("message", m.id()), java.util.Map.of("parts", m.parts(), "missing_parts", m.missingParts()), now);
  }

  public int countPending() {
    return store.read(c -> count(c, "SELECT COUNT(*) FROM sms_inbound WHERE status = " + InboundStatus.PENDING.sql()));
  }

  // --- opt-outs --------------------------------------------------------------------------------------

  public boolean optedOut(Connection c, String pseudonym) throws SQLException {
    try (var ps = c.prepareStatement("SELECT opted_out FROM sms_opt_outs WHERE pseudonym = ?")) {
      ps.setString(1, pseudonym);
      try (var rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  public void setOptOut(Connection c, String pseudonym, boolean optedOut, Instant now) throws SQLException {
    // The pseudonym links contacts, so it stays out of the audit trail; the event proves the choice was honoured.
    audit.append(c, optedOut ? "sms.opted_out" : "sms.opted_in", "sms", java.util.Map.of(), java.util.Map.of(), now);
    try (var ps = c.prepareStatement("UPDATE sms_opt_outs SET opted_out = ?, changed_at = ? WHERE pseudonym = ?")) {
      ps.setBoolean(1, optedOut);
      ps.setObject(2, Store.toDb(now));
      ps.setString(3, pseudonym);
      if (ps.executeUpdate() > 0) {
        return;
      }
    }
    try (var ps = c.prepareStatement("INSERT INTO sms_opt_outs (pseudonym, opted_out, changed_at) VALUES (?, ?, ?)")) {
      ps.setString(1, pseudonym);
      ps.setBoolean(2, optedOut);
      ps.setObject(3, Store.toDb(now));
      ps.executeUpdate();
    }
  }

  // --- outbound --------------------------------------------------------------------------------------

  /**
   * Records an SMS to the texter: {@code queued} for a sender to claim, or {@code sent} when it already went out
   * inline (a TwiML {@code <Message>}), awaiting its status callback.
   */
  public String queue(Connection c, Channel channel, String link, String contactId, String destPseudonym,
      String destSealed, String body, String kind, int parts, OutboundStatus status, Instant now) throws SQLException {
    var id = Ids.uuid7().toString();
    try (var ps = c.prepareStatement("INSERT INTO sms_outbound (id, channel, link, contact_id, destination_pseudonym,"
        + " destination_sealed, body, kind, status, parts, attempts, next_attempt_at, created_at, sent_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)")) {
      ps.setString(1, id);
      ps.setString(2, channel.wire());
      ps.setString(3, link);
      ps.setString(4, contactId);
      ps.setString(5, destPseudonym);
      ps.setString(6, destSealed);
      ps.setString(7, body);
      ps.setString(8, kind);
      ps.setString(9, status.wire());
      ps.setInt(10, parts);
      ps.setObject(11, Store.toDb(now));
      ps.setObject(12, Store.toDb(now));
      ps.setObject(13, status == OutboundStatus.SENT ? Store.toDb(now) : null);
      ps.executeUpdate();
    }
    return id;
  }

  /**
   * Queues a counsellor's reply to the texter: like {@link #queue}, kind {@code counsellor}, its text sealed (the
   * {@code body} column holds none) and the operator who wrote it recorded.
   */
  public String queueCounsellorReply(Connection c, Channel channel, String link, String contactId, String destPseudonym,
      String destSealed, String text, int parts, String operatorId, Instant now) throws SQLException {
    var id = queue(c, channel, link, contactId, destPseudonym, destSealed, "", COUNSELLOR_REPLY, parts, QUEUED, now);
    Store.update(c, "UPDATE sms_outbound SET body_sealed = ?, operator_id = ? WHERE id = ?", sealer.seal(text),
        operatorId, id);
    return id;
  }

  /** Records which contact a received message belongs to (its conversation's transcript). */
  public void attach(Connection c, String inboundId, String contactId) throws SQLException {
    Store.update(c, "UPDATE sms_inbound SET contact_id = ? WHERE id = ?", contactId, inboundId);
  }

  /** A reply recorded to go out inline that did not (the webhook was answered otherwise): queued for a sender. */
  public void notSentInline(Connection c, String outboundId, String why, Instant now) throws SQLException {
    Store.update(c, "UPDATE sms_outbound SET status = " + QUEUED.sql() + ", sent_at = NULL, next_attempt_at = ?, last_error = ?"
        + " WHERE id = ?", now, truncate(why), outboundId);
  }

  /**
   * Claims due outbound messages of one channel/link for sending: marked sending, with a lease after which
   * another worker may claim them again (a sender that died mid-way loses nothing).
   */
  public List<Outbound> claimDue(Channel channel, String link, int limit, Duration lease, Instant now) {
    return store.inTransaction(c -> {
      var out = new ArrayList<Outbound>();
      try (var ps = c.prepareStatement("SELECT id, destination_sealed, body, attempts, body_sealed FROM sms_outbound"
          + " WHERE status IN (" + QUEUED.sql() + ", " + SENDING.sql() + ") AND channel = ? AND "
          + (link == null ? "link IS NULL" : "link = ?") + " AND next_attempt_at <= ?"
          + " ORDER BY next_attempt_at, id LIMIT " + limit + " FOR UPDATE SKIP LOCKED")) {
        int i = 1;
        ps.setString(i++, channel.wire());
        if (link != null) {
          ps.setString(i++, link);
        }
        ps.setObject(i, Store.toDb(now));
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            // a counsellor's reply is sealed at rest; our own prompts are not
            var body = rs.getString(5) == null ? rs.getString(3) : sealer.open(rs.getString(5));
            out.add(new Outbound(rs.getString(1), channel, link, sealer.open(rs.getString(2)), body,
                rs.getInt(4) + 1, List.of()));
          }
        }
      }
      var claimed = new ArrayList<Outbound>();
      for (var o : out) {
        if (o.destination() == null || o.body() == null) {
          try (var ps = c.prepareStatement("UPDATE sms_outbound SET status = " + SKIPPED.sql() + ", last_error = ? WHERE id = ?")) {
            ps.setString(1, o.destination() == null ? "the number was erased or purged before this could be sent"
                : "the text was erased before this could be sent");
            ps.setString(2, o.id());
            ps.executeUpdate();
          }
          continue;
        }
        try (var ps = c.prepareStatement("UPDATE sms_outbound SET status = " + SENDING.sql() + ", attempts = attempts + 1,"
            + " next_attempt_at = ?, claimed_by = ?, submitting_part = NULL WHERE id = ?")) {
          ps.setObject(1, Store.toDb(now.plus(lease)));
          ps.setString(2, store.instanceId()); // taken back at once should this instance die (Instances)
          ps.setString(3, o.id());
          ps.executeUpdate();
        }
        claimed.add(new Outbound(o.id(), o.channel(), o.link(), o.destination(), o.body(), o.attempts(),
            submittedParts(c, o.id())));
      }
      return claimed;
    });
  }

  private static List<Integer> submittedParts(Connection c, String outboundId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT part_seq FROM sms_outbound_parts WHERE outbound_id = ? ORDER BY part_seq")) {
      ps.setString(1, outboundId);
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<Integer>();
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
        return out;
      }
    }
  }

  /**
   * Part {@code seq} is about to go out in a submit_sm: written before it does, so that an instance taking this
   * reply back from a dead one knows the SMSC may have it (no submit_sm_resp recorded) and counts the resend.
   */
  public void submitting(String outboundId, int seq) {
    store.inGroup(c -> Store.update(c, "UPDATE sms_outbound SET submitting_part = ? WHERE id = ?", seq, outboundId));
  }

  /** One part accepted by the SMSC, with the id its delivery receipt will carry. */
  public void partSubmitted(String outboundId, int seq, String messageId, Instant now) {
    store.inGroup(c -> {
      try (var ps = c.prepareStatement("INSERT INTO sms_outbound_parts (outbound_id, part_seq, message_id, status,"
          + " submitted_at) VALUES (?, ?, ?, 'submitted', ?)")) {
        ps.setString(1, outboundId);
        ps.setInt(2, seq);
        ps.setString(3, messageId);
        ps.setObject(4, Store.toDb(now));
        ps.executeUpdate();
      }
      return null;
    });
  }

  public void sent(String outboundId, String providerRef, Instant now) {
    store.inGroup(c -> Store.update(c, "UPDATE sms_outbound SET status = " + SENT.sql() + ", sent_at = ?,"
        + " provider_ref = COALESCE(?, provider_ref), last_error = NULL, claimed_by = NULL, submitting_part = NULL"
        + " WHERE id = ? AND status = " + SENDING.sql(), now, providerRef, outboundId));
  }

  /** Not sent this time (throttled, link down): back in the queue for {@code at}. */
  public void retryAt(String outboundId, Instant at, String error) {
    update("UPDATE sms_outbound SET status = " + QUEUED.sql() + ", next_attempt_at = ?, last_error = ?, claimed_by = NULL,"
        + " submitting_part = NULL WHERE id = ?",
        at, truncate(error), outboundId);
  }

  public void failed(String outboundId, String error) {
    update("UPDATE sms_outbound SET status = " + FAILED.sql() + ", last_error = ?, claimed_by = NULL, submitting_part = NULL"
        + " WHERE id = ?", truncate(error), outboundId);
  }

  /** Nothing may be sent to this number (opted out) or this way (not configured). */
  public void skipped(String outboundId, String why) {
    update("UPDATE sms_outbound SET status = " + SKIPPED.sql() + ", last_error = ?, claimed_by = NULL, submitting_part = NULL"
        + " WHERE id = ?", truncate(why), outboundId);
  }

  /**
   * A delivery receipt: marks the part with that SMSC message id, and the message delivered once every part
   * is. Returns false when no part has that id (a receipt for something we did not send, or not yet recorded).
   */
  public boolean receipt(String messageId, String partStatus, Instant now) {
    return store.inTransaction(c -> {
      String outboundId = null;
      try (var ps = c.prepareStatement("SELECT outbound_id FROM sms_outbound_parts WHERE message_id = ?")) {
        ps.setString(1, messageId);
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            outboundId = rs.getString(1);
          }
        }
      }
      if (outboundId == null) {
        return false;
      }
      try (var ps = c.prepareStatement("UPDATE sms_outbound_parts SET status = ?, dlr_at = ? WHERE message_id = ?")) {
        ps.setString(1, partStatus);
        ps.setObject(2, Store.toDb(now));
        ps.setString(3, messageId);
        ps.executeUpdate();
      }
      int parts;
      int delivered;
      int failed;
      try (var ps = c.prepareStatement("SELECT o.parts, SUM(CASE WHEN p.status = 'delivered' THEN 1 ELSE 0 END),"
          + " SUM(CASE WHEN p.status IN ('undeliverable', 'expired', 'rejected', 'deleted') THEN 1 ELSE 0 END)"
          + " FROM sms_outbound o JOIN sms_outbound_parts p ON p.outbound_id = o.id WHERE o.id = ? GROUP BY o.parts")) {
        ps.setString(1, outboundId);
        try (var rs = ps.executeQuery()) {
          rs.next();
          parts = rs.getInt(1);
          delivered = rs.getInt(2);
          failed = rs.getInt(3);
        }
      }
      var status = failed > 0 ? OutboundStatus.FAILED : delivered == parts ? OutboundStatus.DELIVERED : null;
      if (status != null) {
        try (var ps = c.prepareStatement("UPDATE sms_outbound SET status = ? WHERE id = ?"
            + " AND status IN (" + SENT.sql() + ", " + SENDING.sql() + ")")) {
          ps.setString(1, status.wire());
          ps.setString(2, outboundId);
          ps.executeUpdate();
        }
      }
      return true;
    });
  }

  /**
   * A provider's status for one of our messages, already in our words (sent, delivered, failed: the provider
   * maps its own vocabulary, e.g. sms.twilio.TwilioMessageStatus).
   *
   * @return false when no such message is known
   */
  public boolean recordStatus(String outboundId, String providerRef, OutboundStatus status, Instant now) {
    return store.inTransaction(c -> {
      try (var ps = c.prepareStatement("UPDATE sms_outbound SET status = ?, provider_ref = COALESCE(provider_ref, ?),"
          + " sent_at = COALESCE(sent_at, ?) WHERE id = ?")) {
        ps.setString(1, status.wire());
        ps.setString(2, providerRef);
        ps.setObject(3, Store.toDb(now));
        ps.setString(4, outboundId);
        return ps.executeUpdate() > 0;
      }
    });
  }

  private void update(String sql, Object... args) {
    store.inTransaction(c -> Store.update(c, sql, args));
  }

  private static int count(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * The reason codes as the malformed columns hold them (64 characters): a text whose parts gathered more keeps
   * the first whole codes and ends in "+", so storing it can never fail on their length.
   */
  static String fitReasons(String reasons) {
    if (reasons == null || reasons.length() <= 64) {
      return reasons;
    }
    int cut = reasons.lastIndexOf(',', 62);
    return (cut > 0 ? reasons.substring(0, cut) : reasons.substring(0, 62)) + ",+";
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 250 ? s : s.substring(0, 250);
  }

  private static String dedupeKey(PartIn p) {
    try {
      var md = MessageDigest.getInstance("SHA-256");
      var data = String.join("\u0000", p.channel().wire(), String.valueOf(p.link()), p.senderPseudonym(),
          String.valueOf(p.concatRef()), Integer.toString(p.total()), Integer.toString(p.seq()), p.text());
      return HexFormat.of().formatHex(md.digest(data.getBytes(StandardCharsets.UTF_8)), 0, 32);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
