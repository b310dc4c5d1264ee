package vn.hotline.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.privacy.Retention;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.Reports;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/** What happened is provable (the audit chain) and personal data leaves when its time is up (retention, erasure). */
@GatewayTest
class AuditAndRetentionTest {
  static final String TEXTER = "+84966112233";
  static final String STORY = "Bác hàng xóm hay đánh em Lan bằng gậy, em nghe tiếng khóc mỗi tối.";

  TestDatabase db;
  RunningGateway gw;
  FakeAgency agency;
  MutableClock clock = MutableClock.now();
  Store store;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    agency = new FakeAgency();
    gw = house.start(Map.of("GATEWAY_INBOX_URL", agency.url("/inbox"),
        "GATEWAY_INBOX_SECRET", WebhookSignature.newSecret()), clock);
    store = Store.open(gw.config().db(), null);
  }

  @AfterEach
  void stop() {
    store.close();
    agency.close();
  }

  /** A texted report with a story and a link; returns its reference. */
  String smsReport(String from) {
    return Reports.smsReport(gw, from, STORY);
  }

  /** A report call that ends in a voicemail; returns its reference. */
  String voicemailCall() {
    return Reports.voicemailCall(gw, db);
  }

  @Test
  void everyStateChangeIsAnAuditEventChainedAndFreeOfPersonalData() throws Exception {
    smsReport(TEXTER);
    voicemailCall();
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2, "delivered");
    var result = AuditChain.verify(store.dataSource(), null);
    assertTrue(result.intact(), result.problem());
    var types = new HashSet<String>();
    try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT event_type, refs, data, actor FROM audit_events")) {
      while (rs.next()) {
        types.add(rs.getString(1));
        var row = rs.getString(2) + rs.getString(3) + rs.getString(4);
        assertFalse(row.contains("966112233"), "no number in the audit trail: " + row);
        assertFalse(row.contains("hàng xóm") || row.contains("bachangxom"), "no free text in the audit trail: " + row);
        assertFalse(row.contains("p1_"), "no pseudonym in the audit trail: " + row);
      }
    }
    assertTrue(types.containsAll(List.of("contact.received", "flow.step", "contact.ended", "sms.received",
        "report.created", "report.routed", "delivery.attempt")), types.toString());
    assertEquals(result.events(), db.count("audit_events"));
  }

  @Test
  void changingOrRemovingOneAuditRowIsCaughtAtThatRow() throws Exception {
    voicemailCall();
    var intact = AuditChain.verify(store.dataSource(), null);
    assertTrue(intact.intact(), intact.problem());
    long n = intact.events();
    assertTrue(n > 10, n + " events");

    exec("UPDATE audit_events SET actor = 'someone-else' WHERE seq = " + (n - 1));
    var changed = AuditChain.verify(store.dataSource(), null);
    assertFalse(changed.intact());
    assertEquals(n - 1, changed.brokenAt(), changed.problem());
    assertTrue(changed.problem().contains("event " + (n - 1) + " was changed after it was written"), changed.problem());
  }

  @Test
  void aDeletedRowInTheMiddleOrAtTheEndIsCaught() throws Exception {
    voicemailCall();
    long n = AuditChain.verify(store.dataSource(), null).events();
    exec("DELETE FROM audit_events WHERE seq = 5");
    var gap = AuditChain.verify(store.dataSource(), null);
    assertFalse(gap.intact());
    assertEquals(5, gap.brokenAt());
    assertTrue(gap.problem().contains("event 5 is missing"), gap.problem());
  }

  @Test
  void removingTheNewestEventsIsCaughtByTheHead() throws Exception {
    voicemailCall();
    long n = AuditChain.verify(store.dataSource(), null).events();
    exec("DELETE FROM audit_events WHERE seq >= " + (n - 2));
    var cut = AuditChain.verify(store.dataSource(), null);
    assertFalse(cut.intact());
    assertTrue(cut.problem().contains("events were removed from the end"), cut.problem());
  }

  @Test
  void aChainRewrittenFromTheStartIsCaughtByAnAnchorKeptElsewhere() throws Exception {
    voicemailCall();
    var before = AuditChain.verify(store.dataSource(), null);
    var anchor = new AuditChain.Anchor(5, hashOf(5));
    assertTrue(AuditChain.verify(store.dataSource(), anchor).intact());
    // Rewrite event 3's data and recompute every hash after it, as someone covering their tracks would.
    exec("UPDATE audit_events SET data = '{}' WHERE seq = 3");
    try (var c = db.connect()) {
      String prev = hashOf(2);
      // Holding the head, as the linker does, so that events linked meanwhile do not hang off the old chain.
      c.setAutoCommit(false);
      c.createStatement().executeQuery("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").close();
      try (var rs = c.createStatement().executeQuery("SELECT seq, at, event_type, actor, refs, data FROM audit_events"
          + " WHERE seq >= 3 ORDER BY seq")) {
        var rows = new java.util.ArrayList<Object[]>();
        while (rs.next()) {
          rows.add(new Object[] {rs.getLong(1), rs.getObject(2, java.time.LocalDateTime.class), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getString(6)});
        }
        for (var r : rows) {
          var h = AuditLog.hash(prev, (Long) r[0], ((java.time.LocalDateTime) r[1]).toInstant(java.time.ZoneOffset.UTC),
              (String) r[2], (String) r[3], (String) r[4], (String) r[5]);
          try (var ps = c.prepareStatement("UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?")) {
            ps.setString(1, prev);
            ps.setString(2, h);
            ps.setLong(3, (Long) r[0]);
            ps.executeUpdate();
          }
          prev = h;
        }
        try (var ps = c.prepareStatement("UPDATE audit_head SET hash = ? WHERE id = 1")) {
          ps.setString(1, prev);
          ps.executeUpdate();
        }
      }
      c.commit();
    }
    assertTrue(AuditChain.verify(store.dataSource(), null).intact(), "a full rewrite is self-consistent...");
    var withAnchor = AuditChain.verify(store.dataSource(), anchor);
    assertFalse(withAnchor.intact(), "...but not with the anchor");
    assertTrue(withAnchor.problem().contains("differs from the anchor"), withAnchor.problem());
    assertNotNull(before.headHash());
  }

  @Test
  void theRetentionPurgeRemovesExactlyTheExpiredPersonalFieldsAndKeepsUndeliveredReports() throws Exception {
    var sms = smsReport(TEXTER);
    var voice = voicemailCall();
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2, "delivered");
    agency.always(FakeAgency.Answer.of(503)); // the next report cannot be delivered
    var stuck = smsReport("+84966000999");
    Await.until(() -> db.count("SELECT COUNT(*) FROM delivery_attempts WHERE http_status = ?", "503") >= 1, "stuck");

    clock.advance(Duration.ofDays(31)); // past caller numbers and SMS texts, not past free text or recordings
    var first = new Retention(store, new AuditLog(), gw.config().retention()).purge(clock.instant());
    assertEquals(1, first.get("caller_numbers"), first.toString()); // the delivered SMS contact, not the undelivered one
    assertEquals(0, first.get("report_free_text"));
    assertEquals(0, first.get("recordings"));
    assertNull(db.row("SELECT caller_sealed FROM contacts WHERE reference = ?", sms).get("caller_sealed"));
    assertNotNull(db.row("SELECT caller_sealed FROM contacts WHERE reference = ?", stuck).get("caller_sealed"),
        "an undelivered report keeps everything");
    assertNotNull(db.row("SELECT description_sealed FROM reports WHERE reference = ?", sms).get("description_sealed"));

    clock.advance(Duration.ofDays(60)); // now past recordings (90 days)
    var second = new Retention(store, new AuditLog(), gw.config().retention()).purge(clock.instant());
    assertEquals(1, second.get("recordings"), second.toString());
    assertNull(db.row("SELECT recording_sealed FROM reports WHERE reference = ?", voice).get("recording_sealed"));

    clock.advance(Duration.ofDays(300)); // past free text
    var third = new Retention(store, new AuditLog(), gw.config().retention()).purge(clock.instant());
    assertEquals(1, third.get("report_free_text"), third.toString());
    var report = db.row("SELECT * FROM reports WHERE reference = ?", sms);
    assertNull(report.get("description_sealed"));
    assertNull(report.get("urls_sealed"));
    assertEquals("physical_violence", report.get("category"), "codes stay for statistics");
    assertEquals("48", report.get("province"));
    var kept = db.row("SELECT * FROM reports WHERE reference = ?", stuck);
    assertNotNull(kept.get("description_sealed"), "never touches undelivered reports");
    assertEquals(3, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "retention.purged"));
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  @Test
  void freeTextIsKeptAsLongAsTheAgenciesItWentToNeedIt() throws Exception {
    var shortNeed = smsReport(TEXTER);
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 1, "delivered");
    var sessionTexts = "SELECT f.texts_sealed FROM flow_sessions f JOIN contacts c ON c.id = f.contact_id"
        + " WHERE c.reference = ?";
    assertNotNull(db.row(sessionTexts, shortNeed).get("texts_sealed"), "the conversation's free-text answers");
    clock.advance(Duration.ofDays(31)); // the inbox needs 30 days, far less than the default 365
    var purged = new Retention(store, new AuditLog(), gw.config().retention(), Map.of("inbox", 30)).purge(clock.instant());
    assertEquals(1, purged.get("report_free_text"), purged.toString());
    assertEquals(1, purged.get("session_free_text"), purged.toString());
    assertNull(db.row("SELECT description_sealed FROM reports WHERE reference = ?", shortNeed).get("description_sealed"));
    assertNull(db.row(sessionTexts, shortNeed).get("texts_sealed"));

    var longNeed = smsReport("+84966000555");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2, "delivered");
    var longer = new Retention(store, new AuditLog(), gw.config().retention(), Map.of("inbox", 400));
    clock.advance(Duration.ofDays(366)); // past the default, not past what the inbox needs
    assertEquals(0, longer.purge(clock.instant()).get("report_free_text"));
    assertNotNull(db.row("SELECT description_sealed FROM reports WHERE reference = ?", longNeed).get("description_sealed"));
    assertNotNull(db.row(sessionTexts, longNeed).get("texts_sealed"));
    clock.advance(Duration.ofDays(35));
    var after = longer.purge(clock.instant());
    assertEquals(1, after.get("report_free_text"), after.toString());
    assertEquals(1, after.get("session_free_text"), after.toString());
    assertNull(db.row("SELECT urls_sealed FROM reports WHERE reference = ?", longNeed).get("urls_sealed"));
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  @Test
  void erasureByReferenceRemovesTheContactsAndReportsPersonalFieldsAndIsAudited() throws Exception {
    var sms = smsReport(TEXTER);
    var other = smsReport("+84966000777");
    var retention = new Retention(store, new AuditLog(), gw.config().retention());
    assertTrue(retention.erase(sms, "REQ-2026-17", clock.instant()));
    assertFalse(retention.erase("99999999", "REQ-X", clock.instant()));

    var contact = db.row("SELECT * FROM contacts WHERE reference = ?", sms);
    assertNull(contact.get("caller_sealed"));
    assertNull(contact.get("caller_pseudonym"));
    assertNotNull(contact.get("erased_at"));
    var report = db.row("SELECT * FROM reports WHERE reference = ?", sms);
    assertNull(report.get("description_sealed"));
    assertNull(report.get("urls_sealed"));
    assertNull(report.get("caller_pseudonym"));
    assertEquals("physical_violence", report.get("category"));
    var otherTexter = (String) db.row("SELECT caller_pseudonym FROM reports WHERE reference = ?", other).get("caller_pseudonym");
    assertEquals(10, db.count("SELECT COUNT(*) FROM sms_inbound WHERE sender_pseudonym = ? AND body_sealed <> ''", otherTexter),
        "the other texter's messages are untouched");
    assertNotNull(db.row("SELECT description_sealed FROM reports WHERE reference = ?", other).get("description_sealed"));
    var audit = db.row("SELECT * FROM audit_events WHERE event_type = ?", "erasure");
    assertTrue(((String) audit.get("data")).contains("REQ-2026-17"));
    var chain = AuditChain.verify(store.dataSource(), null);
    assertTrue(chain.intact(), chain.problem());
  }

  String hashOf(long seq) {
    return (String) db.row("SELECT hash FROM audit_events WHERE seq = ?", Long.toString(seq)).get("hash");
  }

  void exec(String sql) throws SQLException {
    try (var c = db.connect()) {
      c.createStatement().executeUpdate(sql);
    }
  }

}
