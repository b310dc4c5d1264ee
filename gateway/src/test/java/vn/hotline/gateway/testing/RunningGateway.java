package vn.hotline.gateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import vn.hotline.gateway.Gateway;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.config.Settings;

/** A real gateway on a free port over a test database, configured as a deployment would be (by environment). */
public final class RunningGateway implements AutoCloseable {
  public static final String TOKEN = "test-auth-token-0123456789abcdef";
  public static final String FALLBACK = "+842437911111";
  public static final String OPERATOR_1 = "+842400000001";
  public static final String OPERATOR_2 = "+842400000002";

  private final Map<String, String> env;
  private final java.time.Clock clock;
  private Gateway gateway;
  public final URI base;

  private RunningGateway(Map<String, String> env, URI base, java.time.Clock clock) {
    this.env = env;
    this.base = base;
    this.clock = clock;
  }

  public static RunningGateway start(TestDatabase db, Path dataDir) {
    return start(db, dataDir, Map.of());
  }

  public static RunningGateway start(TestDatabase db, Path dataDir, Map<String, String> extra) {
    return start(db, dataDir, extra, java.time.Clock.systemUTC());
  }

  public static RunningGateway start(TestDatabase db, Path dataDir, Map<String, String> extra, java.time.Clock clock) {
    int port = freePort();
    var env = new HashMap<String, String>();
    env.put("GATEWAY_HTTP_HOST", "127.0.0.1");
    env.put("GATEWAY_HTTP_PORT", Integer.toString(port));
    env.put("GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port);
    env.put("GATEWAY_DATA_DIR", dataDir.toString());
    env.put("GATEWAY_DB_URL", db.gatewayUrl());
    env.put("GATEWAY_DB_USER", db.user());
    env.put("TWILIO_AUTH_TOKEN", TOKEN);
    env.put("GATEWAY_FALLBACK_NUMBER", FALLBACK);
    env.put("GATEWAY_OPERATORS_NUMBERS", OPERATOR_1 + "," + OPERATOR_2);
    env.put("GATEWAY_HTTP_SHUTDOWN_GRACE_SECONDS", "1");
    env.put("GATEWAY_MANAGEMENT_PORT", "0"); // any free port: tests run side by side
    // Tests place many calls and texts from one fake number; EdgeProtectionTest checks the limits themselves.
    env.put("GATEWAY_LIMITS_CALLS_PER_MINUTE", "10000");
    env.put("GATEWAY_LIMITS_SMS_PER_MINUTE", "10000");
    env.putAll(extra);
    var running = new RunningGateway(Map.copyOf(env), URI.create("http://127.0.0.1:" + port), clock);
    running.gateway = Gateway.start(running.config(), clock);
    return running;
  }

  public GatewayConfig config() {
    return GatewayConfig.from(Settings.load(null, env));
  }

  public FakeTwilio twilio() {
    return new FakeTwilio(base, TOKEN);
  }

  /** The management listener (metrics, detailed health), on 127.0.0.1 and a port of its own. */
  public FakeTwilio management() {
    return new FakeTwilio(URI.create("http://127.0.0.1:" + gateway.managementPort()), TOKEN);
  }

  /** Stops this instance and starts a new one with the same config and store, as a redeploy would. */
  public void restart() {
    gateway.close();
    gateway = Gateway.start(config(), clock);
  }

  /** Opens what the gateway sealed, with its own keys: for asserting on stored free text. */
  public vn.hotline.gateway.audit.Sealer sealer() {
    return vn.hotline.gateway.audit.Sealer.parse(config().privacy().encryptionKeys());
  }

  public Gateway gateway() {
    return gateway;
  }

  private static int freePort() {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (gateway != null) {
      gateway.close();
    }
  }
}
