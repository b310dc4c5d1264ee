package vn.hotline.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The built jar run as a separate process ({@code serve}) in a work directory, on its own random ports: what the
 * jar-level tests start, kill with SIGKILL, stop with SIGTERM and start again on the same data. Each start's
 * output goes to its own file, read back by {@link #logs()}.
 */
public final class GatewayProcess implements AutoCloseable {
  public static final Path JAR = Path.of("gateway/target/hotline-gateway.jar").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private final Path work;
  private final String name;
  private final Map<String, String> env = new HashMap<>();
  private final int port = freePort();
  private final int managementPort = freePort();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private Process process;
  private int starts;

  /**
   * @param work the directory it runs in (its ivr-flows/ is copied from the repository's; data/ beside it unless
   *     {@code GATEWAY_DATA_DIR} is set in {@code env})
   * @param name the prefix of its output files, to tell several processes in one directory apart
   */
  public GatewayProcess(Path work, String name, Map<String, String> env) throws IOException {
    this.work = work;
    this.name = name;
    Files.createDirectories(work.resolve("ivr-flows"));
    try (var flows = Files.list(Path.of("ivr-flows"))) {
      for (var f : flows.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        var to = work.resolve("ivr-flows").resolve(f.getFileName());
        if (!Files.exists(to)) {
          Files.copy(f, to);
        }
      }
    }
    this.env.put("GATEWAY_HTTP_HOST", "127.0.0.1");
    this.env.put("GATEWAY_HTTP_PORT", Integer.toString(port));
    this.env.put("GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port);
    this.env.put("GATEWAY_MANAGEMENT_PORT", Integer.toString(managementPort));
    this.env.put("GATEWAY_DATA_DIR", work.resolve("data").toString());
    this.env.putAll(env);
  }

  public int port() {
    return port;
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Starts the jar; returns System.nanoTime() at the start. */
  public long start() throws IOException {
    starts++;
    var pb = new ProcessBuilder(List.of(JAVA, "-jar", JAR.toString(), "serve")).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("TWILIO_"));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(out(starts).toFile());
    long t0 = System.nanoTime();
    process = pb.start();
    return t0;
  }

  /** Polls /health/ready until it answers UP (store migrated, SMPP bound); returns System.nanoTime() then. */
  public long awaitReady(Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      try {
        var r = http.send(HttpRequest.newBuilder(url().resolve("/health/ready")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"status\":\"UP\"")) {
          return System.nanoTime();
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertTrue(process.isAlive(), () -> name + " exited: " + String.join("\n", logs()));
      Thread.sleep(25);
    }
    throw new AssertionError(name + " not ready within " + timeout + ":\n" + String.join("\n", logs()));
  }

  /** SIGKILL, and waits for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), name + " is gone after SIGKILL");
  }

  /** SIGTERM, and waits for a clean stop. */
  public void stopCleanly() throws InterruptedException {
    process.destroy();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), name + " stops on SIGTERM");
  }

  /** The sum of a counter's series on /metrics (0 when the process does not answer). */
  public double metric(String counter) {
    try {
      var body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      var m = Pattern.compile("(?m)^" + Pattern.quote(counter) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(body);
      double sum = 0;
      while (m.find()) {
        sum += Double.parseDouble(m.group(1));
      }
      return sum;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * Runs one CLI command of the jar (e.g. {@code audit verify}) with this process's environment, in its
   * directory; returns its exit code and output.
   */
  public Command run(Duration timeout, String... args) throws IOException, InterruptedException {
    var cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    var pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("TWILIO_"));
    pb.environment().putAll(env);
    var p = pb.start();
    var output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), String.join(" ", args) + " ends");
    return new Command(p.exitValue(), output);
  }

  /** A CLI command's exit code and output. */
  public record Command(int exit, String output) {}

  /** Every start's output, each after a "--- name start N" line. */
  public List<String> logs() {
    var lines = new ArrayList<String>();
    for (int i = 1; i <= starts; i++) {
      lines.add("--- " + name + " start " + i);
      try {
        lines.addAll(Files.readAllLines(out(i)));
      } catch (IOException e) {
        lines.add(e.toString());
      }
    }
    return lines;
  }

  private Path out(int start) {
    return work.resolve(name + "-" + start + ".out");
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  public static int freePort() {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
