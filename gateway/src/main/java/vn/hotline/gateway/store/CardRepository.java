package vn.hotline.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.contact.SessionStatus;
import vn.hotline.gateway.util.Json;

/**
 * What a counsellor's contact card reads. {@link #card} gives codes, times and references only (what the caller
 * pressed, where they went, the same caller's earlier references); {@link #personal} opens what the caller said or
 * wrote and records, in the same transaction, which operator looked at it.
 */
public final class CardRepository {
  private static final TypeReference<Map<String, String>> CODES = new TypeReference<>() {};
  private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

  /** One step of the menu path. */
  public record Step(String nodeId, String event, String value, Instant at) {}

  /** The report the contact made, as first made; {@code has*} say whether there is personal data to open. */
  public record ReportLine(String id, String reference, String intent, String category, String subcategory,
      String about, String ageBand, String province, boolean urgent, String outcome, Instant receivedAt,
      boolean hasDescription, boolean hasRecording, boolean hasUrls, String formerProvince) {}

  /** An earlier contact of the same caller (never the number: found by pseudonym). */
  public record Earlier(String contactId, String reference, String channel, Instant startedAt, String outcome,
      String category) {}

  /** Where the report went: one line per version an agency gets ({@code event}: report.created or report.updated). */
  public record DeliveryLine(String agency, String status, String caseNumber, int version, String event) {}

  /** The card of one contact. */
  public record Card(String contactId, String reference, String channel, Instant startedAt, Instant endedAt,
      String outcome, String flowId, String nodeId, String language, boolean active, Map<String, String> codes,
      List<Step> steps, Optional<ReportLine> report, List<Earlier> earlier, List<DeliveryLine> deliveries,
      boolean erased) {}

  /** One SMS of the conversation, in order. */
  public record Message(boolean fromCaller, String body, Instant at) {}

  /** What the caller said or wrote: opened only on a counsellor's request, and audited. */
  public record Personal(String description, List<String> urls, String recordingSid, Map<String, String> texts,
      List<Message> messages) {}

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public CardRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /** The contact's card, or empty when there is no such contact. */
  public Optional<Card> card(String contactId) {
    return store.read(c -> {
      String pseudonym;
      Card card;
      try (var ps = c.prepareStatement("SELECT c.id, c.reference, c.channel, c.started_at, c.ended_at, c.outcome,"
          + " s.flow_id, s.node_id, s.language, s.status, s.answers, c.caller_pseudonym, c.erased_at, s.id"
          + " FROM contacts c LEFT JOIN flow_sessions s ON s.contact_id = c.id WHERE c.id = ?")) {
        ps.setString(1, contactId);
        var rs = ps.executeQuery();
        if (!rs.next()) {
          return Optional.<Card>empty();
        }
        pseudonym = rs.getString(12);
        var sessionId = rs.getString(14);
        card = new Card(rs.getString(1), rs.getString(2), rs.getString(3), at(rs, 4), at(rs, 5), rs.getString(6),
            rs.getString(7), rs.getString(8), rs.getString(9), SessionStatus.ACTIVE.wire().equals(rs.getString(10)), codes(rs.getString(11)),
            sessionId == null ? List.of() : steps(c, sessionId), report(c, contactId), List.of(),
            deliveries(c, contactId), rs.getObject(13) != null);
      }
      var earlier = pseudonym == null ? List.<Earlier>of() : earlier(c, pseudonym, contactId);
      return Optional.of(new Card(card.contactId(), card.reference(), card.channel(), card.startedAt(), card.endedAt(),
          card.outcome(), card.flowId(), card.nodeId(), card.language(), card.active(), card.codes(), card.steps(),
          card.report(), earlier, card.deliveries(), card.erased()));
    });
  }

  /**
   * Opens the contact's personal data for {@code operatorId} and records that they did ("personal_data.viewed",
   * with the contact and the operator, never the data). Empty when there is no such contact.
   */
  public Optional<Personal> personal(String contactId, String operatorId, Instant now) {
    return store.inTransaction(c -> {
      String pseudonym;
      Instant started;
      Instant ended;
      String channel;
      String texts;
      try (var ps = c.prepareStatement("SELECT c.caller_pseudonym, c.started_at, c.ended_at, c.channel, s.texts_sealed"
          + " FROM contacts c LEFT JOIN flow_sessions s ON s.contact_id = c.id WHERE c.id = ?")) {
        ps.setString(1, contactId);
        var rs = ps.executeQuery();
        if (!rs.next()) {
          return Optional.<Personal>empty();
        }
        pseudonym = rs.getString(1);
        started = at(rs, 2);
        ended = at(rs, 3);
        channel = rs.getString(4);
        texts = rs.getString(5);
      }
      String description = null;
      String recording = null;
      List<String> urls = List.of();
      try (var ps = c.prepareStatement(
          "SELECT description_sealed, recording_sealed, urls_sealed FROM reports WHERE contact_id = ?")) {
        ps.setString(1, contactId);
        var rs = ps.executeQuery();
        if (rs.next()) {
          description = open(rs.getString(1));
          recording = open(rs.getString(2));
          var u = open(rs.getString(3));
          urls = u == null ? List.of() : parse(u, LIST, List.of());
        }
      }
      var openedTexts = texts == null ? Map.<String, String>of() : parse(open(texts), CODES, Map.of());
      var messages = vn.hotline.gateway.contact.Channel.of(channel).isSms() && pseudonym != null
          ? messages(c, contactId, channel, pseudonym, started, ended) : List.<Message>of();
      audit.append(c, "personal_data.viewed", "operator:" + operatorId, Map.of("contact", contactId),
          Map.of("operator", operatorId), now);
      return Optional.of(new Personal(description, urls, recording, openedTexts, messages));
    });
  }

  private List<Message> messages(Connection c, String contactId, String channel, String pseudonym, Instant from,
      Instant to) throws SQLException {
    var out = new ArrayList<Message>();
    // what the texter wrote to a counsellor after the flow ended names the contact (V15)
    try (var ps = c.prepareStatement("SELECT body_sealed, received_at FROM sms_inbound WHERE contact_id = ? OR (channel = ?"
        + " AND sender_pseudonym = ? AND received_at >= ?" + (to == null ? "" : " AND received_at <= ?")
        + ") ORDER BY received_at, id")) {
      ps.setString(1, contactId);
      ps.setString(2, channel);
      ps.setString(3, pseudonym);
      ps.setObject(4, Store.toDb(from.minusSeconds(1)));
      if (to != null) {
        ps.setObject(5, Store.toDb(to));
      }
      var rs = ps.executeQuery();
      while (rs.next()) {
        out.add(new Message(true, open(rs.getString(1)), at(rs, 2)));
      }
    }
    try (var ps = c.prepareStatement(
        "SELECT body, created_at, body_sealed FROM sms_outbound WHERE contact_id = ? ORDER BY created_at, id")) {
      ps.setString(1, contactId);
      var rs = ps.executeQuery();
      while (rs.next()) {
        // a counsellor's reply is sealed (V15); the flow's own texts are not
        out.add(new Message(false, rs.getString(3) == null ? rs.getString(1) : open(rs.getString(3)), at(rs, 2)));
      }
    }
    out.sort(java.util.Comparator.comparing(Message::at));
    return List.copyOf(out);
  }

  private static List<Step> steps(Connection c, String sessionId) throws SQLException {
    var steps = new ArrayList<Step>();
    try (var ps = c.prepareStatement(
        "SELECT node_id, event, step_value, at FROM flow_steps WHERE session_id = ? ORDER BY id")) {
      ps.setString(1, sessionId);
      var rs = ps.executeQuery();
      while (rs.next()) {
        steps.add(new Step(rs.getString(1), rs.getString(2), rs.getString(3), at(rs, 4)));
      }
    }
    return List.copyOf(steps);
  }

  private static Optional<ReportLine> report(Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id, reference, intent, category, subcategory, about, age_band, province,"
        + " urgent, outcome, received_at, description_sealed IS NOT NULL, recording_sealed IS NOT NULL,"
        + " urls_sealed IS NOT NULL, former_province FROM reports WHERE contact_id = ?")) {
      ps.setString(1, contactId);
      var rs = ps.executeQuery();
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(new ReportLine(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
          rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getBoolean(9), rs.getString(10),
          at(rs, 11), rs.getBoolean(12), rs.getBoolean(13), rs.getBoolean(14), rs.getString(15)));
    }
  }

  private static List<Earlier> earlier(Connection c, String pseudonym, String contactId) throws SQLException {
    var out = new ArrayList<Earlier>();
    try (var ps = c.prepareStatement("SELECT c.id, c.reference, c.channel, c.started_at, c.outcome, r.category"
        + " FROM contacts c LEFT JOIN reports r ON r.contact_id = c.id"
        + " WHERE c.caller_pseudonym = ? AND c.id <> ? AND c.erased_at IS NULL"
        + " AND c.started_at <= (SELECT started_at FROM contacts WHERE id = ?)"
        + " ORDER BY c.started_at DESC, c.id DESC")) {
      ps.setString(1, pseudonym);
      ps.setString(2, contactId);
      ps.setString(3, contactId);
      ps.setMaxRows(20);
      var rs = ps.executeQuery();
      while (rs.next()) {
        out.add(new Earlier(rs.getString(1), rs.getString(2), rs.getString(3), at(rs, 4), rs.getString(5),
            rs.getString(6)));
      }
    }
    return List.copyOf(out);
  }

  private static List<DeliveryLine> deliveries(Connection c, String contactId) throws SQLException {
    var out = new ArrayList<DeliveryLine>();
    try (var ps = c.prepareStatement("SELECT d.agency_id, d.status, d.case_number, d.report_version,"
        + " d.event_type FROM deliveries d JOIN reports r ON r.id = d.report_id WHERE r.contact_id = ?"
        + " ORDER BY d.report_version, d.created_at, d.agency_id")) {
      ps.setString(1, contactId);
      var rs = ps.executeQuery();
      while (rs.next()) {
        out.add(new DeliveryLine(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5)));
      }
    }
    return List.copyOf(out);
  }

  private String open(String sealed) {
    return sealed == null ? null : sealer.open(sealed);
  }

  private static Instant at(ResultSet rs, int column) throws SQLException {
    var t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : Store.fromDb(t);
  }

  /** A session's answers column (JSON of codes) as a map without nulls; empty when unreadable. */
  static Map<String, String> codes(String answers) {
    if (answers == null || answers.isBlank()) {
      return Map.of();
    }
    var out = new LinkedHashMap<String, String>();
    parse(answers, CODES, Map.<String, String>of()).forEach((k, v) -> {
      if (v != null) {
        out.put(k, v);
      }
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  private static <T> T parse(String json, TypeReference<T> type, T otherwise) {
    try {
      var v = Json.JSON.readValue(json, type);
      return v == null ? otherwise : v;
    } catch (JsonProcessingException e) {
      return otherwise;
    }
  }
}
