package vn.hotline.gateway.sms.smpp;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Spaces submits to at most {@code perSecond}: each caller waits for its own slot (a link's max TPS). */
final class RateLimiter {
  private final long intervalNanos;
  private long next;

  RateLimiter(int perSecond) {
    this(perSecond, System.nanoTime());
  }

  /** Starting at {@code startNanos} on the {@link System#nanoTime()} scale (or a test's own). */
  RateLimiter(int perSecond, long startNanos) {
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    this.next = startNanos;
  }

  void acquire() {
    long slot = reserve(System.nanoTime());
    long wait = slot - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  /** Takes the next free slot at or after {@code now}: the time the caller may submit. */
  synchronized long reserve(long now) {
    long slot = Math.max(now, next);
    next = slot + intervalNanos;
    return slot;
  }
}
