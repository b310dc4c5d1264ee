package vn.hotline.gateway.webform;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import vn.hotline.gateway.report.Assessment;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.report.Urls;

/**
 * The form's fields as sent, checked into a {@link WebReport} or into the problems the page shows next to the
 * fields (message keys of webform/messages_*.properties, in the reader's language). What a person typed is kept
 * as it was, so the page can show it again to be corrected.
 */
final class WebForm {
  static final int DESCRIPTION_MAX = 5000;
  static final int LINKS_MAX = 10;
  static final int LINK_MAX = Urls.MAX_LENGTH;
  static final int NAME_MAX = 100;
  static final int EMAIL_MAX = 254;
  /** Every field the form has (what is kept to show again), besides the token, the honeypot and the proof. */
  static final List<String> FIELDS = List.of("category", "urgent", "links", "description", "age_band", "province",
      "contact_name", "contact_phone", "contact_email", "consent");

  private static final Pattern LINK = Pattern.compile("(?i)(https?://)?[^\\s/?#]+\\.[^\\s/?#]+([/?#]\\S*)?");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 .()-]{6,22}");
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+\\.[^\\s@]+");

  /** One problem with what was sent: the field it is about, the message key, its arguments. */
  record Problem(String field, String key, List<Object> args) {}

  /** The outcome of {@link #check}: a report, or what to correct. */
  sealed interface Checked {}

  record Ok(WebReport report) implements Checked {}

  record Invalid(List<Problem> problems) implements Checked {}

  private final Taxonomy taxonomy;
  private final Provinces provinces;

  WebForm(Taxonomy taxonomy, Provinces provinces) {
    this.taxonomy = taxonomy;
    this.provinces = provinces;
  }

  Checked check(Map<String, String> sent, String language) {
    var problems = new ArrayList<Problem>();
    var category = value(sent, "category");
    if (category.isEmpty()) {
      problems.add(new Problem("category", "error.category_missing", List.of()));
    } else if (!taxonomy.hasCategory(category)) {
      problems.add(new Problem("category", "error.category_unknown", List.of()));
    }
    var urls = new LinkedHashSet<String>();
    int line = 0;
    for (var l : value(sent, "links").split("\\R")) {
      line++;
      var link = l.strip();
      if (link.isEmpty()) {
        continue;
      }
      if (link.length() > LINK_MAX) {
        problems.add(new Problem("links", "error.link_long", List.of(line, LINK_MAX)));
      } else if (!LINK.matcher(link).matches() || !webLink(link)) {
        problems.add(new Problem("links", "error.link_bad", List.of(line)));
      } else {
        urls.add(link);
      }
    }
    if (urls.size() > LINKS_MAX) {
      problems.add(new Problem("links", "error.links_many", List.of(LINKS_MAX)));
    }
    var description = value(sent, "description");
    if (description.length() > DESCRIPTION_MAX) {
      problems.add(new Problem("description", "error.description_long", List.of(DESCRIPTION_MAX, description.length())));
    }
    if (description.isEmpty() && urls.isEmpty() && !problems.stream().anyMatch(p -> p.field().equals("links"))) {
      problems.add(new Problem("description", "error.nothing_said", List.of()));
    }
    var age = value(sent, "age_band");
    if (age.isEmpty()) {
      age = "unknown";
    } else if (!Assessment.AGE_BANDS.contains(age)) {
      problems.add(new Problem("age_band", "error.age_unknown", List.of()));
    }
    var province = value(sent, "province");
    if (!province.isEmpty() && !provinces.byCode().containsKey(province)) {
      problems.add(new Problem("province", "error.province_unknown", List.of()));
    }
    var name = value(sent, "contact_name");
    var phone = value(sent, "contact_phone");
    var email = value(sent, "contact_email");
    if (name.length() > NAME_MAX) {
      problems.add(new Problem("contact_name", "error.name_long", List.of(NAME_MAX)));
    }
    if (!phone.isEmpty() && !PHONE.matcher(phone).matches()) {
      problems.add(new Problem("contact_phone", "error.phone_bad", List.of()));
    }
    if (!email.isEmpty() && (email.length() > EMAIL_MAX || !EMAIL.matcher(email).matches())) {
      problems.add(new Problem("contact_email", "error.email_bad", List.of()));
    }
    boolean consent = "yes".equals(value(sent, "consent"));
    boolean gaveContact = !name.isEmpty() || !phone.isEmpty() || !email.isEmpty();
    if (gaveContact && !consent) {
      problems.add(new Problem("consent", "error.consent_needed", List.of()));
    }
    if (consent && phone.isEmpty() && email.isEmpty()) {
      problems.add(new Problem("contact_phone", "error.contact_missing", List.of()));
    }
    if (!problems.isEmpty()) {
      return new Invalid(List.copyOf(problems));
    }
    var contact = consent ? new WebReport.Contact(name, phone, email) : null;
    return new Ok(new WebReport(category, List.copyOf(urls), description, age, province.isEmpty() ? null : province,
        "yes".equals(value(sent, "urgent")), contact, language));
  }

  /** Whether the intake takes it as a web link (http or https, a host; report.Urls.normalise). */
  private static boolean webLink(String link) {
    try {
      Urls.normalise(link);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A field as sent, trimmed ("" when absent); line breaks are kept as the browser sent them. */
  static String value(Map<String, String> sent, String name) {
    var v = sent.get(name);
    return v == null ? "" : v.strip();
  }
}
