package vn.hotline.gateway.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a counsellor completes about a report (the contact form): the corrected codes, the risk, the outcome of
 * the contact and the referral. Values are the words the form and the webhook use ({@link #RISK_LEVELS} ...).
 * {@code district}, {@code notes} and the referral's {@code reason} are free text a counsellor writes: personal
 * data, sealed at rest, never logged, and sent only to agencies that receive the caller's own words
 * (description). {@link #validated} checks a form as it came and gives the assessment to store.
 *
 * @param category a category of the taxonomy (required)
 * @param subcategory one of that category's subcategories, or null
 * @param riskLevel low, medium, high or immediate (required)
 * @param ageBand the child's age band (required; "unknown" when not known)
 * @param sex female, male, other, unknown, or null when not asked
 * @param province a province code of the province list, or null
 * @param district free text, or null
 * @param notes case notes, free text, or null
 * @param outcome advice_given, referred, needs_follow_up, silent_prank or abusive (required)
 * @param referral the agencies the report goes to (routing file ids) and why
 */
public record Assessment(String category, String subcategory, String riskLevel, String ageBand, String sex,
    String province, String district, String notes, String outcome, Referral referral) {

  public static final List<String> RISK_LEVELS = List.of("low", "medium", "high", "immediate");
  public static final List<String> AGE_BANDS = List.of("0-6", "7-9", "10-12", "13-15", "16-17", "unknown");
  public static final List<String> SEXES = List.of("female", "male", "other", "unknown");
  public static final List<String> OUTCOMES = List.of("advice_given", "referred", "needs_follow_up", "silent_prank",
      "abusive");
  /** The outcome that says the report was passed on: it needs at least one agency. */
  public static final String REFERRED = "referred";
  static final int DISTRICT_MAX = 200;
  static final int NOTES_MAX = 20_000;
  static final int REASON_MAX = 2_000;

  /** The agencies a report is referred to, in the order given, and the counsellor's reason (free text, or null). */
  public record Referral(List<String> agencies, String reason) {
    public Referral {
      agencies = agencies == null ? List.of() : List.copyOf(agencies);
    }

    @Override
    public String toString() {
      return "Referral" + agencies; // never the reason
    }
  }

  /** What was wrong with a form, by the field's name as the form and the webhook spell it. */
  public static final class Invalid extends RuntimeException {
    private final String field;

    public Invalid(String field, String problem) {
      super(field + ": " + problem, null, false, false);
      this.field = field;
    }

    /** The field at fault: category, subcategory, risk_level, age_band, sex, province, district, notes,
     * outcome, referral.agencies, referral.reason (or operator_id, reference for the service's own checks). */
    public String field() {
      return field;
    }
  }

  /**
   * This form, checked and tidied: codes must be known (categories and subcategories of {@code taxonomy},
   * provinces of {@code provinces}, agencies of {@code agencies}); blank optional values become null, free text
   * is trimmed and capped, an agency listed twice counts once. A referred outcome needs an agency.
   *
   * @throws Invalid naming the first field at fault
   */
  public Assessment validated(Taxonomy taxonomy, Provinces provinces, Set<String> agencies) {
    var cat = blankToNull(category);
    if (cat == null) {
      throw new Invalid("category", "is required");
    }
    if (!taxonomy.hasCategory(cat)) {
      throw new Invalid("category", "'" + cat + "' is not in the taxonomy");
    }
    var sub = blankToNull(subcategory);
    if (sub != null && !taxonomy.subcategoriesByCategory().get(cat).contains(sub)) {
      throw new Invalid("subcategory", "'" + sub + "' is not a subcategory of " + cat);
    }
    var risk = oneOf("risk_level", riskLevel, RISK_LEVELS, true);
    var age = oneOf("age_band", ageBand, AGE_BANDS, true);
    var sx = oneOf("sex", sex, SEXES, false);
    var prov = blankToNull(province);
    if (prov != null && !provinces.byCode().containsKey(prov)) {
      throw new Invalid("province", "'" + prov + "' is not a province code of the province list");
    }
    var out = oneOf("outcome", outcome, OUTCOMES, true);
    var targets = new LinkedHashSet<String>();
    for (var a : referral == null ? List.<String>of() : referral.agencies()) {
      var id = blankToNull(a);
      if (id == null || !agencies.contains(id)) {
        throw new Invalid("referral.agencies", "'" + (a == null ? "" : a) + "' is not an agency of the routing"
            + " (agencies: " + String.join(", ", agencies.stream().sorted().toList()) + ")");
      }
      targets.add(id);
    }
    if (REFERRED.equals(out) && targets.isEmpty()) {
      throw new Invalid("referral.agencies", "an outcome of referred needs at least one agency");
    }
    return new Assessment(cat, sub, risk, age, sx, prov, text("district", district, DISTRICT_MAX),
        text("notes", notes, NOTES_MAX), out,
        new Referral(new ArrayList<>(targets), text("referral.reason", referral == null ? null : referral.reason(),
            REASON_MAX)));
  }

  private static String oneOf(String field, String value, List<String> allowed, boolean required) {
    var v = blankToNull(value);
    if (v == null) {
      if (required) {
        throw new Invalid(field, "is required (one of " + String.join(", ", allowed) + ")");
      }
      return null;
    }
    if (!allowed.contains(v)) {
      // a code, not free text: quoting it tells the page what it sent wrong and says nothing about the child
      throw new Invalid(field, "must be one of " + String.join(", ", allowed) + ", not '" + abbreviated(v) + "'");
    }
    return v;
  }

  /** Free text: trimmed, null when blank, refused when longer than {@code max} or carrying control characters. */
  private static String text(String field, String value, int max) {
    var v = blankToNull(value);
    if (v == null) {
      return null;
    }
    if (v.length() > max) {
      throw new Invalid(field, "is longer than " + max + " characters");
    }
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (Character.isISOControl(ch) && ch != '\n' && ch != '\r' && ch != '\t') {
        throw new Invalid(field, "contains a control character"); // never the text itself
      }
    }
    return v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static String abbreviated(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  @Override
  public String toString() {
    // never the free text
    return "Assessment[" + category + "/" + subcategory + " risk=" + riskLevel + " outcome=" + outcome + " " + referral + "]";
  }
}
