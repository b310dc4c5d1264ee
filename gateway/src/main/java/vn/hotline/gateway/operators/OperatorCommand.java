package vn.hotline.gateway.operators;

import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.cli.Version;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.store.StoreCommand;

/**
 * The console's accounts, from the command line, on the gateway's own store (same configuration as serve). An
 * account starts with a one-time setup link (24 h) where its person sets a password and may enrol a second
 * factor; only the link's hash is kept. The phone number is kept sealed and never printed.
 */
@Command(name = "operator", mixinStandardHelpOptions = true, versionProvider = Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar operator create --login lan --name \"Nguyễn Thị Lan\" --role counsellor --phone +84912345678",
        "  java -jar gateway/target/hotline-gateway.jar operator list"},
    description = "Create, list, disable and reset the console's operator accounts.",
    subcommands = {OperatorCommand.Create.class, OperatorCommand.ListAccounts.class, OperatorCommand.Disable.class,
        OperatorCommand.Reset.class})
public final class OperatorCommand implements Runnable {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public abstract static class WithAccounts extends StoreCommand {
    /** Where the command's answer goes, and the clock setup links count from; tests give their own. */
    public PrintStream out = System.out;
    public Clock clock = Clock.systemUTC();

    @Override
    protected String name() {
      return "operator";
    }

    @Override
    protected int work(Store store) {
      var repo = new OperatorRepository(store, Sealer.parse(cfg.privacy().encryptionKeys()), new AuditLog());
      return work(new Accounts(repo, clock));
    }

    abstract int work(Accounts accounts);

    int noSuchLogin(String login) {
      err.println("operator: no account with the login '" + login + "' (see: operator list)");
      return 1;
    }

    void printLink(Accounts.SetupLink link, String name) {
      out.println("setup link: " + link.url(cfg.publicUrl()));
      out.println("Give it to " + name + " now: it works once, until " + TIME.format(link.expiresAt())
          + ", and cannot be shown again (operator reset makes a new one).");
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar operator create --login lan --name \"Nguyễn Thị Lan\" --role counsellor --phone +84912345678",
          "  java -jar gateway/target/hotline-gateway.jar operator create --login admin --name \"Quản trị\" --role admin"},
      description = "Make an account and print its one-time setup link (valid 24 h).")
  static final class Create extends WithAccounts {
    @Option(names = "--login", required = true, description = "what the person signs in with: 2-32 of a-z 0-9 . _ -")
    String login;

    @Option(names = "--name", required = true, description = "the person's name, as the console shows it")
    String personName;

    @Option(names = "--role", required = true, paramLabel = "counsellor|supervisor|admin",
        description = "counsellor (takes contacts), supervisor (sees every counsellor), admin (accounts, agencies)")
    String role;

    @Option(names = "--phone", description = "E.164 number the gateway may ring for this counsellor (kept encrypted)")
    String phone;

    @Option(names = "--language", paramLabel = "vi|en",
        description = "the language this counsellor hears the whisper in (default: the flow's first, Vietnamese)")
    String language;

    @Override
    protected String validate() {
      try {
        Role.of(role);
        return null;
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    }

    @Override
    int work(Accounts accounts) {
      Accounts.SetupLink link;
      try {
        link = accounts.create(new Accounts.NewAccount(login, personName, Role.of(role), phone, language), "cli");
      } catch (Accounts.Refused e) {
        err.println("operator create: " + e.getMessage());
        return 2;
      }
      out.println("account: " + link.login() + " (" + Role.of(role).wire() + "), id " + link.operatorId());
      printLink(link, personName.strip());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar operator list"},
      description = "List the accounts: login, name, role, status (never a phone number).")
  static final class ListAccounts extends WithAccounts {
    @Override
    int work(Accounts accounts) {
      var all = accounts.list();
      if (all.isEmpty()) {
        out.println("no accounts yet (operator create --login ... --name ... --role admin)");
        return 0;
      }
      out.printf("%-20s %-12s %-14s %-5s %s%n", "login", "role", "status", "totp", "name");
      for (var o : all) {
        out.printf("%-20s %-12s %-14s %-5s %s%n", o.login(), o.role().wire(), o.status().wire(), o.totp() ? "yes" : "no",
            o.name());
      }
      return 0;
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, versionProvider = Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar operator disable --login lan"},
      description = "Switch an account off: it cannot sign in, and its sessions end now.")
  static final class Disable extends WithAccounts {
    @Option(names = "--login", required = true, description = "the account's login")
    String login;

    @Override
    int work(Accounts accounts) {
      var o = accounts.byLogin(login);
      if (o.isEmpty()) {
        return noSuchLogin(login);
      }
      if (!accounts.disable(o.get().id(), "cli")) {
        out.println("operator: " + o.get().login() + " was disabled already");
        return 0;
      }
      out.println("disabled " + o.get().login() + "; its sessions have ended");
      return 0;
    }
  }

  @Command(name = "reset", mixinStandardHelpOptions = true, versionProvider = Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar operator reset --login lan"},
      description = "A forgotten password or a lost phone: end the account's sessions, drop its password and second"
          + " factor, and print a new setup link (a disabled account is enabled again).")
  static final class Reset extends WithAccounts {
    @Option(names = "--login", required = true, description = "the account's login")
    String login;

    @Override
    int work(Accounts accounts) {
      var o = accounts.byLogin(login);
      if (o.isEmpty()) {
        return noSuchLogin(login);
      }
      var link = accounts.reset(o.get().id(), "cli");
      if (link.isEmpty()) {
        return noSuchLogin(login);
      }
      out.println("reset " + o.get().login() + ": its sessions have ended; the old password no longer works");
      printLink(link.get(), o.get().name());
      return 0;
    }
  }
}
