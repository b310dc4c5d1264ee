package vn.hotline.gateway.tools;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.cli.Cli;

/** Runs the {@link TwilioStandIn} in the foreground, printing what happens, until Ctrl-C / SIGTERM. */
@Command(name = "twilio-stand-in", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar twilio-stand-in --port 9100",
        "  # the gateway it stands in for: TWILIO_ACCOUNT_SID=AC... GATEWAY_TWILIO_API_BASE_URL=http://localhost:9100 (README)",
        "  java -jar gateway/target/hotline-gateway.jar twilio-stand-in --port 9101 --data-dir ./data/8090 --child no-answer"},
    description = "Stand in for Twilio's REST API on this machine: plays the calls \"Call back\" asks for, takes"
        + " SMS sends, serves and deletes voicemail recordings.")
public final class TwilioStandInCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  @Option(names = "--port", defaultValue = "9100", description = "Port to listen on (default ${DEFAULT-VALUE}; 0: any)")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--gateway", paramLabel = "URL",
      description = "Where to send Twilio's webhooks (default: the URLs the gateway gives, from its GATEWAY_PUBLIC_URL);"
          + " they are signed for those URLs either way")
  URI gateway;

  @Option(names = "--token", description = "The gateway's Twilio auth token (default: TWILIO_AUTH_TOKEN, else the dev"
      + " token in the data dir): checks its Basic auth and signs the webhooks")
  String token;

  @Option(names = "--data-dir", description = "Where the dev token is (default: GATEWAY_DATA_DIR or ./data)")
  Path dataDir;

  @Option(names = "--account-sid", paramLabel = "AC...",
      description = "The only account SID accepted (default: any, as long as the Basic auth names the one in the path)")
  String accountSid;

  @Option(names = "--counsellor", defaultValue = "answers",
      description = "answers | no-answer: what the counsellor's phone does (default ${DEFAULT-VALUE})")
  String counsellor;

  @Option(names = "--child", defaultValue = "answers",
      description = "answers | no-answer | machine: what the child's phone does (default ${DEFAULT-VALUE})")
  String child;

  @Option(names = "--ring-seconds", defaultValue = "1",
      description = "How long each phone rings before it is answered or rings out (default ${DEFAULT-VALUE})")
  int ringSeconds;

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final CountDownLatch stop;

  public TwilioStandInCommand() {
    this(System.out, System.err, System.getenv(), new CountDownLatch(1));
  }

  /** For tests: where to print, the environment, and a latch that stops the stand-in as SIGTERM would. */
  TwilioStandInCommand(PrintStream out, PrintStream err, Map<String, String> env, CountDownLatch stop) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.stop = stop;
  }

  @Override
  public Integer call() {
    Cli.quietLogs();
    if (!counsellor.equals("answers") && !counsellor.equals("no-answer")) {
      err.println("twilio-stand-in: --counsellor must be answers or no-answer, not " + counsellor);
      return 2;
    }
    TwilioStandIn.Child childDoes;
    try {
      childDoes = TwilioStandIn.Child.valueOf(child.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      err.println("twilio-stand-in: --child must be answers, no-answer or machine, not " + child);
      return 2;
    }
    if (accountSid != null && !accountSid.matches("AC[0-9a-fA-F]{32}")) {
      err.println("twilio-stand-in: --account-sid must look like AC followed by 32 hex digits");
      return 2;
    }
    if (ringSeconds < 0) {
      err.println("twilio-stand-in: --ring-seconds must be 0 or more, not " + ringSeconds);
      return 2;
    }
    String secret;
    try {
      secret = TwilioPlay.authToken(token, dataDir, env);
    } catch (TwilioPlay.NoToken e) {
      err.println("twilio-stand-in: " + e.getMessage());
      return 2;
    }
    var cfg = new TwilioStandIn.Config(host, port, secret, accountSid, gateway, counsellor.equals("answers"),
        childDoes, Duration.ofSeconds(ringSeconds));
    TwilioStandIn standIn;
    try {
      standIn = TwilioStandIn.start(cfg, line -> {
        out.println(LocalTime.now().format(TIME) + " " + line);
        out.flush();
      });
    } catch (UncheckedIOException e) {
      err.println("twilio-stand-in: " + Cli.words(e) + (e.getCause() instanceof java.net.BindException
          ? ": is another twilio-stand-in still running? Stop it (Ctrl-C), or give another --port" : ""));
      return 1;
    }
    var hook = Foreground.onShutdown("twilio-stand-in", standIn, stop);
    out.println("Twilio REST stand-in listening on " + standIn.baseUrl() + "; the counsellor's phone: " + counsellor
        + ", the child's phone: " + child.toLowerCase(Locale.ROOT));
    out.println("  point the gateway at it: GATEWAY_TWILIO_API_BASE_URL=" + standIn.baseUrl()
        + (accountSid != null ? " TWILIO_ACCOUNT_SID=" + accountSid : " TWILIO_ACCOUNT_SID=AC" + "0".repeat(32))
        + " GATEWAY_OPERATORS_CALLER_ID=+842873000111 java -jar gateway/target/hotline-gateway.jar serve");
    out.flush();
    Foreground.await(stop, standIn, hook);
    return 0;
  }
}
