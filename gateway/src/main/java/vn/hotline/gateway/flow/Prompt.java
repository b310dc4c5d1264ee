package vn.hotline.gateway.flow;

import java.util.Map;

/** What a node says, one text per language code (vi-VN, en-US). */
public record Prompt(Map<String, String> byLanguage) {
  public Prompt {
    byLanguage = Map.copyOf(byLanguage);
  }

  public String in(String language) {
    return byLanguage.get(language);
  }

  public boolean isEmpty() {
    return byLanguage.isEmpty();
  }
}
