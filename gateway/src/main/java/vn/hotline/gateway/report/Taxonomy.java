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

/** Report categories and their subcategories (codes to labels), from config/taxonomy.yaml. */
public record Taxonomy(Map<String, Set<String>> subcategoriesByCategory) {
  public Taxonomy {
    subcategoriesByCategory = Map.copyOf(subcategoriesByCategory);
  }

  public boolean hasCategory(String code) {
    return subcategoriesByCategory.containsKey(code);
  }

  public boolean hasSubcategory(String code) {
    return subcategoriesByCategory.values().stream().anyMatch(s -> s.contains(code));
  }

  /** config/taxonomy.yaml as written; the labels are for people and not read here. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record File(LinkedHashMap<String, Category> categories) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Category(LinkedHashMap<String, JsonNode> subcategories) {}

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
      Json.YAML.readValue(yaml, File.class).categories().forEach((code, c) ->
          out.put(code, c == null || c.subcategories() == null ? Set.of() : Set.copyOf(c.subcategories().keySet())));
      return new Taxonomy(out);
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
