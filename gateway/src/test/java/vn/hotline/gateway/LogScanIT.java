package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.PersonalData;

/**
 * Runs after the whole unit and integration suite (failsafe, after surefire): every log line any test produced
 * is searched for every phone number and free text the tests sent in. One hit fails the build.
 */
class LogScanIT {
  private static final Path LOG = Path.of("gateway/target/test-logs/gateway.jsonl");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void noLogLineOfTheTestRunHoldsANumberOrATextACallerOrTexterSent() throws Exception {
    assertTrue(Files.isRegularFile(LOG), "the suite wrote its logs to " + LOG + " (run mvn verify)");
    assertTrue(Files.isRegularFile(PersonalData.FILE), "the suite recorded the personal data it used");
    var needles = needles();
    assertTrue(needles.size() > 20, "too few numbers and texts recorded to prove anything: " + needles.size());
    var lines = Files.readAllLines(LOG, StandardCharsets.UTF_8);
    assertTrue(lines.size() > 100, "too few log lines to prove anything: " + lines.size());
    var all = String.join("\n", lines);
    for (var scenario : List.of("refused a webhook with a missing or wrong Twilio signature",
        "webhook failed; caller sent to the fallback number", "SMPP link bound", "deliver_sm not committed",
        "delivery dead-lettered")) {
      assertTrue(all.contains(scenario), "the scanned logs cover the scenario that logs '" + scenario + "'");
    }
    var hits = new ArrayList<String>();
    for (int i = 0; i < lines.size(); i++) {
      var text = lines.get(i) + "\n" + strings(lines.get(i));
      for (var n : needles) {
        if (text.contains(n)) {
          hits.add("line " + (i + 1) + " holds '" + n.substring(0, Math.min(6, n.length())) + "...': "
              + lines.get(i).substring(0, Math.min(300, lines.get(i).length())));
        }
      }
    }
    assertEquals(List.of(), hits.stream().limit(20).toList(), hits.size() + " log line(s) with personal data");
  }

  /** Numbers in every written form, and texts long enough not to be a keyword or a menu key. */
  private static Set<String> needles() throws Exception {
    var out = new LinkedHashSet<String>();
    for (var line : Files.readAllLines(PersonalData.FILE)) {
      var v = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8).strip();
      if (v.matches("\\+?[0-9 ]{9,16}")) {
        var digits = v.replaceAll("[^0-9]", "");
        var national = digits.substring(digits.length() - 9);
        out.add(national);                  // 912345678, inside any form
      } else if (v.length() >= 16) {
        out.add(v);
        for (var part : v.split("\\n")) {
          if (part.strip().length() >= 16) {
            out.add(part.strip());
          }
        }
      }
    }
    return out;
  }

  /** Every string value of a JSON log line, unescaped, so \\u-escaped Vietnamese is found too. */
  private static String strings(String line) {
    try {
      var b = new StringBuilder();
      collect(JSON.readTree(line), b);
      return b.toString();
    } catch (Exception e) {
      return ""; // not JSON (should not happen): the raw line was searched already
    }
  }

  private static void collect(JsonNode n, StringBuilder b) {
    if (n.isTextual()) {
      b.append(n.asText()).append('\n');
    } else {
      n.forEach(child -> collect(child, b));
    }
  }
}
