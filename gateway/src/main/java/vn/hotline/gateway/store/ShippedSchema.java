package vn.hotline.gateway.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The migrations this build ships (classpath {@code db/migration}), and whether a store has exactly them applied
 * already. Flyway takes about half a second to load and to find that out on every start; reading its history
 * table takes milliseconds. Only when the history holds every shipped migration, successful, with the checksum
 * Flyway computes, and nothing else, is Flyway skipped; on any difference it runs and says what it finds.
 */
final class ShippedSchema {
  private static final String LOCATION = "db/migration";
  private static final Pattern FILE = Pattern.compile("V(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

  /** One versioned migration as Flyway records it: version, script file name, checksum. */
  record Migration(String version, String script, int checksum) {}

  private ShippedSchema() {}

  /** The shipped migrations, lowest version first. */
  static List<Migration> migrations() {
    var names = new ArrayList<String>();
    var url = ShippedSchema.class.getClassLoader().getResource(LOCATION);
    if (url == null) {
      return List.of();
    }
    try {
      if (url.getProtocol().equals("jar")) {
        var connection = (JarURLConnection) url.openConnection();
        try (var jar = connection.getJarFile().stream()) {
          jar.map(e -> e.getName()).filter(n -> n.startsWith(LOCATION + "/"))
              .map(n -> n.substring(LOCATION.length() + 1)).filter(n -> FILE.matcher(n).matches()).forEach(names::add);
        }
      } else if (url.getProtocol().equals("file")) {
        try (var files = Files.list(Path.of(url.toURI()))) {
          files.map(p -> p.getFileName().toString()).filter(n -> FILE.matcher(n).matches()).forEach(names::add);
        }
      } else {
        return List.of(); // unknown packaging: Flyway finds them itself
      }
    } catch (IOException | URISyntaxException e) {
      return List.of();
    }
    var out = new ArrayList<Migration>();
    for (var name : names) {
      var m = FILE.matcher(name);
      m.matches();
      out.add(new Migration(m.group(1).replace('_', '.'), name, checksum(LOCATION + "/" + name)));
    }
    out.sort(Comparator.comparing(Migration::version, ShippedSchema::compareVersions));
    return List.copyOf(out);
  }

  /**
   * Flyway's checksum of a SQL migration: CRC-32 over the UTF-8 bytes of each line without its line ending (a
   * byte-order mark at the start left out), so that line endings do not count.
   */
  static int checksum(String resource) {
    var crc = new CRC32();
    try (var in = ShippedSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource);
      }
      var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      boolean first = true;
      for (String line; (line = reader.readLine()) != null; first = false) {
        if (first && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        crc.update(line.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (int) crc.getValue();
  }

  /**
   * True when the store's Flyway history is exactly {@code shipped}: each applied and successful with the same
   * script and checksum, no other versioned migration and no failed one. False on any doubt (no history table yet,
   * a newer or older schema, an edited migration): then Flyway must run.
   */
  static boolean isCurrent(Connection c, List<Migration> shipped) {
    if (shipped.isEmpty()) {
      return false;
    }
    var applied = new HashSet<Migration>();
    try (var tables = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "flyway_schema_history", null)) {
      if (!tables.next()) {
        return false; // a new store: asked without a failing query (H2 would write each failure to a trace file)
      }
    } catch (SQLException e) {
      return false;
    }
    try (var st = c.createStatement();
        var rs = st.executeQuery("SELECT version, script, checksum, success, type FROM flyway_schema_history")) {
      while (rs.next()) {
        if (!rs.getBoolean("success")) {
          return false;
        }
        var version = rs.getString("version");
        if (version == null) {
          continue; // Flyway's own marker rows
        }
        var checksum = rs.getObject("checksum");
        if (!"SQL".equals(rs.getString("type")) || checksum == null) {
          return false; // a baseline or a Java migration: leave it to Flyway
        }
        applied.add(new Migration(version, rs.getString("script"), ((Number) checksum).intValue()));
      }
    } catch (SQLException e) {
      return false; // no history table yet (a new store), or one we cannot read
    }
    return applied.equals(Set.copyOf(shipped));
  }

  static int compareVersions(String a, String b) {
    var x = a.split("\\.");
    var y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      var p = i < x.length ? new java.math.BigInteger(x[i]) : java.math.BigInteger.ZERO;
      var q = i < y.length ? new java.math.BigInteger(y[i]) : java.math.BigInteger.ZERO;
      int d = p.compareTo(q);
      if (d != 0) {
        return d;
      }
    }
    return 0;
  }
}
