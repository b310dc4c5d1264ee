package vn.hotline.gateway.webform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.console.Messages;
import vn.hotline.gateway.report.Assessment;

/**
 * The web form's words: every key in both languages, and every key the templates and the code name is there (a
 * missing one would show as the key itself to a child or a parent).
 */
class WebReportWordsTest {
  /** A key the templates look up ({@code page.t("...")}) or the code names ("error.*", "message.*"). */
  static final Pattern KEY = Pattern.compile("\\bt\\(\"([a-z0-9_.-]+)\"|\"((?:error|message)\\.[a-z0-9_]+)\"");

  @Test
  void bothLanguagesHaveEveryKeyAndEveryKeyUsedExists() throws IOException {
    var messages = Messages.load("webform/messages");
    var vi = messages.bundle("vi");
    var en = messages.bundle("en");
    assertEquals(vi.keys(), en.keys(), "the same keys in Vietnamese and English");

    var used = new TreeSet<String>();
    try (var files = Files.walk(Path.of("gateway/src/main"))) {
      for (var f : files.filter(p -> p.toString().contains("jte-webform") || p.toString().contains("/webform/"))
          .filter(p -> p.toString().endsWith(".jte") || p.toString().endsWith(".java")).toList()) {
        var m = KEY.matcher(Files.readString(f));
        while (m.find()) {
          var key = m.group(1) != null ? m.group(1) : m.group(2);
          if (!key.endsWith(".")) { // a prefix the code completes (age. + the band): checked below
            used.add(key);
          }
        }
      }
    }
    for (var a : Assessment.AGE_BANDS) {
      used.add("age." + a);
    }
    var missing = new TreeSet<String>();
    for (var k : used) {
      if (!vi.has(k)) {
        missing.add(k);
      }
    }
    assertTrue(used.size() > 40, "the check found the keys: " + used);
    assertTrue(used.contains("error.category_unknown") && used.contains("danger.title"), used.toString());
    assertEquals(new TreeSet<String>(), missing, "keys used but not in webform/messages_vi.properties");
  }
}
