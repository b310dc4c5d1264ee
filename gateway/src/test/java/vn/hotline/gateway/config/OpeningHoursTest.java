package vn.hotline.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Opening hours in the hotline's zone; the week of Monday 2 June 2025 is used throughout. */
class OpeningHoursTest {
  private static final ZoneId HCM = ZoneId.of("Asia/Ho_Chi_Minh"); // UTC+7, no daylight saving
  private static final String WEEK = "mon-fri 07:30-21:30; sat,sun 08:00-17:00";

  /** A local time in Ho Chi Minh City on the given day of the week of 2 June 2025 (mon = 2 June). */
  private static ZonedDateTime local(DayOfWeek day, String time) {
    var date = LocalDateTime.of(2025, 6, 2, 0, 0).plusDays(day.getValue() - 1L);
    var at = ZonedDateTime.of(date.toLocalDate(), LocalTime.parse(time), HCM);
    assertEquals(day, at.getDayOfWeek(), "test calendar is off");
    return at;
  }

  private static ZonedDateTime utc(int dayOfJune, String time) {
    return ZonedDateTime.of(LocalDateTime.of(2025, 6, dayOfJune, 0, 0).toLocalDate(), LocalTime.parse(time), ZoneOffset.UTC);
  }

  // --- 24/7 ----------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "\"{0}\" is always open")
  @ValueSource(strings = {"24/7", " 24/7 ", "", "   "})
  void twentyFourSevenIsAlwaysOpen(String spec) {
    var hours = OpeningHours.parse(spec, HCM);

    assertTrue(hours.alwaysOpen());
    assertEquals(List.of(), hours.rules());
    for (var day : DayOfWeek.values()) {
      for (var time : List.of("00:00", "03:17", "12:00", "23:59:59")) {
        assertTrue(hours.isOpen(local(day, time)), day + " " + time);
      }
    }
  }

  // --- a normal week -------------------------------------------------------------------------------------

  @Test
  void weekSpecParsesIntoTwoRules() {
    var hours = OpeningHours.parse(WEEK, HCM);

    assertFalse(hours.alwaysOpen());
    assertEquals(HCM, hours.zone());
    assertEquals(List.of(
        new OpeningHours.Rule(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(7, 30), LocalTime.of(21, 30)),
        new OpeningHours.Rule(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), LocalTime.of(8, 0), LocalTime.of(17, 0))),
        hours.rules());
  }

  @ParameterizedTest(name = "{0} {1} open={2}")
  @CsvSource({
      "MONDAY,    07:29:59, false",
      "MONDAY,    07:30,    true",
      "WEDNESDAY, 12:00,    true",
      "FRIDAY,    21:29:59, true",
      "FRIDAY,    21:30,    false",
      "TUESDAY,   02:00,    false",
      "SATURDAY,  07:59,    false",
      "SATURDAY,  08:00,    true",
      "SUNDAY,    16:59,    true",
      "SUNDAY,    17:00,    false",
      "SUNDAY,    20:00,    false",
  })
  void weekSpecIsOpenExactlyInsideItsRangesLocalTime(DayOfWeek day, String time, boolean open) {
    var hours = OpeningHours.parse(WEEK, HCM);

    assertEquals(open, hours.isOpen(local(day, time)), day + " " + time);
  }

  @Test
  void instantGivenInUtcIsJudgedOnTheLocalDayAndTime() {
    var hours = OpeningHours.parse(WEEK, HCM);

    // Friday 20:00 UTC would be inside mon-fri 07:30-21:30, but it is Saturday 03:00 in Ho Chi Minh City.
    var fridayEveningUtc = utc(6, "20:00");
    assertEquals(DayOfWeek.FRIDAY, fridayEveningUtc.getDayOfWeek());
    assertFalse(hours.isOpen(fridayEveningUtc));

    // Monday 00:30 UTC would be closed, but it is Monday 07:30 local: the weekday opening.
    assertTrue(hours.isOpen(utc(2, "00:30")));
    // Sunday 10:30 UTC is within sat,sun 08:00-17:00 in UTC, but it is 17:30 local: closed.
    assertFalse(hours.isOpen(utc(8, "10:30")));
    // Sunday 23:45 UTC is Monday 06:45 local: the Sunday hours do not apply and Monday has not opened.
    assertFalse(hours.isOpen(utc(8, "23:45")));
    // Saturday 01:00 UTC is Saturday 08:00 local.
    assertTrue(hours.isOpen(utc(7, "01:00")));
  }

  @Test
  void isOpenDoesNotDependOnTheZoneOfTheArgument() {
    var hours = OpeningHours.parse(WEEK, HCM);
    var instant = local(DayOfWeek.SATURDAY, "16:30");

    for (var zone : List.of("UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Asia/Ho_Chi_Minh")) {
      assertTrue(hours.isOpen(instant.withZoneSameInstant(ZoneId.of(zone))), zone);
    }
  }

  // --- overnight ranges ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "fri 22:00-06:00 at {0} {1} open={2}")
  @CsvSource({
      "FRIDAY,   21:59, false",
      "FRIDAY,   22:00, true",
      "FRIDAY,   23:59, true",
      "SATURDAY, 00:00, true",
      "SATURDAY, 03:00, true",
      "SATURDAY, 05:59, true",
      "SATURDAY, 06:00, false",
      "SATURDAY, 07:00, false",
      "SATURDAY, 22:30, false",
      "FRIDAY,   03:00, false",
      "SUNDAY,   03:00, false",
      "THURSDAY, 23:00, false",
  })
  void overnightRangeBelongsToTheDayItStarts(DayOfWeek day, String time, boolean open) {
    var hours = OpeningHours.parse("fri 22:00-06:00", HCM);

    assertEquals(open, hours.isOpen(local(day, time)), day + " " + time);
  }

  @Test
  void overnightRangeFromSundayRunsIntoMonday() {
    var hours = OpeningHours.parse("sun 20:00-02:00", HCM);

    assertTrue(hours.isOpen(local(DayOfWeek.MONDAY, "01:00")));
    assertFalse(hours.isOpen(local(DayOfWeek.MONDAY, "02:00")));
    assertFalse(hours.isOpen(local(DayOfWeek.SUNDAY, "01:00")), "Sunday 01:00 belongs to Saturday's night");
  }

  @Test
  void overnightRangeMatchesAUtcInstantOnTheEarlierUtcDay() {
    var hours = OpeningHours.parse("fri 22:00-06:00", HCM);

    // Friday 20:00 UTC is Saturday 03:00 local: inside Friday night's range.
    assertTrue(hours.isOpen(utc(6, "20:00")));
    // Saturday 00:00 UTC is Saturday 07:00 local: Friday night is over.
    assertFalse(hours.isOpen(utc(7, "00:00")));
  }

  // --- day lists and edges -------------------------------------------------------------------------------

  @Test
  void endOfDayCanBeWrittenAs2400() {
    var hours = OpeningHours.parse("mon 18:00-24:00", HCM);

    assertTrue(hours.isOpen(local(DayOfWeek.MONDAY, "23:59:59")));
    assertFalse(hours.isOpen(local(DayOfWeek.TUESDAY, "00:00")));
    assertFalse(hours.isOpen(local(DayOfWeek.MONDAY, "17:59")));
  }

  @Test
  void dayRangeMayWrapAroundTheWeekend() {
    var hours = OpeningHours.parse("fri-mon 09:00-10:00", HCM);

    assertEquals(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.MONDAY),
        hours.rules().get(0).days());
    assertTrue(hours.isOpen(local(DayOfWeek.SUNDAY, "09:30")));
    assertFalse(hours.isOpen(local(DayOfWeek.WEDNESDAY, "09:30")));
  }

  @Test
  void daysAndRangesCanBeMixedAndCaseIsIgnored() {
    var hours = OpeningHours.parse("MON,Wed-Thu 09:00-10:00;;", HCM);

    assertEquals(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY), hours.rules().get(0).days());
    assertFalse(hours.isOpen(local(DayOfWeek.TUESDAY, "09:30")));
  }

  // --- malformed specs -----------------------------------------------------------------------------------

  static Stream<Arguments> malformedSpecs() {
    return Stream.of(
        Arguments.of("mon-fri", "'mon-fri' should look like 'mon-fri 07:30-21:30'"),
        Arguments.of("mon-fri 07:30 21:30", "should look like 'mon-fri 07:30-21:30'"),
        Arguments.of("mon-fri 07:30", "'07:30' should be a time range like 07:30-21:30"),
        Arguments.of("mon-fri 7:30-21:30", "'7:30-21:30' is not a time range like 07:30-21:30"),
        Arguments.of("mon-fri 07:30-25:00", "'07:30-25:00' is not a time range"),
        Arguments.of("mon 08:00-08:00", "'08:00-08:00' is an empty range"),
        Arguments.of("mo-fr 07:30-21:30", "'mo' is not a day (mon, tue, wed, thu, fri, sat, sun)"),
        Arguments.of("mon-fri 07:30-21:30; weekend 08:00-17:00", "'weekend' is not a day"),
        Arguments.of("mon,,fri 08:00-17:00", "is not a day"));
  }

  @ParameterizedTest(name = "\"{0}\" is refused: {1}")
  @MethodSource("malformedSpecs")
  void malformedSpecIsRefusedWithAHelpfulMessage(String spec, String expected) {
    var e = assertThrows(IllegalArgumentException.class, () -> OpeningHours.parse(spec, HCM));

    assertTrue(e.getMessage().contains(expected), () -> "expected \"" + expected + "\" in: " + e.getMessage());
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @ValueSource(strings = {"mon-tue-fri 08:00-17:00", "mon- 08:00-17:00", "mon 08:00-17:00-"})
  void rangeWithExtraOrMissingPartsIsRefused(String spec) {
    assertThrows(IllegalArgumentException.class, () -> OpeningHours.parse(spec, HCM));
  }
}
