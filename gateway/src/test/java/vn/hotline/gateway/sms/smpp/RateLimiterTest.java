package vn.hotline.gateway.sms.smpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A link's max TPS: each submit gets its own slot, spaced 1/TPS apart, with no burst saved up while idle. */
class RateLimiterTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void submitsComingTogetherAreSpacedOneIntervalApart() {
    long t0 = 1_000_000 * MS;
    var limiter = new RateLimiter(10, t0);
    assertEquals(t0, limiter.reserve(t0), "the first goes at once");
    assertEquals(t0 + 100 * MS, limiter.reserve(t0));
    assertEquals(t0 + 200 * MS, limiter.reserve(t0));
    assertEquals(t0 + 300 * MS, limiter.reserve(t0 + 150 * MS), "a later caller still queues behind the others");
  }

  @Test
  void anIdleLinkSavesNoBurst() {
    long t0 = 5_000 * MS;
    var limiter = new RateLimiter(20, t0);
    limiter.reserve(t0);
    long later = t0 + 10_000 * MS;
    assertEquals(later, limiter.reserve(later), "after a quiet spell the next goes at once");
    assertEquals(later + 50 * MS, limiter.reserve(later), "... and the one after it waits its 50 ms");
  }
}
