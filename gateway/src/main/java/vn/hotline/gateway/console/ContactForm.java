package vn.hotline.gateway.console;

import io.vertx.core.MultiMap;
import java.text.Collator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.report.Assessment;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CardRepository;

/**
 * The contact form on a card, as shown: pre-filled from the latest assessment or the caller's answers, or as the
 * counsellor typed it when it comes back with a field marked ({@code errorField}, the form's name of the field).
 * Field names are those of {@link Assessment} and the webhook: category, subcategory, risk_level, age_band, sex,
 * province, district, notes, outcome, agencies (the referral's), reason (the referral's).
 *
 * @param basedOn the report's version the form was shown at (a form of an older version is not saved over a newer one)
 */
public record ContactForm(String category, String subcategory, String riskLevel, String ageBand, String sex,
    String province, String district, String notes, String outcome, List<String> agencies, String reason,
    int basedOn, String errorField) {

  public ContactForm {
    agencies = agencies == null ? List.of() : List.copyOf(agencies);
  }

  /** A choice of a select or a checkbox: the value sent, the label read. */
  public record Choice(String value, String label) {}

  /** The subcategories of one category, an optgroup of the select (the console's script shows the chosen one's). */
  public record Group(String category, String label, List<Choice> choices) {}

  /** Every choice the form offers, in one language. */
  public record Options(List<Choice> categories, List<Group> subcategories, List<Choice> riskLevels,
      List<Choice> ageBands, List<Choice> sexes, List<Choice> provinces, List<Choice> outcomes, List<Choice> agencies) {

    static Options of(Taxonomy taxonomy, Provinces provinces, Routing routing, Messages.Bundle words) {
      var lang = ContactCard.taxonomyLanguage(words.lang());
      var collator = Collator.getInstance(Locale.forLanguageTag(words.lang()));
      Comparator<Choice> byLabel = (a, b) -> collator.compare(a.label(), b.label());
      // "other" goes last, whatever it is called
      Comparator<Choice> order = Comparator.comparing((Choice c) -> c.value().equals("other")).thenComparing(byLabel);
      var categories = new ArrayList<Choice>();
      var groups = new ArrayList<Group>();
      for (var e : taxonomy.subcategoriesByCategory().entrySet()) {
        categories.add(new Choice(e.getKey(), ContactCard.label(taxonomy, e.getKey(), lang)));
      }
      categories.sort(order);
      for (var c : categories) {
        var subs = new ArrayList<Choice>();
        for (var s : taxonomy.subcategoriesByCategory().get(c.value())) {
          subs.add(new Choice(s, ContactCard.label(taxonomy, s, lang)));
        }
        if (!subs.isEmpty()) {
          subs.sort(order);
          groups.add(new Group(c.value(), c.label(), List.copyOf(subs)));
        }
      }
      var places = new ArrayList<Choice>();
      provinces.byCode().forEach((code, name) -> places.add(new Choice(code, name)));
      places.sort(byLabel);
      var agencies = new ArrayList<Choice>();
      for (var a : routing.agencies().values()) {
        agencies.add(new Choice(a.id(), ContactCard.agencyName(routing, a.id())));
      }
      return new Options(List.copyOf(categories), List.copyOf(groups), words(words, "risk.", Assessment.RISK_LEVELS),
          words(words, "age.", Assessment.AGE_BANDS), words(words, "sex.", Assessment.SEXES), List.copyOf(places),
          words(words, "assessment.outcome.", Assessment.OUTCOMES), List.copyOf(agencies));
    }

    private static List<Choice> words(Messages.Bundle words, String prefix, List<String> values) {
      return values.stream().map(v -> new Choice(v, ContactCard.word(words, prefix, v))).toList();
    }
  }

  /** The form of a report nobody has completed yet: the caller's answers, the routing's agencies. */
  static ContactForm fromReport(CardRepository.ReportLine r, List<String> referral, int version) {
    return new ContactForm(r.category(), r.subcategory(), r.urgent() ? "immediate" : null, r.ageBand(), null,
        r.province(), null, null, null, referral, null, version, null);
  }

  /** The form of a report already completed: its latest assessment, to amend. */
  static ContactForm fromAssessment(Assessment a, int version) {
    return new ContactForm(a.category(), a.subcategory(), a.riskLevel(), a.ageBand(), a.sex(), a.province(),
        a.district(), a.notes(), a.outcome(), a.referral().agencies(), a.referral().reason(), version, null);
  }

  /** The form as it was posted (nothing checked yet: {@link Assessment#validated} does that). */
  static ContactForm fromRequest(MultiMap form) {
    int based;
    try {
      based = Integer.parseInt(String.valueOf(form.get("based_on")).strip());
    } catch (NumberFormatException e) {
      based = -1;
    }
    var agencies = new ArrayList<String>();
    for (var a : form.getAll("agencies")) {
      if (a != null && !a.isBlank()) {
        agencies.add(a.strip());
      }
    }
    return new ContactForm(form.get("category"), form.get("subcategory"), form.get("risk_level"), form.get("age_band"),
        form.get("sex"), form.get("province"), form.get("district"), form.get("notes"), form.get("outcome"),
        agencies, form.get("reason"), based, null);
  }

  /** What the form asks Casework to store. */
  Assessment assessment() {
    return new Assessment(category, subcategory, riskLevel, ageBand, sex, province, district, notes, outcome,
        new Assessment.Referral(agencies, reason));
  }

  /** The same form with {@code field} of {@link Assessment.Invalid} marked (named as the form names it). */
  ContactForm marked(String assessmentField) {
    var field = switch (assessmentField) {
      case "referral.agencies" -> "agencies";
      case "referral.reason" -> "reason";
      default -> assessmentField;
    };
    return new ContactForm(category, subcategory, riskLevel, ageBand, sex, province, district, notes, outcome, agencies,
        reason, basedOn, field);
  }

  /** The same form, to be saved over version {@code version}. */
  ContactForm basedOn(int version) {
    return new ContactForm(category, subcategory, riskLevel, ageBand, sex, province, district, notes, outcome, agencies,
        reason, version, errorField);
  }

  public boolean invalid(String field) {
    return field.equals(errorField);
  }

  public boolean is(String field, String value) {
    var v = switch (field) {
      case "category" -> category;
      case "subcategory" -> subcategory;
      case "risk_level" -> riskLevel;
      case "age_band" -> ageBand;
      case "sex" -> sex;
      case "province" -> province;
      case "outcome" -> outcome;
      default -> null;
    };
    return v != null && v.strip().equals(value);
  }

  public boolean referred(String agency) {
    return agencies.contains(agency);
  }

  /** Text for a field, never null (templates put it in a value or a textarea). */
  public String text(String value) {
    return value == null ? "" : value;
  }

  @Override
  public String toString() {
    return "ContactForm[" + category + "/" + subcategory + " risk=" + riskLevel + " outcome=" + outcome + " "
        + agencies + " error=" + errorField + "]"; // never the free text
  }
}
