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
import java.util.Set;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.FlowException;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.util.Json;

/**
 * Report categories and their subcategories (codes to labels), from config/taxonomy.yaml. {@code labels}: the
 * label of each category and subcategory code, per language (what a counsellor's whisper says).
 */
public record Taxonomy(Map<String, Set<String>> subcategoriesByCategory, Map<String, Map<String, String>> labels) {
  public Taxonomy {
    subcategoriesByCategory = Map.copyOf(subcategoriesByCategory);
    labels = Map.copyOf(labels);
  }

  /** The label of a category or subcategory code in a language (vi-VN, en-US), or null when it has none. */
  public String label(String code, String language) {
    var byLanguage = code == null ? null : labels.get(code);
    return byLanguage == null ? null : byLanguage.get(language);
  }

  public boolean hasCategory(String code) {
    return subcategoriesByCategory.containsKey(code);
  }

  public boolean hasSubcategory(String code) {
    return subcategoriesByCategory.values().stream().anyMatch(s -> s.contains(code));
  }

  /** config/taxonomy.yaml as written. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record File(LinkedHashMap<String, Category> categories) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Category(JsonNode label, LinkedHashMap<String, JsonNode> subcategories) {}

  /** A label node ({vi-VN: ..., en-US: ...}) as a map; anything else (absent, a plain string) as no labels. */
  private static Map<String, String> labelsOf(JsonNode n) {
    var out = new LinkedHashMap<String, String>();
    if (n != null && n.isObject()) {
      n.fields().forEachRemaining(e -> {
        if (e.getValue().isTextual() && !e.getValue().asText().isBlank()) {
          out.put(e.getKey(), e.getValue().asText().strip());
        }
      });
    }
    return Map.copyOf(out);
  }

  /** Reads {@code file}, or the taxonomy shipped in config/ when it is null. */
  public static Taxonomy load(Path file) {
    String where = file == null ? "config/taxonomy.yaml (built in)" : file.toString();
    try (InputStream in = file == null ? Taxonomy.class.getResourceAsStream("/defaults/taxonomy.yaml")
        : Files.newInputStream(file)) {
      if (in == null) {
        throw new ConfigException("taxonomy missing from the build");
      }
      byte[] yaml = in.readAllBytes(); // read twice: the tree for the shape, binding for the line of a problem
      JsonNode root = Json.YAML.readTree(yaml);
      JsonNode cats = root == null ? null : root.path("categories");
      if (cats == null || !cats.isObject() || cats.isEmpty()) {
        throw new ConfigException(where + ": expected 'categories:'");
      }
      var out = new LinkedHashMap<String, Set<String>>();
      var labels = new LinkedHashMap<String, Map<String, String>>();
      Json.YAML.readValue(yaml, File.class).categories().forEach((code, c) -> {
        out.put(code, c == null || c.subcategories() == null ? Set.of() : Set.copyOf(c.subcategories().keySet()));
        if (c != null) {
          labels.put(code, labelsOf(c.label()));
          if (c.subcategories() != null) {
            c.subcategories().forEach((sub, label) -> labels.putIfAbsent(sub, labelsOf(label)));
          }
        }
      });
      return new Taxonomy(out, labels);
    } catch (JsonMappingException e) {
      throw new ConfigException(where + ": " + Json.problem(e));
    } catch (IOException e) {
      throw new ConfigException(where + ": cannot read the taxonomy: " + e.getMessage());
    }
  }

  /** Every category or subcategory a flow sets must exist: a typo would make reports no rule routes. */
  public void check(FlowCatalog flows) {
    for (var flow : flows.all()) {
      for (var node : flow.nodes().values()) {
        checkSet(flow.file(), node.id(), node.set());
        if (node instanceof Node.Menu m) {
          m.options().forEach((key, o) -> checkSet(flow.file(), node.id() + "' option '" + key, o.set()));
        }
      }
    }
  }

  private void checkSet(Path file, String where, Map<String, String> set) {
    var c = set.get("category");
    if (c != null && !hasCategory(c)) {
      throw new FlowException(file + ": node '" + where + "': category '" + c + "' is not in the taxonomy (config/taxonomy.yaml)");
    }
    var s = set.get("subcategory");
    if (s != null && (c == null ? !hasSubcategory(s) : !subcategoriesByCategory.get(c).contains(s))) {
      throw new FlowException(file + ": node '" + where + "': subcategory '" + s + "' is not in the taxonomy"
          + (c == null ? "" : " under '" + c + "'"));
    }
  }
}
