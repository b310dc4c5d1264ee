package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.config.Settings;

/** The embedded store of a dev machine that upgrades: made before it had a password, it keeps every report. */
class EmbeddedStoreTest {
  @TempDir Path data;

  @Test
  void aStoreMadeWithTheEmptyPasswordGetsTheGeneratedOneAndKeepsItsData() throws Exception {
    Store.bindH2ToLoopback(); // this JVM opens H2 below before any Store does
    var cfg = GatewayConfig.from(Settings.load(null, Map.of("GATEWAY_DATA_DIR", data.toString())));
    var url = cfg.db().url();
    // What an earlier version left behind: the same file, made by a first connection with an empty password.
    Files.delete(data.resolve(GatewayConfig.EMBEDDED_DB_PASSWORD_FILE));
    try (var c = DriverManager.getConnection(url, "", "")) {
      c.createStatement().execute("CREATE TABLE kept (v INT)");
      c.createStatement().execute("INSERT INTO kept VALUES (42)");
    }
    var upgraded = GatewayConfig.from(Settings.load(null, Map.of("GATEWAY_DATA_DIR", data.toString()))).db();

    try (var store = Store.open(upgraded, null)) {
      assertTrue(store.ping(), store.lastError());
      try (var c = store.dataSource().getConnection(); var rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
        assertTrue(rs.next());
        assertEquals(42, rs.getInt(1));
      }
    }

    var e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "", "").close());
    assertEquals(28000, e.getErrorCode(), e.getMessage());
    try (var c = DriverManager.getConnection(url, "", upgraded.password())) {
      assertTrue(c.isValid(1));
    }
  }
}
