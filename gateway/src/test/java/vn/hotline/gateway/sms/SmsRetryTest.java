package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Both SMS senders wait the same after a failed attempt: 5 s, doubling, up to 5 minutes, each between half and all of it. */
class SmsRetryTest {
  @Test
  void anOutgoingSmsIsRetriedAfterFiveSecondsDoublingUpToFiveMinutes() {
    long[] bases = {5, 10, 20, 40, 80, 160, 300, 300, 300};
    for (int n = 1; n <= bases.length; n++) {
      long baseMs = bases[n - 1] * 1000;
      for (int i = 0; i < 200; i++) {
        long d = SmsRetry.OUTBOUND.delay(n).toMillis();
        assertTrue(d >= baseMs / 2 && d <= baseMs, "attempt " + n + ": " + d + " ms not within " + baseMs / 2 + ".." + baseMs);
      }
    }
  }
}
