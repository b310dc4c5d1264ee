package vn.hotline.gateway.store;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import vn.hotline.gateway.audit.AuditLinker;
import vn.hotline.gateway.cli.Cli;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * A command that works on the gateway's own store, configured exactly as {@code serve} is (config file,
 * environment): api-key, audit, retention, erase, stats. The embedded H2 store can be used while serve runs.
 */
public abstract class StoreCommand implements Callable<Integer> {
  @Option(names = "--config", description = "YAML file overriding config/gateway.yaml (or GATEWAY_CONFIG)")
  protected Path config;

  protected GatewayConfig cfg;
  /** Where the configuration comes from and where complaints go; tests give their own. */
  public Map<String, String> env = System.getenv();
  public PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    Cli.quietLogs();
    var invalid = validate();
    if (invalid != null) {
      err.println(name() + ": " + invalid);
      return 2;
    }
    var file = config != null ? config : env.get("GATEWAY_CONFIG") != null ? Path.of(env.get("GATEWAY_CONFIG")) : null;
    try {
      cfg = GatewayConfig.load(file, env);
    } catch (ConfigException e) {
      err.println(name() + ": " + e.getMessage());
      return 2;
    }
    Store opened = null;
    try {
      opened = Store.open(cfg.db(), null);
      opened.migrate();
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close();
      }
      err.println(name() + ": cannot open the store " + cfg.db().describe() + ": " + Cli.words(e));
      return 1;
    }
    try (var store = opened) {
      int exit = work(store);
      // What the command recorded takes its place in the audit chain now, not when a gateway next runs.
      AuditLinker.linkPending(store.dataSource());
      return exit;
    } catch (Exception e) {
      err.println(name() + ": " + Cli.words(e));
      return 1;
    }
  }

  /** Why the options cannot work (checked before the store is opened), or null. */
  protected String validate() {
    return null;
  }

  /** The command's name, for its messages. */
  protected abstract String name();

  protected abstract int work(Store store) throws Exception;
}
