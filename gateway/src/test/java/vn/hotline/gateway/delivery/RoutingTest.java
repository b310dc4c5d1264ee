package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.config.Settings;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.report.Taxonomy;

/** The shipped routing, rule by rule, and the checks that stop a broken routing file at startup. */
class RoutingTest {
  @TempDir Path dir;

  Routing load(Map<String, String> env) {
    var all = new HashMap<>(env);
    all.put("GATEWAY_DATA_DIR", dir.resolve("data").toString());
    var cfg = GatewayConfig.from(Settings.load(null, all));
    return RoutingLoader.load(cfg, Taxonomy.load(null), Provinces.load(null), Map.of());
  }

  static Report report(String category, String subcategory, boolean urgent, String province, String channel) {
    return new Report("r", "12345678", "c", Channel.of(channel), urgent ? "danger" : "report", category, subcategory,
        null, null, province, urgent, Outcome.COMPLETED, null, null, List.of(), null, null, List.of(), Instant.now(), Instant.now());
  }

  @ParameterizedTest(name = "{0}/{1} urgent={2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "-                            | -               | true  | police-investigation:immediate-danger child-protection:immediate-danger",
      "online_abuse_harmful_content | -               | false | harmful-content:online-harm police-cyber:online-harm",
      "sexual_violence              | -               | false | police-investigation:sexual-violence child-protection:sexual-violence",
      "child_labour_trafficking     | trafficking     | false | police-investigation:labour-trafficking child-protection:labour-trafficking",
      "bullying                     | school_bullying | false | education:school-bullying child-protection:school-bullying",
      "physical_violence            | -               | false | child-protection:violence-and-neglect",
      "emotional_violence_neglect   | neglect         | false | child-protection:violence-and-neglect",
      "other                        | -               | false | child-protection:default",
      "-                            | -               | false | child-protection:default",
      "online_abuse_harmful_content | sextortion      | true  | police-investigation:immediate-danger child-protection:immediate-danger harmful-content:online-harm police-cyber:online-harm",
  })
  void theShippedRulesSendEachKindOfReportToTheRightAgencies(String category, String subcategory, boolean urgent,
      String expected) {
    var routing = load(Map.of());
    var targets = routing.route(report(category, subcategory, urgent, "79", "voice"));
    assertEquals(expected, String.join(" ", targets.stream().map(t -> t.agencyId() + ":" + t.rule()).toList()));
  }

  @Test
  void provinceAndChannelConditionsNarrowARule() throws Exception {
    var file = dir.resolve("routing.yaml");
    Files.writeString(file, """
        default_inbox: central
        agencies:
          central: { webhook_url: "https://central.example/hooks" }
          hcmc: { webhook_url: "https://hcmc.example/hooks" }
        rules:
          - name: hcmc-sms
            match: { province: ["79"], channel: [sms-smpp, sms-twilio] }
            agencies: [hcmc]
        """);
    var routing = load(Map.of("GATEWAY_ROUTING_FILE", file.toString()));
    assertEquals("hcmc", routing.route(report("other", null, false, "79", "sms-smpp")).get(0).agencyId());
    assertEquals("central", routing.route(report("other", null, false, "79", "voice")).get(0).agencyId());
    assertEquals("central", routing.route(report("other", null, false, "01", "sms-smpp")).get(0).agencyId());
    assertEquals("central", routing.route(report("other", null, false, null, "sms-smpp")).get(0).agencyId());
  }

  @Test
  void agenciesCanKeepFreeTextLongerOrShorterAndABadValueIsRefused() throws Exception {
    var shipped = load(Map.of());
    assertEquals(Map.of("police-investigation", 730, "harmful-content", 90), shipped.freeTextDays());
    assertEquals(null, shipped.agency("child-protection").freeTextDays(), "the default applies");
    for (var bad : List.of("0", "3651", "'90'", "1.5", "[90]")) {
      var file = dir.resolve("bad.yaml");
      Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\", free_text_days: "
          + bad + " }\nrules: []\n");
      var e = assertThrows(ConfigException.class, () -> load(Map.of("GATEWAY_ROUTING_FILE", file.toString())), bad);
      assertTrue(e.getMessage().contains("agency 'a': free_text_days must be a whole number of days from 1 to 3650"),
          e.getMessage());
    }
  }

  @Test
  void maxConcurrencyMustBeAWholeNumberAndABadValueStopsStartup() throws Exception {
    var file = dir.resolve("routing.yaml");
    Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\", max_concurrency: 7 }\n"
        + "  b: { webhook_url: \"https://b.example/h\" }\nrules: []\n");
    var routing = load(Map.of("GATEWAY_ROUTING_FILE", file.toString()));
    assertEquals(7, routing.agency("a").maxConcurrency());
    assertEquals(4, routing.agency("b").maxConcurrency(), "the default");
    // Each of these once became 4 (or 2, or 1) without a word: the file said something the gateway did not do.
    for (var bad : List.of("many", "'8'", "2.5", "true", "[4]", "{n: 4}", "0", "101")) {
      Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\", max_concurrency: "
          + bad + " }\nrules: []\n");
      var e = assertThrows(ConfigException.class, () -> load(Map.of("GATEWAY_ROUTING_FILE", file.toString())), bad);
      assertEquals(file + ": agency 'a': max_concurrency must be a whole number from 1 to 100", e.getMessage(), bad);
    }
  }

  @Test
  void oneInboxNeedsNoFileAndGetsEveryField() {
    var secret = WebhookSignature.newSecret();
    var routing = load(Map.of("GATEWAY_INBOX_URL", "http://localhost:9000/", "GATEWAY_INBOX_SECRET", secret));
    var targets = routing.route(report("sexual_violence", null, true, "01", "voice"));
    assertEquals(List.of("inbox"), targets.stream().map(Routing.Target::agencyId).toList());
    assertEquals(List.of(secret), routing.agency("inbox").secrets());
    assertEquals(Routing.OPTIONAL_FIELDS, routing.agency("inbox").fields());
  }

  @Test
  void inDevAnAgencyWithoutASecretSignsWithTheDevSecret() throws Exception {
    var routing = load(Map.of());
    var devSecret = Files.readString(dir.resolve("data/dev-webhook-secret")).trim();
    assertEquals(List.of(devSecret), routing.agency("education").secrets());
  }

  @Test
  void envPlaceholdersAreFilledWithDefaults() {
    assertEquals("x-http://localhost:9000/a-y", RoutingLoader.interpolate("x-${NOPE_URL:-http://localhost:9000/a}-y", Map.of()));
    assertEquals("set", RoutingLoader.interpolate("${SOME_URL:-default}", Map.of("SOME_URL", "set")));
    assertEquals("", RoutingLoader.interpolate("${EMPTY_ONE}", Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown agency in a rule | rules: [{name: r1, match: {urgent: true}, agencies: [nobody]}] | rule 'r1': agency 'nobody' is not defined",
      "category not in taxonomy | rules: [{name: r1, match: {category: [robbery]}, agencies: [a]}] | rule 'r1': category 'robbery' is not in the taxonomy",
      "unknown province | rules: [{name: r1, match: {province: ['99']}, agencies: [a]}] | rule 'r1': province '99' is not in the province list",
      "unknown channel | rules: [{name: r1, match: {channel: [fax]}, agencies: [a]}] | rule 'r1': channel 'fax' must be one of",
      "typo in match | rules: [{name: r1, match: {categroy: [other]}, agencies: [a]}] | rule 'r1' match: unknown key 'categroy'",
      "rule without agencies | rules: [{name: r1, match: {urgent: true}, agencies: []}] | rule 'r1': lists no agencies",
  })
  void aBrokenRoutingFileStopsStartupNamingTheEntry(String what, String rules, String expected) throws Exception {
    var file = dir.resolve("bad.yaml");
    Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\" }\n" + rules + "\n");
    var e = assertThrows(ConfigException.class, () -> load(Map.of("GATEWAY_ROUTING_FILE", file.toString())));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "counsellor without a time | review: counsellor | rule 'held': review: counsellor needs review_within_minutes (1 to 1440)",
      "no minutes at all | review: counsellor, review_within_minutes: 0 | rule 'held': review_within_minutes must be a whole number of minutes from 1 to 1440",
      "more than a day | review: counsellor, review_within_minutes: 1441 | rule 'held': review_within_minutes must be a whole number of minutes from 1 to 1440",
      "minutes as text | review: counsellor, review_within_minutes: '30' | rule 'held': review_within_minutes must be a whole number",
      "minutes and a half | review: counsellor, review_within_minutes: 2.5 | rule 'held': review_within_minutes must be a whole number",
      "a review of its own | review: supervisor, review_within_minutes: 30 | rule 'held': review must be auto or counsellor, not 'supervisor'",
      "a time for an auto rule | review: auto, review_within_minutes: 30 | rule 'held': review_within_minutes is only for review: counsellor",
  })
  void aCounsellorReviewNeedsAReviewTimeOfOneMinuteToADay(String what, String review, String expected) throws Exception {
    var file = dir.resolve("held.yaml");
    Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\" }\n"
        + "rules: [{name: held, match: {category: [other]}, agencies: [a], " + review + "}]\n");
    var e = assertThrows(ConfigException.class, () -> load(Map.of("GATEWAY_ROUTING_FILE", file.toString())), what);
    assertTrue(e.getMessage().startsWith(file + ": "), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void aCounsellorRuleHoldsOnlyWhatNoAutoRuleSendsAndTheShippedRulesHoldNothing() throws Exception {
    var shipped = load(Map.of());
    shipped.rules().forEach(r -> assertEquals(Routing.Review.AUTO, r.review(), r.name() + " sends at once"));
    assertEquals(List.of(), shipped.route(report("sexual_violence", null, true, "79", "voice")).stream()
        .filter(Routing.Target::held).toList(), "immediate danger is never held");

    var file = dir.resolve("routing.yaml");
    Files.writeString(file, """
        default_inbox: central
        agencies:
          central: { webhook_url: "https://central.example/hooks" }
          social: { webhook_url: "https://social.example/hooks" }
          police: { webhook_url: "https://police.example/hooks" }
        rules:
          - name: violence-held
            match: { category: [physical_violence] }
            agencies: [social, police]
            review: counsellor
            review_within_minutes: 45
          - name: danger
            match: { urgent: true }
            agencies: [police]
            review: auto
          - name: violence-late
            match: { category: [physical_violence] }
            agencies: [social]
            review: counsellor
            review_within_minutes: 5
        """);
    var routing = load(Map.of("GATEWAY_ROUTING_FILE", file.toString()));
    assertEquals(45, routing.rules().get(0).reviewWithinMinutes());
    assertEquals(Routing.Review.AUTO, routing.rules().get(1).review());
    assertEquals(null, routing.rules().get(1).reviewWithinMinutes());
    assertEquals(List.of(new Routing.Target("social", "violence-held", 45), new Routing.Target("police", "violence-held", 45)),
        routing.route(report("physical_violence", null, false, "79", "voice")), "the first matching rule's time");
    assertEquals(List.of(new Routing.Target("social", "violence-held", 45), new Routing.Target("police", "danger", null)),
        routing.route(report("physical_violence", null, true, "79", "voice")),
        "an auto rule sends at once what a counsellor rule would hold");
    assertEquals(List.of(new Routing.Target("central", "default", null)),
        routing.route(report("other", null, false, "79", "voice")), "the default inbox, at once");
  }

  @Test
  void aDefaultInboxThatIsNotAnAgencyIsRefused() throws Exception {
    var file = dir.resolve("bad.yaml");
    Files.writeString(file, "default_inbox: nowhere\nagencies:\n  a: { webhook_url: \"https://a.example/h\" }\nrules: []\n");
    var e = assertThrows(ConfigException.class, () -> load(Map.of("GATEWAY_ROUTING_FILE", file.toString())));
    assertTrue(e.getMessage().contains("default_inbox 'nowhere' is not one of the agencies"), e.getMessage());
  }

  @Test
  void productionRefusesPlainHttpAndMissingSecretsAndNeverPrintsASecret() throws Exception {
    var file = dir.resolve("prod.yaml");
    Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"http://a.example/h\", secrets: "
        + WebhookSignature.newSecret() + " }\nrules: []\n");
    var prod = production(file);
    var e = assertThrows(ConfigException.class, () -> RoutingLoader.load(prod, Taxonomy.load(null), Provinces.load(null), Map.of()));
    assertTrue(e.getMessage().contains("agency 'a': webhook_url must be https in production"), e.getMessage());

    Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\" }\nrules: []\n");
    var e2 = assertThrows(ConfigException.class, () -> RoutingLoader.load(production(file), Taxonomy.load(null),
        Provinces.load(null), Map.of()));
    assertTrue(e2.getMessage().contains("agency 'a': needs a webhook secret"), e2.getMessage());

    Files.writeString(file, "default_inbox: a\nagencies:\n  a: { webhook_url: \"https://a.example/h\", secrets: whsec_c2hvcnQ= }\nrules: []\n");
    var e3 = assertThrows(ConfigException.class, () -> RoutingLoader.load(production(file), Taxonomy.load(null),
        Provinces.load(null), Map.of()));
    assertTrue(e3.getMessage().contains("at least 24 random bytes"), e3.getMessage());
    assertFalse(e3.getMessage().contains("c2hvcnQ"), "the secret is not echoed");
  }

  @Test
  void anInboxAndARoutingFileTogetherAreRefused() {
    var e = assertThrows(ConfigException.class, () -> load(Map.of("GATEWAY_INBOX_URL", "http://localhost:9000/",
        "GATEWAY_ROUTING_FILE", "config/routing.yaml")));
    assertTrue(e.getMessage().contains("inbox.url"), e.getMessage());
  }

  GatewayConfig production(Path routing) {
    var b64 = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    var env = new HashMap<String, String>(Map.of(
        "GATEWAY_MODE", "production", "GATEWAY_PUBLIC_URL", "https://hotline.example.org",
        "TWILIO_AUTH_TOKEN", "a-real-token-0123456789", "GATEWAY_FALLBACK_NUMBER", "+842437911111",
        "GATEWAY_OPERATORS_NUMBERS", "+84901234567", "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
        "GATEWAY_PRIVACY_PSEUDONYM_KEY", "p1:" + b64, "GATEWAY_PRIVACY_ENCRYPTION_KEYS", "k1:" + b64,
        "GATEWAY_ROUTING_FILE", routing.toString()));
    env.put("GATEWAY_DB_URL", "jdbc:mariadb://db.internal:3306/hotline");
    env.put("GATEWAY_DB_PASSWORD", "mariadb-pw");
    return GatewayConfig.from(Settings.load(null, env));
  }
}
