package vn.hotline.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * What a newcomer meets who runs {@code serve &} and {@code simulate-call} at once: the call waits for the gateway
 * to come up and goes through; with no gateway at all, the error says so in words.
 */
class SimulateCallCommandTest {
  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private record Run(int exit, String out, String err) {}

  private static final class Console {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CallSimulator.Command command = new CallSimulator.Command(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    Run run(String... args) {
      int exit = new CommandLine(command).execute(args);
      return new Run(exit, out(), err.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void aCallPlacedWhileTheGatewayIsStillStartingWaitsForItAndGoesThrough() throws Exception {
    int port = freePort();
    var url = "http://127.0.0.1:" + port;
    var console = new Console();
    var call = CompletableFuture.supplyAsync(() -> console.run("--to", url, "--token", RunningGateway.TOKEN,
        "--digits", "2,1", "--operator", "answers", "--wait-seconds", "60"));
    // the simulator has tried once and found nobody: only now does the gateway start
    Await.until(() -> console.out().contains("Waiting up to 60 s for the gateway at " + url),
        "simulate-call waiting for the gateway", Duration.ofSeconds(10));
    try (var db = TestDatabase.create(TestDatabase.Kind.H2, dir);
        var gw = RunningGateway.start(db, dir.resolve("data"),
            Map.of("GATEWAY_HTTP_PORT", Integer.toString(port), "GATEWAY_PUBLIC_URL", url))) {
      var r = call.get(60, TimeUnit.SECONDS);
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("Call ended: connected to an operator"), r.out());
      assertEquals("", r.err());
    }
  }

  @Test
  void withNoGatewayTheErrorSaysNothingIsListeningThereInWords() throws Exception {
    int port = freePort(); // closed again: nothing listens there
    var url = "http://127.0.0.1:" + port;
    var r = new Console().run("--to", url, "--token", RunningGateway.TOKEN, "--digits", "1,1", "--wait-seconds", "1");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("simulate-call: nothing is listening at " + url + ": is `serve` running"), r.err());
    assertTrue(r.err().contains("waited 1 s"), r.err());
    assertFalse(r.err().contains("null"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }
}
