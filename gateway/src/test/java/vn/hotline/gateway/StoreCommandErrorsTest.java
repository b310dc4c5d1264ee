package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vn.hotline.gateway.store.StoreCommand;

/** The store tools (api-key, audit, retention, erase, stats) tell what went wrong in a sentence, never a trace. */
class StoreCommandErrorsTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  /** Runs `hotline-gateway ARGS` as the jar would, with this environment and everything printed captured. */
  private static Run run(Map<String, String> env, String... args) {
    var cl = Main.commandLine();
    var err = new ByteArrayOutputStream();
    var printer = new PrintStream(err, true, StandardCharsets.UTF_8);
    var sub = cl;
    for (var a : args) {
      if (a.startsWith("-")) {
        break;
      }
      sub = sub.getSubcommands().get(a);
    }
    var command = (StoreCommand) sub.getCommandSpec().userObject();
    command.env = env;
    command.err = printer;
    cl.setErr(new PrintWriter(printer, true));
    int exit = cl.execute(args);
    return new Run(exit, err.toString(StandardCharsets.UTF_8));
  }

  private static void assertASentence(String said) {
    assertFalse(said.contains("Exception"), said);
    assertFalse(said.contains("\tat "), said);
    assertFalse(said.contains("null"), said);
  }

  @Test
  void aStoreThatCannotBeReachedIsNamedInWords() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: no database there
    }
    var r = run(Map.of("GATEWAY_DB_URL", "jdbc:mariadb://127.0.0.1:" + port + "/hotline", "GATEWAY_DB_USER", "root",
        "GATEWAY_DATA_DIR", dir.resolve("data").toString()), "audit", "verify");
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().startsWith("audit: cannot open the store MariaDB (jdbc:mariadb://127.0.0.1:" + port
        + "/hotline): "), r.err());
    assertASentence(r.err());
  }

  @Test
  void aMissingAnchorFileIsNamedInWords() {
    var anchor = dir.resolve("no-such-anchors.jsonl");
    var r = run(Map.of("GATEWAY_DATA_DIR", dir.resolve("data").toString()), "audit", "verify", "--anchor",
        anchor.toString());
    assertEquals(1, r.exit(), r.err());
    assertEquals("audit: no such file: " + anchor, r.err().strip());
  }
}
