package vn.hotline.gateway;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.store.Store;

/**
 * A command that works on the gateway's own store, configured exactly as {@code serve} is (config file,
 * environment): api-key, audit, retention, erase, stats. The embedded H2 store can be used while serve runs.
 */
public abstract class StoreCommand implements Callable<Integer> {
  @Option(names = "--config", description = "YAML file overriding config/gateway.yaml (or GATEWAY_CONFIG)")
  protected Path config;

  protected GatewayConfig cfg;

  @Override
  public Integer call() throws Exception {
    Main.quietLogs();
    var file = config != null ? config
        : System.getenv("GATEWAY_CONFIG") != null ? Path.of(System.getenv("GATEWAY_CONFIG")) : null;
    try {
      cfg = GatewayConfig.load(file, System.getenv());
    } catch (ConfigException e) {
      System.err.println(name() + ": " + e.getMessage());
      return 2;
    }
    try (var store = Store.open(cfg.db(), null)) {
      store.migrate();
      return work(store);
    }
  }

  /** The command's name, for its messages. */
  protected abstract String name();

  protected abstract int work(Store store) throws Exception;
}
