package vn.hotline.gateway.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.util.Json;

/**
 * The province list a deployment uses (code to name), and the names people give places, today's and the former
 * provinces' ({@link Places}); kept in configuration because provinces change.
 */
public record Provinces(Map<String, String> byCode, Places places) {
  public Provinces {
    byCode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCode));
  }

  /** config/provinces.yaml as written. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record File(LinkedHashMap<String, String> provinces, LinkedHashMap<String, List<String>> names,
      LinkedHashMap<String, FormerEntry> former) {}

  /** One former province: {@code former: {"67": {name: Đắk Nông, today: "68", names: [Đắc Nông]}}}. */
  record FormerEntry(String name, String today, List<String> names) {}

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
      var read = Json.YAML.readValue(yaml, File.class);
      var provinces = read.provinces();
      for (var e : provinces.entrySet()) {
        if (!e.getKey().matches("\\d{1,4}")) {
          throw new ConfigException(where + ": province code '" + e.getKey() + "' must be digits (callers key it in)");
        }
        if (e.getValue() == null) {
          throw new ConfigException(where + ": province '" + e.getKey() + "' has no name");
        }
      }
      return new Provinces(provinces, places(read, where));
    } catch (JsonMappingException e) {
      throw new ConfigException(where + ": " + Json.problem(e));
    } catch (IOException e) {
      throw new ConfigException(where + ": cannot read provinces: " + e.getMessage());
    }
  }

  /** The names of {@code names:} and {@code former:}, checked against the codes of {@code provinces:}. */
  private static Places places(File read, String where) {
    var names = read.names() == null ? Map.<String, List<String>>of() : read.names();
    for (var e : names.entrySet()) {
      if (!read.provinces().containsKey(e.getKey())) {
        throw new ConfigException(where + ": names." + e.getKey() + ": '" + e.getKey()
            + "' is not a province code of 'provinces:'");
      }
    }
    var units = new ArrayList<Places.Unit>();
    read.provinces().forEach((code, name) -> units.add(new Places.Unit(code, name, nonNull(names.get(code)))));
    var formers = new ArrayList<Places.Former>();
    var former = read.former() == null ? Map.<String, FormerEntry>of() : read.former();
    for (var e : former.entrySet()) {
      var f = e.getValue();
      if (!e.getKey().matches("\\d{1,4}")) {
        throw new ConfigException(where + ": former." + e.getKey() + ": a former code must be digits (callers key it in)");
      }
      if (f == null || f.name() == null || f.name().isBlank()) {
        throw new ConfigException(where + ": former." + e.getKey() + ": has no name");
      }
      if (f.today() == null) {
        throw new ConfigException(where + ": former." + e.getKey() + " (" + f.name() + "): has no 'today:' (the"
            + " code of the unit that contains it now)");
      }
      formers.add(new Places.Former(e.getKey(), f.name(), nonNull(f.names()), f.today()));
    }
    return Places.of(units, formers, where);
  }

  private static List<String> nonNull(List<String> names) {
    return names == null ? List.of() : names.stream().filter(java.util.Objects::nonNull).toList();
  }
}
