package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The retry schedule of a delivery an agency did not accept: steps, jitter, Retry-After, the end (no gateway). */
class RetryScheduleTest {
  static final Instant NOW = Instant.parse("2025-03-01T08:00:00Z");

  @Test
  void theStepsAreStandardWebhooksSuggestedScheduleThenTheDeliveryIsDead() {
    assertEquals(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
        Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20),
        Duration.ofHours(24)), DeliveryWorker.SCHEDULE);
    for (int attempt = 1; attempt <= 10; attempt++) {
      var step = DeliveryWorker.SCHEDULE.get(attempt - 1);
      var wait = DeliveryWorker.retryDelay(attempt, null);
      assertTrue(within10Percent(wait, step), "attempt " + attempt + ": " + wait + " is not " + step + " +- 10 %");
    }
    assertNull(DeliveryWorker.retryDelay(11, null), "after the 11th attempt (the first + 10 retries) it is dead");
    assertNull(DeliveryWorker.retryDelay(11, Duration.ofSeconds(30)), "a Retry-After does not extend the schedule");
  }

  @Test
  void jitterSpreadsRetriesBothWaysByAtMostTenPercent() {
    var base = Duration.ofMinutes(30);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 2000; i++) {
      var d = DeliveryWorker.jitter(base);
      assertTrue(within10Percent(d, base), d.toString());
      min = Math.min(min, d.toMillis());
      max = Math.max(max, d.toMillis());
    }
    assertTrue(min < base.toMillis() * 0.95 && max > base.toMillis() * 1.05,
        "spread both ways, not one fixed time: " + min + ".." + max);
  }

  @Test
  void aRetryAfterReplacesTheStepAsGivenWithoutJitter() {
    assertEquals(Duration.ofSeconds(120), DeliveryWorker.retryDelay(1, Duration.ofSeconds(120)));
    assertEquals(Duration.ofSeconds(3), DeliveryWorker.retryDelay(4, Duration.ofSeconds(3)), "shorter than the step too");
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDateAndCappedAtOneDay() {
    assertEquals(Duration.ofSeconds(120), DeliveryWorker.retryAfter("120", NOW));
    assertEquals(Duration.ofSeconds(30), DeliveryWorker.retryAfter(" 30 ", NOW));
    var date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
    assertEquals(Duration.ofSeconds(90), DeliveryWorker.retryAfter(date, NOW), date);
    var past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(90).atOffset(ZoneOffset.UTC));
    assertEquals(Duration.ZERO, DeliveryWorker.retryAfter(past, NOW), "a date in the past: now");
    assertEquals(Duration.ZERO, DeliveryWorker.retryAfter("-5", NOW));
    assertEquals(Duration.ofHours(24), DeliveryWorker.retryAfter("999999", NOW), "at most a day");
    assertNull(DeliveryWorker.retryAfter("soon", NOW), "unreadable: the schedule applies");
    assertNull(DeliveryWorker.retryAfter("", NOW));
    assertNull(DeliveryWorker.retryAfter((String) null, NOW));
  }

  static boolean within10Percent(Duration d, Duration base) {
    long spread = base.toMillis() / 10;
    return d.toMillis() >= base.toMillis() - spread && d.toMillis() <= base.toMillis() + spread;
  }
}
