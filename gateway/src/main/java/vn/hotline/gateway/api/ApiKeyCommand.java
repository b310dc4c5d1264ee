package vn.hotline.gateway.api;

import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.store.StoreCommand;
import vn.hotline.gateway.audit.AuditLog;
import picocli.CommandLine.Parameters;
import vn.hotline.gateway.delivery.RoutingLoader;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.Store;

/**
 * Integrator API keys, made and revoked by the hotline's operators on the gateway's own store (same
 * configuration as serve). A key is printed once; only its hash is kept.
 */
@Command(name = "api-key", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar api-key create --agency police-cyber --label \"cyber unit desk\"",
        "  java -jar gateway/target/hotline-gateway.jar api-key create --partner viettel --scopes intake",
        "  java -jar gateway/target/hotline-gateway.jar api-key list"},
    description = "Create, list and revoke integrator API keys.",
    subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.ListKeys.class, ApiKeyCommand.Revoke.class})
public final class ApiKeyCommand implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  abstract static class WithStore extends StoreCommand {
    @Override
    protected String name() {
      return "api-key";
    }

    @Override
    protected int work(Store store) {
      return work(new ApiKeyRepository(store, new AuditLog()));
    }

    abstract int work(ApiKeyRepository keys);
  }

  @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar api-key create --agency police-cyber --label \"cyber unit desk\"",
          "  java -jar gateway/target/hotline-gateway.jar api-key create --admin --label ops",
          "  java -jar gateway/target/hotline-gateway.jar api-key create --partner viettel --scopes intake"},
      description = "Make a key for an agency, a partner that submits reports, or an admin key, and print it once.")
  static final class Create extends WithStore {
    @Option(names = "--agency", description = "agency id from the routing (e.g. police-cyber)")
    String agency;

    @Option(names = "--admin", description = "a key that sees every agency and can switch endpoints")
    boolean admin;

    @Option(names = "--partner", description = "a partner that submits reports (telecom operator, platform, school):"
        + " its id, lower-case letters, digits, - and _ (e.g. viettel)")
    String partner;

    @Option(names = "--scopes", split = ",", description = "what a partner key may do: intake (submit reports and read"
        + " back their status)")
    java.util.List<String> scopes;

    @Option(names = "--label", description = "who holds it, for the list")
    String label;

    @Override
    int work(ApiKeyRepository keys) {
      int given = (admin ? 1 : 0) + (agency != null ? 1 : 0) + (partner != null ? 1 : 0);
      if (given != 1) {
        System.err.println("api-key create: give --agency <id>, --partner <id> --scopes intake, or --admin (one of them)");
        return 2;
      }
      if (partner != null) {
        if (!partner.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
          System.err.println("api-key create: --partner must be lower-case letters, digits, - and _ (at most 64), such"
              + " as viettel");
          return 2;
        }
        var wanted = scopes == null ? java.util.Set.<String>of() : new java.util.TreeSet<>(scopes);
        if (wanted.isEmpty() || !wanted.equals(java.util.Set.of(ApiKeyRepository.SCOPE_INTAKE))) {
          System.err.println("api-key create: --scopes must be intake (the one scope a partner key has)");
          return 2;
        }
        var key = keys.createForPartner(partner, wanted, label, Instant.now());
        System.out.println("key id:  " + key.id());
        System.out.println("partner: " + partner + " (scopes: " + String.join(",", wanted) + ")");
        System.out.println("key:     " + key.key());
        System.out.println("Give the key to its holder now: it is not stored and cannot be shown again.");
        return 0;
      }
      if (scopes != null) {
        System.err.println("api-key create: --scopes is for a --partner key");
        return 2;
      }
      if (agency != null) {
        var routing = RoutingLoader.load(cfg, Taxonomy.load(cfg.taxonomyFile()), Provinces.load(cfg.provincesFile()),
            System.getenv());
        if (routing.agency(agency) == null) {
          System.err.println("api-key create: no agency '" + agency + "' in the routing (agencies: "
              + String.join(", ", routing.agencies().keySet()) + ")");
          return 2;
        }
      }
      var key = keys.create(agency, label, Instant.now());
      System.out.println("key id: " + key.id());
      System.out.println("agency: " + (agency == null ? "(admin: all agencies)" : agency));
      System.out.println("key:    " + key.key());
      System.out.println("Give the key to its holder now: it is not stored and cannot be shown again.");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n", footer = {"  java -jar gateway/target/hotline-gateway.jar api-key list"},
      description = "List keys (never the keys themselves).")
  static final class ListKeys extends WithStore {
    @Override
    int work(ApiKeyRepository keys) {
      for (var k : keys.list()) {
        var holder = k.partnerId() != null ? "partner:" + k.partnerId() : k.agencyId() == null ? "(admin)" : k.agencyId();
        System.out.printf("%s  %-22s %-20s created %s%s%n", k.id(), holder,
            k.label() == null ? "" : k.label(), k.createdAt(), k.revokedAt() == null ? "" : "  REVOKED " + k.revokedAt());
      }
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar api-key revoke <key id from api-key list>"},
      description = "Revoke a key by its id; it stops working at once.")
  static final class Revoke extends WithStore {
    @Parameters(index = "0", description = "the key id (from create or list)")
    String id;

    @Override
    int work(ApiKeyRepository keys) {
      if (!keys.revoke(id, Instant.now())) {
        System.err.println("api-key revoke: no live key with id " + id);
        return 1;
      }
      System.out.println("revoked " + id);
      return 0;
    }
  }
}
