package vn.hotline.gateway.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * Chaos (issue 14): the store goes away in the middle of a stream of danger calls (every connection dropped and
 * refused for a few seconds, as when MariaDB restarts) and comes back. Counted at the end: every webhook was
 * answered 200 (the status callback 204, or 503 while the store is away), with the menu or with the fallback that sends the caller to a person; every call that got its
 * menu is stored; every call whose webhooks were all answered normally ends as a report, once. MariaDB only: the
 * embedded store is in the gateway's own process and cannot go away alone.
 */
@GatewayTest(faulty = true, stores = GatewayTest.Stores.MARIADB)
class StoreOutageChaosTest {
  Harness house;
  TestDatabase db;
  RunningGateway gw;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    db = house.db();
    gw = house.start(Map.of(), clock);
  }

  /** How one call went: every webhook's status, whether its menu came, whether it went through untouched. */
  record Walk(String sid, List<Integer> statuses, boolean menu, boolean whole, boolean fallback, int end) {}

  static boolean fallback(Twiml t) {
    return t.has("Dial") && t.dialled().equals(List.of(RunningGateway.FALLBACK)) && !t.verb("Dial").hasAttribute("action");
  }

  /** One Twilio for every call: its connections are reused, as Twilio's are (a client per call would pass 64 per address). */
  vn.hotline.gateway.testing.FakeTwilio twilio;

  Walk call() {
    var call = twilio.call();
    var statuses = new ArrayList<Integer>();
    var t = call.incoming();
    statuses.add(t.status());
    boolean menu = t.has("Gather");
    boolean whole = menu;
    boolean fell = !menu && fallback(t);
    if (menu) {
      for (var key : List.of("1", "1")) {
        t = call.press(t, key);
        statuses.add(t.status());
        if (fallback(t)) {
          fell = true;
          whole = false;
          break;
        }
      }
      if (whole && !t.has("Dial")) {
        whole = false; // the menu again (a step the store did not take is asked once more), not the handoff
      }
      if (whole) {
        try {
          t = call.dialEnded(t, "completed");
          statuses.add(t.status());
        } catch (AssertionError e) { // the counsellor's key was answered by the fallback: the store was away
          whole = false;
        }
      }
    }
    // The status callback: 204, or 503 while the store is away (by design: Twilio does not resend it, the stale
    // sweep closes the call), so it is kept apart from what the caller hears.
    var end = call.status("completed");
    return new Walk(call.sid, statuses, menu, whole, fell, end.status());
  }

  @Test
  void callersGetTheFallbackWhileTheStoreIsAwayAndNothingAnsweredIsLost() throws Exception {
    long t0 = System.nanoTime();
    int calls = Chaos.texts(80, 1_000);
    twilio = gw.twilio();
    var walks = new ConcurrentLinkedQueue<Walk>();
    var started = new AtomicInteger();
    var pool = Executors.newFixedThreadPool(8);
    var futures = new ArrayList<Future<?>>();
    for (int i = 0; i < calls; i++) {
      futures.add(pool.submit(() -> {
        started.incrementAndGet();
        walks.add(call());
      }));
    }
    Await.until(() -> started.get() >= calls / 4, "a quarter of the calls under way", Duration.ofSeconds(60));
    db.proxy().cut();
    Thread.sleep(Chaos.millis("chaos.store_outage_ms", 3_000, 15_000)); // the outage itself, not a wait for an absence
    db.proxy().restore();
    for (var f : futures) {
      f.get();
    }
    pool.shutdown();
    Await.until(() -> gw.management().get("/health/ready").statusCode() == 200, "ready again", Duration.ofSeconds(30));
    // Calls whose end was lost in the outage are closed by the stale sweep (a status callback Twilio never resends).
    clock.advance(Duration.ofSeconds(gw.config().sessions().staleAfterSeconds() + 60));
    gw.gateway().housekeepingNow();

    var bad = walks.stream().filter(w -> w.statuses().stream().anyMatch(s -> s != 200) || (w.end() != 204 && w.end() != 503)).toList();
    assertTrue(bad.isEmpty(), bad.size() + " calls had a webhook answered other than 200 (the status callback: 204 or 503): " + bad.stream().limit(3).toList());
    long fellBack = walks.stream().filter(Walk::fallback).count();
    assertTrue(fellBack > 0, "the outage sent some callers to the fallback");
    var lostContacts = new ArrayList<String>();
    var lostReports = new ArrayList<String>();
    for (var w : walks) {
      if (w.menu() && db.count("SELECT COUNT(*) FROM contacts WHERE provider_ref = ?", w.sid()) != 1) {
        lostContacts.add(w.sid());
      }
      if (w.whole() && db.count("SELECT COUNT(*) FROM reports r JOIN contacts c ON c.id = r.contact_id"
          + " WHERE c.provider_ref = ?", w.sid()) != 1) {
        lostReports.add(w.sid());
      }
    }
    long whole = walks.stream().filter(Walk::whole).count();
    long menus = walks.stream().filter(Walk::menu).count();
    Chaos.row(new Chaos.Row("store-outage", db.kind.name(), calls, menus - lostContacts.size(), -1,
        lostContacts.size() + lostReports.size(), 0, Duration.ofNanos(System.nanoTime() - t0), fellBack
        + " callers sent to the fallback during the outage, " + menus + " got the menu (stored), " + whole
        + " untouched (each a report)"));
    assertEquals(List.of(), lostContacts, "calls that got their menu are stored");
    assertEquals(List.of(), lostReports, "calls answered normally throughout are reports");
    assertTrue(whole > 0, "some calls went through untouched");
  }
}
