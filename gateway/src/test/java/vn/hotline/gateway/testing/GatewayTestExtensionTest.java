package vn.hotline.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** What {@link GatewayTest} promises the classes on it: one run per store, a fresh store each test, all closed. */
class GatewayTestExtensionTest {
  /** Run by the test below through the launcher, not by Maven (a nested class is not picked up on its own). */
  @GatewayTest
  static class Sample {
    static final List<String> seen = new CopyOnWriteArrayList<>();
    static final List<Path> dirs = new CopyOnWriteArrayList<>();
    static final List<String> stoppedBeforeAfterEach = new CopyOnWriteArrayList<>();
    Harness house;
    RunningGateway gw;

    @BeforeEach
    void start(Harness house) {
      this.house = house;
      dirs.add(house.dir());
    }

    @Test
    void one() {
      callOnce();
    }

    @Test
    void two() {
      callOnce();
    }

    /** Starts a gateway, notes the store and how many contacts it held, and places a call. */
    void callOnce() {
      gw = house.start();
      seen.add(house.kind() + " " + System.identityHashCode(house.db()) + " " + house.db().count("contacts"));
      gw.twilio().call().incoming();
      assertEquals(1, house.db().count("contacts"));
    }

    @AfterEach
    void stop() {
      if (gw != null) {
        assertThrows(AssertionError.class, () -> gw.twilio().get("/health/live"));
        stoppedBeforeAfterEach.add(house.kind().name());
      }
    }
  }

  @Test
  void eachTestRunsOncePerStoreNamedForItOnAFreshStoreAndEverythingIsClosedAfterwards() {
    var runs = new CopyOnWriteArrayList<String>();
    var summary = new SummaryGeneratingListener();
    var names = new TestExecutionListener() {
      @Override
      public void executionStarted(TestIdentifier id) {
        if (id.getUniqueIdObject().getLastSegment().getType().equals("class-template-invocation")) {
          runs.add(id.getDisplayName());
        }
      }
    };
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Sample.class))
        .build(), summary, names);

    assertEquals(0, summary.getSummary().getTotalFailureCount(), () -> summary.getSummary().getFailures().toString());
    assertEquals(4, summary.getSummary().getTestsSucceededCount());
    assertEquals(List.of("[H2]", "[MARIADB]"), runs);
    assertEquals(4, new HashSet<>(Sample.seen).size(), "a store of its own for each test: " + Sample.seen);
    assertEquals(List.of("H2", "H2", "MARIADB", "MARIADB"), Sample.seen.stream().map(s -> s.split(" ")[0]).sorted().toList());
    assertEquals(List.of("0"), Sample.seen.stream().map(s -> s.split(" ")[2]).distinct().toList(), "every store starts empty");
    assertEquals(List.of("H2", "H2", "MARIADB", "MARIADB"), Sample.stoppedBeforeAfterEach);
    for (var dir : Sample.dirs) {
      assertFalse(Files.exists(dir), dir + " is removed after its test");
    }
  }

  @Test
  void aMariadbStoreATestUsedIsGivenToTheNextAsAFreshlyMigratedOneIs() throws Exception {
    var dir = Files.createTempDirectory("gateway-test-pool-");
    try {
      String used;
      try (var db = TestDatabase.migrated(TestDatabase.Kind.MARIADB, dir)) {
        used = db.name();
        try (var gw = RunningGateway.start(db, dir.resolve("data"))) {
          var call = gw.twilio().call();
          call.press(call.incoming(), "1"); // a contact, a session, its steps (auto-increment), audit events
        }
        assertEquals(1, db.count("contacts"));
        assertTrue(db.count("flow_steps") > 0 && db.count("audit_events") > 0);
      }
      assertTrue(MigratedStores.idle(used), "given back to the pool, not dropped");
      try (var fresh = TestDatabase.create(TestDatabase.Kind.MARIADB, dir);
          var store = vn.hotline.gateway.store.Store.open(new vn.hotline.gateway.config.GatewayConfig.Db(
              fresh.gatewayUrl(), "root", "", 2, 10_000), null)) {
        store.migrate();
        assertEquals(MigratedStores.schema(fresh.name()), MigratedStores.schema(used),
            "the same tables, columns, indexes, constraints and auto-increment counters as a store just migrated");
        for (var table : List.of("contacts", "flow_sessions", "flow_steps", "audit_events", "audit_head",
            "flyway_schema_history")) {
          assertEquals(fresh.count(table), count(used, table), table + " holds what a store just migrated holds");
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:mariadb://" + TestDatabase.MARIADB_HOST + ":"
            + TestDatabase.MARIADB_PORT + "/" + used, "root", "");
            var rs = c.createStatement().executeQuery("SELECT id, seq, hash FROM audit_head")) {
          rs.next();
          assertEquals(List.of(1, 0, "0".repeat(64)), List.of(rs.getInt(1), rs.getInt(2), rs.getString(3)));
        }
      }
    } finally {
      MigratedStores.deleteQuietly(dir);
    }
  }

  private static int count(String database, String table) throws java.sql.SQLException {
    try (var c = java.sql.DriverManager.getConnection("jdbc:mariadb://" + TestDatabase.MARIADB_HOST + ":"
        + TestDatabase.MARIADB_PORT + "/" + database, "root", "");
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
