package vn.hotline.gateway.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.Reports;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The daily purge reads only the rows still holding personal data (V21's *_held_at columns and their indexes), and
 * still clears everything due whatever ran before: after days without a run, data held since long before the last
 * run, and day by day.
 */
@GatewayTest
class PurgeReadsOnlyHeldDataTest {
  static final String STORY = "Bác hàng xóm hay đánh em Lan bằng gậy, em nghe tiếng khóc mỗi tối.";

  TestDatabase db;
  RunningGateway gw;
  FakeAgency agency;
  MutableClock clock = MutableClock.now();
  Store store;
  Retention retention;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    agency = new FakeAgency();
    gw = house.start(Map.of("GATEWAY_INBOX_URL", agency.url("/inbox"),
        "GATEWAY_INBOX_SECRET", WebhookSignature.newSecret()), clock);
    store = Store.open(gw.config().db(), null);
    retention = new Retention(store, new AuditLog(), gw.config().retention());
  }

  @AfterEach
  void stop() {
    store.close();
    agency.close();
  }

  String smsReport(String from) {
    return Reports.smsReport(gw, from, STORY);
  }

  String voicemailCall() {
    return Reports.voicemailCall(gw, db);
  }

  int held() {
    return db.count("contacts WHERE caller_sealed IS NOT NULL")
        + db.count("reports WHERE recording_sealed IS NOT NULL OR description_sealed IS NOT NULL"
            + " OR urls_sealed IS NOT NULL")
        + db.count("flow_sessions WHERE texts_sealed IS NOT NULL");
  }

  int indexedAsHeld() {
    return db.count("contacts WHERE caller_held_at IS NOT NULL")
        + db.count("reports WHERE recording_held_at IS NOT NULL OR free_text_held_at IS NOT NULL")
        + db.count("flow_sessions WHERE texts_held_at IS NOT NULL");
  }

  @Test
  void afterDaysWithoutARunEverythingDueIsPurgedEvenDataHeldSinceLongBeforeTheLastRun() throws Exception {
    assertTrue(retention.purgeIfDue(clock.instant()).isPresent(), "the first run");
    var sms = smsReport("+84966112233");
    var voice = voicemailCall();
    var old = smsReport("+84966000777");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 3, "delivered");
    // one contact as if it ended long before the last run (a store upgraded with data no run had cleared)
    exec("UPDATE contacts SET ended_at = '2020-01-01 00:00:00' WHERE reference = '" + old + "'");
    exec("UPDATE reports SET completed_at = '2020-01-01 00:00:00' WHERE reference = '" + old + "'");
    assertEquals(held(), indexedAsHeld(), "the index columns follow the data they stand for");

    clock.advance(Duration.ofDays(45)); // the gateway was down for 45 days: no run in between
    // the gateway's own housekeeping may run it first (same clock): what is asserted is what is left
    retention.purgeIfDue(clock.instant());
    for (var ref : List.of(sms, voice, old)) {
      assertNull(db.row("SELECT caller_sealed FROM contacts WHERE reference = ?", ref).get("caller_sealed"), ref);
    }
    assertNull(db.row("SELECT description_sealed FROM reports WHERE reference = ?", old).get("description_sealed"));
    assertNotNull(db.row("SELECT description_sealed FROM reports WHERE reference = ?", sms).get("description_sealed"));

    assertNotNull(db.row("SELECT recording_sealed FROM reports WHERE reference = ?", voice).get("recording_sealed"),
        "45 days: not past recording_days (90)");
    assertEquals(held(), indexedAsHeld());

    clock.advance(Duration.ofDays(400)); // down again, past every retention
    retention.purgeIfDue(clock.instant());
    assertEquals(0, held(), "nothing due is left");
    assertEquals(0, indexedAsHeld());
  }

  @Test
  void dayByDayEachRunPurgesWhatBecameDueAndNothingEarlier() throws Exception {
    var first = smsReport("+84966112233");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 1, "delivered");
    String second = null;
    var sealed = "SELECT caller_sealed FROM contacts WHERE reference = ?";
    for (int day = 1; day <= 41; day++) {
      clock.advance(Duration.ofDays(1));
      if (day == 10) {
        second = smsReport("+84966000888"); // a later contact: due on day 41
        Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2, "delivered");
      }
      retention.purgeIfDue(clock.instant()); // daily, each with the previous day's run before it
      // caller_number_days 30: a number goes on the 31st day after its contact ended, not before
      assertEquals(day < 31, db.row(sealed, first).get("caller_sealed") != null, "first, day " + day);
      if (second != null) {
        assertEquals(day < 41, db.row(sealed, second).get("caller_sealed") != null, "second, day " + day);
      }
      assertEquals(held(), indexedAsHeld(), "day " + day);
    }
  }

  /** Each candidate lookup of the purge is an index range, not a scan of the table. */
  @Test
  void thePurgesLookupsReadTheHeldIndexes() throws Exception {
    var lookups = Map.of( // as Retention.purge writes them
        "SELECT id FROM contacts WHERE caller_sealed IS NOT NULL AND caller_held_at < '2026-01-01'", "ix_contacts_caller_held",
        "SELECT id FROM contacts WHERE caller_sealed IS NOT NULL AND COALESCE(channel, '') = 'voice'"
            + " AND caller_held_at < '2026-01-01'", "ix_contacts_caller_held",
        "SELECT id FROM contacts WHERE answered_number_sealed IS NOT NULL AND answered_held_at < '2026-01-01'", "ix_contacts_answered_held",
        "SELECT id FROM reports WHERE free_text_held_at < '2026-01-01' AND description_sealed IS NOT NULL", "ix_reports_free_text_held",
        "SELECT id FROM reports WHERE recording_held_at < '2026-01-01' AND recording_sealed IS NOT NULL", "ix_reports_recording_held",
        "SELECT id FROM flow_sessions WHERE texts_held_at >= '1000-01-01 00:00:00' AND texts_sealed IS NOT NULL"
            + " AND COALESCE(status, '') = 'closed'", "ix_flow_sessions_texts_held");
    for (var e : lookups.entrySet()) {
      var plan = explain(e.getKey());
      assertTrue(plan.toLowerCase().contains(e.getValue()), e.getKey() + " -> " + plan);
    }
  }

  String explain(String sql) throws SQLException {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery("EXPLAIN " + sql)) {
      var out = new StringBuilder();
      var n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) {
          out.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
        }
      }
      return out.toString();
    }
  }

  void exec(String sql) throws SQLException {
    try (var c = db.connect()) {
      c.createStatement().executeUpdate(sql);
    }
  }
}
