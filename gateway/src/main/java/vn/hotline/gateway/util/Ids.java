package vn.hotline.gateway.util;

import java.security.SecureRandom;
import java.util.UUID;

/** Identifiers: time-ordered UUIDv7 for rows, short random digits for the reference a caller writes down. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  private static long lastMs;
  private static long lastSeq;

  /**
   * RFC 9562 UUIDv7: 48-bit Unix milliseconds, version, a 12-bit counter within the millisecond (method 1 of
   * section 6.2), 62 random bits. Monotonic within this process, so rows sort in the order they were made
   * (one texter's replies go out in order).
   */
  public static synchronized UUID uuid7() {
    long ms = System.currentTimeMillis();
    if (ms <= lastMs) {
      ms = lastMs;
      if (++lastSeq > 0xFFF) {
        ms = ++lastMs;
        lastSeq = 0;
      }
    } else {
      lastMs = ms;
      lastSeq = RANDOM.nextInt(1 << 10); // start low in the range so the counter rarely overflows
    }
    long msb = (ms << 16) | 0x7000L | lastSeq;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /**
   * An 8-digit reference, first digit not 0 so it is never read as shorter. Unguessable so that knowing one
   * reference tells nothing about another; uniqueness is enforced by the store.
   */
  public static String reference() {
    return Integer.toString(10_000_000 + RANDOM.nextInt(90_000_000));
  }
}
