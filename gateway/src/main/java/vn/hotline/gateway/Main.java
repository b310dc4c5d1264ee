package vn.hotline.gateway;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.cli.Cli;
import vn.hotline.gateway.cli.Version;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.flow.FlowException;
import vn.hotline.gateway.api.ApiKeyCommand;
import vn.hotline.gateway.callers.CallerCommand;
import vn.hotline.gateway.operators.OperatorCommand;
import vn.hotline.gateway.privacy.AuditCommand;
import vn.hotline.gateway.privacy.PrivacyCommands;
import vn.hotline.gateway.tools.WebhookReceiverCommand;
import vn.hotline.gateway.tools.SendSmsCommand;
import vn.hotline.gateway.tools.TestSmscCommand;
import vn.hotline.gateway.tools.TwilioStandInCommand;
import vn.hotline.gateway.stats.StatsCommand;
import vn.hotline.gateway.tools.CallSimulator;

/** The command line: {@code serve} runs the gateway; the others are tools for people around it. */
@Command(
    name = "hotline-gateway",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Intake gateway of the 111 child-protection hotline.",
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar serve",
        "  java -jar gateway/target/hotline-gateway.jar simulate-call --digits 1,2,1",
        "Every command answers --help (e.g. simulate-call --help)."},
    subcommands = {Main.Serve.class, CallSimulator.Command.class, TestSmscCommand.class, SendSmsCommand.class,
        TwilioStandInCommand.class, WebhookReceiverCommand.class, ApiKeyCommand.class, AuditCommand.class,
        PrivacyCommands.RetentionCommand.class, PrivacyCommands.Erase.class, StatsCommand.class, CallerCommand.class,
        OperatorCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static void main(String[] args) {
    // The process's entry reads the environment; the log encoder is told (serve may pick another format later).
    var logFormat = vn.hotline.gateway.ops.LogEncoder.parse(System.getenv("GATEWAY_LOG_FORMAT"));
    if (logFormat != null) {
      vn.hotline.gateway.ops.LogEncoder.use(logFormat);
    }
    System.exit(commandLine(args).execute(args));
  }

  static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for these arguments. Building every tool's options takes a noticeable part of a start, which
   * {@code serve} need not pay: it gets a root that knows only itself (its usage and options are the same).
   */
  static CommandLine commandLine(String... args) {
    var root = args.length > 0 && args[0].equals("serve") ? new CommandLine(new ServeOnly()) : new CommandLine(new Main());
    return root.setUsageHelpWidth(Cli.USAGE_WIDTH);
  }

  /** The root {@code serve} runs under; see {@link #commandLine(String...)}. */
  @Command(name = "hotline-gateway", mixinStandardHelpOptions = true, versionProvider = Version.class,
      subcommands = Main.Serve.class)
  static final class ServeOnly implements Runnable {
    @Override
    public void run() {
      CommandLine.usage(this, System.out);
    }
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Run the gateway (embedded store unless GATEWAY_DB_URL says otherwise).",
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar serve",
          "  # a second gateway beside the first: its own port and store",
          "  GATEWAY_HTTP_PORT=8090 GATEWAY_MANAGEMENT_PORT=8091 GATEWAY_DATA_DIR=./data/8090 java -jar gateway/target/hotline-gateway.jar serve"})
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", description = "YAML file overriding config/gateway.yaml (or GATEWAY_CONFIG)")
    Path config;

    @Option(names = "--log-format", paramLabel = "text|json",
        description = "log lines for people or for machines (or GATEWAY_LOG_FORMAT); default: text in dev mode, json in production")
    String logFormat;

    @Override
    public Integer call() {
      var file = config != null ? config
          : System.getenv("GATEWAY_CONFIG") != null ? Path.of(System.getenv("GATEWAY_CONFIG")) : null;
      GatewayConfig cfg;
      Gateway gateway;
      try {
        cfg = GatewayConfig.load(file, System.getenv());
        var format = logFormat != null ? logFormat : System.getenv("GATEWAY_LOG_FORMAT");
        if (format != null && vn.hotline.gateway.ops.LogEncoder.parse(format) == null) {
          throw new ConfigException("log format '" + format + "' is neither text nor json"
              + (logFormat != null ? " (--log-format)" : " (GATEWAY_LOG_FORMAT)"));
        }
        vn.hotline.gateway.ops.LogEncoder.use(format != null ? vn.hotline.gateway.ops.LogEncoder.parse(format)
            : cfg.mode() == GatewayConfig.Mode.DEV ? vn.hotline.gateway.ops.LogEncoder.Format.TEXT
            : vn.hotline.gateway.ops.LogEncoder.Format.JSON);
        if (cfg.mode() == GatewayConfig.Mode.DEV) {
          devBanner(cfg);
        }
        gateway = Gateway.start(cfg);
      } catch (ConfigException | FlowException e) {
        System.err.println("hotline-gateway: startup refused: " + e.getMessage());
        return 2;
      } catch (RuntimeException e) {
        System.err.println("hotline-gateway: startup failed: " + Cli.words(e) + (e.getCause() instanceof java.net.BindException
            ? " (is another serve still running? Stop it with Ctrl-C, or give this one GATEWAY_HTTP_PORT=8090 and GATEWAY_MANAGEMENT_PORT=8091)" : ""));
        return 1;
      }
      var stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        gateway.close(); // SIGTERM: drain in-flight webhooks, then close the pool
        stopped.countDown();
      }, "shutdown"));
      var listening = String.format("hotline-gateway listening on %s://%s:%d (Twilio voice webhook %s/twilio/voice/incoming);"
              + " %s; store: %s; flows: %s; mode: %s",
          cfg.http().tls() ? "https" : "http", cfg.http().host(), gateway.port(), cfg.publicUrl(),
          gateway.managementPort() < 0 ? "no management listener"
              : "metrics and detailed health on http://" + cfg.http().managementHost() + ":" + gateway.managementPort(),
          gateway.storeDescription(), String.join(", ", gateway.flows().flows().keySet()), cfg.mode().name().toLowerCase());
      if (jsonLogs()) {
        LoggerFactory.getLogger(Main.class).info(listening); // stdout carries JSON lines only
      } else {
        System.out.println(listening);
        System.out.flush();
      }
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }

    private static void devBanner(GatewayConfig cfg) {
      var b = new StringBuilder();
      b.append("\n*************************************************************************\n");
      b.append("  DEV MODE: not for real calls. Set GATEWAY_MODE=production for that.\n");
      for (var n : cfg.devNotices()) {
        b.append("  - ").append(n).append('\n');
      }
      b.append("  Try it: java -jar gateway/target/hotline-gateway.jar simulate-call --to ")
          .append(cfg.publicUrl()).append(" --digits 1,2,1\n");
      b.append("*************************************************************************\n");
      if (jsonLogs()) { // one event in the stream rather than a block of text in between JSON lines
        LoggerFactory.getLogger(Main.class).warn(b.toString().replace("*", "").strip());
        return;
      }
      System.err.print(b);
      System.err.flush();
    }

    private static boolean jsonLogs() {
      return vn.hotline.gateway.ops.LogEncoder.format() == vn.hotline.gateway.ops.LogEncoder.Format.JSON;
    }
  }
}
