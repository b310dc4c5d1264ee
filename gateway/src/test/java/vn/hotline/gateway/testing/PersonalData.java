package vn.hotline.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * Every phone number and free text the tests send in, written down so LogScanIT can look for each of them in
 * every log line of the run (base64 per line, so texts with newlines survive).
 */
public final class PersonalData {
  public static final Path FILE = Path.of("gateway/target/test-logs/personal-data.txt");

  private PersonalData() {}

  public static synchronized void used(String... values) {
    try {
      Files.createDirectories(FILE.getParent());
      var b = new StringBuilder();
      for (var v : values) {
        if (v != null && !v.isBlank()) {
          b.append(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
      }
      Files.writeString(FILE, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
