package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Optional;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;

/**
 * The rows a submitted report (web form, partner API) adds to its contact and report: the contact itself (one
 * submission is the whole contact, ended when it is made), who submitted it, the reporter's contact (sealed) and
 * the Idempotency-Key a retry is recognised by. What to write is decided by intake.Intake; this only writes and
 * reads rows, inside the caller's transaction.
 */
public final class IntakeRepository {
  /** An Idempotency-Key already used in its scope: the fingerprint of what came with it and the report it made. */
  public record Remembered(String fingerprint, String reportId, String reference, Instant at) {}

  /** A submitted report as its submitter may see it: no personal data. */
  public record Submitted(String reportId, String reference, Channel channel, String partnerId, String partnerRef,
      Instant receivedAt) {}

  private final Store store;
  private final Sealer sealer;

  public IntakeRepository(Store store, Sealer sealer) {
    this.store = store;
    this.sealer = sealer;
  }

  /**
   * The report an Idempotency-Key made in its scope since {@code notBefore}, the row locked for this transaction;
   * an older one is deleted (its key may be used again).
   */
  public Optional<Remembered> remembered(Connection c, String scope, String key, Instant notBefore) throws SQLException {
    try (var ps = c.prepareStatement("SELECT k.fingerprint, k.report_id, r.reference, k.created_at FROM intake_idempotency k"
        + " JOIN reports r ON r.id = k.report_id WHERE k.scope = ? AND k.idem_key = ? FOR UPDATE")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var at = Store.fromDb(rs.getObject(4, LocalDateTime.class));
        if (!at.isBefore(notBefore)) {
          return Optional.of(new Remembered(rs.getString(1), rs.getString(2), rs.getString(3), at));
        }
      }
    }
    Store.update(c, "DELETE FROM intake_idempotency WHERE scope = ? AND idem_key = ?", scope, key);
    return Optional.empty();
  }

  /** Remembers the report a key made (a second insert of the same key at once fails with a duplicate key). */
  public void remember(Connection c, String scope, String key, String fingerprint, String reportId, Instant now)
      throws SQLException {
    Store.update(c, "INSERT INTO intake_idempotency (scope, idem_key, fingerprint, report_id, created_at)"
        + " VALUES (?, ?, ?, ?, ?)", scope, key, fingerprint, reportId, now);
  }

  /**
   * The contact a submission is: started and ended at {@code now} with outcome completed, no caller number.
   * {@code providerRef} is unique on its channel (a reference already taken fails with a duplicate key).
   *
   * @return the contact's id
   */
  public String insertContact(Connection c, Channel channel, String providerRef, String reference, Instant now)
      throws SQLException {
    var id = vn.hotline.gateway.util.Ids.uuid7().toString();
    Store.update(c, "INSERT INTO contacts (id, channel, provider_ref, reference, started_at, ended_at, end_status, outcome)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, channel.wire(), providerRef, reference, now, now, "submitted",
        Outcome.COMPLETED.wire());
    return id;
  }

  /** Who submitted the report, and the reporter's contact ({@code contactJson}, sealed here; null without consent). */
  public void insertSubmission(Connection c, String reportId, Channel channel, String partnerId, String partnerRef,
      String language, String contactJson, Instant now) throws SQLException {
    Store.update(c, "INSERT INTO intake_submissions (report_id, channel, partner_id, partner_ref, language, contact_sealed,"
        + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", reportId, channel.wire(), partnerId, partnerRef, language,
        contactJson == null ? null : sealer.seal(contactJson), now);
  }

  /** A report this partner submitted, by its reference; empty for anyone else's. */
  public Optional<Submitted> ofPartner(String partnerId, String reference) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT r.id, r.reference, s.channel, s.partner_id, s.partner_ref, r.received_at"
          + " FROM intake_submissions s JOIN reports r ON r.id = s.report_id WHERE s.partner_id = ? AND r.reference = ?")) {
        ps.setString(1, partnerId);
        ps.setString(2, reference);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new Submitted(rs.getString(1), rs.getString(2), Channel.of(rs.getString(3)),
              rs.getString(4), rs.getString(5), Store.fromDb(rs.getObject(6, LocalDateTime.class)))) : Optional.empty();
        }
      }
    });
  }

  /** The reporter's contact of a submitted report as JSON, opened (null: none was given, or it was purged). */
  public String contactJson(String reportId) {
    return store.read(c -> contactJson(c, reportId));
  }

  /** The reporter's contact of a submitted report, opened (null: none was given, or it was purged). */
  public String contactJson(Connection c, String reportId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT contact_sealed FROM intake_submissions WHERE report_id = ?")) {
      ps.setString(1, reportId);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? sealer.open(rs.getString(1)) : null;
      }
    }
  }
}
