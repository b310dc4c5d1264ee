package vn.hotline.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import vn.hotline.gateway.flow.Vocabulary;

/**
 * Places as children text and say them, read with the shipped config/provinces.yaml: each line of
 * places/as-children-write.tsv is what was written, the unit of today it names (its code; empty: no place, so the
 * question is asked again) and the former province the report carries (empty: none). The expected units are those
 * of ../shared/CONTEXT.md's table of the 2025 merger, not read from the file under test.
 */
class PlacesTableTest {
  static final Places PLACES = Provinces.load(null).places();

  @ParameterizedTest(name = "[{index}] {3}: \"{0}\" -> {1} {2}")
  @CsvFileSource(resources = "/places/as-children-write.tsv", delimiter = '\t', quoteCharacter = '\u0000',
      ignoreLeadingAndTrailingWhitespace = false)
  void isUnderstoodAsTheChildMeantIt(String written, String unit, String former, String why) {
    var read = PLACES.read(written);
    assertEquals(unit, read.map(Vocabulary.Meaning::value).orElse(null), "unit of today for \"" + written + "\"");
    assertEquals(former, read.map(Vocabulary.Meaning::former).orElse(null), "former province for \"" + written + "\"");
  }
}
