package vn.hotline.gateway.sms.smpp;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Spaces submits to at most {@code perSecond}: each caller waits for its own slot (a link's max TPS). */
final class RateLimiter {
  private final long intervalNanos;
  private long next = System.nanoTime();

  RateLimiter(int perSecond) {
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
  }

  void acquire() {
    long slot;
    synchronized (this) {
      long now = System.nanoTime();
      slot = Math.max(now, next);
      next = slot + intervalNanos;
    }
    long wait = slot - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
