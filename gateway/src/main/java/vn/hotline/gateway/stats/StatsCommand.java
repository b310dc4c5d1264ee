package vn.hotline.gateway.stats;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.store.StoreCommand;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.store.Store;

/**
 * The yearly figures for a province's November report, from the gateway's own store (same configuration as
 * serve), printed as CSV or JSON with small counts suppressed. Definitions: docs/statistics.md.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    description = {"Figures over a period: contacts, reports, outcomes, deliveries; counts of 1 to 4 are suppressed.",
        "Definitions and the suppression rule: docs/statistics.md"},
    footerHeading = "%nExample:%n",
    footer = {"  # the November yearly figures:",
        "  java -jar gateway/target/hotline-gateway.jar stats --from 2025-11-01 --to 2026-10-31"
            + " --by month,province,category,channel,age_band --format csv"})
public final class StatsCommand extends StoreCommand {
  /** Output formats. */
  public enum Format { csv, json }

  @Option(names = "--from", required = true, paramLabel = "yyyy-MM-dd",
      description = "first day of the period (local date, Asia/Ho_Chi_Minh)")
  String from;

  @Option(names = "--to", required = true, paramLabel = "yyyy-MM-dd",
      description = "last day of the period, included (local date)")
  String to;

  @Option(names = "--by", paramLabel = "NAMES", defaultValue = "",
      description = "comma-separated groupings: month, channel, category, province, age_band, urgency, outcome"
          + " (none: the total alone)")
  String by;

  @Option(names = "--format", defaultValue = "csv", description = "csv or json (default ${DEFAULT-VALUE})")
  Format format;

  private final PrintStream out;
  private Statistics.Query query;

  public StatsCommand() {
    this(new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8), System.err,
        System.getenv());
  }

  /** For tests: where the figures and the errors go, and the environment the config is read from. */
  StatsCommand(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  @Override
  protected String name() {
    return "stats";
  }

  @Override
  protected String validate() {
    try {
      query = Statistics.Query.parse(from, to, by);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  @Override
  protected int work(Store store) {
    try {
      var stats = new Statistics(store, Provinces.load(cfg.provincesFile()));
      var table = stats.compute(query);
      out.print(format == Format.json ? stats.toJson(table).encodePrettily() + "\n" : stats.toCsv(table));
      out.flush();
      return 0;
    } catch (RuntimeException e) {
      err.println("stats: cannot read the store " + cfg.db().describe() + ": " + e.getMessage());
      return 1;
    }
  }
}
