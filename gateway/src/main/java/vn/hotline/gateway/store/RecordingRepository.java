package vn.hotline.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.util.Ids;
import vn.hotline.gateway.util.Json;

/**
 * Voicemail recordings, which stay at Twilio: the sealed RecordingSid a contact's report (or, without a report, its
 * session) keeps, who played it, and the deletions at Twilio owed once its retention is over or the contact erased
 * ({@code recording_deletions}: one row per deletion, kept until Twilio confirms it). Audit events carry ids and
 * codes only: never the RecordingSid, never a URL.
 */
public final class RecordingRepository {
  private static final TypeReference<Map<String, String>> TEXTS = new TypeReference<>() {};

  /** A deletion at Twilio still owed: its row, the contact, and the RecordingSid (opened). */
  public record Due(String id, String contactId, String reportId, String recordingSid, String reason, int attempts) {}

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public RecordingRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /**
   * The RecordingSid of the contact's voicemail, opened: the report's, else the one its session keeps (a voicemail
   * that made no report). Empty when there is none, or it is gone (retention, erasure).
   */
  public Optional<String> recordingSid(String contactId) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT recording_sealed FROM reports WHERE contact_id = ? AND erased_at IS NULL")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            var sealed = rs.getString(1);
            return sealed == null ? Optional.<String>empty() : Optional.ofNullable(blank(sealer.open(sealed)));
          }
        }
      }
      try (var ps = c.prepareStatement("SELECT s.texts_sealed FROM flow_sessions s JOIN contacts c ON c.id = s.contact_id"
          + " WHERE s.contact_id = ? AND c.erased_at IS NULL")) {
        ps.setString(1, contactId);
        try (var rs = ps.executeQuery()) {
          if (rs.next() && rs.getString(1) != null) {
            var texts = sealer.open(rs.getString(1));
            if (texts == null || texts.isBlank()) {
              return Optional.<String>empty();
            }
            try {
              Map<String, String> m = Json.JSON.readValue(texts, TEXTS);
              return Optional.ofNullable(blank(m.get("recording_id")));
            } catch (JsonProcessingException e) {
              return Optional.<String>empty();
            }
          }
        }
      }
      return Optional.<String>empty();
    });
  }

  /** Records that {@code operatorId} was sent the contact's voicemail (recording.played: the contact, the operator). */
  public void played(String contactId, String operatorId, Instant now) {
    store.inTransaction(c -> {
      audit.append(c, "recording.played", "operator:" + operatorId, Map.of("contact", contactId),
          Map.of("operator", operatorId), now);
      return null;
    });
  }

  // --- deletions at Twilio --------------------------------------------------------------------------------------

  /**
   * In the caller's transaction (privacy.Retention, before it clears the references): a deletion at Twilio owed for
   * the recording of every report matching {@code where} (SQL on {@code reports}, with {@code args}). Due at once.
   * Returns how many.
   */
  public static int queue(Connection c, String where, String reason, Instant now, Object... args) throws SQLException {
    var rows = new ArrayList<String[]>();
    try (var ps = c.prepareStatement("SELECT id, contact_id, recording_sealed FROM reports WHERE recording_sealed IS NOT NULL"
        + " AND recording_sealed <> '' AND (" + where + ") ORDER BY id")) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i] instanceof Instant t ? Store.toDb(t) : args[i]);
      }
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
        }
      }
    }
    for (var r : rows) {
      try (var ps = c.prepareStatement("INSERT INTO recording_deletions (id, contact_id, report_id, recording_sealed,"
          + " reason, queued_at, next_attempt_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)")) {
        ps.setString(1, Ids.uuid7().toString());
        ps.setString(2, r[1]);
        ps.setString(3, r[0]);
        ps.setString(4, r[2]); // already sealed: copied as it is, never opened here
        ps.setString(5, reason);
        ps.setObject(6, Store.toDb(now));
        ps.setObject(7, Store.toDb(now));
        ps.executeUpdate();
      }
    }
    return rows.size();
  }

  /** The deletions owed whose time has come, oldest first (at most {@code limit}). */
  public List<Due> due(Instant now, int limit) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, contact_id, report_id, recording_sealed, reason, attempts"
          + " FROM recording_deletions WHERE deleted_at IS NULL AND next_attempt_at <= ? ORDER BY queued_at, id")) {
        ps.setObject(1, Store.toDb(now));
        ps.setMaxRows(limit);
        try (var rs = ps.executeQuery()) {
          var out = new ArrayList<Due>();
          while (rs.next()) {
            out.add(new Due(rs.getString(1), rs.getString(2), rs.getString(3), blank(sealer.open(rs.getString(4))),
                rs.getString(5), rs.getInt(6)));
          }
          return List.copyOf(out);
        }
      }
    });
  }

  /**
   * Twilio confirmed the deletion ({@code status}: 204, or 404 when it was gone already): the row keeps ids and
   * times, the RecordingSid goes. Audited as recording.deleted.
   */
  public void deleted(Due d, int status, Instant now) {
    store.inTransaction(c -> {
      Store.update(c, "UPDATE recording_deletions SET deleted_at = ?, recording_sealed = NULL, last_status = ?,"
          + " attempts = attempts + 1 WHERE id = ? AND deleted_at IS NULL", now, status, d.id());
      audit.append(c, "recording.deleted", "gateway", refs(d), Map.of("at", "twilio", "status", status,
          "reason", d.reason(), "attempt", d.attempts() + 1), now);
      return null;
    });
  }

  /** The DELETE failed ({@code status}, 0 when Twilio did not answer): tried again from {@code next}. Audited. */
  public void failed(Due d, int status, Instant next, Instant now) {
    store.inTransaction(c -> {
      Store.update(c, "UPDATE recording_deletions SET last_status = ?, attempts = attempts + 1, next_attempt_at = ?"
          + " WHERE id = ? AND deleted_at IS NULL", status, next, d.id());
      audit.append(c, "recording.delete_failed", "gateway", refs(d), Map.of("at", "twilio", "status", status,
          "reason", d.reason(), "attempt", d.attempts() + 1), now);
      return null;
    });
  }

  /** How many deletions at Twilio are still owed. */
  public int pending() {
    return store.read(c -> {
      try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM recording_deletions WHERE deleted_at IS NULL")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  private static Map<String, Object> refs(Due d) {
    var refs = new HashMap<String, Object>();
    refs.put("deletion", d.id());
    refs.put("contact", d.contactId());
    refs.put("report", d.reportId());
    return refs;
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
