package vn.hotline.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.store.Store;

/**
 * Stores exactly as a fresh one is once the gateway has migrated it, without migrating one for every test: a
 * MariaDB database takes seconds to migrate (some eighty DDL statements, each synced to disk), an H2 file about
 * half a second, and a gateway finding its store current skips Flyway altogether. Migrated by the gateway's own
 * {@link Store#migrate()}, once per JVM for H2 (a template file each test gets a copy of) and once per pooled
 * database for MariaDB: a database a test has finished with is emptied back to what the migration left (its rows,
 * auto-increment counters, and nothing else), checked against the first one's schema, and handed to the next
 * test; one that does not match is dropped. The pool is dropped when the JVM ends.
 *
 * <p>{@code -Dtest.store.migrate-each=true} brings back an empty store migrated by each test's first gateway.
 */
final class MigratedStores {
  /** Migrate in every test, as before the pool (for checking the pool changes nothing). */
  static final boolean MIGRATE_EACH = Boolean.getBoolean("test.store.migrate-each");
  static final String H2_FILE = "hotline.mv.db";

  private static final ConcurrentLinkedQueue<String> idle = new ConcurrentLinkedQueue<>();
  private static final List<String> made = new ArrayList<>();
  private static Path h2Template;
  /** What the first migrated MariaDB database looks like: its schema, and the rows the migrations wrote. */
  private static String schema;
  private static Map<String, List<List<Object>>> seedRows;

  private MigratedStores() {}

  /** Puts a migrated H2 store ({@code hotline.mv.db}) into {@code dir}. */
  static void copyH2(Path dir) {
    try {
      Files.copy(h2Template(), dir.resolve(H2_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static synchronized Path h2Template() {
    if (h2Template == null) {
      try {
        var dir = Files.createTempDirectory("gateway-test-h2-template-");
        var url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("hotline") + TestDatabase.H2_OPTIONS;
        migrate(url, "");
        // The pool closes its connections on a thread of its own, and the last close makes H2 write out (and
        // compact) the file: a copy taken meanwhile holds half a file, whose first commits make H2 panic (seen in
        // CI under load). SHUTDOWN closes the database here and returns once the file is whole.
        shutdownH2(url);
        h2Template = dir.resolve(H2_FILE);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return h2Template;
  }

  /** A migrated MariaDB database of the pool, or a new one migrated now. */
  static String takeMariadb() throws SQLException {
    var name = idle.poll();
    return name != null ? name : newMariadb();
  }

  /** Empties the database back to its migrated state for the next test; drops it if that fails. */
  static void giveBack(String name) {
    try {
      reset(name);
      idle.add(name);
    } catch (SQLException | RuntimeException e) {
      drop(name);
    }
  }

  /** Whether this database waits in the pool for the next test. */
  static boolean idle(String name) {
    return idle.contains(name);
  }

  /** The schema of a MariaDB database (tables, columns, indexes, constraints, auto-increment counters) as text. */
  static String schema(String name) throws SQLException {
    try (var c = connect(name)) {
      return schema(c, name);
    }
  }

  private static String newMariadb() throws SQLException {
    var bytes = new byte[6];
    ThreadLocalRandom.current().nextBytes(bytes);
    var name = "hg_test_" + HexFormat.of().formatHex(bytes);
    try (var c = server()) {
      c.createStatement().execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    synchronized (MigratedStores.class) {
      if (made.isEmpty()) {
        Runtime.getRuntime().addShutdownHook(new Thread(MigratedStores::dropAll));
      }
      made.add(name);
    }
    try {
      migrate(url(name), "root");
      try (var c = connect(name)) {
        var shape = schema(c, name);
        synchronized (MigratedStores.class) {
          if (schema == null) {
            schema = shape;
            seedRows = rows(c, name);
          } else if (!schema.equals(shape)) {
            throw new IllegalStateException("two migrations of the same build made different schemas");
          }
        }
      }
      return name;
    } catch (RuntimeException | SQLException e) {
      drop(name);
      throw e;
    }
  }

  /** The gateway's own migration, as its first start on an empty store would run it. */
  private static void shutdownH2(String url) {
    long until = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (true) {
      try (var c = java.sql.DriverManager.getConnection(url + ";IFEXISTS=TRUE", "", ""); var st = c.createStatement()) {
        st.execute("SHUTDOWN");
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException("the H2 template did not shut down", e);
        }
        Thread.onSpinWait();
      }
    }
  }

  private static void migrate(String url, String user) {
    try (var store = Store.open(new GatewayConfig.Db(url, user, "", 2, 10_000), null)) {
      store.migrate();
    }
  }

  private static void reset(String name) throws SQLException {
    try (var c = connect(name); var st = c.createStatement()) {
      st.execute("SET SESSION foreign_key_checks = 0");
      st.execute("SET SESSION lock_wait_timeout = 10");
      st.execute("SET SESSION innodb_lock_wait_timeout = 10");
      var counters = new LinkedHashMap<String, Long>();
      try (var rs = st.executeQuery("SELECT table_name, auto_increment FROM information_schema.tables"
          + " WHERE table_schema = '" + name + "' AND table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          counters.put(rs.getString(1), rs.getLong(2));
        }
      }
      c.setAutoCommit(false);
      for (var table : counters.keySet()) {
        st.executeUpdate("DELETE FROM `" + table + "`");
      }
      for (var seed : seedRows.entrySet()) {
        for (var row : seed.getValue()) {
          var marks = String.join(", ", java.util.Collections.nCopies(row.size(), "?"));
          try (var ps = c.prepareStatement("INSERT INTO `" + seed.getKey() + "` VALUES (" + marks + ")")) {
            for (int i = 0; i < row.size(); i++) {
              ps.setObject(i + 1, row.get(i));
            }
            ps.executeUpdate();
          }
        }
      }
      c.commit();
      c.setAutoCommit(true);
      for (var counter : counters.entrySet()) {
        if (counter.getValue() > 1) { // 0 (NULL): no auto-increment column; 1: never used
          st.execute("ALTER TABLE `" + counter.getKey() + "` AUTO_INCREMENT = 1");
        }
      }
      st.execute("SET SESSION foreign_key_checks = 1");
      if (!schema.equals(schema(c, name)) || !equal(seedRows, rows(c, name))) {
        throw new IllegalStateException("database " + name + " is no longer as migrated");
      }
    }
  }

  private static boolean equal(Map<String, List<List<Object>>> a, Map<String, List<List<Object>>> b) {
    return a.toString().equals(b.toString());
  }

  /** Tables, columns, indexes, constraints and auto-increment counters, as one text. */
  private static String schema(Connection c, String name) throws SQLException {
    var b = new StringBuilder();
    for (var sql : List.of(
        "SELECT table_name, table_type, auto_increment FROM information_schema.tables WHERE table_schema = ?"
            + " ORDER BY table_name",
        "SELECT table_name, column_name, ordinal_position, column_type, is_nullable, column_default, extra,"
            + " collation_name FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position",
        "SELECT table_name, index_name, seq_in_index, column_name, non_unique FROM information_schema.statistics"
            + " WHERE table_schema = ? ORDER BY table_name, index_name, seq_in_index",
        "SELECT table_name, constraint_name, constraint_type FROM information_schema.table_constraints"
            + " WHERE constraint_schema = ? ORDER BY table_name, constraint_name",
        "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = ? ORDER BY trigger_name",
        "SELECT routine_name FROM information_schema.routines WHERE routine_schema = ? ORDER BY routine_name")) {
      try (var ps = c.prepareStatement(sql)) {
        ps.setString(1, name);
        try (var rs = ps.executeQuery()) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              b.append(rs.getString(i)).append('|');
            }
            b.append('\n');
          }
        }
      }
    }
    return b.toString();
  }

  /** Every row of every table (the migrations write a few), in a stable order. */
  private static Map<String, List<List<Object>>> rows(Connection c, String name) throws SQLException {
    var tables = new ArrayList<String>();
    try (var ps = c.prepareStatement("SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
        + " AND table_type = 'BASE TABLE' ORDER BY table_name")) {
      ps.setString(1, name);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    }
    var out = new LinkedHashMap<String, List<List<Object>>>();
    try (var st = c.createStatement()) {
      for (var table : tables) {
        try (var rs = st.executeQuery("SELECT * FROM `" + table + "` ORDER BY 1")) {
          int n = rs.getMetaData().getColumnCount();
          var rows = new ArrayList<List<Object>>();
          while (rs.next()) {
            var row = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
              row.add(rs.getObject(i));
            }
            rows.add(row);
          }
          if (!rows.isEmpty()) {
            out.put(table, rows);
          }
        }
      }
    }
    return out;
  }

  private static String url(String name) {
    return "jdbc:mariadb://" + TestDatabase.MARIADB_HOST + ":" + TestDatabase.MARIADB_PORT + "/" + name;
  }

  private static Connection connect(String name) throws SQLException {
    return DriverManager.getConnection(url(name), "root", "");
  }

  private static Connection server() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:mariadb://" + TestDatabase.MARIADB_HOST + ":" + TestDatabase.MARIADB_PORT + "/", "root", "");
  }

  static void drop(String name) {
    try (var c = server()) {
      c.createStatement().execute("DROP DATABASE IF EXISTS " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test database " + name, e);
    }
  }

  private static void dropAll() {
    String name;
    while ((name = idle.poll()) != null) {
      try {
        drop(name);
      } catch (RuntimeException e) {
        // the JVM is ending: a database left behind is dropped by hand
      }
    }
  }

  static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp dir left behind is harmless
    }
  }
}
