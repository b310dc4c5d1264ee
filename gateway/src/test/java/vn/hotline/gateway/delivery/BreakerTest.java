package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An agency's circuit breaker: consecutive failures open it for a cooldown, then one try (no gateway). */
class BreakerTest {
  static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");
  static final Duration COOLDOWN = Duration.ofSeconds(60);

  @Test
  void itOpensAtTheThresholdOfFailuresInARowForTheCooldown() {
    var b = new DeliveryWorker.Breaker();
    assertTrue(b.allows(T0));
    b.failure(T0, 3, COOLDOWN);
    b.failure(T0, 3, COOLDOWN);
    assertTrue(b.allows(T0), "two failures are not yet three");
    b.failure(T0.plusSeconds(1), 3, COOLDOWN);
    assertFalse(b.allows(T0.plusSeconds(1)));
    assertFalse(b.allows(T0.plusSeconds(61).minusMillis(1)), "closed to sends for the whole cooldown");
    assertTrue(b.allows(T0.plusSeconds(61)), "then a delivery may try (half-open)");
  }

  @Test
  void aSuccessInBetweenStartsTheCountAgain() {
    var b = new DeliveryWorker.Breaker();
    b.failure(T0, 3, COOLDOWN);
    b.failure(T0, 3, COOLDOWN);
    b.success();
    b.failure(T0, 3, COOLDOWN);
    b.failure(T0, 3, COOLDOWN);
    assertTrue(b.allows(T0), "not three in a row");
  }

  @Test
  void aFailedTryAfterTheCooldownOpensItAgainAtOnceAndASuccessClosesIt() {
    var b = new DeliveryWorker.Breaker();
    for (int i = 0; i < 3; i++) {
      b.failure(T0, 3, COOLDOWN);
    }
    var later = T0.plus(COOLDOWN);
    assertTrue(b.allows(later));
    b.failure(later, 3, COOLDOWN);
    assertFalse(b.allows(later), "one failed try is enough to open it again");
    var after = later.plus(COOLDOWN);
    b.success();
    assertTrue(b.allows(after));
    b.failure(after, 3, COOLDOWN);
    assertTrue(b.allows(after), "closed: the count started again");
  }
}
