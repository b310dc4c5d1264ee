package vn.hotline.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.util.Json;

/**
 * Reports as stored. A report is written only inside the transaction that closes its contact's session, and in
 * that transaction its deliveries too (delivery.ContactClosing decides whether there is a report and where it
 * goes; this class only writes and reads rows). Free text and URLs are sealed.
 */
public final class ReportRepository {
  private static final String COLUMNS = "r.id, r.reference, r.contact_id, r.channel, r.intent, r.category, r.subcategory,"
      + " r.about, r.age_band, r.province, r.urgent, r.outcome, r.recording_sealed, r.description_sealed, r.urls_sealed,"
      + " r.consent_share, r.caller_pseudonym, r.flow_path, r.received_at, r.completed_at, r.former_province";

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public ReportRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /**
   * Inserts the report (and its report.created audit event) unless its contact already has one.
   *
   * @return true when it was inserted now, so its deliveries are to be written in the same transaction
   */
  public boolean insertIfAbsent(Connection c, Report r) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM reports WHERE contact_id = ?")) {
      ps.setString(1, r.contactId());
      try (var rs = ps.executeQuery()) {
        if (rs.next()) {
          return false;
        }
      }
    }
    try (var ps = c.prepareStatement("INSERT INTO reports (id, reference, contact_id, channel, intent, category,"
        + " subcategory, about, age_band, province, urgent, outcome, recording_sealed, description_sealed, urls_sealed,"
        + " consent_share, caller_pseudonym, flow_path, received_at, completed_at, former_province)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.id());
      ps.setString(2, r.reference());
      ps.setString(3, r.contactId());
      ps.setString(4, r.channel().wire());
      ps.setString(5, r.intent());
      ps.setString(6, r.category());
      ps.setString(7, r.subcategory());
      ps.setString(8, r.about());
      ps.setString(9, r.ageBand());
      ps.setString(10, r.province());
      ps.setBoolean(11, r.urgent());
      ps.setString(12, r.outcome().wire());
      ps.setString(13, sealer.seal(r.recordingId()));
      ps.setString(14, sealer.seal(r.description()));
      ps.setString(15, r.urls().isEmpty() ? null : sealer.seal(SessionRepository.json(r.urls())));
      ps.setObject(16, r.consentShare());
      ps.setString(17, r.callerPseudonym());
      ps.setString(18, String.join(",", r.flowPath()));
      ps.setObject(19, Store.toDb(r.receivedAt()));
      ps.setObject(20, Store.toDb(r.completedAt()));
      ps.setString(21, r.formerProvince());
      ps.executeUpdate();
    }
    var data = new java.util.HashMap<String, Object>();
    data.put("channel", r.channel().wire());
    data.put("intent", r.intent());
    data.put("category", r.category());
    data.put("urgent", r.urgent());
    data.put("outcome", r.outcome().wire());
    audit.append(c, "report.created", r.channel().wire(), java.util.Map.of("report", r.id(), "contact", r.contactId()), data,
        r.completedAt());
    return true;
  }

  public Optional<Report> findByReference(String reference) {
    return one("SELECT " + COLUMNS + " FROM reports r WHERE r.reference = ?", reference);
  }

  public Optional<Report> findById(String id) {
    return one("SELECT " + COLUMNS + " FROM reports r WHERE r.id = ?", id);
  }

  public Optional<Report> findById(Connection c, String id) throws SQLException {
    try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM reports r WHERE r.id = ?")) {
      ps.setString(1, id);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Reports delivered (or being delivered) to one agency, oldest first after {@code afterId} (a cursor) and not
   * older than {@code since}; all agencies when {@code agencyId} is null (an admin).
   */
  public List<Report> forAgency(String agencyId, Instant since, String afterId, int limit) {
    return store.read(c -> {
      var sql = new StringBuilder("SELECT " + COLUMNS + " FROM reports r WHERE r.received_at >= ?");
      if (agencyId != null) {
        // a delivery held for review is not the agency's yet: the report is not shown before it is sent
        sql.append(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.report_id = r.id AND d.agency_id = ?"
            + " AND d.status <> " + vn.hotline.gateway.contact.DeliveryStatus.HELD.sql() + ")");
      }
      if (afterId != null) {
        sql.append(" AND r.id > ?");
      }
      sql.append(" ORDER BY r.id LIMIT ").append(limit);
      try (var ps = c.prepareStatement(sql.toString())) {
        int i = 1;
        ps.setObject(i++, Store.toDb(since));
        if (agencyId != null) {
          ps.setString(i++, agencyId);
        }
        if (afterId != null) {
          ps.setString(i, afterId);
        }
        var out = new ArrayList<Report>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
        return out;
      }
    });
  }

  public int count() {
    return store.read(c -> {
      try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM reports")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  private Optional<Report> one(String sql, String arg) {
    return store.read(c -> {
      try (var ps = c.prepareStatement(sql)) {
        ps.setString(1, arg);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  private Report row(ResultSet rs) throws SQLException {
    List<String> urls;
    try {
      var sealed = rs.getString(15);
      urls = sealed == null ? List.of() : Arrays.asList(Json.JSON.readValue(sealer.open(sealed), String[].class));
    } catch (JsonProcessingException e) {
      throw new StoreException("reports.urls_sealed does not hold a JSON list");
    }
    var consent = rs.getObject(16);
    var path = rs.getString(18);
    return new Report(rs.getString(1), rs.getString(2), rs.getString(3), Channel.of(rs.getString(4)), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(21),
        rs.getBoolean(11),
        Outcome.of(rs.getString(12)), sealer.open(rs.getString(13)), sealer.open(rs.getString(14)), urls,
        consent == null ? null : consent instanceof Boolean b ? b : ((Number) consent).intValue() != 0,
        rs.getString(17), path == null || path.isEmpty() ? List.of() : Arrays.asList(path.split(",")),
        Store.fromDb(rs.getObject(19, LocalDateTime.class)), Store.fromDb(rs.getObject(20, LocalDateTime.class)));
  }
}
