package vn.hotline.gateway.util;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The exponential backoff (SMPP rebinding uses it): doubling from the first delay up to the cap, each drawn from half to all of it. */
class BackoffTest {
  @Test
  void delaysDoubleUpToTheCapEachBetweenHalfAndAllOfIt() {
    var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    long[] bases = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (int n = 1; n <= bases.length; n++) {
      long base = bases[n - 1];
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < 500; i++) {
        long d = backoff.delay(n).toMillis();
        assertTrue(d >= base / 2 && d <= base, "attempt " + n + ": " + d + " ms not within " + base / 2 + ".." + base);
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      assertTrue(min < base * 0.6 && max > base * 0.9, "attempt " + n + " jittered over the range: " + min + ".." + max);
    }
  }

  @Test
  void aVeryLongOutageStaysAtTheCapAndAnAttemptBelowOneCountsAsTheFirst() {
    var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    for (int n : new int[] {31, 32, 64, 1000, Integer.MAX_VALUE}) {
      long d = backoff.delay(n).toMillis();
      assertTrue(d >= 30_000 && d <= 60_000, "attempt " + n + ": " + d);
    }
    for (int n : new int[] {0, -1}) {
      long d = backoff.delay(n).toMillis();
      assertTrue(d >= 500 && d <= 1000, "attempt " + n + ": " + d);
    }
  }
}
