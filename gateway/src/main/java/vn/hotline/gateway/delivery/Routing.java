package vn.hotline.gateway.delivery;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.report.Report;

/**
 * Which agencies receive a report: every matching rule adds its agencies (once each); a report no rule matches
 * goes to the default inbox. Built and checked at startup by {@link RoutingLoader}.
 */
public record Routing(Map<String, Agency> agencies, List<Rule> rules, String defaultInbox) {
  /** Optional report fields an agency may be given; the core ones always go. */
  public static final Set<String> OPTIONAL_FIELDS = Set.of("subcategory", "about", "age_band", "province", "outcome",
      "harmful_content_urls", "description", "recording", "consent", "caller_pseudonym", "flow_path", "routing",
      "assessment", "reporter_contact");

  public Routing {
    agencies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(agencies));
    rules = List.copyOf(rules);
  }

  /**
   * An agency inbox: where, how signed, what it may see; {@code freeTextDays} is how long the gateway keeps a
   * report's free text for it after delivery (null: retention.free_text_days).
   */
  public record Agency(String id, String name, URI webhookUrl, List<String> secrets, boolean enabled, Set<String> fields,
      int maxConcurrency, Integer freeTextDays) {
    @Override
    public String toString() {
      return "Agency[" + id + " " + webhookUrl + "]"; // never the secrets
    }
  }

  /**
   * How a rule's reports go out: {@code AUTO} at once (the default, and what immediate danger keeps), or
   * {@code COUNSELLOR}: held until a counsellor completes the report, or until the rule's review time is up, when
   * they go out flagged as not reviewed.
   */
  public enum Review {
    AUTO("auto"), COUNSELLOR("counsellor");

    private final String word;

    Review(String word) {
      this.word = word;
    }

    /** As the routing file spells it. */
    public String word() {
      return word;
    }

    /** The review of this word, or null when it is none. */
    public static Review find(String word) {
      for (var r : values()) {
        if (r.word.equals(word)) {
          return r;
        }
      }
      return null;
    }
  }

  /** The longest review time a rule may give, in minutes (a day: no report waits longer for a person). */
  public static final int MAX_REVIEW_MINUTES = 1440;

  /**
   * A rule; a null or empty condition matches anything. {@code reviewWithinMinutes} is set (1 to
   * {@link #MAX_REVIEW_MINUTES}) exactly when {@code review} is {@link Review#COUNSELLOR}.
   */
  public record Rule(String name, Set<String> categories, Set<String> subcategories, Set<String> provinces,
      Boolean urgent, Set<Channel> channels, List<String> agencies, Review review, Integer reviewWithinMinutes) {
    public Rule {
      review = review == null ? Review.AUTO : review;
    }

    /** An auto rule (sent at once). */
    public Rule(String name, Set<String> categories, Set<String> subcategories, Set<String> provinces,
        Boolean urgent, Set<Channel> channels, List<String> agencies) {
      this(name, categories, subcategories, provinces, urgent, channels, agencies, Review.AUTO, null);
    }

    boolean matches(Report r) {
      return in(categories, r.category()) && in(subcategories, r.subcategory()) && in(provinces, r.province())
          && (urgent == null || urgent == r.urgent()) && in(channels, r.channel());
    }

    private static <T> boolean in(Set<T> allowed, T value) {
      return allowed.isEmpty() || (value != null && allowed.contains(value));
    }
  }

  /** The agencies that set their own free-text retention, in days. */
  public Map<String, Integer> freeTextDays() {
    var out = new LinkedHashMap<String, Integer>();
    agencies.values().stream().filter(a -> a.freeTextDays() != null).forEach(a -> out.put(a.id(), a.freeTextDays()));
    return out;
  }

  /**
   * One agency a report goes to, and the rule that sent it there; {@code reviewWithinMinutes} is null when it
   * goes at once, else how long the delivery waits for a counsellor.
   */
  public record Target(String agencyId, String rule, Integer reviewWithinMinutes) {
    public Target(String agencyId, String rule) {
      this(agencyId, rule, null);
    }

    /** Held for a counsellor's review. */
    public boolean held() {
      return reviewWithinMinutes != null;
    }
  }

  /**
   * The agencies a report goes to, each once. An agency that an auto rule names gets it at once, whatever a
   * counsellor rule says (immediate danger is never held); one that only counsellor rules name waits for the
   * first of them that matched. A report no rule matches goes to the default inbox, at once.
   */
  public List<Target> route(Report r) {
    var out = new LinkedHashMap<String, Target>();
    for (var rule : rules) {
      if (rule.matches(r)) {
        var minutes = rule.review() == Review.COUNSELLOR ? rule.reviewWithinMinutes() : null;
        rule.agencies().forEach(a -> {
          var before = out.get(a);
          if (before == null || (before.held() && minutes == null)) {
            out.put(a, new Target(a, rule.name(), minutes));
          }
        });
      }
    }
    if (out.isEmpty()) {
      out.put(defaultInbox, new Target(defaultInbox, "default"));
    }
    return new ArrayList<>(out.values());
  }


  public Agency agency(String id) {
    return agencies.get(id);
  }
}
