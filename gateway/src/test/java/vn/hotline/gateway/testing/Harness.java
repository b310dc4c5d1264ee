package vn.hotline.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link GatewayTest} gets for one store: a fresh {@link TestDatabase} (as migrated) in a temp dir of its own, and
 * gateways started over it, all closed by the extension (gateways first, then the store, then the dir).
 */
public final class Harness implements AutoCloseable {
  private final Path dir;
  private final TestDatabase db;
  private final List<RunningGateway> started = new ArrayList<>();

  private Harness(Path dir, TestDatabase db) {
    this.dir = dir;
    this.db = db;
  }

  static Harness create(TestDatabase.Kind kind, boolean faulty, boolean empty) {
    try {
      var dir = Files.createTempDirectory("gateway-test-" + kind.name().toLowerCase() + "-");
      return new Harness(dir, empty ? TestDatabase.create(kind, dir, faulty) : TestDatabase.migrated(kind, dir, faulty));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public TestDatabase.Kind kind() {
    return db.kind;
  }

  /** The store of this run. */
  public TestDatabase db() {
    return db;
  }

  /** A temp dir of this run (the store's H2 files are in it; files a test writes may be too). */
  public Path dir() {
    return dir;
  }

  /** A gateway over the store with the test defaults ({@link RunningGateway}), data in {@code dir()/data}. */
  public RunningGateway start() {
    return start(Map.of());
  }

  /** Likewise with extra environment (GATEWAY_* keys) over the defaults. */
  public RunningGateway start(Map<String, String> env) {
    return start(env, Clock.systemUTC());
  }

  /** Likewise on a clock the test moves ({@link MutableClock}). */
  public RunningGateway start(Map<String, String> env, Clock clock) {
    return started(RunningGateway.start(db, dir.resolve("data"), env, clock));
  }

  /** A gateway and the fake agencies its routing sends to: what {@link #startRouted} returns. */
  public record Routed(RunningGateway gw, FakeAgencies fakes) {}

  /**
   * Fresh {@link FakeAgencies} (their routing file in {@code dir()}) and a gateway routed to them, on the system clock;
   * the test closes the agencies (they are closed here only if the gateway does not start).
   */
  public Routed startRouted() throws IOException {
    return startRouted(Map.of(), Clock.systemUTC());
  }

  /** Likewise on a clock the test moves ({@link MutableClock}). */
  public Routed startRouted(Clock clock) throws IOException {
    return startRouted(Map.of(), clock);
  }

  /** Likewise with extra environment (GATEWAY_* keys) over the routing file's. */
  public Routed startRouted(Map<String, String> env, Clock clock) throws IOException {
    var fakes = new FakeAgencies(dir);
    try {
      var all = new HashMap<String, String>();
      all.put("GATEWAY_ROUTING_FILE", fakes.routingFile.toString());
      all.putAll(env);
      return new Routed(start(all, clock), fakes);
    } catch (RuntimeException e) {
      fakes.close();
      throw e;
    }
  }

  /** Another instance on the same store with a data dir of its own ({@code dir()/name}), as a second node. */
  public RunningGateway startAnother(String name, Map<String, String> env) {
    return startAnother(name, env, Clock.systemUTC());
  }

  /** Likewise on a clock the test moves. */
  public RunningGateway startAnother(String name, Map<String, String> env, Clock clock) {
    return started(RunningGateway.start(db, dir.resolve(name), env, clock));
  }

  private RunningGateway started(RunningGateway gw) {
    started.add(gw);
    return gw;
  }

  /** Stops every gateway started here, newest first; a gateway the test closed already is left alone. */
  void stopGateways() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    started.clear();
  }

  @Override
  public void close() {
    try {
      stopGateways();
    } finally {
      db.close();
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp dir left behind is harmless
    }
  }

  @Override
  public String toString() {
    return db.kind.name();
  }
}
