package vn.hotline.gateway.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.util.Json;

/**
 * Loads the routing: one inbox from inbox.url, or the rules file (routing_file, or the shipped example). Every
 * reference is checked at startup (agencies, categories, provinces, channels, URLs, secrets) and a problem stops
 * startup with the file and the entry named. ${VAR} and ${VAR:-default} are read from the environment.
 */
public final class RoutingLoader {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::-([^}]*))?}");
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Set<String> CHANNELS = Channel.words();
  static final String INBOX = "inbox";

  private RoutingLoader() {}

  public static Routing load(GatewayConfig cfg, Taxonomy taxonomy, Provinces provinces, Map<String, String> env) {
    boolean prod = cfg.mode() == GatewayConfig.Mode.PRODUCTION;
    if (cfg.inbox().configured()) {
      var secrets = cfg.inbox().secrets().isEmpty() ? List.of(cfg.devWebhookSecret()) : cfg.inbox().secrets();
      var agency = new Routing.Agency(INBOX, "Inbox", URI.create(cfg.inbox().url()), secrets, true,
          Routing.OPTIONAL_FIELDS, 4, null);
      return new Routing(Map.of(INBOX, agency), List.of(), INBOX);
    }
    var file = cfg.routingFile();
    String where = file == null ? "config/routing.yaml (built in)" : file.toString();
    JsonNode root;
    try (InputStream in = file == null ? RoutingLoader.class.getResourceAsStream("/defaults/routing.yaml")
        : Files.newInputStream(file)) {
      if (in == null) {
        throw new ConfigException("routing.yaml missing from the build");
      }
      root = Json.YAML.readTree(in);
    } catch (IOException e) {
      var at = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
          ? " at line " + j.getLocation().getLineNr() : "";
      throw new ConfigException(where + ": cannot read the routing" + at + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("")));
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(where + ": expected default_inbox, agencies and rules");
    }
    allowOnly(root, where, Set.of("default_inbox", "agencies", "rules"));
    var agencies = new LinkedHashMap<String, Routing.Agency>();
    var agencyNodes = root.path("agencies");
    if (!agencyNodes.isObject() || agencyNodes.isEmpty()) {
      throw new ConfigException(where + ": 'agencies' must map agency ids to their inboxes");
    }
    for (var it = agencyNodes.fields(); it.hasNext(); ) {
      var e = it.next();
      var id = e.getKey();
      var w = where + ": agency '" + id + "'";
      if (!ID.matcher(id).matches()) {
        throw new ConfigException(w + ": ids are lower-case letters, digits, - or _");
      }
      var n = e.getValue();
      allowOnly(n, w, Set.of("name", "webhook_url", "secrets", "enabled", "fields", "max_concurrency",
          "free_text_days"));
      var url = text(n, "webhook_url", w, env);
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException ex) {
        throw new ConfigException(w + ": webhook_url '" + url + "' is not a URL");
      }
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException(w + ": webhook_url must be an absolute http(s) URL, not '" + url + "'");
      }
      if (prod && !"https".equals(uri.getScheme())) {
        throw new ConfigException(w + ": webhook_url must be https in production: reports are about children");
      }
      var secrets = new ArrayList<String>();
      for (var secret : interpolate(n.path("secrets").asText(""), env).split("[,\\s]+")) {
        if (secret.isBlank()) {
          continue;
        }
        try {
          WebhookSignature.key(secret);
        } catch (IllegalArgumentException ex) {
          throw new ConfigException(w + ": secrets: " + ex.getMessage()); // the message never quotes the secret
        }
        secrets.add(secret);
      }
      if (secrets.isEmpty()) {
        if (prod) {
          throw new ConfigException(w + ": needs a webhook secret (whsec_...) in production");
        }
        secrets.add(cfg.devWebhookSecret());
      }
      var fields = new LinkedHashSet<String>();
      var fieldsNode = n.path("fields");
      if (fieldsNode.isTextual() && fieldsNode.asText().equals("all")) {
        fields.addAll(Routing.OPTIONAL_FIELDS);
      } else if (fieldsNode.isArray()) {
        for (var f : fieldsNode) {
          if (!Routing.OPTIONAL_FIELDS.contains(f.asText())) {
            throw new ConfigException(w + ": unknown field '" + f.asText() + "' (known: "
                + String.join(", ", Routing.OPTIONAL_FIELDS.stream().sorted().toList()) + ")");
          }
          fields.add(f.asText());
        }
      } else if (!fieldsNode.isMissingNode()) {
        throw new ConfigException(w + ": fields must be a list or 'all'");
      }
      int max = 4;
      var maxNode = n.path("max_concurrency");
      if (!maxNode.isMissingNode() && !maxNode.isNull()) {
        // strict: asInt would read "many" as 4 and 2.5 as 2, and the file would not say what the gateway does
        if (!maxNode.isIntegralNumber() || !maxNode.canConvertToInt() || maxNode.asInt() < 1 || maxNode.asInt() > 100) {
          throw new ConfigException(w + ": max_concurrency must be a whole number from 1 to 100");
        }
        max = maxNode.asInt();
      }
      Integer freeTextDays = null;
      var days = n.path("free_text_days");
      if (!days.isMissingNode() && !days.isNull()) {
        if (!days.canConvertToInt() || !days.isIntegralNumber() || days.asInt() < 1 || days.asInt() > 3650) {
          throw new ConfigException(w + ": free_text_days must be a whole number of days from 1 to 3650");
        }
        freeTextDays = days.asInt();
      }
      agencies.put(id, new Routing.Agency(id, n.path("name").asText(id), uri, List.copyOf(secrets),
          n.path("enabled").asBoolean(true), Set.copyOf(fields), max, freeTextDays));
    }
    var defaultInbox = root.path("default_inbox").asText("");
    if (!agencies.containsKey(defaultInbox)) {
      throw new ConfigException(where + ": default_inbox '" + defaultInbox + "' is not one of the agencies "
          + agencies.keySet() + ": a report no rule matches must still go somewhere");
    }
    var rules = new ArrayList<Routing.Rule>();
    var names = new HashSet<String>();
    for (var n : root.path("rules")) {
      var name = n.path("name").asText("");
      var w = where + ": rule '" + name + "'";
      if (!ID.matcher(name).matches() || !names.add(name)) {
        throw new ConfigException(w + ": rules need unique names (lower-case letters, digits, - or _)");
      }
      allowOnly(n, w, Set.of("name", "match", "agencies", "review", "review_within_minutes"));
      var m = n.path("match");
      allowOnly(m.isMissingNode() ? Json.YAML.createObjectNode() : m, w + " match",
          Set.of("category", "subcategory", "province", "urgent", "channel"));
      var categories = list(m, "category", w);
      categories.stream().filter(c -> !taxonomy.hasCategory(c)).findFirst().ifPresent(c -> {
        throw new ConfigException(w + ": category '" + c + "' is not in the taxonomy");
      });
      var subcategories = list(m, "subcategory", w);
      subcategories.stream().filter(c -> !taxonomy.hasSubcategory(c)).findFirst().ifPresent(c -> {
        throw new ConfigException(w + ": subcategory '" + c + "' is not in the taxonomy");
      });
      var provs = list(m, "province", w);
      provs.stream().filter(p -> !provinces.byCode().containsKey(p)).findFirst().ifPresent(p -> {
        throw new ConfigException(w + ": province '" + p + "' is not in the province list");
      });
      var channelWords = list(m, "channel", w);
      channelWords.stream().filter(c -> !CHANNELS.contains(c)).findFirst().ifPresent(c -> {
        throw new ConfigException(w + ": channel '" + c + "' must be one of " + CHANNELS);
      });
      var channels = channelWords.stream().map(Channel::of).collect(java.util.stream.Collectors.toUnmodifiableSet());
      Boolean urgent = null;
      if (m.has("urgent")) {
        if (!m.get("urgent").isBoolean()) {
          throw new ConfigException(w + ": urgent must be true or false");
        }
        urgent = m.get("urgent").asBoolean();
      }
      var targets = new ArrayList<String>();
      for (var a : n.path("agencies")) {
        if (!agencies.containsKey(a.asText())) {
          throw new ConfigException(w + ": agency '" + a.asText() + "' is not defined under agencies");
        }
        targets.add(a.asText());
      }
      if (targets.isEmpty()) {
        throw new ConfigException(w + ": lists no agencies");
      }
      var review = Routing.Review.AUTO;
      var reviewNode = n.path("review");
      if (!reviewNode.isMissingNode() && !reviewNode.isNull()) {
        review = reviewNode.isTextual() ? Routing.Review.find(reviewNode.asText()) : null;
        if (review == null) {
          throw new ConfigException(w + ": review must be auto or counsellor, not '" + reviewNode.asText() + "'");
        }
      }
      Integer minutes = null;
      var minutesNode = n.path("review_within_minutes");
      boolean hasMinutes = !minutesNode.isMissingNode() && !minutesNode.isNull();
      if (review == Routing.Review.COUNSELLOR) {
        if (!hasMinutes) {
          throw new ConfigException(w + ": review: counsellor needs review_within_minutes (1 to "
              + Routing.MAX_REVIEW_MINUTES + "): a report nobody completes must still go out");
        }
        if (!minutesNode.isIntegralNumber() || !minutesNode.canConvertToInt() || minutesNode.asInt() < 1
            || minutesNode.asInt() > Routing.MAX_REVIEW_MINUTES) {
          throw new ConfigException(w + ": review_within_minutes must be a whole number of minutes from 1 to "
              + Routing.MAX_REVIEW_MINUTES + ", not '" + minutesNode.asText() + "'");
        }
        minutes = minutesNode.asInt();
      } else if (hasMinutes) {
        throw new ConfigException(w + ": review_within_minutes is only for review: counsellor (this rule's reports"
            + " go out at once)");
      }
      rules.add(new Routing.Rule(name, categories, subcategories, provs, urgent, channels, List.copyOf(targets),
          review, minutes));
    }
    return new Routing(agencies, rules, defaultInbox);
  }

  private static Set<String> list(JsonNode m, String key, String where) {
    var n = m.path(key);
    if (n.isMissingNode()) {
      return Set.of();
    }
    var out = new LinkedHashSet<String>();
    if (n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    } else if (n.isValueNode()) {
      out.add(n.asText());
    } else {
      throw new ConfigException(where + ": " + key + " must be a value or a list");
    }
    return Set.copyOf(out);
  }

  private static String text(JsonNode n, String key, String where, Map<String, String> env) {
    var v = interpolate(n.path(key).asText(""), env);
    if (v.isBlank()) {
      throw new ConfigException(where + ": '" + key + "' is missing");
    }
    return v.strip();
  }

  static String interpolate(String value, Map<String, String> env) {
    var m = VAR.matcher(value);
    var out = new StringBuilder();
    while (m.find()) {
      var v = env.get(m.group(1));
      if (v == null || v.isEmpty()) {
        v = m.group(2) == null ? "" : m.group(2);
      }
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static void allowOnly(JsonNode n, String where, Set<String> keys) {
    if (!n.isObject()) {
      throw new ConfigException(where + ": expected a mapping");
    }
    for (var it = n.fieldNames(); it.hasNext(); ) {
      var k = it.next();
      if (!keys.contains(k)) {
        throw new ConfigException(where + ": unknown key '" + k + "'");
      }
    }
  }
}
