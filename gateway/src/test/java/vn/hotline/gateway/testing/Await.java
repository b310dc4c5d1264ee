package vn.hotline.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something a real system does in its own time (a delivery, an SMS), failing with what was awaited. */
public final class Await {
  private Await() {}

  public static void until(BooleanSupplier condition, String what) {
    until(condition, what, Duration.ofSeconds(20));
  }

  public static void until(BooleanSupplier condition, String what, Duration timeout) {
    until(condition, () -> what, timeout);
  }

  /** As {@link #until(BooleanSupplier, String, Duration)}, saying at the end how far it got ({@code what} is asked then). */
  public static void until(BooleanSupplier condition, java.util.function.Supplier<String> what, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
