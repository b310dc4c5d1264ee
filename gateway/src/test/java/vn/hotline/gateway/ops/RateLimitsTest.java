package vn.hotline.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.ops.RateLimits.Verdict;
import vn.hotline.gateway.testing.MutableClock;

/** Per-source token buckets with a clock the test moves (no gateway). */
class RateLimitsTest {
  final MutableClock clock = MutableClock.now();
  final RateLimits limits = new RateLimits(clock);

  @Test
  void aFullBucketAllowsItsBurstThenRefusesAndSaysOnlyOnceAMinute() {
    for (int i = 0; i < 3; i++) {
      assertEquals(Verdict.ALLOWED, limits.take("p1_a", 3), "token " + (i + 1));
    }
    assertEquals(Verdict.REFUSED_FIRST, limits.take("p1_a", 3));
    assertEquals(Verdict.REFUSED, limits.take("p1_a", 3), "the refusal is reported once, not per request");
    assertEquals(Verdict.ALLOWED, limits.take("p1_b", 3), "another source goes on");
  }

  @Test
  void tokensComeBackAtTheRatePerMinute() {
    for (int i = 0; i < 3; i++) {
      limits.take("ip", 3);
    }
    assertEquals(Verdict.REFUSED_FIRST, limits.take("ip", 3));
    assertEquals(20, limits.secondsUntilToken("ip", 3), "3 a minute: one every 20 s");
    clock.advance(Duration.ofSeconds(10));
    assertEquals(10, limits.secondsUntilToken("ip", 3));
    assertEquals(Verdict.REFUSED, limits.take("ip", 3), "half a token is not one");
    clock.advance(Duration.ofSeconds(10));
    assertEquals(0, limits.secondsUntilToken("ip", 3));
    assertEquals(Verdict.ALLOWED, limits.take("ip", 3));
    assertEquals(Verdict.REFUSED, limits.take("ip", 3), "one token came back, not more");
  }

  @Test
  void aLongQuietSpellRefillsTheBucketToItsBurstNotBeyond() {
    for (int i = 0; i < 3; i++) {
      limits.take("ip", 3);
    }
    clock.advance(Duration.ofMinutes(5));
    for (int i = 0; i < 3; i++) {
      assertEquals(Verdict.ALLOWED, limits.take("ip", 3));
    }
    assertEquals(Verdict.REFUSED_FIRST, limits.take("ip", 3), "the burst is 3, not 15 saved up");
  }

  @Test
  void aFloodRefusedForMoreThanAMinuteIsReportedAgain() {
    limits.take("ip", 1);
    assertEquals(Verdict.REFUSED_FIRST, limits.take("ip", 1));
    clock.advance(Duration.ofSeconds(30));
    assertEquals(Verdict.REFUSED, limits.take("ip", 1), "0.5 tokens back, and reported 30 s ago");
    clock.advance(Duration.ofSeconds(31));
    assertEquals(Verdict.ALLOWED, limits.take("ip", 1));
    assertEquals(Verdict.REFUSED_FIRST, limits.take("ip", 1), "61 s after the last report");
  }

  @Test
  void aSourceNeverSeenHasATokenNow() {
    assertEquals(0, limits.secondsUntilToken("new", 10));
  }
}
