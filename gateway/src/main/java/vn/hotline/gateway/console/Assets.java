package vn.hotline.gateway.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The console's static files, all from the jar: htmx and its SSE extension from their WebJars, and whatever is
 * in {@code console/assets/} (the style sheet, the console's own script). Nothing is fetched from elsewhere, at
 * build or run time. Files are read once (blocking: on a worker) and kept.
 */
final class Assets {
  /** A file to serve. */
  record Asset(String contentType, byte[] body) {}

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon",
      "woff2", "font/woff2", "txt", "text/plain; charset=utf-8");

  private final Map<String, String> webjars;
  private final Map<String, Optional<Asset>> loaded = new ConcurrentHashMap<>();

  private Assets(Map<String, String> webjars) {
    this.webjars = webjars;
  }

  /** Finds the WebJars' files (their versions come from the jars themselves). Blocking. */
  static Assets load() {
    var htmx = "META-INF/resources/webjars/htmx.org/" + version("htmx.org") + "/dist/htmx.min.js";
    var sse = "META-INF/resources/webjars/htmx-ext-sse/" + version("htmx-ext-sse") + "/sse.js";
    var assets = new Assets(Map.of("htmx.min.js", htmx, "htmx-ext-sse.js", sse));
    for (var name : assets.webjars.keySet()) {
      if (assets.get(name).isEmpty()) {
        throw new IllegalStateException("the console's " + name + " is missing from the jar");
      }
    }
    assets.get("console.css");
    assets.get("console.js");
    return assets;
  }

  private static String version(String artifact) {
    var props = new Properties();
    try (var in = resource("META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the WebJar " + artifact + " is missing from the jar");
      }
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props.getProperty("version");
  }

  /** Whether a name could be an asset at all (checked on the event loop before any reading). */
  static boolean plausible(String name) {
    return name != null && NAME.matcher(name).matches() && !name.contains("..") && TYPES.containsKey(extension(name));
  }

  /** Known already: served without a worker. Null when not read yet. */
  Optional<Asset> cached(String name) {
    return loaded.get(name);
  }

  /** The file, read on first use (blocking). */
  Optional<Asset> get(String name) {
    if (!plausible(name)) {
      return Optional.empty();
    }
    return loaded.computeIfAbsent(name, n -> {
      var path = webjars.getOrDefault(n, "console/assets/" + n);
      try (var in = resource(path)) {
        return in == null ? Optional.empty() : Optional.of(new Asset(TYPES.get(extension(n)), in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static InputStream resource(String path) {
    return Assets.class.getClassLoader().getResourceAsStream(path);
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1);
  }
}
