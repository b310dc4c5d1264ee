package vn.hotline.gateway.flow;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How an SMS reply to a menu or a question is read, as children write it: "so 1", "1 ạ", "１", "mot", "một", "co",
 * "ko", "khong biet". The words are data (a flow's {@code lexicon:}, see ivr-flows/README.md); which option a yes,
 * a no or a skip means is said by each menu ({@code yes:}, {@code no:}, {@code skip:}). Every word is compared
 * after {@link #words}: lower case, no diacritics, full-width digits as digits, punctuation as spaces.
 *
 * @param numbers a number word and its digit ("mot" -> "1"); a word that is also a no word (khong) is its digit
 *     only on a menu that has that option and no {@code no:}
 * @param filler words a reply may carry around its answer ("so", "chon", "em", "a", "nhe")
 * @param skip phrases that mean "I do not know" ("khong biet", "kb"): a skip where the question allows one
 * @param yes words that mean yes ("co", "ok", "dc")
 * @param no words that mean no ("khong", "ko", "k")
 */
public record Lexicon(Map<String, String> numbers, Set<String> filler, Set<String> skip, Set<String> yes, Set<String> no) {
  /** What a reply that is no choice reads as: a wrong key (never "", which is silence). */
  public static final String UNCLEAR = "?";

  public Lexicon {
    numbers = Map.copyOf(numbers);
    filler = Set.copyOf(filler);
    skip = Set.copyOf(skip);
    yes = Set.copyOf(yes);
    no = Set.copyOf(no);
  }

  /**
   * A text as words: "Số 1." -> "so 1", "１ạ" -> "1 a", "KO BIẾT!!" -> "ko biet", "so1" -> "so 1". Letters and
   * digits apart, one space between words.
   */
  public static String words(String text) {
    var s = Normalizer.normalize(text, Normalizer.Form.NFKC).replace('đ', 'd').replace('Đ', 'D');
    s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "").toLowerCase(Locale.ROOT);
    s = s.replaceAll("[^a-z0-9]+", " ").replaceAll("(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ");
    return s.strip();
  }

  /** The menu key a reply means: an option's key, the menu's yes/no/skip key, or {@link #UNCLEAR}. */
  public String menuKey(Node.Menu m, String text) {
    var t = text.strip();
    if (t.equals("*") || t.equals("#")) {
      return t;
    }
    var tokens = meaningful(words(text));
    if (tokens.isEmpty()) {
      return UNCLEAR;
    }
    if (skip.contains(String.join(" ", tokens))) {
      return m.answers().skip() != null ? m.answers().skip() : UNCLEAR; // "khong biet" is never a no
    }
    String key = null;
    for (var token : tokens) {
      var k = key(m, token);
      if (k == null || (key != null && !key.equals(k))) {
        return UNCLEAR; // "abc", "1 2", "mot hai": not one choice
      }
      key = k;
    }
    return key;
  }

  /** The reply says "I do not know" ("khong biet", "kb", "em ko biet a"): a skip where skipping is allowed. */
  public boolean skips(String text) {
    var tokens = meaningful(words(text));
    return !tokens.isEmpty() && skip.contains(String.join(" ", tokens));
  }

  private List<String> meaningful(String words) {
    if (words.isEmpty()) {
      return List.of();
    }
    var out = new ArrayList<String>();
    for (var w : words.split(" ")) {
      if (!filler.contains(w)) {
        out.add(w);
      }
    }
    // A reply of filler alone ("a", "so") is what it says, not nothing: "a" on a menu is unclear.
    return out.isEmpty() ? Arrays.asList(words.split(" ")) : out;
  }

  private String key(Node.Menu m, String token) {
    if (token.chars().allMatch(Character::isDigit)) {
      return token; // "12" on a 1-7 menu stays 12: a wrong key
    }
    var a = m.answers();
    if (no.contains(token)) {
      if (a.no() != null) {
        return a.no();
      }
      var digit = numbers.get(token); // khong: 0 where 0 is an option of a menu without a no
      return digit != null && m.options().containsKey(digit) ? digit : null;
    }
    if (yes.contains(token)) {
      return a.yes();
    }
    return numbers.get(token);
  }
}
