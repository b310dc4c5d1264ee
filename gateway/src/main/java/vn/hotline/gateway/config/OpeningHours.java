package vn.hotline.gateway.config;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * When operators take calls, in the hotline's own time zone. "24/7" (the default: 111 never closes) or rules
 * such as {@code mon-fri 07:30-21:30; sat,sun 08:00-17:00}; a range ending before it starts runs past
 * midnight and belongs to the day it starts on.
 */
public record OpeningHours(ZoneId zone, List<Rule> rules) {
  public record Rule(Set<DayOfWeek> days, LocalTime from, LocalTime to) {}

  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  public boolean alwaysOpen() {
    return rules.isEmpty();
  }

  public boolean isOpen(ZonedDateTime at) {
    if (rules.isEmpty()) {
      return true;
    }
    var local = at.withZoneSameInstant(zone);
    var day = local.getDayOfWeek();
    var time = local.toLocalTime();
    for (var r : rules) {
      boolean overnight = r.to().isBefore(r.from());
      if (!overnight) {
        if (r.days().contains(day) && !time.isBefore(r.from()) && time.isBefore(r.to())) {
          return true;
        }
      } else if ((r.days().contains(day) && !time.isBefore(r.from()))
          || (r.days().contains(day.minus(1)) && time.isBefore(r.to()))) {
        return true;
      }
    }
    return false;
  }

  /** Parses the config syntax; the message of the exception says what is wrong with which part. */
  public static OpeningHours parse(String spec, ZoneId zone) {
    var text = spec.trim().toLowerCase(Locale.ROOT);
    if (text.equals("24/7") || text.isEmpty()) {
      return new OpeningHours(zone, List.of());
    }
    var rules = new ArrayList<Rule>();
    for (var part : text.split(";")) {
      var p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      var pieces = p.split("\\s+");
      if (pieces.length != 2) {
        throw new IllegalArgumentException("'" + p + "' should look like 'mon-fri 07:30-21:30'");
      }
      var times = pieces[1].split("-", -1);
      if (times.length != 2) {
        throw new IllegalArgumentException("'" + pieces[1] + "' should be a time range like 07:30-21:30");
      }
      try {
        var from = LocalTime.parse(times[0]);
        var to = times[1].equals("24:00") ? LocalTime.MAX : LocalTime.parse(times[1]);
        if (from.equals(to)) {
          throw new IllegalArgumentException("'" + pieces[1] + "' is an empty range");
        }
        rules.add(new Rule(parseDays(pieces[0]), from, to));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + pieces[1] + "' is not a time range like 07:30-21:30");
      }
    }
    return new OpeningHours(zone, List.copyOf(rules));
  }

  private static Set<DayOfWeek> parseDays(String spec) {
    var days = EnumSet.noneOf(DayOfWeek.class);
    for (var item : spec.split(",", -1)) {
      var range = item.split("-", -1);
      if (range.length > 2) {
        throw new IllegalArgumentException("'" + item + "' should be one day or a range like mon-fri");
      }
      int from = dayIndex(range[0]);
      int to = range.length > 1 ? dayIndex(range[1]) : from;
      for (int i = from; ; i = (i + 1) % 7) {
        days.add(DayOfWeek.of(i + 1));
        if (i == to) {
          break;
        }
      }
    }
    return days;
  }

  private static int dayIndex(String d) {
    int i = DAYS.indexOf(d.trim());
    if (i < 0) {
      throw new IllegalArgumentException("'" + d + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
    }
    return i;
  }
}
