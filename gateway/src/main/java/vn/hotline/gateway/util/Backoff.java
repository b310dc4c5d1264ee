package vn.hotline.gateway.util;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one exponential backoff with jitter: from the first delay, doubling up to a cap (SMPP rebinding: 1 s, 2 s,
 * 4 s ... up to {@code smpp.reconnect_max_seconds}), each delay drawn between half and all of it, so many gateways
 * (or links) that lost one peer do not come back in lockstep. Thread-safe and stateless: the caller counts attempts.
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
