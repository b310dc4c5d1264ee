package vn.hotline.gateway.tools;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.cli.Cli;

/** Runs the test SMSC in the foreground, printing what happens, until Ctrl-C / SIGTERM. */
@Command(name = "test-smsc", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar test-smsc --port 2775"},
    description = "Run a test SMSC (SMPP 3.4) for the gateway to bind to; phones are played with send-sms.")
public final class TestSmscCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Option(names = "--port", defaultValue = "2775", description = "Port to listen on (default ${DEFAULT-VALUE}; 0: any)")
  int port;

  @Option(names = "--system-id", defaultValue = "hotline",
      description = "system_id the gateway binds with (default ${DEFAULT-VALUE})")
  String systemId;

  @Option(names = "--password", defaultValue = "hotline", description = "Its password (default ${DEFAULT-VALUE})")
  String password;

  @Option(names = "--throttle-every", defaultValue = "0", paramLabel = "N",
      description = "Answer every Nth submit_sm from the gateway ESME_RTHROTTLED (default 0: never)")
  int throttleEvery;

  @Option(names = "--delay-ms", defaultValue = "0", paramLabel = "N",
      description = "Wait N ms before every response (bind_resp, submit_sm_resp, enquire_link_resp)")
  long delayMs;

  @Option(names = "--shuffle-parts", description = "Deliver the parts of multi-part MOs in reverse order")
  boolean shuffleParts;

  private final PrintStream out;
  private final CountDownLatch stop;

  public TestSmscCommand() {
    this(System.out, new CountDownLatch(1));
  }

  /** For tests: where to print, and a latch that stops the SMSC as SIGTERM would. */
  TestSmscCommand(PrintStream out, CountDownLatch stop) {
    this.out = out;
    this.stop = stop;
  }

  @Override
  public Integer call() {
    Cli.quietLogs();
    // no JSON from jSMPP between the event lines (a session closing is an event here, not a warning)
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.jsmpp"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
    var defaults = TestSmsc.Config.defaults();
    var cfg = new TestSmsc.Config(port, systemId, password, defaults.redeliveryInterval(), defaults.responseTimeout());
    TestSmsc smsc;
    try {
      smsc = TestSmsc.start(cfg, line -> out.println(LocalTime.now().format(TIME) + " " + line));
    } catch (UncheckedIOException e) {
      System.err.println("test-smsc: " + Cli.words(e) + (e.getCause() instanceof java.net.BindException
          ? ": is another test-smsc still running? Stop it (Ctrl-C), or give another --port" : ""));
      return 1;
    }
    smsc.throttle(throttleEvery);
    smsc.delayResponses(Duration.ofMillis(delayMs));
    smsc.shuffleParts(shuffleParts);
    var hook = Foreground.onShutdown("test-smsc", smsc, stop);
    out.println("test SMSC listening on port " + smsc.port() + " (system_id " + systemId + ")"
        + (throttleEvery > 0 ? "; 1 in " + throttleEvery + " submit_sm throttled" : "")
        + (delayMs > 0 ? "; responses delayed " + delayMs + " ms" : "")
        + (shuffleParts ? "; MO parts in reverse order" : ""));
    out.println("  play a phone: java -jar gateway/target/hotline-gateway.jar send-sms --smsc localhost:" + smsc.port()
        + " --from 0912345678 --text \"...\"");
    out.flush();
    Foreground.await(stop, smsc, hook);
    return 0;
  }
}
