package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Store.inGroup: the work of callers waiting at the same time goes into one commit, each caller returns only once
 * its work is committed, and each gets the outcome it would have had alone: a piece that fails is rolled back by
 * itself, and a batch the store gives up whole (a deadlock) is run again piece by piece, each once.
 *
 * <p>To make a batch for certain, holders' work keeps the writers busy until the others are queued behind them.
 */
@GatewayTest
class GroupCommitTest {
  private static final Instant NOW = Instant.parse("2026-12-02T01:00:00Z");
  /** One holder per writer, each its own commit. */
  private static final int HOLDERS = GroupCommit.WRITERS;
  TestDatabase db;
  Store store;

  @BeforeEach
  void open(Harness house) {
    db = house.db();
    store = Store.open(new GatewayConfig.Db(db.gatewayUrl(), db.user(), "", 8, 5000), null);
    store.migrate();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void workWaitingTogetherIsOneCommitAndEachCallerReturnsOnlyOnceItsRowIsThere() throws Exception {
    var before = store.groupStats();
    var seen = new ConcurrentHashMap<String, Integer>();
    var callers = behindAHeldWriter(20, i -> store.inGroup(c -> {
      insert(c, "g" + i);
      return i;
    }), (i, result) -> seen.put("g" + i, db.count("SELECT COUNT(*) FROM gateway_instances WHERE id = ?", "g" + i)));

    assertEquals(List.of(), callers.failures());
    for (int i = 0; i < 20; i++) {
      assertEquals(1, seen.get("g" + i), "g" + i + " is in the store when its caller is answered");
    }
    var after = store.groupStats();
    assertEquals(HOLDERS + 1, after.commits() - before.commits(), "the holders' commits, and one for the 20 that waited");
    assertEquals(HOLDERS + 20, after.work() - before.work());
  }

  @Test
  void aPieceThatFailsIsRolledBackAloneAndTheOthersCommit() throws Exception {
    store.inTransaction(c -> insert(c, "taken"));
    var before = store.groupStats();
    var callers = behindAHeldWriter(5, i -> store.inGroup(c -> {
      insert(c, "p" + i);
      if (i == 2) {
        insert(c, "taken"); // a duplicate key: this piece fails after its first row
      }
      return i;
    }), (i, result) -> { });

    assertEquals(1, callers.failures().size(), callers.failures().toString());
    var failure = callers.failures().getFirst();
    assertTrue(failure instanceof StoreException se && se.isDuplicateKey(), failure.toString());
    assertEquals(0, db.count("SELECT COUNT(*) FROM gateway_instances WHERE id = ?", "p2"), "the failed piece left nothing");
    for (var id : List.of("p0", "p1", "p3", "p4")) {
      assertEquals(1, db.count("SELECT COUNT(*) FROM gateway_instances WHERE id = ?", id), id);
    }
    assertEquals(HOLDERS + 1, store.groupStats().commits() - before.commits(), "the others were still one commit");
  }

  @Test
  void aBatchTheStoreGivesUpWholeIsRunAgainPieceByPieceEachOnce() throws Exception {
    var before = store.groupStats();
    var runs = new AtomicInteger();
    var callers = behindAHeldWriter(4, i -> store.inGroup(c -> {
      insert(c, "d" + i);
      if (i == 3 && runs.getAndIncrement() == 0) {
        throw new SQLException("Deadlock found when trying to get lock", "40001", 1213); // as MariaDB says it
      }
      return i;
    }), (i, result) -> { });

    assertEquals(List.of(), callers.failures(), "each piece, run again alone, passed");
    assertEquals(4, db.count("SELECT COUNT(*) FROM gateway_instances WHERE id LIKE ?", "d%"), "each row once");
    assertEquals(HOLDERS + 4, store.groupStats().commits() - before.commits(), "the holders', then one each");
  }

  @Test
  void workOfTheWriterItselfAndWorkAfterCloseRunsAlone() {
    var nested = store.inGroup(c -> store.inGroup(c2 -> insert(c2, "nested")));
    assertEquals(1, nested);
    store.close();
    assertThrows(StoreException.class, () -> store.inGroup(c -> insert(c, "after")), "a closed store refuses");
  }

  private record Callers(List<Throwable> failures) {}

  private interface Work {
    Object call(int i);
  }

  private interface Check {
    void accept(int i, Object result);
  }

  /**
   * Holders keep every writer busy; {@code n} callers queue behind them; then one writer is let go and takes those n
   * as one batch, and only once they are all answered is the other let go. Each caller runs {@code check} right
   * after it is answered.
   */
  private Callers behindAHeldWriter(int n, Work work, Check check) throws Exception {
    var release = new ArrayList<CountDownLatch>();
    var holders = new ArrayList<Thread>();
    for (int w = 0; w < GroupCommit.WRITERS; w++) {
      var held = new CountDownLatch(1);
      var go = new CountDownLatch(1);
      release.add(go);
      String id = "holder-" + n + "-" + w;
      holders.add(Thread.ofVirtual().start(() -> store.inGroup(c -> {
        held.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return insert(c, id);
      })));
      held.await(); // this writer is busy: the next holder goes to another
    }
    var failures = java.util.Collections.synchronizedList(new ArrayList<Throwable>());
    var threads = new ArrayList<Thread>();
    for (int i = 0; i < n; i++) {
      int k = i;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          check.accept(k, work.call(k));
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }));
    }
    Await.until(() -> store.groupWaiting() == n, () -> store.groupWaiting() + " of " + n + " queued",
        Duration.ofSeconds(30));
    release.getFirst().countDown();
    for (var t : threads) {
      t.join();
    }
    release.forEach(CountDownLatch::countDown);
    for (var h : holders) {
      h.join();
    }
    return new Callers(failures);
  }

  private static int insert(java.sql.Connection c, String id) throws SQLException {
    return Store.update(c, "INSERT INTO gateway_instances (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)",
        id, "test", 1L, NOW, NOW);
  }
}
