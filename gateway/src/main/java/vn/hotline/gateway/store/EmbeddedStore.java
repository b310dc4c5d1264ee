package vn.hotline.gateway.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * What keeps the embedded H2 store to the gateway and the CLI tools of the same user on the same machine:
 * its AUTO_SERVER port on loopback only, a password on the database, its files owner-only.
 */
final class EmbeddedStore {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);
  static final String BIND_PROPERTY = "h2.bindAddress";
  /** H2's "wrong user name or password". */
  private static final int WRONG_LOGIN = 28000;

  private EmbeddedStore() {}

  /**
   * Asks H2 to bind its servers (the AUTO_SERVER port among them) to 127.0.0.1 rather than every interface.
   * H2 reads the property once, when its SysProperties class loads; this must run before any H2 server starts.
   */
  static void bindToLoopback() {
    if (System.getProperty(BIND_PROPERTY) == null) {
      System.setProperty(BIND_PROPERTY, "127.0.0.1");
    }
  }

  /** Refuses an AUTO_SERVER store whose port would listen beyond loopback (h2.bindAddress set elsewhere). */
  static void checkLoopback(String url) {
    if (!url.toUpperCase(Locale.ROOT).contains("AUTO_SERVER=TRUE")) {
      return;
    }
    bindToLoopback();
    var bind = org.h2.engine.SysProperties.BIND_ADDRESS;
    boolean loopback;
    try {
      loopback = bind != null && !bind.isEmpty() && InetAddress.getByName(bind).isLoopbackAddress();
    } catch (IOException e) {
      loopback = false;
    }
    if (!loopback) {
      throw new IllegalStateException("the embedded store's AUTO_SERVER port would listen on " + (bind == null
          || bind.isEmpty() ? "every interface" : bind) + ": run with -D" + BIND_PROPERTY + "=127.0.0.1 (or leave "
          + BIND_PROPERTY + " unset and let nothing start an H2 server before the store)");
    }
  }

  /**
   * Opens the database once directly. A store made before it had a password (empty, as H2 makes it by default)
   * gets the configured one here, so no one can log in with the empty password any more. Returns the open
   * connection (to keep the database open while the pool starts), or null when it could not be opened; the pool
   * and readiness then report why.
   */
  static Connection open(GatewayConfig.Db db) {
    try {
      return DriverManager.getConnection(db.url(), db.user(), db.password());
    } catch (SQLException e) {
      if (e.getErrorCode() != WRONG_LOGIN || db.password().isEmpty()) {
        log.warn("embedded store: cannot open it yet: {}", e.getMessage());
        return null;
      }
    }
    try {
      var c = DriverManager.getConnection(db.url(), db.user(), "");
      try (var st = c.createStatement(); var rs = st.executeQuery("SELECT CURRENT_USER")) {
        rs.next();
        var user = rs.getString(1);
        st.execute("ALTER USER \"" + user.replace("\"", "\"\"") + "\" SET PASSWORD '"
            + db.password().replace("'", "''") + "'");
      }
      log.warn("embedded store had no password: it now has the configured one (db.password, or the generated "
          + "one in data_dir/{})", GatewayConfig.EMBEDDED_DB_PASSWORD_FILE);
      return c;
    } catch (SQLException e) {
      log.warn("embedded store: refuses the configured password: {}", e.getMessage());
      return null;
    }
  }

  /** The store's files (name.mv.db, name.lock.db, name.trace.db...) made owner-only (0600). */
  static void ownerOnlyFiles(String url) {
    if (!url.startsWith("jdbc:h2:file:")) {
      return;
    }
    var base = Path.of(url.substring("jdbc:h2:file:".length()).replaceFirst(";.*$", "")).toAbsolutePath();
    var dir = base.getParent();
    var prefix = base.getFileName() + ".";
    var ownerOnly = PosixFilePermissions.fromString("rw-------");
    try (var files = Files.list(dir)) {
      for (var f : files.filter(f -> f.getFileName().toString().startsWith(prefix) && Files.isRegularFile(f)).toList()) {
        if (!Files.getPosixFilePermissions(f).equals(ownerOnly)) {
          Files.setPosixFilePermissions(f, ownerOnly);
        }
      }
    } catch (UnsupportedOperationException notPosix) {
      // not a POSIX file system: nothing to narrow
    } catch (IOException e) {
      log.warn("embedded store: cannot make its files owner-only: {}", e.toString());
    }
  }
}
