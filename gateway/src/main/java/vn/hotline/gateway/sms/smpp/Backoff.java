package vn.hotline.gateway.sms.smpp;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for rebinding: 1 s, 2 s, 4 s ... up to a cap, each delay drawn between half
 * and all of it, so many gateways (or links) that lost one SMSC do not come back in lockstep.
 */
public final class Backoff {
  private final long initialMs;
  private final long maxMs;

  public Backoff(Duration initial, Duration max) {
    this.initialMs = initial.toMillis();
    this.maxMs = max.toMillis();
  }

  /** The delay before attempt {@code n} (1 = the first retry). */
  public Duration delay(int n) {
    long base = Math.min(maxMs, initialMs << Math.min(Math.max(n - 1, 0), 30));
    long half = base / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
  }
}
