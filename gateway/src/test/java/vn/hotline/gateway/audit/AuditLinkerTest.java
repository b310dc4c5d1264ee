package vn.hotline.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.util.Json;

/**
 * Audited writes do not queue behind the chain head (issue 14: every new call waited for that one row), and the
 * chain the linkers build from concurrent writers is still one gapless chain, each transaction's events in order.
 */
@GatewayTest
class AuditLinkerTest {
  final AuditLog audit = new AuditLog();
  TestDatabase db;
  Store store;

  @BeforeEach
  void start(Harness house) {
    db = house.db();
    var gw = house.start(); // its linker runs alongside this test's: two linkers, one chain
    store = Store.open(gw.config().db(), null);
  }

  @AfterEach
  void stop() {
    store.close();
  }

  @Test
  void aWriterCommitsItsEventWhileSomeoneHoldsTheChainHead() throws Exception {
    try (var holder = db.connect()) {
      holder.setAutoCommit(false);
      try (var rs = holder.createStatement().executeQuery("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")) {
        assertTrue(rs.next());
      }
      // Before batch linking, this append waited for the head row until the store's lock timeout.
      var written = CompletableFuture.supplyAsync(() -> store.inTransaction(c -> {
        audit.append(c, "test.event", "test", Map.of("n", 1), Map.of("kind", "held-head"), Instant.now());
        return true;
      }));
      assertTrue(written.get(30, TimeUnit.SECONDS), "committed while the head was held");
      assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "test.event"),
          "the event is recorded as soon as its transaction commits");
      holder.rollback();
    }
    Await.until(() -> db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ? AND seq IS NOT NULL", "test.event") == 1,
        "the event linked into the chain once the head is free");
    var chain = AuditChain.verify(store.dataSource(), null);
    assertTrue(chain.intact(), chain.problem());
  }

  @Test
  void concurrentWritersMakeOneGaplessChainWithEachTransactionInOrder() throws Exception {
    int writers = 8;
    int transactions = 40;
    int perTransaction = 3;
    var pool = Executors.newFixedThreadPool(writers);
    var futures = new ArrayList<CompletableFuture<Void>>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      futures.add(CompletableFuture.runAsync(() -> {
        for (int t = 0; t < transactions; t++) {
          var tx = writer + "-" + t;
          store.inTransaction(c -> {
            for (int k = 0; k < perTransaction; k++) {
              audit.append(c, "test.concurrent", "test", Map.of("tx", tx, "k", k), Map.of(), Instant.now());
            }
            return null;
          });
          if (t % 10 == 0) {
            try {
              AuditLinker.linkPending(store.dataSource()); // a second linker, racing the gateway's
            } catch (java.sql.SQLException e) {
              throw new IllegalStateException(e);
            }
          }
        }
      }, pool));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    pool.shutdown();
    var chain = AuditChain.verify(store.dataSource(), null);
    assertTrue(chain.intact(), chain.problem());
    int total = db.count("audit_events");
    assertEquals(total, chain.events(), "every event is linked");
    assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE seq IS NULL OR event_type <> ?", "x")
        - db.count("SELECT COUNT(*) FROM audit_events WHERE event_type <> ?", "x"), "none left unlinked");

    var lastK = new HashMap<String, long[]>();
    int seen = 0;
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT seq, refs FROM audit_events WHERE event_type = 'test.concurrent' ORDER BY seq")) {
      while (rs.next()) {
        var refs = Json.JSON.readTree(rs.getString(2));
        var tx = refs.path("tx").asText();
        long k = refs.path("k").asLong();
        var before = lastK.computeIfAbsent(tx, x -> new long[] {-1, 0});
        assertEquals(before[0] + 1, k, "transaction " + tx + "'s events linked in the order they were written");
        before[0] = k;
        seen++;
      }
    }
    assertEquals(writers * transactions * perTransaction, seen);
    assertEquals(writers * transactions, lastK.size());
    List<Long> seqs = new ArrayList<>();
    try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT seq FROM audit_events ORDER BY seq")) {
      while (rs.next()) {
        seqs.add(rs.getLong(1));
      }
    }
    for (int i = 0; i < seqs.size(); i++) {
      assertEquals(i + 1, seqs.get(i), "no gap in the chain");
    }
  }
}
