package vn.hotline.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contact form's rules: what a counsellor may submit, and how the refusal names the field. */
class AssessmentTest {
  static final Taxonomy TAXONOMY = Taxonomy.load(null);
  static final Provinces PROVINCES = Provinces.load(null);
  static final Set<String> AGENCIES = Set.of("child-protection", "police-cyber", "education");

  static Assessment form(String category, String subcategory, String risk, String age, String sex, String province,
      String outcome, String... agencies) {
    return new Assessment(category, subcategory, risk, age, sex, province, "  Phường 5  ", "\n ghi chú \n", outcome,
        new Assessment.Referral(Arrays.asList(agencies), " lý do "));
  }

  static String field(Assessment a) {
    return assertThrows(Assessment.Invalid.class, () -> a.validated(TAXONOMY, PROVINCES, AGENCIES)).field();
  }

  @Test
  void aCompleteFormIsTidiedAndKept() {
    var a = form(" sexual_violence ", "sexual_abuse", "immediate", "10-12", "female", "79", "referred",
        "child-protection", "police-cyber", "child-protection").validated(TAXONOMY, PROVINCES, AGENCIES);
    assertEquals("sexual_violence", a.category());
    assertEquals("sexual_abuse", a.subcategory());
    assertEquals("immediate", a.riskLevel());
    assertEquals("Phường 5", a.district());
    assertEquals("ghi chú", a.notes());
    assertEquals(List.of("child-protection", "police-cyber"), a.referral().agencies(), "once each, in the order given");
    assertEquals("lý do", a.referral().reason());
    assertFalse(a.toString().contains("ghi chú"), "never the free text: " + a);
    assertFalse(a.toString().contains("Phường"), a.toString());
  }

  @Test
  void optionalValuesMayBeLeftOut() {
    var a = new Assessment("other", " ", "low", "unknown", "", null, " ", null, "silent_prank", null)
        .validated(TAXONOMY, PROVINCES, AGENCIES);
    assertNull(a.subcategory());
    assertNull(a.sex());
    assertNull(a.province());
    assertNull(a.district());
    assertNull(a.notes());
    assertEquals(List.of(), a.referral().agencies(), "a silent call goes nowhere");
    assertNull(a.referral().reason());
  }

  @Test
  void eachWrongValueIsRefusedNamingItsField() {
    assertEquals("category", field(form(null, null, "low", "0-6", null, null, "advice_given")));
    assertEquals("category", field(form("cyber", null, "low", "0-6", null, null, "advice_given")));
    assertEquals("subcategory", field(form("bullying", "sextortion", "low", "0-6", null, null, "advice_given")),
        "a subcategory of another category");
    assertEquals("subcategory", field(form("bullying", "pushing", "low", "0-6", null, null, "advice_given")));
    assertEquals("risk_level", field(form("bullying", null, null, "0-6", null, null, "advice_given")));
    assertEquals("risk_level", field(form("bullying", null, "severe", "0-6", null, null, "advice_given")));
    assertEquals("age_band", field(form("bullying", null, "low", "11", null, null, "advice_given")));
    assertEquals("age_band", field(form("bullying", null, "low", null, null, null, "advice_given")));
    assertEquals("sex", field(form("bullying", null, "low", "0-6", "f", null, "advice_given")));
    assertEquals("province", field(form("bullying", null, "low", "0-6", null, "99", "advice_given")));
    assertEquals("outcome", field(form("bullying", null, "low", "0-6", null, null, null)));
    assertEquals("outcome", field(form("bullying", null, "low", "0-6", null, null, "closed")));
    assertEquals("referral.agencies", field(form("bullying", null, "low", "0-6", null, null, "referred")),
        "referred to nobody");
    assertEquals("referral.agencies", field(form("bullying", null, "low", "0-6", null, null, "advice_given", "police-hanoi")));
    assertEquals("referral.agencies", field(form("bullying", null, "low", "0-6", null, null, "advice_given", " ")));
    var longNotes = new Assessment("other", null, "low", "0-6", null, null, null, "x".repeat(20_001), "advice_given", null);
    assertEquals("notes", field(longNotes));
    var control = new Assessment("other", null, "low", "0-6", null, null, "Quận\u00001", null, "advice_given", null);
    assertEquals("district", field(control));
    var reason = new Assessment("other", null, "low", "0-6", null, null, null, null, "advice_given",
        new Assessment.Referral(List.of(), "y".repeat(2_001)));
    assertEquals("referral.reason", field(reason));
  }

  @Test
  void aRefusalNeverQuotesFreeText() {
    var secret = "Em tên Lan, nhà ở hẻm 12";
    var e = assertThrows(Assessment.Invalid.class, () -> new Assessment("other", null, "low", "0-6", null, null,
        secret + "\u0007", null, "advice_given", null).validated(TAXONOMY, PROVINCES, AGENCIES));
    assertFalse(e.getMessage().contains("Lan"), e.getMessage());
    assertTrue(e.getMessage().startsWith("district: "), e.getMessage());
  }
}
