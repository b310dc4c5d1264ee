package vn.hotline.gateway.ops;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-source token buckets (one per caller pseudonym or IP): a flood from one source is cut off while every other
 * source goes on. Keys are pseudonyms or IPs, never numbers. Buckets idle for 10 minutes are forgotten.
 */
public final class RateLimits {
  private static final long IDLE_MS = 10 * 60_000;

  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  public RateLimits(Clock clock) {
    this.clock = clock;
  }

  /** The outcome: allowed, or refused (and whether this is the first refusal of the current minute). */
  public enum Verdict { ALLOWED, REFUSED_FIRST, REFUSED }

  /** Takes one token from {@code key}'s bucket of {@code perMinute} (burst of the same size). */
  public Verdict take(String key, int perMinute) {
    long now = clock.millis();
    sweep(now);
    var b = buckets.computeIfAbsent(key, k -> new Bucket(perMinute, now));
    synchronized (b) {
      b.tokens = Math.min(perMinute, b.tokens + (now - b.last) * perMinute / 60_000.0);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Verdict.ALLOWED;
      }
      boolean first = now - b.lastRefusalReported > 60_000;
      if (first) {
        b.lastRefusalReported = now;
      }
      return first ? Verdict.REFUSED_FIRST : Verdict.REFUSED;
    }
  }

  /** Seconds until {@code key}'s bucket of {@code perMinute} has a token again: 0 when it has one now. */
  public long secondsUntilToken(String key, int perMinute) {
    var b = buckets.get(key);
    if (b == null) {
      return 0;
    }
    long now = clock.millis();
    synchronized (b) {
      double tokens = Math.min(perMinute, b.tokens + (now - b.last) * perMinute / 60_000.0);
      return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) * 60.0 / perMinute));
    }
  }

  private void sweep(long now) {
    if (now - lastSweep > 60_000) {
      lastSweep = now;
      buckets.entrySet().removeIf(e -> now - e.getValue().last > IDLE_MS);
    }
  }

  private static final class Bucket {
    double tokens;
    long last;
    long lastRefusalReported = Long.MIN_VALUE / 2;

    Bucket(int tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }
  }
}
