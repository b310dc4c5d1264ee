package vn.hotline.gateway.webform;

import java.util.List;
import java.util.Map;
import vn.hotline.gateway.console.Messages;

/**
 * What the public report pages' templates get (gateway/src/main/jte-webform/report): the words in the reader's
 * language and what the page shows. {@code form} is set on the form page, {@code reference} on the end page
 * (null on the quiet one a refused bot sees), {@code messageKey} on a page that only says what went wrong.
 */
public record ReportPage(Messages.Bundle words, int status, Form form, String reference, String messageKey) {
  /** One choice of a list (a category, an age band, a province). */
  public record Option(String value, String label) {}

  /**
   * The form: its token, the values to show again (as typed), the problems by field (already in words), the
   * choices, and the proof of work the script is asked for.
   */
  public record Form(String token, Map<String, String> filled, Map<String, List<String>> problems,
      List<Option> categories, List<Option> ages, List<Option> provinces, int powBits) {
    public String value(String field) {
      return filled.getOrDefault(field, "");
    }

    public boolean chosen(String field, String value) {
      return value.equals(filled.get(field));
    }

    /** The problems of a field, in words; empty when it is fine. */
    public List<String> problems(String field) {
      return problems.getOrDefault(field, List.of());
    }

    public boolean invalid(String field) {
      return problems.containsKey(field);
    }

    public boolean hasProblems() {
      return !problems.isEmpty();
    }
  }

  public String lang() {
    return words.lang();
  }

  public String t(String key, Object... args) {
    return words.t(key, args);
  }

  /** The other language than the page's, for the language link. */
  public String otherLang() {
    return "vi".equals(lang()) ? "en" : "vi";
  }

  /** The reference as a person reads it aloud: groups of four. */
  public String spokenReference() {
    if (reference == null) {
      return null;
    }
    var out = new StringBuilder();
    for (int i = 0; i < reference.length(); i += 4) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(reference, i, Math.min(reference.length(), i + 4));
    }
    return out.toString();
  }
}
