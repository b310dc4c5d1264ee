package vn.hotline.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.flow.Vocabulary;

/** The names file as a deployment writes it: what is read, what a local name adds, and what stops startup. */
class PlacesTest {
  @TempDir Path dir;

  static final String UNITS = """
      provinces:
        "01": Hà Nội
        "68": Lâm Đồng
      """;

  Provinces write(String yaml) throws Exception {
    var p = dir.resolve("provinces.yaml");
    Files.writeString(p, yaml);
    return Provinces.load(p);
  }

  ConfigException refused(String yaml) throws Exception {
    var p = dir.resolve("provinces.yaml");
    Files.writeString(p, yaml);
    return assertThrows(ConfigException.class, () -> Provinces.load(p));
  }

  @Test
  void theShippedFileHasEveryFormerProvinceInAUnitOfToday() {
    var shipped = Provinces.load(null);
    assertEquals(34, shipped.byCode().size());
    var hints = Set.copyOf(shipped.places().hints());
    var former = Set.of("Hà Giang", "Bắc Kạn", "Yên Bái", "Hòa Bình", "Vĩnh Phúc", "Bắc Giang", "Hải Dương", "Thái Bình",
        "Hà Nam", "Nam Định", "Quảng Bình", "Quảng Nam", "Kon Tum", "Bình Định", "Phú Yên", "Ninh Thuận", "Bình Thuận",
        "Đắk Nông", "Bình Phước", "Bình Dương", "Bà Rịa - Vũng Tàu", "Long An", "Bến Tre", "Trà Vinh", "Tiền Giang",
        "Sóc Trăng", "Hậu Giang", "Bạc Liêu", "Kiên Giang");
    assertTrue(hints.containsAll(former), "a recogniser is told the former provinces");
    assertTrue(hints.containsAll(shipped.byCode().values()), "and today's units");
    assertTrue(hints.containsAll(Set.of("Sài Gòn", "Vũng Tàu", "Đà Lạt")), "and the names as people say them");
    assertFalse(hints.contains("HCM") || hints.contains("tphcm") || hints.contains("SG"), "not short forms for the eye");
  }

  @Test
  void normalisingDropsDiacriticsCaseSpacesPunctuationAndLeadingWords() {
    assertEquals("caobang", Places.key("Tỉnh Cao Bằng"));
    assertEquals("caobang", Places.key("CAO  BANG!"));
    assertEquals("daknong", Places.key("em ở Đắk Nông ạ"));
    assertEquals("hochiminh", Places.key("Thành phố Hồ Chí Minh"));
    assertEquals("hcm", Places.key("tp. HCM"));
    assertEquals("79", Places.key("７９"));
    assertEquals("tp", Places.key("tp"), "a leading word alone is kept: it is then no place");
  }

  @Test
  void oneEditIsALetterWrongMissingExtraOrTwoSwapped() {
    assertTrue(Places.oneEditApart("caobang", "caobnag"));
    assertTrue(Places.oneEditApart("caobang", "caobag"));
    assertTrue(Places.oneEditApart("caobang", "caobangg"));
    assertTrue(Places.oneEditApart("caobang", "caoband"));
    assertFalse(Places.oneEditApart("caobang", "caobn"));
    assertFalse(Places.oneEditApart("hanam", "hanoi"));
  }

  @Test
  void aDeploymentAddsLocalNamesAndFormerProvinces() throws Exception {
    var places = write(UNITS + """
        names:
          "01": [Thủ đô, Hà Lội]
        former:
          "67": { name: Đắk Nông, today: "68", names: [Gia Nghĩa] }
          "68": { name: Lâm Đồng, today: "68", names: [Đà Lạt] }
        """).places();
    assertEquals(Optional.of(new Vocabulary.Meaning("01", "Hà Nội", null)), places.read("ha loi"));
    assertEquals(Optional.of(new Vocabulary.Meaning("68", "Đắk Nông", "Đắk Nông")), places.read("gia nghia"));
    assertEquals(Optional.of(new Vocabulary.Meaning("68", "Đắk Nông", "Đắk Nông")), places.read("67"));
    assertEquals(Optional.of(new Vocabulary.Meaning("68", "Lâm Đồng", null)), places.read("68"), "today's code");
    assertEquals(Optional.of(new Vocabulary.Meaning("68", "Lâm Đồng", null)), places.read("da lat"),
        "a former province of today's name is today's unit");
    assertEquals(Optional.empty(), places.read("cao bang"), "not in this deployment's list");
  }

  @Test
  void aFileWithoutNamesStillReadsAsBefore() throws Exception {
    var places = write(UNITS).places();
    assertEquals("01", places.read("ha noi").orElseThrow().value());
    assertEquals(Optional.empty(), places.read("67"));
  }

  @Test
  void aBrokenNamesFileStopsStartupNamingTheFileAndTheEntry() throws Exception {
    var p = dir.resolve("provinces.yaml");
    var e = refused(UNITS + "former:\n  \"67\": { name: Đắk Nông, today: \"99\" }\n");
    assertEquals(p + ": former.67 (Đắk Nông): today: '99' is not a province code of 'provinces:'", e.getMessage());

    e = refused(UNITS + "names:\n  \"01\": [DN]\n  \"68\": [D.N.]\n");
    assertEquals(p + ": names.68 'D.N.' reads as names.01 'DN' (\"dn\"), which is 01, not 68: one name, two places",
        e.getMessage());

    e = refused(UNITS + "former:\n  \"6x\": { name: Đắk Nông, today: \"68\" }\n");
    assertEquals(p + ": former.6x: a former code must be digits (callers key it in)", e.getMessage());

    e = refused(UNITS + "former:\n  \"01\": { name: Bình Thuận, today: \"68\" }\n");
    assertEquals(p + ": former.01 (Bình Thuận): former code 01 is today's code of Hà Nội, not of Lâm Đồng (a former"
        + " code that is a code of today must name that unit)", e.getMessage());

    e = refused(UNITS + "former:\n  \"67\": { today: \"68\" }\n");
    assertEquals(p + ": former.67: has no name", e.getMessage());

    e = refused(UNITS + "former:\n  \"67\": { name: Đắk Nông }\n");
    assertTrue(e.getMessage().startsWith(p + ": former.67 (Đắk Nông): has no 'today:'"), e.getMessage());

    e = refused(UNITS + "names:\n  \"79\": [HCM]\n");
    assertEquals(p + ": names.79: '79' is not a province code of 'provinces:'", e.getMessage());

    e = refused(UNITS + "names:\n  \"01\": [\"01\"]\n");
    assertEquals(p + ": names.01 '01': a name needs letters (codes are given as keys)", e.getMessage());
  }

  @Test
  void twoFormerProvincesOfOneNameInTwoUnitsAreRefused() throws Exception {
    var e = refused(UNITS + """
        former:
          "67": { name: Đắk Nông, today: "68" }
          "03": { name: Dak Nong, today: "01" }
        """);
    assertTrue(e.getMessage().contains("former.03 (Dak Nong) 'Dak Nong' reads as former.67 (Đắk Nông) 'Đắk Nông'"),
        e.getMessage());
  }

  @Test
  void everyNameOfTheShippedFileReadsAsItsOwnUnit() {
    var shipped = Provinces.load(null);
    var wrong = shipped.places().hints().stream()
        .filter(h -> shipped.places().read(h).isEmpty())
        .collect(Collectors.toList());
    assertEquals(java.util.List.of(), wrong, "names that do not read as a place");
  }
}
