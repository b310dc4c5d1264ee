package vn.hotline.gateway.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.h2.tools.Server;

/**
 * A fresh, empty database of one kind for one test: an embedded H2 file in a temp dir, or a new database on the
 * machine's MariaDB (127.0.0.1:3306, root), dropped afterwards. With {@code faulty} the gateway reaches it
 * through a {@link TcpProxy} the test can cut or stall, to play a store that goes down.
 */
public final class TestDatabase implements AutoCloseable {
  public enum Kind { H2, MARIADB }

  public static final String MARIADB_HOST = System.getProperty("test.mariadb.host", "127.0.0.1");
  public static final int MARIADB_PORT = Integer.getInteger("test.mariadb.port", 3306);
  static {
    // The H2 server below would otherwise fix H2's bind address (every interface) before any Store sets it.
    vn.hotline.gateway.store.Store.bindH2ToLoopback();
  }

  static final String H2_OPTIONS = ";MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

  public final Kind kind;
  private final String directUrl;
  private final String gatewayUrl;
  private final String dbName;
  private final TcpProxy proxy;
  private final Server h2Server;
  /** A MariaDB database of {@link MigratedStores}' pool, given back rather than dropped. */
  private final boolean pooled;

  private TestDatabase(Kind kind, String directUrl, String gatewayUrl, String dbName, TcpProxy proxy, Server h2Server) {
    this(kind, directUrl, gatewayUrl, dbName, proxy, h2Server, false);
  }

  private TestDatabase(Kind kind, String directUrl, String gatewayUrl, String dbName, TcpProxy proxy, Server h2Server,
      boolean pooled) {
    this.kind = kind;
    this.directUrl = directUrl;
    this.gatewayUrl = gatewayUrl;
    this.dbName = dbName;
    this.proxy = proxy;
    this.h2Server = h2Server;
    this.pooled = pooled;
  }

  /**
   * A fresh database exactly as the gateway's migration leaves an empty one (schema current, the rows the
   * migrations write, nothing else), without migrating it here: see {@link MigratedStores}. A gateway started on
   * it finds its schema current.
   */
  public static TestDatabase migrated(Kind kind, Path dir) {
    return migrated(kind, dir, false);
  }

  /** Likewise, reached through a {@link TcpProxy} the test can cut when {@code faulty}. */
  public static TestDatabase migrated(Kind kind, Path dir, boolean faulty) {
    if (MigratedStores.MIGRATE_EACH) {
      return create(kind, dir, faulty);
    }
    if (kind == Kind.H2) {
      MigratedStores.copyH2(dir);
      return faulty ? h2Server(dir) : h2File(dir);
    }
    try {
      var name = MigratedStores.takeMariadb();
      var url = "jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/" + name;
      if (!faulty) {
        return new TestDatabase(kind, url, url, name, null, null, true);
      }
      var proxy = TcpProxy.start(MARIADB_HOST, MARIADB_PORT);
      return new TestDatabase(kind, url, "jdbc:mariadb://127.0.0.1:" + proxy.port() + "/" + name, name, proxy, null,
          true);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a " + kind + " test database (is MariaDB running on "
          + MARIADB_HOST + ":" + MARIADB_PORT + "?)", e);
    }
  }

  private static TestDatabase h2File(Path dir) {
    var url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("hotline") + H2_OPTIONS;
    return new TestDatabase(Kind.H2, url, url, null, null, null);
  }

  /** H2 through TCP, so the connection can be cut like a real remote store's. */
  private static TestDatabase h2Server(Path dir) {
    try {
      var server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", dir.toAbsolutePath().toString()).start();
      var proxy = TcpProxy.start("127.0.0.1", server.getPort());
      // DB_CLOSE_DELAY=-1: a cut connection must not close the server-side database for the reconnects after it.
      var options = H2_OPTIONS + ";DB_CLOSE_DELAY=-1";
      var direct = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/hotline" + options;
      var viaProxy = "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/hotline" + options;
      return new TestDatabase(Kind.H2, direct, viaProxy, null, proxy, server);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start an H2 server for a test database", e);
    }
  }

  public static TestDatabase create(Kind kind, Path dir) {
    return create(kind, dir, false);
  }

  public static TestDatabase create(Kind kind, Path dir, boolean faulty) {
    try {
      if (kind == Kind.MARIADB) {
        var name = "hg_test_" + HexFormat.of().formatHex(randomBytes());
        try (var c = DriverManager.getConnection(serverUrl(), "root", "")) {
          c.createStatement().execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        }
        var direct = "jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/" + name;
        if (!faulty) {
          return new TestDatabase(kind, direct, direct, name, null, null);
        }
        var proxy = TcpProxy.start(MARIADB_HOST, MARIADB_PORT);
        return new TestDatabase(kind, direct, "jdbc:mariadb://127.0.0.1:" + proxy.port() + "/" + name, name, proxy, null);
      }
      return faulty ? h2Server(dir) : h2File(dir);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a " + kind + " test database (is MariaDB running on "
          + MARIADB_HOST + ":" + MARIADB_PORT + "?)", e);
    }
  }

  private static byte[] randomBytes() {
    var b = new byte[6];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static String serverUrl() {
    return "jdbc:mariadb://" + MARIADB_HOST + ":" + MARIADB_PORT + "/";
  }

  /** The MariaDB database's name (null for H2). */
  public String name() {
    return dbName;
  }

  /** The URL the gateway is configured with (through the proxy when faulty). */
  public String gatewayUrl() {
    return gatewayUrl;
  }

  public String user() {
    return kind == Kind.MARIADB ? "root" : "";
  }

  /** A direct connection for the test's own checks, never through the proxy. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(directUrl, user(), "");
  }

  public TcpProxy proxy() {
    if (proxy == null) {
      throw new IllegalStateException("create the database with faulty=true to get a proxy");
    }
    return proxy;
  }

  /** Counts rows of a table, for "nothing was stored" assertions. */
  public int count(String table) {
    try (var c = connect(); var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The one row {@code sql} selects for {@code arg}, column labels in lower case; fails when there is none. */
  public java.util.Map<String, Object> row(String sql, String arg) {
    try (var c = connect(); var ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new AssertionError("no row for " + sql + " with " + arg);
        }
        var out = new java.util.HashMap<String, Object>();
        var md = rs.getMetaData();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          out.put(md.getColumnLabel(i).toLowerCase(), rs.getObject(i));
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A count query with one argument ("SELECT COUNT(*) ... WHERE x = ?"). */
  public int count(String sql, String arg) {
    return ((Number) row(sql, arg).values().iterator().next()).intValue();
  }

  @Override
  public void close() {
    if (proxy != null) {
      proxy.close();
    }
    if (h2Server != null) {
      h2Server.stop();
    }
    if (pooled) {
      MigratedStores.giveBack(dbName);
    } else if (dbName != null) {
      try (var c = DriverManager.getConnection(serverUrl(), "root", "")) {
        c.createStatement().execute("DROP DATABASE IF EXISTS " + dbName);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop test database " + dbName, e);
      }
    }
  }

  @Override
  public String toString() {
    return kind.name();
  }
}
