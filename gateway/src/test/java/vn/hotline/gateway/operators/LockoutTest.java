package vn.hotline.gateway.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a run of failed sign-ins costs a login: nothing for four, then a minute, doubling up to an hour. */
class LockoutTest {
  @Test
  void fourFailuresAreFreeThenTheLockDoublesUpToAnHour() {
    for (int f = 0; f <= 4; f++) {
      assertEquals(Duration.ZERO, Lockout.after(f), f + " failures");
    }
    assertEquals(Duration.ofMinutes(1), Lockout.after(5));
    assertEquals(Duration.ofMinutes(2), Lockout.after(6));
    assertEquals(Duration.ofMinutes(4), Lockout.after(7));
    assertEquals(Duration.ofMinutes(8), Lockout.after(8));
    assertEquals(Duration.ofMinutes(16), Lockout.after(9));
    assertEquals(Duration.ofMinutes(32), Lockout.after(10));
    assertEquals(Duration.ofHours(1), Lockout.after(11), "64 minutes is capped at one hour");
    assertEquals(Duration.ofHours(1), Lockout.after(1000), "and stays there");
    assertEquals(Duration.ofHours(1), Lockout.after(Integer.MAX_VALUE));
  }
}
