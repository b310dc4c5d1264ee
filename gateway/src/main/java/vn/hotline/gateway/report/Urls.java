package vn.hotline.gateway.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds links to harmful content in what a texter wrote: full URLs, www. addresses and bare domains with a
 * path ("tiktok.com/@abc"), as children type them. Each becomes its own field of the report, so the
 * harmful-content team can act on it without reading the description.
 */
public final class Urls {
  private static final Pattern URL = Pattern.compile(
      "(?i)\\b((?:https?://|www\\.)[^\\s<>\"']+"
          + "|[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:com|net|org|vn|info|io|me|tv|ly|co|xyz|app|site|online|link|gg|to|cc|biz|top)"
          + "(?:/[^\\s<>\"']*)?)");

  private Urls() {}

  public static List<String> extract(String... texts) {
    var found = new LinkedHashSet<String>();
    for (var t : texts) {
      if (t == null) {
        continue;
      }
      var m = URL.matcher(t);
      while (m.find()) {
        var u = m.group(1).replaceAll("[.,;:!?)\\]}]+$", "");
        if (!u.isEmpty()) {
          found.add(u);
        }
      }
    }
    return new ArrayList<>(found);
  }
}
