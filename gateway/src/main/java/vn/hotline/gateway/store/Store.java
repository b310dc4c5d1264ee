package vn.hotline.gateway.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * The relational store: a Hikari pool over MariaDB or embedded H2, migrated by Flyway from schema/.
 * All methods block; callers run them on a worker thread, never on an event loop.
 */
public final class Store implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Store.class);

  private final GatewayConfig.Db db;
  private final HikariConfig hikari;
  /** The pool, from {@link #start()} on. */
  private volatile HikariDataSource dataSource;
  private final String description;
  private volatile String lastError;
  private volatile SQLException lastFailure;
  /** Since when the store has been unreachable; null while it answers. Logged once per change, not per request. */
  private final java.util.concurrent.atomic.AtomicReference<Instant> downSince =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicBoolean migrated = new java.util.concurrent.atomic.AtomicBoolean();
  /** This process's instance id: the claims it takes carry it (see {@link Instances}). */
  private final String instanceId = vn.hotline.gateway.util.Ids.uuid7().toString();
  /** Runs once the schema is current (the instance's registration); at most once. */
  private volatile Runnable whenMigrated;
  /** The writer of {@link #inGroup}. */
  private final GroupCommit group = new GroupCommit(this);

  private Store(GatewayConfig.Db db, HikariConfig hikari) {
    this.db = db;
    this.hikari = hikari;
    this.description = db.describe();
  }

  static {
    EmbeddedStore.bindToLoopback(); // before any H2 class reads it
  }

  /** {@link #create} and {@link #start}: a store ready for use, as the CLI tools want it. */
  public static Store open(GatewayConfig.Db db, MeterRegistry registry) {
    var store = create(db, registry);
    store.start();
    return store;
  }

  /**
   * The store, not opened yet: nothing is read or connected until {@link #start()}, so the gateway can open it
   * while it builds everything else. Until then every use fails as if the store were down.
   */
  public static Store create(GatewayConfig.Db db, MeterRegistry registry) {
    var hc = new HikariConfig();
    if (registry != null) {
      hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }
    hc.setJdbcUrl(jdbcUrl(db));
    if (!db.user().isEmpty()) {
      hc.setUsername(db.user());
    }
    if (!db.password().isEmpty()) {
      hc.setPassword(db.password());
    }
    hc.setPoolName("store");
    hc.setMaximumPoolSize(db.poolSize());
    hc.setMinimumIdle(Math.min(2, db.poolSize()));
    hc.setConnectionTimeout(db.connectTimeoutMs());
    hc.setValidationTimeout(Math.max(250, db.connectTimeoutMs() / 2));
    hc.setInitializationFailTimeout(-1); // do not fail here; readiness and the fallback TwiML cover a down store
    hc.setAutoCommit(true);
    hc.setExceptionOverride(new EvictBrokenH2Links());
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    var store = new Store(db, hc);
    if (registry != null) {
      io.micrometer.core.instrument.FunctionCounter.builder("hotline.store.group.commits", store.group,
          g -> g.stats().commits()).description("Commits made by the group writer (Store.inGroup)").register(registry);
      io.micrometer.core.instrument.FunctionCounter.builder("hotline.store.group.work", store.group,
          g -> g.stats().work()).description("Transactions' work those commits carried").register(registry);
    }
    return store;
  }

  /**
   * Opens the pool without touching a MariaDB database, so a gateway can start while its store is down. The
   * embedded store is opened here once: to check its port stays on loopback, give a password-less one its
   * password, and make its files owner-only.
   */
  public synchronized void start() {
    if (dataSource != null) {
      return;
    }
    if (db.embedded()) {
      EmbeddedStore.checkLoopback(db.url());
    }
    Connection first = db.url().startsWith("jdbc:h2:file:") ? EmbeddedStore.open(db) : null;
    var pool = new HikariDataSource(hikari);
    if (first != null) {
      try (first; var pooled = pool.getConnection()) {
        // the pool holds the database open from here on; its lock file is the one to narrow
      } catch (SQLException e) {
        log.warn("embedded store: the pool could not connect yet: {}", e.getMessage());
      }
    }
    if (db.embedded()) {
      EmbeddedStore.ownerOnlyFiles(db.url());
    }
    dataSource = pool;
  }

  /** The pool; a store not started yet is one that cannot be reached. */
  private HikariDataSource pool() throws SQLException {
    var pool = dataSource;
    if (pool == null) {
      throw new java.sql.SQLTransientConnectionException("the store is still being opened");
    }
    return pool;
  }

  /** Makes H2 bind its servers to loopback; for code that starts an H2 server before any Store is opened. */
  public static void bindH2ToLoopback() {
    EmbeddedStore.bindToLoopback();
  }

  /**
   * H2 reports a dead link with its own codes rather than SQLSTATE 08xxx, so Hikari would hand the same dead
   * connection out again and again; evict it. (90067 connection broken, 90098 database closed, 90121 closed at
   * shutdown.)
   */
  static final class EvictBrokenH2Links implements SQLExceptionOverride {
    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
      int code = e.getErrorCode();
      return code == 90067 || code == 90098 || code == 90121
          ? SQLExceptionOverride.Override.MUST_EVICT
          : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
  }

  /** MariaDB gets socket timeouts so a hung server fails a request instead of holding a worker forever. */
  private static String jdbcUrl(GatewayConfig.Db db) {
    if (!db.url().startsWith("jdbc:mariadb:")) {
      return db.url();
    }
    var sep = db.url().contains("?") ? "&" : "?";
    var extra = new StringBuilder();
    if (!db.url().contains("connectTimeout=")) {
      extra.append(sep).append("connectTimeout=").append(db.connectTimeoutMs());
      sep = "&";
    }
    if (!db.url().contains("socketTimeout=")) {
      extra.append(sep).append("socketTimeout=10000");
    }
    return db.url() + extra;
  }

  /** This process's instance id, carried by the claims it takes. */
  public String instanceId() {
    return instanceId;
  }

  /** {@code work} runs once the schema is current: now if it is, else after the migration that makes it so. */
  public void whenMigrated(Runnable work) {
    whenMigrated = work;
    if (migrated.get()) {
      runWhenMigrated();
    }
  }

  private void runWhenMigrated() {
    var work = whenMigrated;
    if (work != null) {
      whenMigrated = null;
      work.run();
    }
  }

  /**
   * At startup, waits up to {@code patience} for the first connection while the pool only times out (a loaded
   * machine, H2 recovering a file): the store is not "unreachable" just because its first connection took more
   * than db.connect_timeout_ms. A refused or failing connection ends the wait at once.
   */
  public boolean pingAtStartup(java.time.Duration patience) {
    long until = System.nanoTime() + patience.toNanos();
    while (true) {
      if (ping()) {
        return true;
      }
      var pool = dataSource;
      boolean slowOnly = pool != null && lastFailure instanceof java.sql.SQLTransientConnectionException
          && lastFailure.getCause() == null;
      if (!slowOnly || System.nanoTime() > until) {
        return false;
      }
    }
  }

  /** Brings the schema to the newest migration. Fails loudly: a half-migrated store must not serve. */
  public void migrate() {
    HikariDataSource pool;
    try {
      pool = pool();
    } catch (SQLException e) {
      throw new StoreException(e);
    }
    // Most starts find the schema current: read Flyway's history directly and load Flyway only when it is not.
    var shipped = ShippedSchema.migrations();
    try (var c = pool.getConnection()) {
      if (ShippedSchema.isCurrent(c, shipped)) {
        migrated.set(true);
        log.info("store migrated: 0 migration(s) applied, schema version {}", shipped.getLast().version());
        runWhenMigrated();
        return;
      }
    } catch (SQLException e) {
      // Flyway below meets the same problem and reports it
    }
    var flyway = Flyway.configure()
        .dataSource(pool)
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .load();
    var result = flyway.migrate();
    migrated.set(true);
    log.info("store migrated: {} migration(s) applied, schema version {}", result.migrationsExecuted,
        schemaVersion(pool, result.targetSchemaVersion, shipped));
    runWhenMigrated();
  }

  /**
   * The version the store is at, for the log: what Flyway's history says (its own info() and targetSchemaVersion
   * are null when nothing was applied, which once printed "schema version null"), else the newest shipped one.
   */
  private static String schemaVersion(DataSource pool, String target, java.util.List<ShippedSchema.Migration> shipped) {
    if (target != null) {
      return target;
    }
    try (var c = pool.getConnection(); var st = c.createStatement(); var rs = st.executeQuery(
        "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL")) {
      String newest = null;
      while (rs.next()) {
        var v = rs.getString(1);
        newest = newest == null || ShippedSchema.compareVersions(v, newest) > 0 ? v : newest;
      }
      if (newest != null) {
        return newest;
      }
    } catch (SQLException e) {
      // fall back on what this build ships
    }
    return shipped.isEmpty() ? "unknown" : shipped.getLast().version();
  }

  /** The store failed to answer: logged once, when it goes down (the reason's class, never a statement). */
  private void down(SQLException e) {
    if (StoreException.isUnavailable(e) && downSince.compareAndSet(null, Instant.now())) {
      log.atWarn().addKeyValue("reason", e.getClass().getSimpleName())
          .log("store {} is down ({}); calls go to the fallback number until it answers", description,
              e.getClass().getSimpleName());
    }
  }

  /** The store answered: logged once, when it is back. */
  private void up() {
    var since = downSince.get();
    if (since != null && downSince.compareAndSet(since, null)) {
      log.atInfo().addKeyValue("downSeconds", java.time.Duration.between(since, Instant.now()).toSeconds())
          .log("store {} is back", description);
    }
  }

  /** True while the store is known to be unreachable (its last use failed to connect). */
  public boolean down() {
    return downSince.get() != null;
  }

  /** True when a connection can be had and answers a trivial query. */
  public boolean ping() {
    try (var c = connection(); var st = c.createStatement()) {
      st.setQueryTimeout(2);
      st.execute("SELECT 1");
      lastError = null;
      up();
      return true;
    } catch (SQLException e) {
      lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
      lastFailure = e;
      return false;
    }
  }

  /**
   * A connection from the pool. When none can be had the store is down (logged once); a pooled link that
   * breaks in use is not: the pool drops it and the next one is fresh (a store back up still has a few).
   */
  private Connection connection() throws SQLException {
    var pool = pool();
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      down(e);
      throw e;
    }
  }

  /** Why the last ping failed, for the readiness detail; null when it succeeded. */
  public String lastError() {
    return lastError;
  }

  /**
   * Ready to serve: reachable and migrated. A store that was down at startup is migrated here as soon as it
   * answers, so readiness probes and housekeeping bring it back without a restart.
   */
  public synchronized boolean ready() {
    if (!ping()) {
      return false;
    }
    if (!migrated.get()) {
      migrate();
      log.info("store {} answers again and is migrated", description);
    }
    return true;
  }

  public boolean migrated() {
    return migrated.get();
  }

  public DataSource dataSource() {
    if (dataSource == null) {
      throw new IllegalStateException("the store is not started");
    }
    return dataSource;
  }

  public String description() {
    return description;
  }

  /** Work that must commit or roll back as a whole. */
  @FunctionalInterface
  public interface TxWork<T> {
    T run(Connection c) throws SQLException;
  }

  public <T> T inTransaction(TxWork<T> work) {
    try (var c = connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        up();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  /**
   * Like {@link #inTransaction}, on a hot path many callers take at once (a webhook's step, an ended delivery
   * attempt, an SMS part on its way): the work is committed together with the work of whoever else is waiting, in
   * one transaction, each after a savepoint of its own (see {@link GroupCommit}). It returns, or throws what the work
   * threw, only once the commit is done. The work may run twice (once in the group, once alone, if the group's
   * transaction is lost), so it must touch nothing but the connection it is given.
   */
  public <T> T inGroup(TxWork<T> work) {
    return group.run(work);
  }

  /** Commits made by {@link #inGroup} and the pieces of work they carried. */
  GroupCommit.Stats groupStats() {
    return group.stats();
  }

  /** Work waiting for the group writer. */
  int groupWaiting() {
    return group.waiting();
  }

  /** A connection for the group writer (an outage noted as for any other). */
  Connection groupConnection() throws SQLException {
    return connection();
  }

  /** The group writer committed: the store answers. */
  void committed() {
    up();
  }

  /** Work run in a transaction that is always rolled back: whatever it wrote is gone when this returns. */
  public <T> T rolledBack(TxWork<T> work) {
    try (var c = connection()) {
      c.setAutoCommit(false);
      try {
        return work.run(c);
      } finally {
        try {
          c.rollback();
        } finally {
          c.setAutoCommit(true);
        }
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  public <T> T read(TxWork<T> work) {
    try (var c = connection()) {
      T result = work.run(c);
      up();
      return result;
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  @Override
  public void close() {
    group.close();
    var pool = dataSource;
    if (pool != null) {
      pool.close();
    }
  }

  /**
   * Runs one statement with these positional parameters in the caller's transaction; an {@link Instant} goes in
   * as UTC like every time in the store. Returns the rows it changed.
   */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i] instanceof Instant t ? toDb(t) : args[i]);
      }
      return ps.executeUpdate();
    }
  }

  static LocalDateTime toDb(Instant t) {
    return LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
  }

  static Instant fromDb(LocalDateTime t) {
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }
}
