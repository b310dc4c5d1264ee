package vn.hotline.gateway.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table and config/gateway.yaml must not drift apart. */
class ReadmeConfigTableTest {
  @Test
  void everyConfigKeyIsInTheReadmeTableWithItsEnvironmentVariable() throws IOException {
    var readme = Files.readString(Path.of("README.md"));
    for (var key : Settings.knownKeys()) {
      var row = readme.lines().filter(l -> l.startsWith("| `" + key + "` |")).findFirst();
      assertTrue(row.isPresent(), "README config table has no row for " + key);
      var names = Settings.envNames(key);
      assertTrue(row.get().contains("`" + names.get(names.size() - 1) + "`"),
          "README row for " + key + " does not name " + names.get(names.size() - 1) + ": " + row.get());
    }
  }

  @Test
  void everyRowOfTheReadmeTableIsAKeyTheGatewayKnows() throws IOException {
    var keys = Settings.knownKeys();
    Files.readString(Path.of("README.md")).lines()
        .filter(l -> l.matches("\\| `[a-z_.]+` \\| `[A-Z_]+`.*"))
        .map(l -> l.substring(3, l.indexOf('`', 3)))
        .forEach(k -> assertTrue(keys.contains(k), "README documents " + k + ", which config/gateway.yaml does not have"));
  }
}
