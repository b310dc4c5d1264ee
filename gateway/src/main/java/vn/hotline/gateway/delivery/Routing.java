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
      "harmful_content_urls", "description", "recording", "consent", "caller_pseudonym", "flow_path", "routing");

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

  /** A rule; a null or empty condition matches anything. */
  public record Rule(String name, Set<String> categories, Set<String> subcategories, Set<String> provinces,
      Boolean urgent, Set<Channel> channels, List<String> agencies) {
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

  /** One agency a report goes to, and the rule that sent it there. */
  public record Target(String agencyId, String rule) {}

  public List<Target> route(Report r) {
    var out = new LinkedHashMap<String, Target>();
    for (var rule : rules) {
      if (rule.matches(r)) {
        rule.agencies().forEach(a -> out.putIfAbsent(a, new Target(a, rule.name())));
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
