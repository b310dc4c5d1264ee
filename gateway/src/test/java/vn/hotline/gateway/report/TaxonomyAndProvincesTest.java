package vn.hotline.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.config.ConfigException;

/** config/taxonomy.yaml and config/provinces.yaml as a deployment edits them: what is read, and what stops startup. */
class TaxonomyAndProvincesTest {
  @TempDir Path dir;

  @Test
  void theShippedFilesAreReadWhole() {
    var provinces = Provinces.load(null);
    assertEquals(34, provinces.byCode().size());
    assertEquals("Hà Nội", provinces.byCode().get("01"));
    assertEquals("01", provinces.byCode().keySet().iterator().next(), "file order is kept (the menu reads it out)");
    var taxonomy = Taxonomy.load(null);
    assertTrue(taxonomy.hasCategory("physical_violence"));
    assertEquals(Set.of("domestic_violence", "corporal_punishment"),
        taxonomy.subcategoriesByCategory().get("physical_violence"));
    assertTrue(taxonomy.hasSubcategory("sextortion"));
    assertFalse(taxonomy.hasCategory("domestic_violence"), "a subcategory is not a category");
  }

  @Test
  void aDeploymentsOwnFilesAreReadWithLabelsAndExtraKeysIgnored() throws Exception {
    var t = dir.resolve("taxonomy.yaml");
    Files.writeString(t, """
        version: 2
        categories:
          abuse:
            label: { en-US: "Abuse" }
            subcategories:
              at_home: { en-US: "At home" }
          other:
            label: { en-US: "Other" }
        """);
    var taxonomy = Taxonomy.load(t);
    assertEquals(Set.of("at_home"), taxonomy.subcategoriesByCategory().get("abuse"));
    assertEquals(Set.of(), taxonomy.subcategoriesByCategory().get("other"));
    var p = dir.resolve("provinces.yaml");
    Files.writeString(p, "provinces:\n  \"79\": TP. Hồ Chí Minh\n  \"01\": Hà Nội\n");
    assertEquals(List.of("79", "01"), List.copyOf(Provinces.load(p).byCode().keySet()));
  }

  @Test
  void aBrokenFileStopsStartupNamingTheFileAndTheKey() throws Exception {
    var t = dir.resolve("taxonomy.yaml");
    Files.writeString(t, "categories:\n  abuse:\n    subcategories: [at_home, at_school]\n");
    var e = assertThrows(ConfigException.class, () -> Taxonomy.load(t));
    assertEquals(t + ": categories.abuse.subcategories: expected a mapping (line 3)", e.getMessage());

    Files.writeString(t, "cats:\n  abuse: {}\n");
    e = assertThrows(ConfigException.class, () -> Taxonomy.load(t));
    assertEquals(t + ": expected 'categories:'", e.getMessage());

    var p = dir.resolve("provinces.yaml");
    Files.writeString(p, "provinces:\n  \"01\": Hà Nội\n  HN: Hà Nội\n");
    e = assertThrows(ConfigException.class, () -> Provinces.load(p));
    assertEquals(p + ": province code 'HN' must be digits (callers key it in)", e.getMessage());

    Files.writeString(p, "provinces:\n  \"01\": { vi-VN: Hà Nội }\n");
    e = assertThrows(ConfigException.class, () -> Provinces.load(p));
    assertEquals(p + ": provinces.01: expected a text (line 2)", e.getMessage());

    Files.writeString(p, "provinces:\n  \"01\":\n");
    e = assertThrows(ConfigException.class, () -> Provinces.load(p));
    assertEquals(p + ": province '01' has no name", e.getMessage());
  }

  @Test
  void aCodeGivenTwiceIsRefusedNotSilentlyReplaced() throws Exception {
    var p = dir.resolve("provinces.yaml");
    Files.writeString(p, "provinces:\n  \"01\": Hà Nội\n  \"01\": Huế\n");
    var e = assertThrows(ConfigException.class, () -> Provinces.load(p));
    assertTrue(e.getMessage().startsWith(p + ": cannot read provinces: Duplicate field '01'"), e.getMessage());
  }
}
