package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Optional;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.report.Report;

/** Reports, written only inside the transaction that closes their contact's session. Free text is sealed. */
public final class ReportRepository {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private final Store store;
  private final Sealer sealer;

  public ReportRepository(Store store, Sealer sealer) {
    this.store = store;
    this.sealer = sealer;
  }

  /** Inserts the report unless its contact already has one (a flow end followed by the status callback). */
  void insertIfAbsent(Connection c, Report r) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM reports WHERE contact_id = ?")) {
      ps.setString(1, r.contactId());
      try (var rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (var ps = c.prepareStatement("INSERT INTO reports (id, reference, contact_id, channel, intent, category, about,"
        + " age_band, province, urgent, outcome, recording_sid, flow_path, received_at, completed_at,"
        + " description_sealed, urls_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, r.id());
      ps.setString(2, r.reference());
      ps.setString(3, r.contactId());
      ps.setString(4, r.channel());
      ps.setString(5, r.intent());
      ps.setString(6, r.category());
      ps.setString(7, r.about());
      ps.setString(8, r.ageBand());
      ps.setString(9, r.province());
      ps.setBoolean(10, r.urgent());
      ps.setString(11, r.outcome());
      ps.setString(12, r.recordingId());
      ps.setString(13, String.join(",", r.flowPath()));
      ps.setObject(14, Store.toDb(r.receivedAt()));
      ps.setObject(15, Store.toDb(r.completedAt()));
      ps.setString(16, sealer.seal(r.description()));
      ps.setString(17, r.urls().isEmpty() ? null : sealer.seal(SessionRepository.json(r.urls())));
      ps.executeUpdate();
    }
  }

  public Optional<Report> findByReference(String reference) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, reference, contact_id, channel, intent, category, about, age_band,"
          + " province, urgent, outcome, recording_sid, flow_path, received_at, completed_at, description_sealed,"
          + " urls_sealed FROM reports WHERE reference = ?")) {
        ps.setString(1, reference);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
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

  private Report row(ResultSet rs) throws SQLException {
    java.util.List<String> urls;
    try {
      var sealed = rs.getString(17);
      urls = sealed == null ? java.util.List.of()
          : java.util.Arrays.asList(JSON.readValue(sealer.open(sealed), String[].class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new StoreException("reports.urls_sealed does not hold a JSON list");
    }
    return new Report(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getBoolean(10), rs.getString(11),
        rs.getString(12), sealer.open(rs.getString(16)), urls, Arrays.asList(rs.getString(13).split(",")),
        Store.fromDb(rs.getObject(14, LocalDateTime.class)), Store.fromDb(rs.getObject(15, LocalDateTime.class)));
  }
}
