package vn.hotline.gateway.config;

/** A configuration value that cannot be used; the message names the key and where its value came from. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
