package vn.hotline.gateway.callers;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.store.CallerFlagRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.store.StoreCommand;

/**
 * Flags on abusive or prank callers, from the hotline's own CLI on the gateway's store (configured as serve is).
 * A caller is named by the reference of one of their contacts; numbers are never asked for nor shown.
 */
@Command(name = "caller", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar caller flag --reference 20251234 --hours 24 --reason \"prank calls, 12 today\"",
        "  java -jar gateway/target/hotline-gateway.jar caller flags"},
    description = "Flag a caller as abusive or prank for a while (their calls ring no counsellor, except danger), clear it, list flags.",
    subcommands = {CallerCommand.Flag.class, CallerCommand.Unflag.class, CallerCommand.ListFlags.class})
public final class CallerCommand implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  abstract static class WithFlags extends StoreCommand {
    /** Where results go; tests give their own. */
    public PrintStream out = System.out;
    /** The time flags are set and listed at; tests give the gateway's. */
    public Clock clock = Clock.systemUTC();

    @Override
    protected String name() {
      return "caller";
    }

    @Override
    protected int work(Store store) {
      var repository = new CallerFlagRepository(store, Sealer.parse(cfg.privacy().encryptionKeys()), new AuditLog());
      try {
        return work(new CallerFlags(repository, clock));
      } catch (CallerFlags.Refused e) {
        err.println(name() + " " + subcommand() + ": " + e.getMessage());
        return 2;
      }
    }

    abstract String subcommand();

    abstract int work(CallerFlags flags);
  }

  @Command(name = "flag", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar caller flag --reference 20251234 --hours 24 --reason \"prank calls, 12 today\""},
      description = "Flag the caller of a contact: for the hours given, their calls hear a short message and ring no"
          + " counsellor, except the danger choice. A flag they have already is replaced.")
  static final class Flag extends WithFlags {
    @Option(names = "--reference", required = true, description = "the reference number of one of the caller's contacts")
    String reference;

    @Option(names = "--hours", required = true, description = "how long the flag lasts (1 to 2160)")
    int hours;

    @Option(names = "--reason", required = true, description = "why (kept encrypted; shown by caller flags)")
    String reason;

    @Override
    String subcommand() {
      return "flag";
    }

    @Override
    protected String validate() {
      return hours < 1 || hours > CallerFlags.LONGEST.toHours() ? "--hours is 1 to " + CallerFlags.LONGEST.toHours() : null;
    }

    @Override
    int work(CallerFlags flags) {
      var f = flags.set(reference, Duration.ofHours(hours), reason, "cli");
      out.println("flagged the caller of reference " + reference + " until " + f.expiresAt().truncatedTo(ChronoUnit.SECONDS)
          + " (flag " + f.id() + ")");
      return 0;
    }
  }

  @Command(name = "unflag", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar caller unflag --reference 20251234"},
      description = "Clear the flag of the caller of a contact: their calls ring counsellors again at once.")
  static final class Unflag extends WithFlags {
    @Option(names = "--reference", required = true, description = "the reference number of one of the caller's contacts")
    String reference;

    @Override
    String subcommand() {
      return "unflag";
    }

    @Override
    int work(CallerFlags flags) {
      var cleared = flags.clear(reference, "cli");
      if (cleared.isEmpty()) {
        err.println("caller unflag: the caller of reference " + reference + " has no active flag");
        return 1;
      }
      out.println("cleared the flag of the caller of reference " + reference);
      return 0;
    }
  }

  @Command(name = "flags", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar caller flags"},
      description = "List flags, newest first, active or not (never a number).")
  static final class ListFlags extends WithFlags {
    @Option(names = "--limit", description = "at most this many (default 100)")
    int limit = 100;

    @Override
    String subcommand() {
      return "flags";
    }

    @Override
    int work(CallerFlags flags) {
      var listed = flags.list(Math.max(1, limit));
      if (listed.isEmpty()) {
        out.println("no caller has been flagged");
        return 0;
      }
      out.printf("%-36s  %-9s  %-10s  %-20s  %-20s  %-12s  %s%n", "flag", "status", "reference", "set", "until",
          "by", "reason");
      for (var l : listed) {
        var f = l.flag();
        out.printf("%-36s  %-9s  %-10s  %-20s  %-20s  %-12s  %s%n", f.id(), l.status(), f.reference(),
            f.setAt().truncatedTo(ChronoUnit.SECONDS), f.expiresAt().truncatedTo(ChronoUnit.SECONDS), f.setBy(),
            f.reason() == null ? "(purged)" : f.reason().replaceAll("\\s+", " "));
      }
      return 0;
    }
  }
}
