package vn.hotline.gateway.privacy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.DeliveryStatus;
import vn.hotline.gateway.contact.InboundStatus;
import vn.hotline.gateway.contact.OutboundStatus;
import vn.hotline.gateway.contact.SessionStatus;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.store.CallerFlagRepository;
import vn.hotline.gateway.store.FollowupRepository;
import vn.hotline.gateway.store.RecordingRepository;
import vn.hotline.gateway.store.Store;

/**
 * Keeps personal data only as long as it is needed: the daily purge removes each class after its retention
 * (never from a report with an undelivered delivery), and an erasure request removes a contact's and its
 * report's personal fields at once. Both leave an audit event with counts; codes (category, province, age band,
 * outcome...) stay, so statistics and the audit trail survive.
 */
public final class Retention {
  /** A purged value in NOT NULL columns: the row stays (it is referenced), the data does not. */
  static final String PURGED = "";
  private static final String UNDELIVERED =
      " EXISTS (SELECT 1 FROM deliveries d WHERE d.report_id = r.id AND d.status <> " + DeliveryStatus.DELIVERED.sql() + ")";

  /**
   * Every time a *_held_at column (V21) holds, as a range both stores read from its index (H2 does not for IS NOT
   * NULL): MariaDB's earliest DATETIME.
   */
  private static final String HELD_ANY = "'1000-01-01 00:00:00'";

  private static final String FLAG_NOT_PURGED = "(pseudonym <> '" + PURGED + "' OR reason_sealed <> '" + PURGED + "')";

  private final Store store;
  private final AuditLog audit;
  private final GatewayConfig.Retention cfg;
  private final Map<String, Integer> freeTextDaysByAgency;

  public Retention(Store store, AuditLog audit, GatewayConfig.Retention cfg) {
    this(store, audit, cfg, Map.of());
  }

  /**
   * @param freeTextDaysByAgency agencies that need a report's free text kept for another number of days than
   *     retention.free_text_days (routing.yaml free_text_days)
   */
  public Retention(Store store, AuditLog audit, GatewayConfig.Retention cfg, Map<String, Integer> freeTextDaysByAgency) {
    this.store = store;
    this.audit = audit;
    this.cfg = cfg;
    this.freeTextDaysByAgency = Map.copyOf(freeTextDaysByAgency);
  }

  /** Runs the purge if it has not run in the last day (any instance); returns its counts when it ran. */
  public Optional<Map<String, Integer>> purgeIfDue(Instant now) {
    try {
      return purgeIfDueOnce(now);
    } catch (vn.hotline.gateway.store.StoreException e) {
      if (e.isDuplicateKey()) {
        return Optional.empty(); // the very first run, raced by another (an instance, or housekeeping now): it purges
      }
      throw e;
    }
  }

  private Optional<Map<String, Integer>> purgeIfDueOnce(Instant now) {
    return store.inTransaction(c -> {
      try (var ps = c.prepareStatement("SELECT last_run FROM maintenance_runs WHERE task = 'retention' FOR UPDATE")) {
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            var last = rs.getObject(1, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC);
            if (last.isAfter(now.minus(Duration.ofDays(1)))) {
              return Optional.<Map<String, Integer>>empty();
            }
            try (var up = c.prepareStatement("UPDATE maintenance_runs SET last_run = ? WHERE task = 'retention'")) {
              up.setObject(1, java.time.LocalDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
              up.executeUpdate();
            }
          } else {
            try (var in = c.prepareStatement("INSERT INTO maintenance_runs (task, last_run) VALUES ('retention', ?)")) {
              in.setObject(1, java.time.LocalDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
              in.executeUpdate();
            }
          }
        }
      }
      return Optional.of(purge(c, now));
    });
  }

  /** Purges now, whatever ran before (the `retention purge` command). */
  public Map<String, Integer> purge(Instant now) {
    return store.inTransaction(c -> purge(c, now));
  }

  private Map<String, Integer> purge(Connection c, Instant now) throws SQLException {
    var counts = new LinkedHashMap<String, Integer>();
    var numbersBefore = now.minus(Duration.ofDays(cfg.callerNumberDays()));
    var smsBefore = now.minus(Duration.ofDays(cfg.smsDays()));
    var textBefore = now.minus(Duration.ofDays(cfg.freeTextDays()));
    var recordingBefore = now.minus(Duration.ofDays(cfg.recordingDays()));

    counts.put("caller_numbers", Store.update(c, "UPDATE contacts SET caller_sealed = NULL WHERE caller_sealed IS NOT NULL"
        + " AND channel <> '" + Channel.VOICE.wire() + "' AND caller_held_at < ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.contact_id = contacts.id AND" + UNDELIVERED + ")",
        numbersBefore));
    // A voice caller's number is kept only for the callback they said was safe, and no delivery carries it: an
    // undelivered report does not hold it. A callback or reply task left without its number cannot be kept: closed.
    // COALESCE: an expression no index serves, so that H2 reads ix_contacts_caller_held, not the (channel, ...)
    // index, which holds most of the table under 'voice' (its planner took that one at 10^5 contacts).
    counts.put("callback_numbers", Store.update(c, "UPDATE contacts SET caller_sealed = NULL WHERE caller_sealed IS NOT NULL"
        + " AND COALESCE(channel, '') = '" + Channel.VOICE.wire() + "' AND caller_held_at < ?", numbersBefore));
    counts.put("followups_closed", FollowupRepository.closeWhereNumberPurged(c, audit, now));
    // Who answered a call, when no operator id came with the number rung: a counsellor's phone number, staff data
    // that no delivery carries, so an undelivered report does not hold it: it goes after the same period.
    counts.put("answered_numbers", Store.update(c, "UPDATE contacts SET answered_number_sealed = NULL"
        + " WHERE answered_number_sealed IS NOT NULL AND answered_held_at < ?", numbersBefore));
    // A caller flag that stopped counting (cleared, or past its expiry) keeps its ids and times for the audit
    // trail, not whose it was nor why. Expiries not applied yet are applied (audited) first.
    CallerFlagRepository.expireDue(c, audit, now);
    counts.put("caller_flags", Store.update(c, "UPDATE caller_flags SET pseudonym = '" + PURGED + "', reason_sealed = '"
        + PURGED + "' WHERE " + FLAG_NOT_PURGED + " AND (cleared_at < ? OR expires_at < ?)", numbersBefore, numbersBefore));
    counts.put("outbound_numbers", Store.update(c, "UPDATE sms_outbound SET destination_sealed = '" + PURGED + "'"
        + " WHERE destination_sealed <> '" + PURGED + "' AND created_at < ? AND status NOT IN (" + OutboundStatus.QUEUED.sql() + ", " + OutboundStatus.SENDING.sql() + ")",
        numbersBefore));
    counts.put("inbound_sms", Store.update(c, "UPDATE sms_inbound SET body_sealed = '" + PURGED + "', sender_sealed = '"
        + PURGED + "' WHERE body_sealed <> '" + PURGED + "' AND status IN (" + InboundStatus.PROCESSED.sql() + ", "
        + InboundStatus.UNANSWERABLE.sql() + ") AND received_at < ?",
        smsBefore));
    counts.put("inbound_sms_parts", Store.update(c, "UPDATE sms_inbound_parts SET body_sealed = '" + PURGED
        + "', sender_sealed = '" + PURGED + "', raw_sealed = NULL WHERE body_sealed <> '" + PURGED + "' AND message_id IS NOT NULL"
        + " AND received_at < ?", smsBefore));
    // A counsellor's reply is SMS text like the texter's: it goes after the same period, once it is no longer due.
    counts.put("counsellor_replies", Store.update(c, "UPDATE sms_outbound SET body_sealed = '" + PURGED + "'"
        + " WHERE body_sealed IS NOT NULL AND body_sealed <> '" + PURGED + "' AND created_at < ? AND status NOT IN ("
        + OutboundStatus.QUEUED.sql() + ", " + OutboundStatus.SENDING.sql() + ")", smsBefore));
    // Free text is kept for the longest need among the agencies the report went to, each counted from its
    // completion, and only once each has it; a report that went nowhere keeps it retention.free_text_days.
    // Completed before the latest of those cutoffs: what the index on free_text_held_at reads (V21), so the
    // statement reads only the reports still holding free text, not the whole table.
    var freeTextArgs = new ArrayList<Object>();
    freeTextArgs.add(latestFreeTextCutoff(now, textBefore));
    var freeTextDone = freeTextDone("reports", now, textBefore, freeTextArgs);
    counts.put("report_free_text", Store.update(c, "UPDATE reports SET description_sealed = NULL, urls_sealed = NULL"
        + " WHERE free_text_held_at < ? AND (description_sealed IS NOT NULL OR urls_sealed IS NOT NULL) AND " + freeTextDone,
        freeTextArgs.toArray()));
    // A counsellor's free text (district, case notes, the referral's reason) goes with its report's free text.
    var reviewArgs = new ArrayList<Object>();
    var reviewDone = freeTextDone("r", now, textBefore, reviewArgs);
    counts.put("review_free_text", Store.update(c, "UPDATE report_versions SET district_sealed = NULL, notes_sealed = NULL,"
        + " reason_sealed = NULL WHERE (district_sealed IS NOT NULL OR notes_sealed IS NOT NULL OR reason_sealed IS NOT NULL)"
        + " AND EXISTS (SELECT 1 FROM reports r WHERE r.id = report_versions.report_id AND " + reviewDone + ")",
        reviewArgs.toArray()));
    // A submitted report's reporter contact (web form, partner) goes with its report's free text; an expired
    // Idempotency-Key (24 h) is forgotten.
    var contactArgs = new ArrayList<Object>();
    var contactDone = freeTextDone("r", now, textBefore, contactArgs);
    counts.put("reporter_contacts", Store.update(c, "UPDATE intake_submissions SET contact_sealed = NULL"
        + " WHERE contact_sealed IS NOT NULL AND EXISTS (SELECT 1 FROM reports r WHERE r.id = intake_submissions.report_id"
        + " AND " + contactDone + ")", contactArgs.toArray()));
    counts.put("idempotency_keys", Store.update(c, "DELETE FROM intake_idempotency WHERE created_at < ?",
        now.minus(java.time.Duration.ofHours(24))));
    // A harmful-content URL is kept while a report that named it keeps its free text: the link from a report whose
    // free text is gone (purged above, or erased) goes, the item's count follows, and an item no report names any
    // more goes with its sealed URL.
    int links = Store.update(c, "DELETE FROM content_item_reports WHERE EXISTS (SELECT 1 FROM reports r"
        + " WHERE r.id = content_item_reports.report_id AND r.urls_sealed IS NULL AND r.description_sealed IS NULL)");
    counts.put("content_item_links", links);
    if (links > 0) {
      Store.update(c, "UPDATE content_items SET report_count = (SELECT COUNT(*) FROM content_item_reports l"
          + " WHERE l.content_item_id = content_items.id) WHERE report_count <> (SELECT COUNT(*) FROM content_item_reports l"
          + " WHERE l.content_item_id = content_items.id)");
    }
    counts.put("content_items", Store.update(c, "DELETE FROM content_items WHERE report_count = 0"));
    // A conversation's free-text answers go with its report's free text, or after the default without a report.
    var sessionArgs = new ArrayList<Object>();
    var sessionReportDone = freeTextDone("r", now, textBefore, sessionArgs);
    sessionArgs.add(textBefore);
    counts.put("session_free_text", Store.update(c, "UPDATE flow_sessions SET texts_sealed = NULL WHERE texts_held_at >= " + HELD_ANY
        + " AND texts_sealed IS NOT NULL" // COALESCE: as above, not ix_flow_sessions_status (nearly all are closed)
        + " AND COALESCE(status, '') = " + SessionStatus.CLOSED.sql() + " AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.contact_id = flow_sessions.contact_id"
        + " AND NOT (" + sessionReportDone + ")) AND (EXISTS (SELECT 1 FROM reports r WHERE r.contact_id ="
        + " flow_sessions.contact_id) OR updated_at < ?)", sessionArgs.toArray()));
    // The audio itself is at Twilio: each reference cleared here is first a deletion owed there (RecordingDeletions).
    var recordingDone = "recording_held_at < ? AND NOT" + UNDELIVERED.replace("r.id", "reports.id");
    counts.put("recordings_to_delete_at_twilio", RecordingRepository.queue(c, recordingDone, "retention", now, recordingBefore));
    counts.put("recordings", Store.update(c, "UPDATE reports SET recording_sealed = NULL WHERE recording_sealed IS NOT NULL"
        + " AND " + recordingDone, recordingBefore));
    audit.append(c, "retention.purged", "gateway", Map.of(), counts, now);
    return counts;
  }

  /**
   * Erases the personal fields of the contact with this reference and of its report (and cancels its follow-up task:
   * nobody calls an erased contact back): sealed number, pseudonym,
   * the number that answered it, description, URLs, recording, free-text answers, the counsellor's free text in
   * the report's versions, the conversation's SMS texts; and the caller flags set from it or on its caller
   * (cleared, audited, their pseudonym and reason purged). Codes, ids and times stay. Returns false when no
   * contact has the reference.
   *
   * @param request the erasure request's own id (no personal data), for the audit trail
   */
  public boolean erase(String reference, String request, Instant now) {
    return store.inTransaction(c -> {
      String contactId;
      String pseudonym;
      Instant started;
      Instant ended;
      try (var ps = c.prepareStatement("SELECT id, caller_pseudonym, started_at, ended_at FROM contacts WHERE reference = ?"
          + " FOR UPDATE")) {
        ps.setString(1, reference);
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          contactId = rs.getString(1);
          pseudonym = rs.getString(2);
          started = rs.getObject(3, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC);
          var e = rs.getObject(4, java.time.LocalDateTime.class);
          ended = e == null ? now : e.toInstant(java.time.ZoneOffset.UTC);
        }
      }
      var counts = new LinkedHashMap<String, Integer>();
      counts.put("contact", Store.update(c, "UPDATE contacts SET caller_sealed = NULL, caller_pseudonym = NULL,"
          + " answered_number_sealed = NULL, erased_at = ? WHERE id = ?", now, contactId));
      counts.put("recordings_to_delete_at_twilio", RecordingRepository.queue(c, "contact_id = ?", "erasure", now, contactId));
      counts.put("report", Store.update(c, "UPDATE reports SET description_sealed = NULL, urls_sealed = NULL,"
          + " recording_sealed = NULL, caller_pseudonym = NULL, erased_at = ? WHERE contact_id = ?", now, contactId));
      counts.put("session", Store.update(c, "UPDATE flow_sessions SET texts_sealed = NULL WHERE contact_id = ?", contactId));
      counts.put("reporter_contact", Store.update(c, "UPDATE intake_submissions SET contact_sealed = NULL WHERE report_id IN"
          + " (SELECT id FROM reports WHERE contact_id = ?)", contactId));
      counts.put("followups_cancelled", FollowupRepository.cancelForErasure(c, audit, contactId, "cli", now));
      counts.put("review", Store.update(c, "UPDATE report_versions SET district_sealed = NULL, notes_sealed = NULL,"
          + " reason_sealed = NULL WHERE report_id IN (SELECT id FROM reports WHERE contact_id = ?)", contactId));
      counts.put("outbound_sms", Store.update(c, "UPDATE sms_outbound SET destination_sealed = '" + PURGED + "',"
          + " body_sealed = CASE WHEN body_sealed IS NULL THEN NULL ELSE '" + PURGED + "' END WHERE contact_id = ?",
          contactId));
      // what the texter wrote to a counsellor after the conversation's end names the contact
      counts.put("inbound_sms_after", Store.update(c, "UPDATE sms_inbound SET body_sealed = '" + PURGED + "', sender_sealed = '"
          + PURGED + "' WHERE contact_id = ? AND body_sealed <> '" + PURGED + "'", contactId));
      if (pseudonym != null) {
        counts.put("inbound_sms", Store.update(c, "UPDATE sms_inbound SET body_sealed = '" + PURGED + "', sender_sealed = '"
            + PURGED + "' WHERE sender_pseudonym = ? AND received_at >= ? AND received_at <= ?", pseudonym, started, ended));
        counts.put("inbound_sms_parts", Store.update(c, "UPDATE sms_inbound_parts SET body_sealed = '" + PURGED
            + "', sender_sealed = '" + PURGED + "', raw_sealed = NULL WHERE sender_pseudonym = ? AND received_at >= ? AND received_at <= ?",
            pseudonym, started, ended));
      }
      // Flags set from this contact or on its caller: cleared (audited), then whose and why purged.
      counts.put("caller_flags_cleared", CallerFlagRepository.clearForErasure(c, audit, reference, pseudonym, now));
      counts.put("caller_flags", pseudonym == null
          ? Store.update(c, "UPDATE caller_flags SET pseudonym = '" + PURGED + "', reason_sealed = '" + PURGED + "'"
              + " WHERE reference = ? AND " + FLAG_NOT_PURGED, reference)
          : Store.update(c, "UPDATE caller_flags SET pseudonym = '" + PURGED + "', reason_sealed = '" + PURGED + "'"
              + " WHERE (reference = ? OR pseudonym = ?) AND " + FLAG_NOT_PURGED, reference, pseudonym));
      var data = new LinkedHashMap<String, Object>(counts);
      data.put("request", request);
      audit.append(c, "erasure", "cli", Map.of("contact", contactId, "reference", reference), data, now);
      return true;
    });
  }

  /** The latest completion time whose free text may go now: the default's cutoff or an agency's, the later. */
  private Instant latestFreeTextCutoff(Instant now, Instant defaultBefore) {
    var latest = defaultBefore;
    for (var days : freeTextDaysByAgency.values()) {
      var before = now.minus(Duration.ofDays(days));
      if (before.isAfter(latest)) {
        latest = before;
      }
    }
    return latest;
  }

  /**
   * SQL that holds when the free text of the report aliased {@code r} may go: completed, every delivery of it
   * delivered, and past each of those agencies' free-text days (their own, else the default); with no delivery,
   * past the default. Appends its parameters to {@code args}.
   */
  private String freeTextDone(String r, Instant now, Instant defaultBefore, List<Object> args) {
    String cutoff;
    if (freeTextDaysByAgency.isEmpty()) {
      cutoff = "?";
    } else {
      var sql = new StringBuilder("CASE d.agency_id");
      freeTextDaysByAgency.forEach((agency, days) -> {
        sql.append(" WHEN ? THEN ?");
        args.add(agency);
        args.add(now.minus(Duration.ofDays(days)));
      });
      cutoff = sql.append(" ELSE ? END").toString();
    }
    args.add(defaultBefore);
    args.add(defaultBefore);
    return r + ".completed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.report_id = " + r
        + ".id AND (d.status <> " + DeliveryStatus.DELIVERED.sql() + " OR " + r + ".completed_at >= " + cutoff + ")) AND (EXISTS (SELECT 1"
        + " FROM deliveries d WHERE d.report_id = " + r + ".id) OR " + r + ".completed_at < ?)";
  }
}
