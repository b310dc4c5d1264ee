package vn.hotline.gateway.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * docs/integrators.md and the examples in it: a fenced block preceded by {@code <!-- example: NAME -->} is an example
 * the tests run or validate, so the guide cannot drift from the code and the schemas.
 */
final class IntegratorsDoc {
  static final Path FILE = Path.of("docs/integrators.md");

  private IntegratorsDoc() {}

  static String text() {
    try {
      return Files.readString(FILE, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The content of the fenced block marked {@code <!-- example: name -->}; fails when there is not exactly one. */
  static String example(String name) {
    var m = Pattern.compile("<!-- example: " + Pattern.quote(name) + " -->\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL)
        .matcher(text());
    if (!m.find()) {
      throw new AssertionError(FILE + " has no example marked <!-- example: " + name + " --> before a fenced block");
    }
    var block = m.group(1);
    if (m.find()) {
      throw new AssertionError(FILE + " has two examples named " + name);
    }
    return block;
  }
}
