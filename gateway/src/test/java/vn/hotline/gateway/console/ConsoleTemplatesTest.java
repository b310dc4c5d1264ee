package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console's templates and words: every message in both languages, every key a template names in the
 * bundles, and nothing inline that the Content-Security-Policy would block (no script, style or event handler
 * attribute in a template).
 */
class ConsoleTemplatesTest {
  static final Path TEMPLATES = Path.of("gateway/src/main/jte");

  static List<Path> templates() throws Exception {
    try (var files = Files.walk(TEMPLATES)) {
      return files.filter(p -> p.toString().endsWith(".jte")).sorted().toList();
    }
  }

  @Test
  void bothLanguagesHaveEveryMessage() {
    var m = Messages.load();
    assertEquals(m.bundle("vi").keys(), m.bundle("en").keys(), "the same keys in Vietnamese and English");
    assertEquals("vi", m.bundle(null).lang(), "Vietnamese by default");
    assertEquals("vi", m.bundle("fr").lang());
    for (var key : m.bundle("vi").keys()) {
      assertTrue(!m.bundle("vi").t(key).isBlank() && !m.bundle("en").t(key).isBlank(), key);
    }
  }

  @Test
  void everyKeyATemplateOrPageNamesIsInTheBundles() throws Exception {
    var m = Messages.load().bundle("vi");
    var missing = new TreeSet<String>();
    var literal = Pattern.compile("page\\.t\\(\"([a-z0-9_.-]+)\"");
    var sources = new ArrayList<Path>(templates());
    try (var java = Files.walk(Path.of("gateway/src/main/java/vn/hotline/gateway/console"))) {
      java.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
    }
    var keyArg = Pattern.compile("\"((?:login|setup|admin|account|error|home|nav|password|totp|card|form|supervisor|stats|board|presence|pop|tasks|task|voicemail|recording|callback|conversation)\\.[a-z0-9_.]+)\"");
    for (var file : sources) {
      var text = Files.readString(file, StandardCharsets.UTF_8);
      for (var p : List.of(literal, keyArg)) {
        var matcher = p.matcher(text);
        while (matcher.find()) {
          if (!matcher.group(1).endsWith(".") && !m.has(matcher.group(1))) { // "role." + ...: checked below
            missing.add(file.getFileName() + ": " + matcher.group(1));
          }
        }
      }
    }
    for (var lang : Messages.LANGUAGES) {
      if (!m.has("lang." + lang)) {
        missing.add("lang." + lang);
      }
    }
    for (var role : vn.hotline.gateway.operators.Role.values()) {
      if (!m.has("role." + role.wire())) {
        missing.add("role." + role.wire());
      }
    }
    for (var status : vn.hotline.gateway.operators.Operator.Status.values()) {
      if (!m.has("status." + status.wire())) {
        missing.add("status." + status.wire());
      }
    }
    // the words of the follow-up tasks, named from their enums' wire words
    var f = List.of(vn.hotline.gateway.contact.Followup.Kind.values(), vn.hotline.gateway.contact.Followup.Status.values(),
        vn.hotline.gateway.contact.Followup.Result.values(), vn.hotline.gateway.contact.Followup.Outcome.values());
    var prefixes = List.of("task.kind.", "task.status.", "task.result.", "task.outcome.");
    for (int i = 0; i < f.size(); i++) {
      for (var e : f.get(i)) {
        if (!m.has(prefixes.get(i) + e)) {
          missing.add(prefixes.get(i) + e);
        }
      }
    }
    for (var why : vn.hotline.gateway.followup.Followups.Refused.Why.values()) {
      if (!m.has("task.refused." + why.name().toLowerCase(java.util.Locale.ROOT))) {
        missing.add("task.refused." + why.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    for (var key : List.of("password.empty", "password.short", "password.long", "password.mismatch", "totp.wrong_code",
        "account.login_invalid", "account.login_taken", "account.name_invalid", "account.role_invalid",
        "account.phone_invalid")) {
      if (!m.has(key)) {
        missing.add(key);
      }
    }
    assertEquals(new TreeSet<String>(), missing);
  }

  @Test
  void noTemplateHasInlineScriptStyleOrEventHandlers() throws Exception {
    var inlineScript = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
    var inlineStyle = Pattern.compile("<style\\b|\\sstyle\\s*=", Pattern.CASE_INSENSITIVE);
    var handler = Pattern.compile("\\son[a-z]+\\s*=|javascript:|\\shx-on", Pattern.CASE_INSENSITIVE);
    var offsite = Pattern.compile("(src|href)=\"(https?:)?//", Pattern.CASE_INSENSITIVE);
    var found = new ArrayList<String>();
    for (var t : templates()) {
      var text = Files.readString(t, StandardCharsets.UTF_8);
      for (var p : List.of(inlineScript, inlineStyle, handler, offsite)) {
        var matcher = p.matcher(text);
        while (matcher.find()) {
          found.add(t.getFileName() + ": " + matcher.group());
        }
      }
    }
    assertEquals(List.of(), found, "the CSP (script-src 'self'; style-src 'self') would block these");
    assertTrue(templates().size() >= 6, "the templates were found: " + templates());
  }
}
