package vn.hotline.gateway.privacy;

import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.store.StoreCommand;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.delivery.RoutingLoader;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.Store;

/** The retention purge on demand, and erasure by reference number. */
public final class PrivacyCommands {
  private PrivacyCommands() {}

  @Command(name = "retention", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar retention purge"},
      description = "Personal-data retention.", subcommands = {Purge.class})
  public static final class RetentionCommand implements Runnable {
    @Override
    public void run() {
      picocli.CommandLine.usage(this, System.out);
    }
  }

  @Command(name = "purge", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar retention purge"},
      description = "Remove personal data past its retention now (the daily job does the same).")
  static final class Purge extends StoreCommand {
    @Override
    protected String name() {
      return "retention purge";
    }

    @Override
    protected int work(Store store) {
      Map<String, Integer> agencyDays;
      try { // the agencies' own free-text retention, from the same routing file as serve
        agencyDays = RoutingLoader.load(cfg, Taxonomy.load(cfg.taxonomyFile()), Provinces.load(cfg.provincesFile()), env)
            .freeTextDays();
      } catch (ConfigException e) {
        System.err.println("retention purge: " + e.getMessage());
        return 2;
      }
      var counts = new Retention(store, new AuditLog(), cfg.retention(), agencyDays).purge(Instant.now());
      counts.forEach((k, v) -> System.out.printf("%-20s %d%n", k, v));
      return 0;
    }
  }

  @Command(name = "erase", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar erase --reference 20251234 --request TICKET-2025-0042"},
      description = "Erase the personal data of one contact and its report, by reference number.")
  public static final class Erase extends StoreCommand {
    @Option(names = "--reference", required = true, description = "the reference number given to the caller")
    String reference;

    @Option(names = "--request", required = true,
        description = "the erasure request's own id (e.g. a ticket number; no personal data), kept in the audit trail")
    String request;

    @Override
    protected String name() {
      return "erase";
    }

    @Override
    protected int work(Store store) {
      if (!reference.matches("\\d{4,16}") || !request.matches("[A-Za-z0-9._:/-]{1,64}")) {
        System.err.println("erase: --reference is digits; --request is a ticket id (letters, digits, . _ : / -)");
        return 2;
      }
      if (!new Retention(store, new AuditLog(), cfg.retention()).erase(reference, request, Instant.now())) {
        System.err.println("erase: no contact has reference " + reference);
        return 1;
      }
      System.out.println("erased the personal data of reference " + reference + " (request " + request + ")");
      return 0;
    }
  }
}
