package vn.hotline.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import vn.hotline.gateway.util.Json;

/**
 * The SMPP links: from smpp.links_file (one entry per telco), or the single link of the smpp.* keys when
 * smpp.host is set. A link's password may be given as password_env (the name of a variable holding it) so the
 * file holds no secret.
 */
final class SmppLinks {
  private static final Set<String> KEYS = Set.of("name", "host", "port", "system_id", "password", "password_env",
      "system_type", "bind_type", "source", "address_range", "max_tps", "window", "enquire_link_seconds", "reconnect_max_seconds");

  private SmppLinks() {}

  static List<GatewayConfig.SmppLink> load(Settings s, boolean prod) {
    var file = s.get("smpp.links_file");
    if (!file.isEmpty()) {
      return fromFile(Path.of(file), s, prod);
    }
    if (s.get("smpp.host").isEmpty()) {
      return List.of();
    }
    var bind = bindMode(s.get("smpp.bind_type"));
    if (bind == null) {
      throw s.invalid("smpp.bind_type", "must be transceiver or receiver_transmitter");
    }
    if (s.get("smpp.system_id").isEmpty()) {
      throw s.invalid("smpp.system_id", "required when smpp.host is set");
    }
    if (prod && s.get("smpp.password").isEmpty()) {
      throw s.invalid("smpp.password", "required in production");
    }
    return List.of(new GatewayConfig.SmppLink("smpp", s.get("smpp.host"), s.integer("smpp.port", 1, 65535),
        s.get("smpp.system_id"), s.get("smpp.password"), s.get("smpp.system_type"), bind, source(s.get("smpp.source"),
            () -> s.invalid("smpp.source", "must be a short code or number (digits, optional +)")),
        s.get("smpp.address_range"), s.integer("smpp.max_tps", 1, 1000), s.integer("smpp.window", 1, 100),
        s.integer("smpp.enquire_link_seconds", 5, 600), s.integer("smpp.reconnect_max_seconds", 1, 3600)));
  }

  private static List<GatewayConfig.SmppLink> fromFile(Path file, Settings s, boolean prod) {
    JsonNode root;
    try {
      root = Json.YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException("smpp.links_file " + file + ": cannot read it as YAML ("
          + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
              ? "line " + j.getLocation().getLineNr() : e.getClass().getSimpleName()) + ")");
    }
    var list = root == null ? null : root.get("links");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ConfigException("smpp.links_file " + file + ": expected 'links:' with at least one link");
    }
    var out = new ArrayList<GatewayConfig.SmppLink>();
    var names = new HashSet<String>();
    int i = 0;
    for (var n : list) {
      i++;
      String where = "smpp.links_file " + file + ": link " + i;
      for (var it = n.fieldNames(); it.hasNext(); ) {
        var k = it.next();
        if (!KEYS.contains(k)) {
          throw new ConfigException(where + ": unknown key '" + k + "'");
        }
      }
      var name = req(n, "name", where);
      if (!name.matches("[a-z0-9][a-z0-9_-]{0,31}") || !names.add(name)) {
        throw new ConfigException(where + ": name '" + name + "' must be unique, lower-case letters, digits, - or _");
      }
      where = "smpp.links_file " + file + ": link '" + name + "'";
      String password = n.path("password").asText("");
      if (n.has("password_env")) {
        var var = n.get("password_env").asText();
        password = s.env().getOrDefault(var, "");
        if (password.isEmpty()) {
          throw new ConfigException(where + ": password_env " + var + " is not set");
        }
      }
      if (prod && password.isEmpty()) {
        throw new ConfigException(where + ": a password (or password_env) is required in production");
      }
      var bind = bindMode(n.path("bind_type").asText("transceiver"));
      if (bind == null) {
        throw new ConfigException(where + ": bind_type must be transceiver or receiver_transmitter");
      }
      final String w = where;
      out.add(new GatewayConfig.SmppLink(name, req(n, "host", where), num(n, "port", 2775, 1, 65535, where),
          req(n, "system_id", where), password, n.path("system_type").asText(""), bind,
          source(n.path("source").asText(s.get("smpp.source")), () -> new ConfigException(w + ": source must be digits")),
          n.path("address_range").asText(""), num(n, "max_tps", 10, 1, 1000, where), num(n, "window", 10, 1, 100, where),
          num(n, "enquire_link_seconds", 30, 5, 600, where), num(n, "reconnect_max_seconds", 60, 1, 3600, where)));
    }
    return List.copyOf(out);
  }

  private static GatewayConfig.BindMode bindMode(String v) {
    try {
      return GatewayConfig.BindMode.valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String source(String v, java.util.function.Supplier<ConfigException> bad) {
    if (!v.matches("\\+?[0-9]{2,15}")) {
      throw bad.get();
    }
    return v;
  }

  private static String req(JsonNode n, String key, String where) {
    var v = n.path(key).asText("");
    if (v.isBlank()) {
      throw new ConfigException(where + ": '" + key + "' is missing");
    }
    return v;
  }

  private static int num(JsonNode n, String key, int dflt, int min, int max, String where) {
    if (!n.has(key)) {
      return dflt;
    }
    var v = n.get(key);
    if (!v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
      throw new ConfigException(where + ": '" + key + "' must be a whole number from " + min + " to " + max);
    }
    return v.asInt();
  }
}
