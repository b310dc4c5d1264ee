package vn.hotline.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The gateway's version, from {@code hotline-gateway.properties}, which Maven fills in with the project version
 * when it copies the resources (so it is right in the jar and in tests run from classes alike).
 */
public final class Version implements CommandLine.IVersionProvider {
  /** The Maven project version, e.g. 0.1.0-SNAPSHOT; "unknown" if the resource is missing or was not filtered. */
  public static String number() {
    try (InputStream in = Version.class.getResourceAsStream("/hotline-gateway.properties")) {
      if (in == null) {
        return "unknown";
      }
      var p = new Properties();
      p.load(in);
      var v = p.getProperty("version", "").trim();
      return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"hotline-gateway " + number()};
  }
}
