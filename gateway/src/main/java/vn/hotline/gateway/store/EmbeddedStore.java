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
    var lock = lockFile(db.url());
    boolean unclean = lock != null && Files.exists(lock) && removeStaleLock(lock);
    long t0 = System.nanoTime();
    try {
      var c = DriverManager.getConnection(db.url(), db.user(), db.password());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (unclean) {
        log.atWarn().addKeyValue("recoveryMs", ms)
            .log("embedded store was not closed cleanly (its last process was killed?): its stale lock removed,"
                + " reopened and recovered in {} ms", ms);
      } else {
        log.atInfo().addKeyValue("openMs", ms).log("embedded store opened in {} ms", ms);
      }
      return c;
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

  /** name.lock.db of a file store, or null for any other URL. */
  static Path lockFile(String url) {
    if (!url.startsWith("jdbc:h2:file:")) {
      return null;
    }
    var base = Path.of(url.substring("jdbc:h2:file:".length()).replaceFirst(";.*$", "")).toAbsolutePath();
    return base.resolveSibling(base.getFileName() + ".lock.db");
  }

  /**
   * A lock file left by a process that was killed: H2 itself would wait for it to age and then sleep two more
   * seconds before taking it over, on every start after a crash. With AUTO_SERVER the lock names the port of the
   * owner's server, which a live owner always answers on (the kernel accepts even while its JVM is paused); when
   * nothing answers there, the owner is gone and the lock is removed. Any doubt (no server named, something
   * answers, unreadable) leaves it to H2. Returns true when the lock was there without a live owner.
   */
  static boolean removeStaleLock(Path lock) {
    var props = new java.util.Properties();
    try (var in = Files.newInputStream(lock)) {
      props.load(in);
    } catch (IOException e) {
      return false;
    }
    var server = props.getProperty("server");
    if (!"file".equals(props.getProperty("method")) || server == null || server.lastIndexOf(':') < 0) {
      return true; // an unclean file all the same; H2 decides about the lock
    }
    int port;
    try {
      port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
    } catch (NumberFormatException e) {
      return true;
    }
    var host = server.substring(0, server.lastIndexOf(':'));
    for (var h : java.util.List.of(host, "127.0.0.1")) {
      try (var s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(h, port), 500);
        return false; // someone answers: perhaps the owner, alive; H2's own protocol decides
      } catch (java.net.ConnectException | java.net.UnknownHostException refused) {
        // nobody there
      } catch (IOException e) {
        return false; // a timeout or anything else: do not guess
      }
    }
    try {
      Files.deleteIfExists(lock);
    } catch (IOException e) {
      log.warn("embedded store: cannot remove its stale lock file: {}", e.toString());
    }
    return true;
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
