package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A gateway rehearses new calls before it listens (WarmUp), and a store looked at after the start holds no trace of
 * them: no contact, no session, no step, no audit event, an intact audit chain; the first real call is stored as usual.
 */
@GatewayTest
class WarmUpTest {
  TestDatabase db;
  Harness house;

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    db = house.db();
  }

  @Test
  void newCallsAreRehearsedAtStartAndNothingOfThemIsStoredOrLogged() throws Exception {
    try (var logs = LogCapture.start()) {
      var gw = house.start(Map.of("GATEWAY_OPERATORS_MODE", "dial"));

      var done = logs.matching(LogCapture.message("warm-up done"));
      assertEquals(1, done.size(), "the warm-up ran once before the listener: " + logs.warningsAndErrors());
      var calls = done.get(0).getKeyValuePairs().stream().filter(kv -> kv.key.equals("calls")).findFirst().orElseThrow();
      assertTrue(((Number) calls.value).intValue() > 0, "new calls rehearsed against the store: " + calls.value);
      assertTrue(logs.matching(LogCapture.message("contact started")).isEmpty(), "a rehearsed call logs no contact");
      assertEquals(0, db.count("contacts"));
      assertEquals(0, db.count("flow_sessions"));
      assertEquals(0, db.count("flow_steps"));
      for (var type : new String[] {"contact.%", "flow.%"}) {
        assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type LIKE ?", type), type);
      }
      try (var store = Store.open(gw.config().db(), null)) {
        assertTrue(AuditChain.verify(store.dataSource(), null).intact());
      }

      var first = gw.twilio().call().incoming();
      assertEquals(200, first.status());
      assertTrue(first.has("Gather"), first.body());
      assertEquals(1, db.count("contacts"));
      try (var store = Store.open(gw.config().db(), null)) {
        var chain = AuditChain.verify(store.dataSource(), null);
        assertTrue(chain.intact(), chain.problem());
      }
    }
  }
}
