package vn.hotline.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.util.Json;

/**
 * Flat view of the configuration: dotted keys to string values, each with the place its value came from, so a
 * bad value can be reported as "http.port (env GATEWAY_HTTP_PORT) = 'abc': ...".
 *
 * <p>Layers, later wins: the defaults file shipped in the jar (config/gateway.yaml), an optional YAML file,
 * environment variables. A key that the defaults do not know is refused: a typo must not be silently ignored.
 */
public final class Settings {
  /** Keys whose value may also come from a conventional variable outside the GATEWAY_ namespace. */
  static final Map<String, String> ALIASES = Map.of("twilio.auth_token", "TWILIO_AUTH_TOKEN",
      "twilio.account_sid", "TWILIO_ACCOUNT_SID");


  /** GATEWAY_ variables that are not config keys but are read elsewhere. */
  private static final java.util.Set<String> OTHER_VARIABLES = java.util.Set.of("GATEWAY_CONFIG", "GATEWAY_LOG_LEVEL",
      "GATEWAY_LOG_FORMAT");

  private final Map<String, String> values;
  private final Map<String, String> sources;

  private final Map<String, String> env;

  private Settings(Map<String, String> values, Map<String, String> sources, Map<String, String> env) {
    this.values = values;
    this.sources = sources;
    this.env = env;
  }

  /** The environment these settings were read from (routing.yaml's ${VAR}, SMPP links' password_env). */
  public Map<String, String> env() {
    return env;
  }

  /** Loads defaults, then {@code file} (may be null), then {@code env}. */
  public static Settings load(Path file, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    flatten(readDefaults(), "", values, sources, "default");
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("config file " + file + " does not exist");
      }
      Map<String, String> fileValues = new LinkedHashMap<>();
      Map<String, String> fileSources = new LinkedHashMap<>();
      try {
        flatten(Json.YAML.readTree(file.toFile()), "", fileValues, fileSources, "file " + file);
      } catch (IOException e) {
        // Only the position: the parser's own message quotes the line, which may hold a secret.
        var where = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
            ? " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() : "";
        var dup = e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
            ? ": " + e.getMessage().lines().findFirst().orElse("") : "";
        throw new ConfigException("config file " + file + " is not valid YAML" + where + dup);
      }
      for (var key : fileValues.keySet()) {
        if (!values.containsKey(key)) {
          throw new ConfigException("config file " + file + ": unknown key '" + key + "'");
        }
      }
      values.putAll(fileValues);
      sources.putAll(fileSources);
    }
    var known = new java.util.HashSet<String>(OTHER_VARIABLES);
    for (var key : values.keySet()) {
      for (var name : envNames(key)) {
        known.add(name);
        known.add(name + "_FILE");
      }
    }
    for (var name : env.keySet()) {
      if (name.startsWith("GATEWAY_") && !known.contains(name)) {
        throw new ConfigException("environment variable " + name + " is not a setting (a typo?); settings are GATEWAY_"
            + " + a key of config/gateway.yaml, e.g. GATEWAY_HTTP_PORT");
      }
    }
    for (var key : List.copyOf(values.keySet())) {
      for (var name : envNames(key)) {
        var direct = env.get(name);
        var fromFile = env.get(name + "_FILE");
        if (direct != null) {
          values.put(key, direct);
          sources.put(key, "env " + name);
        } else if (fromFile != null) {
          values.put(key, readSecretFile(key, name + "_FILE", fromFile));
          sources.put(key, "env " + name + "_FILE");
        }
      }
    }
    return new Settings(Collections.unmodifiableMap(values), Collections.unmodifiableMap(sources), Map.copyOf(env));
  }

  /** The environment variables that set {@code key}, the conventional one first (so an alias wins). */
  public static List<String> envNames(String key) {
    var conventional = "GATEWAY_" + key.toUpperCase().replace('.', '_');
    var alias = ALIASES.get(key);
    return alias == null ? List.of(conventional) : List.of(conventional, alias);
  }

  /** Every key the defaults file knows, in file order. */
  public static List<String> knownKeys() {
    Map<String, String> values = new LinkedHashMap<>();
    flatten(readDefaults(), "", values, new LinkedHashMap<>(), "default");
    return List.copyOf(values.keySet());
  }

  public String get(String key) {
    var v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no such config key: " + key); // a programming error, not user input
    }
    return v.trim();
  }

  public String source(String key) {
    return sources.get(key);
  }

  /** Whether the value was set by someone rather than left at the shipped default. */
  public boolean isSet(String key) {
    return !"default".equals(sources.get(key));
  }

  public ConfigException invalid(String key, String why) {
    var shown = key.contains("password") || key.contains("token") || key.contains("secret") ? "<hidden>" : redact(get(key));
    return new ConfigException(
        "config " + key + " (" + describeSource(key) + ") = '" + shown + "': " + why);
  }

  /** Credentials inside a value (a URL with user:password@ or ?password=) never reach a message. */
  static String redact(String value) {
    return value.replaceAll("(?i)((?:password|pwd|secret|token)=)[^&;]*", "$1<hidden>")
        .replaceAll("//[^/@\\s]*@", "//<hidden>@");
  }

  private String describeSource(String key) {
    var src = sources.get(key);
    return "default".equals(src) ? "default; set " + String.join(" or ", envNames(key)) : src;
  }

  public int integer(String key, int min, int max) {
    try {
      int v = Integer.parseInt(get(key));
      if (v < min || v > max) {
        throw invalid(key, "must be between " + min + " and " + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw invalid(key, "not a whole number");
    }
  }

  private static JsonNode readDefaults() {
    try (InputStream in = Settings.class.getResourceAsStream("/defaults/gateway.yaml")) {
      if (in == null) {
        throw new IllegalStateException("defaults/gateway.yaml missing from the build");
      }
      return Json.YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readSecretFile(String key, String var, String path) {
    try {
      var file = Path.of(path);
      try {
        var perms = Files.getPosixFilePermissions(file);
        if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
          throw new ConfigException("config " + key + " (env " + var + "): " + path
              + " is readable by every user; a secret file must be readable by the service only (chmod 600)");
        }
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: nothing to check
      }
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new ConfigException("config " + key + " (env " + var + "): cannot read " + path + ": " + e.getMessage());
    }
  }

  private static void flatten(
      JsonNode node, String prefix, Map<String, String> out, Map<String, String> sources, String source) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return; // an empty or comments-only file changes nothing
    }
    if (!node.isObject()) {
      throw new ConfigException("config " + source + ": expected a mapping at '" + prefix + "'");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      var key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      var value = e.getValue();
      if (value.isObject()) {
        flatten(value, key, out, sources, source);
      } else if (value.isArray()) {
        var joined = new StringBuilder();
        value.forEach(v -> joined.append(joined.isEmpty() ? "" : ",").append(v.asText()));
        out.put(key, joined.toString());
        sources.put(key, source);
      } else {
        out.put(key, value.isNull() ? "" : value.asText());
        sources.put(key, source);
      }
    }
  }
}
