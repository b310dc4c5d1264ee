package vn.hotline.gateway.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The number of the counsellor who pressed 1 (kept sealed on the contact when no operator id came with it) is
 * not kept for ever: it goes retention.caller_number_days after the contact ended, even while the contact's
 * report is still undelivered (no delivery carries it), and at once with an erasure of the contact. Danger calls
 * answered over signed webhooks; the agency inbox refuses everything, so the reports stay undelivered.
 */
@GatewayTest
class WhoAnsweredRetentionTest {
  TestDatabase db;
  RunningGateway gw;
  FakeAgency agency;
  MutableClock clock = MutableClock.now();
  Store store;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    agency = new FakeAgency().always(FakeAgency.Answer.of(503));
    gw = house.start(Map.of("GATEWAY_INBOX_URL", agency.url("/inbox"), "GATEWAY_INBOX_SECRET", WebhookSignature.newSecret(),
        "GATEWAY_SESSIONS_HOUSEKEEPING_INTERVAL_MS", "3600000"), clock);
    store = Store.open(gw.config().db(), null);
  }

  @AfterEach
  void stop() {
    store.close();
    agency.close();
  }

  @Test
  void theNumberThatAnsweredGoesAfterTheCallerNumberDaysAndNothingElseOfTheContactDoes() throws Exception {
    var first = answeredDangerCall();
    clock.advance(Duration.ofDays(20));
    var later = answeredDangerCall();
    var retention = new Retention(store, new AuditLog(), gw.config().retention());

    clock.advance(Duration.ofDays(9)); // the first ended 29 days ago
    assertEquals(0, retention.purge(clock.instant()).get("answered_numbers"));
    var firstBefore = contact(first);
    var laterBefore = contact(later);
    assertEquals(RunningGateway.OPERATOR_1, gw.sealer().open((String) firstBefore.get("answered_number_sealed")));
    assertEquals(RunningGateway.OPERATOR_1, gw.sealer().open((String) laterBefore.get("answered_number_sealed")));

    clock.advance(Duration.ofDays(2)); // the first ended 31 days ago, the later one 11
    var counts = retention.purge(clock.instant());

    assertEquals(1, counts.get("answered_numbers"), counts.toString());
    var firstAfter = contact(first);
    assertNull(firstAfter.get("answered_number_sealed"));
    assertEquals(without(firstBefore), without(firstAfter), "who answered, by leg, seq and time, stays; so does the rest");
    assertNotNull(firstAfter.get("answered_leg"));
    assertEquals(laterBefore, contact(later), "a contact within its period keeps the number");
    assertTrue(undelivered(first) > 0, "the report is still undelivered, and does not hold a counsellor's number");
    var audit = db.row("SELECT data FROM audit_events WHERE event_type = ? ORDER BY id DESC LIMIT 1", "retention.purged");
    assertTrue(audit.get("data").toString().contains("\"answered_numbers\":1"), audit.toString());
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  @Test
  void anErasureOfTheContactErasesTheNumberThatAnsweredIt() throws Exception {
    var erased = answeredDangerCall();
    var other = answeredDangerCall();
    var before = contact(erased);
    var otherBefore = contact(other);
    assertEquals(RunningGateway.OPERATOR_1, gw.sealer().open((String) before.get("answered_number_sealed")));

    assertTrue(new Retention(store, new AuditLog(), gw.config().retention()).erase(erased, "REQ-2026-40", clock.instant()));

    var after = contact(erased);
    assertNull(after.get("answered_number_sealed"));
    assertNull(after.get("caller_pseudonym"));
    assertNotNull(after.get("erased_at"));
    assertEquals(without(before, "caller_pseudonym", "erased_at"), without(after, "caller_pseudonym", "erased_at"),
        "the leg, seq, time and codes stay");
    assertEquals(otherBefore, contact(other), "another contact answered by the same counsellor keeps it");
    var event = db.row("SELECT refs, data FROM audit_events WHERE event_type = ?", "erasure").toString();
    assertTrue(event.contains("REQ-2026-40"), event);
    assertFalse(event.contains(RunningGateway.OPERATOR_1.substring(3)), "no number in the audit trail: " + event);
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  /** A child in danger calls, the first counsellor's phone presses 1 (no operator id: the number is kept), ended. */
  String answeredDangerCall() {
    var call = gw.twilio().dangerCallAnswered();
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }

  Map<String, Object> contact(String reference) {
    return db.row("SELECT * FROM contacts WHERE reference = ?", reference);
  }

  int undelivered(String reference) {
    return db.count("SELECT COUNT(*) FROM deliveries d JOIN reports r ON r.id = d.report_id WHERE r.reference = ?"
        + " AND d.status <> 'delivered'", reference);
  }

  static Map<String, Object> without(Map<String, Object> row, String... more) {
    var out = new HashMap<>(row);
    out.remove("answered_number_sealed");
    out.remove("answered_held_at"); // derived from it (V21): NULL once the number is gone
    for (var m : more) {
      out.remove(m);
    }
    return out;
  }
}
