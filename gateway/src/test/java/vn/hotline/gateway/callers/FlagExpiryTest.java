package vn.hotline.gateway.callers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.store.CallerFlagRepository.Flag;

/** When a flag counts: from its setting until (not including) its expiry, unless cleared or replaced. */
class FlagExpiryTest {
  static final Instant SET = Instant.parse("2026-03-01T08:00:00Z");
  static final Instant UNTIL = SET.plus(Duration.ofHours(24));

  static Flag flag(Instant clearedAt, String clearedBy, Instant expiredAt) {
    return new Flag("f1", "p1_x", "20251234", "prank", "cli", SET, UNTIL, clearedAt, clearedBy, expiredAt);
  }

  @Test
  void aFlagCountsUntilItsExpiryAndNotAtIt() {
    var f = flag(null, null, null);

    assertTrue(f.activeAt(SET));
    assertTrue(f.activeAt(UNTIL.minusMillis(1)));
    assertFalse(f.activeAt(UNTIL));
    assertFalse(f.activeAt(UNTIL.plusSeconds(3600)));
    assertEquals("active", CallerFlags.status(f, SET.plusSeconds(60)));
    assertEquals("expired", CallerFlags.status(f, UNTIL));
  }

  @Test
  void aClearedReplacedOrExpiryAppliedFlagCountsNoMoreWhateverTheTime() {
    var cleared = flag(SET.plusSeconds(60), "cli", null);
    var replaced = flag(SET.plusSeconds(60), "flag:f2", null);
    var expired = flag(null, null, UNTIL);

    for (var f : new Flag[] {cleared, replaced, expired}) {
      assertFalse(f.activeAt(SET.plusSeconds(120)), f.toString());
    }
    assertEquals("cleared", CallerFlags.status(cleared, SET.plusSeconds(120)));
    assertEquals("replaced", CallerFlags.status(replaced, SET.plusSeconds(120)));
    assertEquals("expired", CallerFlags.status(expired, SET.plusSeconds(120)));
  }
}
