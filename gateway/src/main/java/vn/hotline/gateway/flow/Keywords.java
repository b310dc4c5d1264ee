package vn.hotline.gateway.flow;

import java.text.Normalizer;
import java.util.Locale;

/**
 * How SMS keywords are compared: case, Vietnamese diacritics, spaces and punctuation do not matter, because
 * children type "bao cao", "BAOCAO", "Báo Cáo" or "báo cáo." on whatever phone they have.
 */
public final class Keywords {
  private Keywords() {}

  public static String normalize(String text) {
    var s = text.replace('đ', 'd').replace('Đ', 'D');
    s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    return s.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
  }
}
