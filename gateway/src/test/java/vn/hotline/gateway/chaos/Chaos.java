package vn.hotline.gateway.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sizes of the chaos scenarios: short in the ordinary build (CI), full under {@code mvn -P chaos verify}
 * ({@code -Dchaos.full=true}); each can be set on its own ({@code -Dchaos.texts=2000}). What each run counted is
 * appended to {@code gateway/target/chaos/results.txt} for docs/reliability.md.
 */
public final class Chaos {
  static final boolean FULL = Boolean.getBoolean("chaos.full");

  private Chaos() {}

  static int texts(int quick, int full) {
    return Integer.getInteger("chaos.texts", FULL ? full : quick);
  }

  static long millis(String property, long quick, long full) {
    return Long.getLong(property, FULL ? full : quick);
  }

  /**
   * One scenario's line of the suite's table: what was sent and what came out of it. {@code -1} where a column
   * means nothing for the scenario (a fuzz delivers nothing). {@code lost} is what was sent and is not where it
   * must be; {@code duplicates} what arrived twice where once was owed.
   */
  public record Row(String scenario, String store, long sent, long stored, long delivered, long lost, long duplicates,
      Duration time, String notes) {
    String tsv() {
      return String.join("\t", scenario, store, Long.toString(sent), Long.toString(stored), Long.toString(delivered),
          Long.toString(lost), Long.toString(duplicates), Long.toString(time.toSeconds()), notes.replace('\t', ' '));
    }
  }

  /** The scenario's line, appended to {@code gateway/target/chaos/table.tsv} (bench/chaos.sh prints the table). */
  /** A scenario's end: closes what it started (gateways first, then what they talked to), skipping what it did not. */
  public static void closeAll(AutoCloseable... parts) throws Exception {
    for (var p : parts) {
      if (p != null) {
        p.close();
      }
    }
  }

  public static synchronized void row(Row row) {
    System.out.println("chaos | " + row.tsv().replace("\t", " | "));
    append("table.tsv", row.tsv() + "\n");
  }

  /** Free-form counts of a run, appended to {@code gateway/target/chaos/results.txt}. */
  public static synchronized void report(String scenario, Map<String, ?> counts) {
    append("results.txt", Instant.now() + " " + scenario + " " + new TreeMap<>(counts) + "\n");
  }

  private static void append(String name, String line) {
    try {
      var file = Path.of("gateway/target/chaos").resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
