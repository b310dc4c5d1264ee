package vn.hotline.gateway.util;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/** Identifiers: time-ordered UUIDv7 for rows, short random digits for the reference a caller writes down. */
public final class Ids {
  /**
   * One generator per platform thread (the webhook and store workers): no lock shared between them. The JDK's
   * default on Linux (NativePRNG) serialises every instance on one lock, so each thread gets its own DRBG (NIST SP
   * 800-90A Hash_DRBG, seeded from the system's entropy when first used on that thread).
   */
  private static final ThreadLocal<SecureRandom> PER_THREAD = ThreadLocal.withInitial(Ids::drbg);
  /** Virtual threads live for one task each: a generator of their own would be seeded for a single use. */
  private static final SecureRandom SHARED = drbg();

  private Ids() {}

  private static long lastMs;
  private static long lastSeq;

  /**
   * RFC 9562 UUIDv7: 48-bit Unix milliseconds, version, a 12-bit counter within the millisecond (method 1 of
   * section 6.2), 62 random bits. Monotonic within this process, so rows sort in the order they were made
   * (one texter's replies go out in order): the time and counter are taken under one lock, the random bits after it.
   */
  public static UUID uuid7() {
    var random = random();
    long msb;
    synchronized (Ids.class) {
      long ms = System.currentTimeMillis();
      if (ms <= lastMs) {
        ms = lastMs;
        if (++lastSeq > 0xFFF) {
          ms = ++lastMs;
          lastSeq = 0;
        }
      } else {
        lastMs = ms;
        lastSeq = random.nextInt(1 << 10); // start low in the range so the counter rarely overflows
      }
      msb = (ms << 16) | 0x7000L | lastSeq;
    }
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  /**
   * An 8-digit reference, first digit not 0 so it is never read as shorter. Unguessable so that knowing one
   * reference tells nothing about another; uniqueness is enforced by the store.
   */
  public static String reference() {
    return Integer.toString(10_000_000 + random().nextInt(90_000_000));
  }

  private static SecureRandom random() {
    return Thread.currentThread().isVirtual() ? SHARED : PER_THREAD.get();
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no DRBG SecureRandom in this JDK", e);
    }
  }
}
