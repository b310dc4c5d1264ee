package vn.hotline.gateway.security;

import java.nio.file.Path;
import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * What an attacker tries, case by case, and what they get. Each test is named for the attempt and asserts what
 * the attacker sees (status, body) and what the hotline keeps (nothing stored, an audit event, other callers
 * still answered). The gateway runs for real on a random port over a real store.
 */
class SecurityTest {
  @TempDir Path dir;
  TestDatabase db;
  RunningGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** A gateway on the embedded store (H2), configured like a deployment by environment, plus {@code env}. */
  void start(Map<String, String> env) {
    start(TestDatabase.Kind.H2, env);
  }

  void start(TestDatabase.Kind kind, Map<String, String> env) {
    db = TestDatabase.create(kind, dir);
    gw = RunningGateway.start(db, dir.resolve("data"), env);
  }

  // ===== Twilio webhooks: forged and repeated parameters, long texts, echoed values =====

  // ----- end of Twilio webhooks -----

  // ===== The embedded store: network exposure, file permissions, production refusal =====

  /** A gateway started the way {@code serve} starts by default: no db.url, so the embedded H2 under data_dir. */
  vn.hotline.gateway.Gateway storeGateway;

  @AfterEach
  void storeStop() {
    if (storeGateway != null) {
      storeGateway.close();
    }
  }

  Map<String, String> storeEnv;

  /** The environment of a default deployment on this machine (no db.url), the same for the gateway and the CLI. */
  Map<String, String> storeEnv() {
    if (storeEnv != null) {
      return storeEnv;
    }
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return storeEnv = Map.of("GATEWAY_HTTP_HOST", "127.0.0.1", "GATEWAY_HTTP_PORT", Integer.toString(port),
        "GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port, "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
        "TWILIO_AUTH_TOKEN", RunningGateway.TOKEN, "GATEWAY_FALLBACK_NUMBER", RunningGateway.FALLBACK,
        "GATEWAY_OPERATORS_NUMBERS", RunningGateway.OPERATOR_1, "GATEWAY_HTTP_SHUTDOWN_GRACE_SECONDS", "1");
  }

  /** Starts the embedded-store gateway and returns what its H2 lock file tells anyone who can read it. */
  java.util.Properties storeStartAndReadLock() throws Exception {
    var cfg = vn.hotline.gateway.config.GatewayConfig.from(vn.hotline.gateway.config.Settings.load(null, storeEnv()));
    storeGateway = vn.hotline.gateway.Gateway.start(cfg);
    var lock = dir.resolve("data/hotline.lock.db");
    assertTrue(java.nio.file.Files.isRegularFile(lock), "the embedded store is open with AUTO_SERVER: " + lock);
    var props = new java.util.Properties();
    try (var in = java.nio.file.Files.newInputStream(lock)) {
      props.load(in);
    }
    assertNotNull(props.getProperty("server"), "the lock file names the auto-server: " + props);
    return props;
  }

  static int storePort(java.util.Properties lock) {
    var server = lock.getProperty("server");
    return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
  }

  /** Local addresses (hex, as the kernel lists them) of every socket listening on {@code port}. */
  static java.util.List<String> storeListeners(int port) throws java.io.IOException {
    var found = new java.util.ArrayList<String>();
    for (var table : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      var file = Path.of(table);
      if (!java.nio.file.Files.exists(file)) {
        continue;
      }
      for (var line : java.nio.file.Files.readAllLines(file).subList(1, java.nio.file.Files.readAllLines(file).size())) {
        var f = line.trim().split("\\s+");
        var local = f[1].split(":");
        if ("0A".equals(f[3]) && Integer.parseInt(local[1], 16) == port) {
          found.add(local[0]);
        }
      }
    }
    return found;
  }

  /** 127.0.0.0/8, ::1 or ::ffff:127.x.x.x as /proc/net/tcp(6) spell them (little-endian words). */
  static boolean storeLoopbackHex(String hex) {
    return hex.length() == 8 ? hex.endsWith("7F")
        : hex.equals("00000000000000000000000001000000") || hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F");
  }

  @Test
  void theEmbeddedStoresAutoServerListensOnLoopbackOnly() throws Exception {
    int port = storePort(storeStartAndReadLock());

    var listeners = storeListeners(port);
    assertFalse(listeners.isEmpty(), "the auto-server listens on port " + port);
    for (var l : listeners) {
      assertTrue(storeLoopbackHex(l), "listening on " + l + ": reachable from other machines (port " + port + ")");
    }
    // What an outsider on the network does: connect to the machine's own address.
    for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (var a : java.util.Collections.list(nic.getInetAddresses())) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || !(a instanceof java.net.Inet4Address)) {
          continue;
        }
        try (var s = new java.net.Socket()) {
          s.connect(new java.net.InetSocketAddress(a, port), 2000);
          fail("the store answered on " + a.getHostAddress() + ":" + port);
        } catch (java.net.ConnectException expected) {
          // refused: nothing listens there
        }
      }
    }
  }

  @Test
  void anEmptyUserAndPasswordCannotOpenTheEmbeddedStore() throws Exception {
    var lock = storeStartAndReadLock();
    int port = storePort(lock);

    // The attacker has the port and the key (say from a copy of the lock file) and tries H2's default login.
    var viaServer = "jdbc:h2:tcp://127.0.0.1:" + port + "/" + lock.getProperty("id");
    var e = assertThrows(java.sql.SQLException.class, () -> java.sql.DriverManager.getConnection(viaServer, "", "").close());
    assertEquals(28000, e.getErrorCode(), e.getMessage());
    var e2 = assertThrows(java.sql.SQLException.class, () -> java.sql.DriverManager.getConnection(viaServer, "sa", "").close());
    assertEquals(28000, e2.getErrorCode(), e2.getMessage());
  }

  @Test
  void theDataDirAndTheStoreFilesAreOwnerOnly() throws Exception {
    storeStartAndReadLock();
    var data = dir.resolve("data");

    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(data)), "data_dir");
    try (var files = java.nio.file.Files.list(data)) {
      var all = files.toList();
      assertTrue(all.stream().anyMatch(f -> f.getFileName().toString().equals("hotline.mv.db")), all.toString());
      for (var f : all) {
        var perms = java.nio.file.Files.getPosixFilePermissions(f);
        for (var p : perms) {
          assertFalse(p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"),
              f.getFileName() + " is " + java.nio.file.attribute.PosixFilePermissions.toString(perms));
        }
      }
    }
  }

  @Test
  void aStoreCommandInAnotherProcessStillWorksWhileTheGatewayRuns() throws Exception {
    storeStartAndReadLock();

    // The operator's CLI: a second JVM on the same machine, same user, same data_dir, while serve runs.
    var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var out = dir.resolve("api-key.out");
    var pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "vn.hotline.gateway.Main",
        "api-key", "create", "--admin", "--label", "store-test")
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
    pb.environment().putAll(storeEnv());
    var p = pb.start();
    assertTrue(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "api-key create finishes");
    var printed = java.nio.file.Files.readString(out);
    assertEquals(0, p.exitValue(), printed);
    var key = java.util.regex.Pattern.compile("key:\\s+(\\S+)").matcher(printed);
    assertTrue(key.find(), printed);

    // The key it wrote into the store works at once on the running gateway's API.
    var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + storeGateway.port() + "/api/v1/reports"))
        .header("Authorization", "Bearer " + key.group(1)).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode(), answer.body());
  }

  // ----- end of the embedded store -----

  // ===== The integrator API: guessed keys, bodies on GETs, acknowledgements, times =====

  // ----- end of the integrator API -----

  // ===== The listener: metrics exposure, slow clients, request smuggling =====

  // ----- end of the listener -----
}
