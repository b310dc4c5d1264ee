package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A start that finds the schema current skips Flyway, and only then: the history must hold every shipped
 * migration with Flyway's own checksum; a store with anything else (a new store, a migration missing or edited)
 * goes through Flyway, which applies or refuses as it always did.
 */
class ShippedSchemaTest {
  @TempDir Path dir;
  TestDatabase db;

  @AfterEach
  void drop() {
    if (db != null) {
      db.close();
    }
  }

  Store open(TestDatabase.Kind kind) {
    db = TestDatabase.create(kind, dir);
    return Store.open(new GatewayConfig.Db(db.gatewayUrl(), db.user(), "", 2, 2000), null);
  }

  @Test
  void theShippedMigrationsAreTheFilesOfSchema() throws Exception {
    var files = new java.util.TreeSet<String>();
    try (var list = Files.list(Path.of("schema"))) {
      list.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql")).forEach(files::add);
    }
    var shipped = ShippedSchema.migrations();
    assertEquals(files, new java.util.TreeSet<>(shipped.stream().map(ShippedSchema.Migration::script).toList()));
    assertEquals(files.size(), shipped.size());
    for (int i = 1; i < shipped.size(); i++) {
      assertTrue(Integer.parseInt(shipped.get(i - 1).version()) < Integer.parseInt(shipped.get(i).version()), "in order");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void afterFlywayTheHistoryIsCurrentWithFlywaysOwnChecksums(TestDatabase.Kind kind) throws Exception {
    try (var store = open(kind)) {
      var shipped = ShippedSchema.migrations();
      try (var c = store.dataSource().getConnection()) {
        assertFalse(ShippedSchema.isCurrent(c, shipped), "a new store has no history: Flyway must run");
      }
      store.migrate(); // Flyway, the first time
      var flyways = new HashMap<String, Integer>();
      try (var c = store.dataSource().getConnection();
          var rs = c.createStatement().executeQuery("SELECT script, checksum FROM flyway_schema_history WHERE version IS NOT NULL")) {
        while (rs.next()) {
          flyways.put(rs.getString(1), rs.getInt(2));
        }
        for (var m : shipped) {
          assertEquals(flyways.get(m.script()), m.checksum(), "Flyway's checksum of " + m.script());
        }
        assertTrue(ShippedSchema.isCurrent(c, shipped));
      }
      store.migrate(); // the fast path: nothing to apply
      assertTrue(store.migrated());
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void anEditedMigrationIsLeftToFlywayWhichRefusesIt(TestDatabase.Kind kind) throws Exception {
    try (var store = open(kind)) {
      store.migrate();
      try (var c = store.dataSource().getConnection()) {
        c.createStatement().executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '2'");
        assertFalse(ShippedSchema.isCurrent(c, ShippedSchema.migrations()));
      }
      var refused = assertThrows(RuntimeException.class, store::migrate);
      assertTrue(String.valueOf(refused.getMessage()).toLowerCase().contains("checksum"), refused.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void aStoreOfTheReleaseBeforeGetsTheNewestMigrationFromFlyway(TestDatabase.Kind kind) throws Exception {
    try (var store = open(kind)) {
      var shipped = ShippedSchema.migrations();
      // What the release before left: the schema without the newest migration.
      org.flywaydb.core.Flyway.configure().dataSource(store.dataSource()).locations("classpath:db/migration")
          .target(shipped.get(shipped.size() - 2).version()).load().migrate();
      try (var c = store.dataSource().getConnection()) {
        assertFalse(ShippedSchema.isCurrent(c, shipped));
      }
      store.migrate();
      try (var c = store.dataSource().getConnection()) {
        assertTrue(ShippedSchema.isCurrent(c, shipped), "Flyway applied the newest migration");
      }
    }
  }
}
