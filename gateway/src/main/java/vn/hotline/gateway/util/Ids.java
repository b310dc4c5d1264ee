package vn.hotline.gateway.util;

import java.security.SecureRandom;
import java.util.UUID;

/** Identifiers: time-ordered UUIDv7 for rows, short random digits for the reference a caller writes down. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** RFC 9562 UUIDv7: 48-bit Unix milliseconds, version, 74 random bits; sorts by creation time. */
  public static UUID uuid7() {
    long ms = System.currentTimeMillis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (ms << 16) | 0x7000L | randA;
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
