package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * The store fails under a live call: the caller must still reach a person, within two seconds. The gateway
 * reaches its store through a TCP proxy that the test cuts (connection refused) or stalls (a hung server).
 */
@GatewayTest(faulty = true, emptyStore = true) // empty: the gateway migrates it once it answers
class StoreFaultTest {
  private static final Duration TWILIO_PATIENCE = Duration.ofSeconds(2);

  Harness house;
  TestDatabase db;
  RunningGateway gw;

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    db = house.db();
  }

  @Test
  void aStoreCutMidCallStillSendsTheCallerToThePersonOnTheFallbackNumber() {
    gw = house.start();
    var call = gw.twilio().call();
    var menu = call.incoming();
    assertTrue(menu.has("Gather"));

    db.proxy().cut();
    var next = call.press(menu, "1");

    assertFallback(next);
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_webhook_fallbacks_total{reason=\"store\"}")
        || metrics.contains("hotline_webhook_fallbacks_total{reason=\"timeout\"}"), metrics);
  }

  @Test
  void aHungStoreIsNotWaitedOnPastTheDeadline() {
    gw = house.start();
    var call = gw.twilio().call();
    var menu = call.incoming();

    db.proxy().stall();
    var next = call.press(menu, "2");
    assertFallback(next);
    var newCall = gw.twilio().call().incoming();
    assertFallback(newCall);
  }

  @Test
  void healthGoesNotReadyWhileTheStoreIsDownAndReadyWhenItReturns() {
    gw = house.start();
    var twilio = gw.twilio();
    assertEquals(200, twilio.get("/health/ready").statusCode());

    db.proxy().cut();
    var down = twilio.get("/health/ready");
    assertEquals(503, down.statusCode(), down.body());
    assertTrue(down.body().contains("\"store\":{\"status\":\"DOWN\""), down.body());
    assertEquals(200, twilio.get("/health/live").statusCode(), "the process itself is alive");

    db.proxy().restore();
    var back = readyWithin(twilio, Duration.ofSeconds(15));
    assertEquals(200, back.statusCode(), back.body());
    var call = twilio.call();
    assertTrue(call.incoming().has("Gather"), "calls run the flow again");
  }

  @Test
  void aGatewayStartedWhileItsStoreIsDownAnswersWithTheFallbackAndRecoversWithoutARestart() {
    db.proxy().cut();
    gw = house.start(Map.of());
    var twilio = gw.twilio();
    assertEquals(503, twilio.get("/health/ready").statusCode());
    assertFallback(twilio.call().incoming());

    db.proxy().restore();
    var ready = readyWithin(twilio, Duration.ofSeconds(15));
    assertEquals(200, ready.statusCode(), "the readiness probe migrates the store once it answers: " + ready.body());
    assertTrue(twilio.call().incoming().has("Gather"));
  }

  @Test
  void anOutageOfSeveralSecondsIsLoggedOnceWhenTheStoreGoesDownAndOnceWhenItIsBack() throws Exception {
    gw = house.start();
    var twilio = gw.twilio();
    assertEquals(200, twilio.get("/health/ready").statusCode());
    try (var logs = LogCapture.start()) {
      db.proxy().cut();
      // Five seconds down, as a load balancer sees it (probes several times a second) with a call coming in.
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      assertFallback(twilio.call().incoming());
      while (System.nanoTime() < end) {
        assertEquals(503, twilio.get("/health/ready").statusCode());
        Thread.sleep(100);
      }
      db.proxy().restore();
      assertEquals(200, readyWithin(twilio, Duration.ofSeconds(15)).statusCode());
      vn.hotline.gateway.testing.Await.until(() -> !logs.matching(LogCapture.message("is back")).isEmpty(),
          "the store's return is logged", Duration.ofSeconds(10));

      assertEquals(1, logs.matching(LogCapture.message("is down")).size(), logs.warningsAndErrors().toString());
      assertEquals(1, logs.matching(LogCapture.message("is back")).size());
      var down = logs.matching(LogCapture.message("is down")).getFirst();
      assertEquals(ch.qos.logback.classic.Level.WARN, down.getLevel());
      // The call sent to the fallback is worth its own line; nothing else repeats while the store is down.
      var others = logs.warningsAndErrors().stream().filter(l -> !l.contains("is down"))
          .filter(l -> !l.contains("caller sent to the fallback number")).toList();
      assertEquals(java.util.List.of(), others, "one line per state change, not per request");
    }
  }

  /** Probes as a load balancer would, until ready or the deadline passes; the pool needs a moment to refill. */
  private static java.net.http.HttpResponse<String> readyWithin(FakeTwilio twilio, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      var r = twilio.get("/health/ready");
      if (r.statusCode() == 200 || System.nanoTime() > end) {
        return r;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
    }
  }

  private static void assertFallback(Twiml t) {
    assertEquals(200, t.status(), t.body());
    assertTrue(t.took().compareTo(TWILIO_PATIENCE) < 0, "answered in " + t.took().toMillis() + " ms");
    assertEquals(java.util.List.of(RunningGateway.FALLBACK), t.dialled(), t.body());
    assertFalse(t.verb("Dial").hasAttribute("action"), "the fallback needs nothing more from the store");
    assertTrue(t.heardText().contains("tư vấn viên"), t.heardText());
  }
}
