package vn.hotline.gateway.flow;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import vn.hotline.gateway.util.Wire;

/**
 * What a node promises the caller ({@code promise:} in the flow file): that a person will get back to them. A
 * contact whose path went through a promising node, and whose caller said that being contacted is safe
 * ({@value #SAFE_ANSWER}: {@code yes}, the answer to the safety question), owes a follow-up task (followup.Followups).
 * The loader refuses a prompt that promises without {@code promise:}, and a promise reachable without that yes.
 */
public enum Promise {
  /** Voice: we will call this number back. */
  CALLBACK("callback"),
  /** SMS: a counsellor will contact the texter (a reply by SMS). */
  CONTACT("contact");

  /** The answer a flow sets (on a menu option) when the caller says contacting them back is safe: yes or no. */
  public static final String SAFE_ANSWER = "callback_safe";
  public static final String SAFE = "yes";
  public static final String NOT_SAFE = "no";

  /**
   * Phrases that promise the caller a person will get back to them, compared on {@link #plain} text (lower case,
   * no diacritics, single spaces, whole words). Future tense in Vietnamese ("sẽ ...": "sẽ gọi lại", "sẽ liên hệ
   * lại"), so that "hãy gọi lại 111" (call 111 again) and the safety question itself ("có an toàn để chúng tôi gọi
   * lại số này không?") are not promises.
   */
  static final List<String> PHRASES = List.of(
      "se goi lai", "se lien he lai", "se lien lac lai", "se nhan tin lai", "se goi cho ban", "se lien he voi ban",
      "se lien lac voi ban", "se nhan tin cho ban", "se tra loi ban", "goi lai cho ban", "lien lac lai voi ban",
      "lien he lai voi ban",
      "call you back", "contact you", "get back to you", "text you back", "message you back", "reply to you",
      "reach you", "will call you");

  private final String wire;

  Promise(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The promise with that word; IllegalArgumentException for any other. */
  public static Promise of(String wire) {
    return Wire.of(values(), Promise::wire, wire, "promise");
  }

  /** The flow's channel this promise can be kept on: callback on voice, contact on sms. */
  public String channel() {
    return this == CALLBACK ? "voice" : "sms";
  }

  /** The promise phrase a text contains, if any (see {@link #PHRASES}). */
  public static Optional<String> phraseIn(String text) {
    var t = " " + plain(text) + " ";
    return PHRASES.stream().filter(p -> t.contains(" " + p + " ")).findFirst();
  }

  /** Lower case, without Vietnamese diacritics, words separated by single spaces. */
  static String plain(String text) {
    var s = text.replace('đ', 'd').replace('Đ', 'D');
    s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").strip();
  }

  @Override
  public String toString() {
    return wire;
  }
}
