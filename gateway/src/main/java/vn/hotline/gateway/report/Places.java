package vn.hotline.gateway.report;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.flow.Vocabulary;

/**
 * Places as people name them: today's 34 units and the 63 former provinces, by code, name and other names, read
 * the way children text and speak them ("CAO BANG", "tp hcm", "em o dak nong", "67", a letter wrong). Built once
 * from config/provinces.yaml ({@link Provinces#load}); pure and immutable afterwards, so any thread may ask.
 *
 * <p>Rules: the answer is normalised ({@link #key}); a code of today is that unit, a former code is the unit that
 * contains its former province; a name or other name of either is looked up; failing that, a name of 5 letters
 * or more one edit away (a letter missing, extra, wrong or two swapped) matches when only one place is that
 * close. The former province is reported when it was named or keyed and its name is not today's unit's.
 */
public final class Places implements Vocabulary {
  /** Words before a place that say nothing of which place: "tinh", "tp", "thanh pho", "em o", "o", "ma"... */
  private static final List<List<String>> LEADING = List.of(
      List.of("em", "o"), List.of("minh", "o"), List.of("con", "o"), List.of("toi", "o"), List.of("o"),
      List.of("tai"), List.of("thanh", "pho"), List.of("tp"), List.of("tinh"), List.of("ma", "so"), List.of("ma"),
      List.of("so"));
  /** Words after a place that say nothing of it: "ạ", "a", "nha", "nhe". */
  private static final List<String> TRAILING = List.of("a", "ah", "nha", "nhe", "luon");
  /** Leading words as they are written without spaces ("tinhcaobang", "tphcm"). */
  private static final List<String> GLUED = List.of("thanhpho", "tinh", "tp");
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern NOT_ALNUM = Pattern.compile("[^a-z0-9]+");
  private static final int TYPO_MIN_LETTERS = 5;

  private final Map<String, Meaning> byCode;
  private final Map<String, Meaning> byName;
  private final List<String> hints;

  Places(Map<String, Meaning> byCode, Map<String, Meaning> byName, List<String> hints) {
    this.byCode = Map.copyOf(byCode);
    this.byName = Map.copyOf(byName);
    this.hints = List.copyOf(hints);
  }

  /** A unit of today: its code, name and other names. */
  record Unit(String code, String name, List<String> names) {}

  /** A province before 1 July 2025: its former code, name, other names, and the code of the unit it is in now. */
  record Former(String code, String name, List<String> names, String today) {}

  /**
   * The index of {@code units} and {@code formers}; a name that reads (after {@link #key}) as one of another
   * unit, or a former province in no unit of today, is refused with where it is ({@code where}: the file).
   */
  static Places of(List<Unit> units, List<Former> formers, String where) {
    var unitNames = new LinkedHashMap<String, String>();
    units.forEach(u -> unitNames.put(u.code(), u.name()));
    var byCode = new LinkedHashMap<String, Meaning>();
    var byName = new LinkedHashMap<String, Meaning>();
    var hints = new LinkedHashSet<String>();
    var origin = new LinkedHashMap<String, String>(); // name key -> the entry that gave it, for the error
    for (var u : units) {
      var today = new Meaning(u.code(), u.name(), null);
      byCode.put(u.code(), today);
      hints.add(u.name());
      var all = new ArrayList<String>();
      all.add(u.name());
      all.addAll(u.names());
      for (var n : all) {
        put(byName, origin, n, today, where, "names." + u.code() + " '" + n + "'");
        spoken(hints, n);
      }
    }
    for (var f : formers) {
      var unit = unitNames.get(f.today());
      var entry = "former." + f.code() + " (" + f.name() + ")";
      if (unit == null) {
        throw new ConfigException(where + ": " + entry + ": today: '" + f.today() + "' is not a province code of"
            + " 'provinces:'");
      }
      if (unitNames.containsKey(f.code()) && !f.code().equals(f.today())) {
        throw new ConfigException(where + ": " + entry + ": former code " + f.code() + " is today's code of "
            + unitNames.get(f.code()) + ", not of " + unit + " (a former code that is a code of today must name that unit)");
      }
      var former = key(f.name()).equals(key(unit)) ? null : f.name();
      var meaning = new Meaning(f.today(), f.name(), former);
      if (!unitNames.containsKey(f.code())) {
        byCode.put(f.code(), meaning);
      }
      hints.add(f.name());
      var all = new ArrayList<String>();
      all.add(f.name());
      all.addAll(f.names());
      for (var n : all) {
        put(byName, origin, n, meaning, where, entry + " '" + n + "'");
        spoken(hints, n);
      }
    }
    return new Places(byCode, byName, List.copyOf(hints));
  }

  /** A name as it is said ("Sài Gòn", "Vũng Tàu"), not a written short form ("HCM", "tphcm", "SG"). */
  private static void spoken(Set<String> hints, String name) {
    if (name.contains(" ") && !name.equals(name.toUpperCase(java.util.Locale.ROOT))) {
      hints.add(name);
    }
  }

  private static void put(Map<String, Meaning> byName, Map<String, String> origin, String name, Meaning m,
      String where, String entry) {
    var k = key(name);
    if (k.isEmpty() || k.chars().allMatch(Character::isDigit)) {
      throw new ConfigException(where + ": " + entry + ": a name needs letters (codes are given as keys)");
    }
    var had = byName.get(k);
    if (had == null) {
      byName.put(k, m);
      origin.put(k, entry);
    } else if (!had.value().equals(m.value())) {
      throw new ConfigException(where + ": " + entry + " reads as " + origin.get(k) + " (\"" + k + "\"), which is "
          + had.value() + ", not " + m.value() + ": one name, two places");
    } else if (had.former() != null && m.former() == null) {
      byName.put(k, m); // today's own name wins over a former province of the same name and unit
      origin.put(k, entry);
    }
  }

  @Override
  public Optional<Meaning> read(String answer) {
    if (answer == null) {
      return Optional.empty();
    }
    var k = key(answer);
    if (k.isEmpty()) {
      return Optional.empty();
    }
    if (k.chars().allMatch(Character::isDigit)) {
      return Optional.ofNullable(byCode.get(k));
    }
    var keys = new ArrayList<String>(List.of(k));
    for (var glued : GLUED) { // "TINHCAOBANG", "THANHPHOHOCHIMINH": the leading word written without a space
      if (k.startsWith(glued) && k.length() > glued.length() + 1) {
        keys.add(k.substring(glued.length()));
      }
    }
    for (var candidate : keys) {
      var exact = byName.get(candidate);
      if (exact != null) {
        return Optional.of(exact);
      }
    }
    for (var candidate : keys) {
      var close = close(candidate);
      if (close.isPresent()) {
        return close;
      }
    }
    return Optional.empty();
  }

  /** The one place a name of 5 letters or more one edit away from {@code k} names, if only one does. */
  private Optional<Meaning> close(String k) {
    if (k.length() < TYPO_MIN_LETTERS - 1) {
      return Optional.empty();
    }
    Meaning found = null;
    for (var e : byName.entrySet()) {
      if (e.getKey().length() >= TYPO_MIN_LETTERS && oneEditApart(k, e.getKey())) {
        if (found != null && !found.equals(e.getValue())) {
          return Optional.empty(); // two places as close: guessing could send a report to the wrong province
        }
        found = e.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public List<String> hints() {
    return hints;
  }

  /**
   * What is compared: full-width digits made plain, lower case, diacritics removed (đ to d), punctuation and
   * spaces dropped, with the words that say nothing of which place ("tinh", "tp", "thanh pho", "em o", a
   * closing "a") left out. "Tỉnh Cao Bằng" and "CAOBANG" are both "caobang".
   */
  static String key(String text) {
    var t = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(java.util.Locale.ROOT)
        .replace('đ', 'd').replace('Đ', 'd');
    t = MARKS.matcher(Normalizer.normalize(t, Normalizer.Form.NFD)).replaceAll("");
    t = NOT_ALNUM.matcher(t).replaceAll(" ").strip();
    if (t.isEmpty()) {
      return "";
    }
    var words = new ArrayList<>(Arrays.asList(t.split(" ")));
    boolean dropped = true;
    while (dropped) {
      dropped = false;
      for (var lead : LEADING) {
        if (words.size() > lead.size() && words.subList(0, lead.size()).equals(lead)) {
          words.subList(0, lead.size()).clear();
          dropped = true;
          break;
        }
      }
      if (words.size() > 1 && TRAILING.contains(words.get(words.size() - 1))) {
        words.remove(words.size() - 1);
        dropped = true;
      }
    }
    return String.join("", words);
  }

  /** Levenshtein distance at most 1, or two neighbouring letters swapped. */
  static boolean oneEditApart(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    int la = a.length();
    int lb = b.length();
    if (Math.abs(la - lb) > 1) {
      return false;
    }
    int i = 0;
    while (i < Math.min(la, lb) && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    if (la == lb) {
      if (a.substring(i + 1).equals(b.substring(i + 1))) {
        return true; // one letter wrong
      }
      return i + 1 < la && a.charAt(i) == b.charAt(i + 1) && a.charAt(i + 1) == b.charAt(i)
          && a.substring(i + 2).equals(b.substring(i + 2)); // two swapped
    }
    return la > lb ? a.substring(i + 1).equals(b.substring(i)) : a.substring(i).equals(b.substring(i + 1));
  }
}
