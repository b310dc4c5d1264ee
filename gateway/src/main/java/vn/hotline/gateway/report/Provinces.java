package vn.hotline.gateway.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import vn.hotline.gateway.config.ConfigException;

/** The province list a deployment uses (code to name); kept in configuration because provinces change. */
public record Provinces(Map<String, String> byCode) {
  public Provinces {
    byCode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCode));
  }

  /** Reads {@code file}, or the list shipped in config/provinces.yaml when it is null. */
  public static Provinces load(Path file) {
    var mapper = new ObjectMapper(new YAMLFactory());
    String where = file == null ? "config/provinces.yaml (built in)" : file.toString();
    try (InputStream in = file == null
        ? Provinces.class.getResourceAsStream("/defaults/provinces.yaml") : Files.newInputStream(file)) {
      if (in == null) {
        throw new ConfigException("provinces list missing from the build");
      }
      JsonNode list = mapper.readTree(in).path("provinces");
      if (!list.isObject() || list.isEmpty()) {
        throw new ConfigException(where + ": expected 'provinces:' mapping code to name");
      }
      var out = new LinkedHashMap<String, String>();
      for (var it = list.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!e.getKey().matches("\\d{1,4}")) {
          throw new ConfigException(where + ": province code '" + e.getKey() + "' must be digits (callers key it in)");
        }
        out.put(e.getKey(), e.getValue().asText());
      }
      return new Provinces(out);
    } catch (IOException e) {
      throw new ConfigException(where + ": cannot read provinces: " + e.getMessage());
    }
  }
}
