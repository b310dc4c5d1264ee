package vn.hotline.gateway.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sizes of the chaos scenarios: short in the ordinary build (CI), full under {@code mvn -P chaos verify}
 * ({@code -Dchaos.full=true}); each can be set on its own ({@code -Dchaos.texts=2000}). What each run counted is
 * appended to {@code gateway/target/chaos/results.txt} for docs/reliability.md.
 */
final class Chaos {
  static final boolean FULL = Boolean.getBoolean("chaos.full");

  private Chaos() {}

  static int texts(int quick, int full) {
    return Integer.getInteger("chaos.texts", FULL ? full : quick);
  }

  static long millis(String property, long quick, long full) {
    return Long.getLong(property, FULL ? full : quick);
  }

  static synchronized void report(String scenario, Map<String, ?> counts) {
    var line = Instant.now() + " " + scenario + " " + new TreeMap<>(counts) + "\n";
    try {
      var file = Path.of("gateway/target/chaos/results.txt");
      Files.createDirectories(file.getParent());
      Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
