package vn.hotline.gateway.operators;

import java.time.Duration;

/**
 * How long a login is locked after failed sign-ins in a row: the first {@link #FREE_FAILURES} cost nothing; the
 * 5th locks it for 1 minute, each further failure (after the lock has run out) doubles that, up to 1 hour. A
 * successful sign-in starts the count again.
 */
public final class Lockout {
  public static final int FREE_FAILURES = 4;
  public static final Duration FIRST = Duration.ofMinutes(1);
  public static final Duration CAP = Duration.ofHours(1);

  private Lockout() {}

  /** The lock that follows the {@code failures}-th failure in a row (zero: none). */
  public static Duration after(int failures) {
    if (failures <= FREE_FAILURES) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - FREE_FAILURES - 1, 16); // 2^16 minutes is far past the cap
    var lock = FIRST.multipliedBy(1L << doublings);
    return lock.compareTo(CAP) > 0 ? CAP : lock;
  }
}
