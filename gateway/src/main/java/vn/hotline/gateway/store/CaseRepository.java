package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import vn.hotline.gateway.audit.Sealer;

/**
 * A report's review and its later versions (report_versions): version 1 is the reports row as the contact made
 * it, each counsellor's assessment is the next. Writes and reads rows and seals the counsellor's free text
 * (district, notes, the referral's reason); what a version holds and where it goes is decided in casework.
 */
public final class CaseRepository {
  /**
   * One stored version after the first, as plain column values (the words of report.Assessment). {@code district},
   * {@code notes} and {@code reason} are free text (sealed at rest; null when purged or never written).
   */
  public record Version(String reportId, int version, String operatorId, String category, String subcategory,
      String riskLevel, String ageBand, String sex, String province, String district, String notes, String outcome,
      List<String> referral, String reason, Instant at) {
    public Version {
      referral = List.copyOf(referral);
    }

    @Override
    public String toString() {
      return "Version[" + reportId + " v" + version + " " + category + " risk=" + riskLevel + "]"; // no free text
    }
  }

  /** Where a report stands in review, read under a row lock in a transaction that changes it. */
  public record ReviewState(String reportId, String reference, int version, Instant reviewDueAt, Instant reviewedAt,
      String reviewedBy, boolean erased) {}

  /** A report waiting for a counsellor (no personal data). */
  public record Waiting(String reportId, String reference, Instant dueAt) {}

  private final Store store;
  private final Sealer sealer;

  public CaseRepository(Store store, Sealer sealer) {
    this.store = store;
    this.sealer = sealer;
  }

  /** The report with this reference and its review, locked for the rest of {@code c}'s transaction. */
  public Optional<ReviewState> lockByReference(Connection c, String reference) throws SQLException {
    try (var ps = c.prepareStatement("SELECT id, reference, version, review_due_at, reviewed_at, reviewed_by, erased_at"
        + " FROM reports WHERE reference = ? FOR UPDATE")) {
      ps.setString(1, reference);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(state(rs)) : Optional.empty();
      }
    }
  }

  /** The review of the report with this reference. */
  public Optional<ReviewState> reviewByReference(String reference) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, reference, version, review_due_at, reviewed_at, reviewed_by,"
          + " erased_at FROM reports WHERE reference = ?")) {
        ps.setString(1, reference);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(state(rs)) : Optional.empty();
        }
      }
    });
  }

  private static ReviewState state(ResultSet rs) throws SQLException {
    return new ReviewState(rs.getString(1), rs.getString(2), rs.getInt(3),
        Store.fromDb(rs.getObject(4, LocalDateTime.class)), Store.fromDb(rs.getObject(5, LocalDateTime.class)),
        rs.getString(6), rs.getObject(7, LocalDateTime.class) != null);
  }

  /** The report waits for a counsellor until {@code due} (its earliest held delivery's review time). */
  public void holdForReview(Connection c, String reportId, Instant due) throws SQLException {
    Store.update(c, "UPDATE reports SET review_due_at = ? WHERE id = ?", due, reportId);
  }

  /** Stores {@code v} (sealing its free text) and makes it the report's current version, reviewed by its operator. */
  public void insertVersion(Connection c, Version v) throws SQLException {
    try (var ps = c.prepareStatement("INSERT INTO report_versions (report_id, version, operator_id, category, subcategory,"
        + " risk_level, age_band, sex, province, district_sealed, notes_sealed, case_outcome, referral, reason_sealed,"
        + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, v.reportId());
      ps.setInt(2, v.version());
      ps.setString(3, v.operatorId());
      ps.setString(4, v.category());
      ps.setString(5, v.subcategory());
      ps.setString(6, v.riskLevel());
      ps.setString(7, v.ageBand());
      ps.setString(8, v.sex());
      ps.setString(9, v.province());
      ps.setString(10, sealer.seal(v.district()));
      ps.setString(11, sealer.seal(v.notes()));
      ps.setString(12, v.outcome());
      ps.setString(13, String.join(",", v.referral()));
      ps.setString(14, sealer.seal(v.reason()));
      ps.setObject(15, Store.toDb(v.at()));
      ps.executeUpdate();
    }
    Store.update(c, "UPDATE reports SET version = ?, reviewed_at = ?, reviewed_by = ? WHERE id = ?", v.version(), v.at(),
        v.operatorId(), v.reportId());
  }

  /** Version {@code version} (2 or later) of a report, its free text opened. */
  public Optional<Version> find(String reportId, int version) {
    return store.read(c -> find(c, reportId, version));
  }

  public Optional<Version> find(Connection c, String reportId, int version) throws SQLException {
    try (var ps = c.prepareStatement("SELECT report_id, version, operator_id, category, subcategory, risk_level, age_band,"
        + " sex, province, district_sealed, notes_sealed, case_outcome, referral, reason_sealed, created_at"
        + " FROM report_versions WHERE report_id = ? AND version = ?")) {
      ps.setString(1, reportId);
      ps.setInt(2, version);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var referral = rs.getString(13);
        return Optional.of(new Version(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), sealer.open(rs.getString(10)),
            sealer.open(rs.getString(11)), rs.getString(12),
            referral == null || referral.isEmpty() ? List.of() : Arrays.asList(referral.split(",")),
            sealer.open(rs.getString(14)), Store.fromDb(rs.getObject(15, LocalDateTime.class))));
      }
    }
  }

  /**
   * Reports a routing rule holds for a counsellor that no counsellor has completed yet, earliest review time
   * first (erased reports left out): held or, once their time is up, sent as not reviewed.
   */
  public List<Waiting> awaitingReview(int limit) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, reference, review_due_at FROM reports WHERE review_due_at IS NOT NULL"
          + " AND reviewed_at IS NULL AND erased_at IS NULL ORDER BY review_due_at, id LIMIT " + Math.max(1, limit))) {
        var out = new ArrayList<Waiting>();
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Waiting(rs.getString(1), rs.getString(2), Store.fromDb(rs.getObject(3, LocalDateTime.class))));
          }
        }
        return out;
      }
    });
  }
}
