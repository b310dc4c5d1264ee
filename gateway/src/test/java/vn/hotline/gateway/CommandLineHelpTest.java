package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * What a newcomer types first: every command and subcommand answers --help with its options and an example, and
 * --version prints the real version (the Maven project version, which surefire passes as hotline.expected-version).
 */
class CommandLineHelpTest {
  /** Every command path, from the root down, as picocli knows them (picocli's own "help" command aside). */
  private static List<List<String>> commandPaths() {
    var paths = new ArrayList<List<String>>();
    walk(Main.commandLine(), List.of(), paths);
    return paths;
  }

  private static void walk(CommandLine cl, List<String> path, List<List<String>> paths) {
    paths.add(path);
    cl.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
        return; // picocli's "help <command>": it prints the usage of the others, checked here one by one
      }
      var longer = new ArrayList<>(path);
      longer.add(name);
      walk(sub, List.copyOf(longer), paths);
    });
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(List<String> path, String option) {
    var cl = Main.commandLine();
    var out = new StringWriter();
    var err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    var args = new ArrayList<>(path);
    args.add(option);
    int exit = cl.execute(args.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private static String name(List<String> path) {
    return path.isEmpty() ? "hotline-gateway" : "hotline-gateway " + String.join(" ", path);
  }

  @TestFactory
  Stream<DynamicTest> everyCommandAnswersHelpWithItsOptionsAndAnExample() {
    var paths = commandPaths();
    assertTrue(paths.contains(List.of("api-key", "create")) && paths.contains(List.of("audit", "verify"))
        && paths.contains(List.of("retention", "purge")), "the walk reaches nested subcommands: " + paths);
    return paths.stream().map(path -> DynamicTest.dynamicTest(name(path) + " --help", () -> {
      var r = run(path, "--help");
      assertEquals(0, r.exit(), name(path) + " --help exits 0; stderr: " + r.err());
      assertTrue(r.out().contains("Usage: " + name(path)), "prints its usage: " + r.out() + r.err());
      assertTrue(r.out().contains("--help"), "lists its options: " + r.out());
      assertTrue(r.out().contains("Example:"), name(path) + " --help shows an example: " + r.out());
      var sub = Main.commandLine();
      for (var name : path) {
        sub = sub.getSubcommands().get(name);
      }
      for (var line : sub.getCommandSpec().usageMessage().footer()) {
        assertTrue(r.out().contains(line + System.lineSeparator()), "each example line is printed whole, to be pasted: "
            + line + "\n" + r.out());
      }
      assertFalse(r.err().contains("Unknown option"), r.err());
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyCommandPrintsTheRealVersion() {
    var expected = System.getProperty("hotline.expected-version");
    assertNotNull(expected, "surefire passes the pom's version as hotline.expected-version");
    return commandPaths().stream().map(path -> DynamicTest.dynamicTest(name(path) + " --version", () -> {
      var r = run(path, "--version");
      assertEquals(0, r.exit(), name(path) + " --version exits 0; stderr: " + r.err());
      assertEquals("hotline-gateway " + expected, r.out().strip(), name(path) + " --version");
    }));
  }
}
