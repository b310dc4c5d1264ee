package vn.hotline.gateway.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.util.Json;

/** The province list a deployment uses (code to name); kept in configuration because provinces change. */
public record Provinces(Map<String, String> byCode) {
  public Provinces {
    byCode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCode));
  }

  /** config/provinces.yaml as written. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record File(LinkedHashMap<String, String> provinces) {}

  /** Reads {@code file}, or the list shipped in config/provinces.yaml when it is null. */
  public static Provinces load(Path file) {
    String where = file == null ? "config/provinces.yaml (built in)" : file.toString();
    try (InputStream in = file == null
        ? Provinces.class.getResourceAsStream("/defaults/provinces.yaml") : Files.newInputStream(file)) {
      if (in == null) {
        throw new ConfigException("provinces list missing from the build");
      }
      byte[] yaml = in.readAllBytes(); // read twice: the tree for the shape, binding for the line of a problem
      JsonNode root = Json.YAML.readTree(yaml);
      JsonNode list = root == null ? null : root.path("provinces");
      if (list == null || !list.isObject() || list.isEmpty()) {
        throw new ConfigException(where + ": expected 'provinces:' mapping code to name");
      }
      var provinces = Json.YAML.readValue(yaml, File.class).provinces();
      for (var e : provinces.entrySet()) {
        if (!e.getKey().matches("\\d{1,4}")) {
          throw new ConfigException(where + ": province code '" + e.getKey() + "' must be digits (callers key it in)");
        }
        if (e.getValue() == null) {
          throw new ConfigException(where + ": province '" + e.getKey() + "' has no name");
        }
      }
      return new Provinces(provinces);
    } catch (JsonMappingException e) {
      throw new ConfigException(where + ": " + Json.problem(e));
    } catch (IOException e) {
      throw new ConfigException(where + ": cannot read provinces: " + e.getMessage());
    }
  }
}
