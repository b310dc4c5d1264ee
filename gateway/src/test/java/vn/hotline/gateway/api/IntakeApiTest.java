package vn.hotline.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.delivery.PayloadSchemas;
import vn.hotline.gateway.delivery.SpecWebhooks;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A partner (a telecom operator's "report harmful content" button, a platform's trust-and-safety team) submits
 * reports through /api/v1/intake with its own key; they reach the agencies like a call's, and the same URL reported
 * by many is one content item for the harmful-content team.
 */
@GatewayTest
class IntakeApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TWO_LINKS = """
      {"partner_ref": "VT-2026-000123", "category": "online_abuse_harmful_content", "subcategory": "harmful_content",
       "content_items": [
         {"url": "https://www.tiktok.com/@ke_doa/video/7301?is_from_webapp=1", "kind": "video",
          "hash": {"algorithm": "sha256", "value": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}},
         {"url": "fb.watch/aBc-12/", "platform": "facebook", "kind": "video"}],
       "description": "Video quay lén nữ sinh lớp 8 trong nhà vệ sinh, đang được chia sẻ",
       "age_band": "13-15", "province": "79", "urgency": "normal",
       "reporter": {"consent_to_contact": true, "name": "Nguyễn Thị Lan", "phone": "0912345678"}, "language": "vi"}
      """;

  TestDatabase db;
  Harness house;
  RunningGateway gw;
  FakeAgencies fakes;
  Map<String, FakeAgency> agencies;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  Store store;
  ApiKeyRepository keys;

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    db = house.db();
    var routed = house.startRouted();
    gw = routed.gw();
    fakes = routed.fakes();
    agencies = fakes.agencies;
    store = Store.open(gw.config().db(), null);
    keys = new ApiKeyRepository(store, new vn.hotline.gateway.audit.AuditLog());
  }

  @AfterEach
  void stop() {
    store.close();
    fakes.close();
  }

  String partnerKey(String partner) {
    return keys.createForPartner(partner, Set.of(ApiKeyRepository.SCOPE_INTAKE), "test", Instant.now()).key();
  }

  HttpResponse<String> call(String method, String path, String key, String body, String... headers)
      throws IOException, InterruptedException {
    return call(gw, method, path, key, body, headers);
  }

  HttpResponse<String> call(RunningGateway on, String method, String path, String key, String body, String... headers)
      throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(URI.create(on.base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null && headers.length == 0) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> submit(String key, String body, String idempotencyKey) throws Exception {
    return idempotencyKey == null ? call("POST", "/api/v1/intake/reports", key, body)
        : call("POST", "/api/v1/intake/reports", key, body, "Content-Type", "application/json", "Idempotency-Key",
            idempotencyKey);
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  List<JsonNode> await(FakeAgency agency, int n) throws IOException {
    Await.until(() -> agency.received().size() >= n, n + " webhooks at the agency");
    var out = new ArrayList<JsonNode>();
    for (var r : agency.received()) {
      out.add(JSON.readTree(r.body()).get("data"));
    }
    return out;
  }

  @Test
  void aPartnersReportWithTwoLinksGetsAReferenceAndReachesTheAgenciesSignedLikeACallsReport() throws Exception {
    var key = partnerKey("viettel");
    var r = submit(key, TWO_LINKS, null);
    assertEquals(201, r.statusCode(), r.body());
    var reference = json(r).get("reference").asText();
    assertTrue(reference.matches("[0-9]{8}"), reference);
    assertTrue(json(r).get("status_url").asText().endsWith("/api/v1/intake/reports/" + reference), r.body());
    assertEquals(json(r).get("status_url").asText(), r.headers().firstValue("Location").orElse(""));

    // online harm: the harmful-content team and the cyber police, each signed as Standard Webhooks says
    for (var agency : List.of("harmful-content", "police-cyber")) {
      Await.until(() -> agencies.get(agency).received().size() == 1, agency + " gets the report");
      var got = agencies.get(agency).received().get(0);
      assertTrue(SpecWebhooks.verify(fakes.secrets.get(agency), got.header("webhook-id"), got.header("webhook-timestamp"),
          got.header("webhook-signature"), got.body(), Instant.now().getEpochSecond(), 300), agency + " verifies it");
      assertEquals(List.of(), PayloadSchemas.webhook().errors(got.bodyText()), "the payload follows the schema");
      var data = JSON.readTree(got.body()).get("data");
      assertEquals(reference, data.get("reference").asText());
      assertEquals("partner", data.get("channel").asText());
    }
    var harmful = JSON.readTree(agencies.get("harmful-content").received().get(0).body()).get("data");
    assertEquals(List.of("https://www.tiktok.com/@ke_doa/video/7301", "https://fb.watch/aBc-12/"),
        texts(harmful.get("harmful_content_urls")));
    var items = harmful.get("content_items");
    assertEquals(2, items.size(), harmful.toString());
    var tiktok = find(items, "https://www.tiktok.com/@ke_doa/video/7301");
    assertEquals("tiktok", tiktok.get("platform").asText());
    assertEquals("video", tiktok.get("kind").asText());
    assertEquals("sha256", tiktok.get("hash").get("algorithm").asText());
    assertEquals(List.of(reference), texts(tiktok.get("report_references")));
    assertFalse(harmful.has("description"), "the harmful-content team gets the links, not the words");
    assertEquals(0, agencies.get("child-protection").received().size() + agencies.get("education").received().size());
    var cyber = JSON.readTree(agencies.get("police-cyber").received().get(0).body()).get("data");
    assertTrue(cyber.get("description").asText().contains("nhà vệ sinh"), "the police get what the reporter wrote");
    assertFalse(agencies.get("police-cyber").received().get(0).bodyText().contains("0912345678"),
        "the reporter's contact is not sent with the report");

    // the partner reads its status back: referred, delivered to both, no personal data
    Await.until(() -> {
      try {
        var s = call("GET", "/api/v1/intake/reports/" + reference, key, null);
        return s.statusCode() == 200 && json(s).get("referrals").findValues("state").stream()
            .allMatch(v -> v.asText().equals("delivered"));
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, "both deliveries show as delivered");
    var status = call("GET", "/api/v1/intake/reports/" + reference, key, null);
    assertEquals("referred", json(status).get("status").asText(), status.body());
    assertEquals("VT-2026-000123", json(status).get("partner_ref").asText());
    assertEquals(Set.of("harmful-content", "police-cyber"), Set.copyOf(texts(json(status).get("referrals").findValues("agency"))));
    for (var secret : List.of("0912345678", "Lan", "nhà vệ sinh", "tiktok")) {
      assertFalse(status.body().contains(secret), "no personal data or content in the status: " + secret);
    }

    // the agency acknowledges with its case number: the partner sees it
    var agencyKey = keys.create("police-cyber", "test", Instant.now()).key();
    var reportId = cyber.get("id").asText();
    var ack = call("POST", "/api/v1/reports/" + reportId + "/acknowledge", agencyKey, "{\"case_number\": \"AN-2026-77\"}");
    assertEquals(200, ack.statusCode(), ack.body());
    status = call("GET", "/api/v1/intake/reports/" + reference, key, null);
    assertEquals("acknowledged", json(status).get("status").asText(), status.body());
    assertTrue(status.body().contains("AN-2026-77"), status.body());

    // the submission is audited, without personal data
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT actor, data FROM audit_events WHERE event_type = 'intake.submitted'")) {
      assertTrue(rs.next(), "audited");
      assertEquals("partner:viettel", rs.getString(1));
      var data = rs.getString(2);
      for (var secret : List.of("0912345678", "Lan", "nhà vệ sinh", "tiktok", "VT-2026")) {
        assertFalse(data.contains(secret), data);
      }
      assertFalse(rs.next(), "once");
    }
  }

  @Test
  void theSameIdempotencyKeyTwiceMakesOneReportAndWithAnotherBodyIs422() throws Exception {
    var key = partnerKey("viettel");
    var first = submit(key, TWO_LINKS, "vt-000123");
    assertEquals(201, first.statusCode(), first.body());
    var again = submit(key, TWO_LINKS, "vt-000123");
    assertEquals(200, again.statusCode(), again.body());
    assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
    assertEquals(json(first).get("reference"), json(again).get("reference"));
    assertEquals(1, db.count("reports"));
    var other = submit(key, TWO_LINKS.replace("13-15", "10-12"), "vt-000123");
    assertEquals(422, other.statusCode(), other.body());
    assertEquals("application/problem+json", other.headers().firstValue("Content-Type").orElse(""));
    assertEquals(1, db.count("reports"));
    Await.until(() -> agencies.get("harmful-content").received().size() == 1, "delivered once");
  }

  @Test
  void theSameKeySentEightTimesAtOnceIsOneReportAndEveryAnswerNamesIt() throws Exception {
    var key = partnerKey("viettel");
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      var answers = new java.util.ArrayList<java.util.concurrent.Future<HttpResponse<String>>>();
      for (int i = 0; i < 8; i++) {
        answers.add(pool.submit(() -> submit(key, TWO_LINKS, "vt-at-once")));
      }
      var codes = new java.util.ArrayList<Integer>();
      var references = new java.util.HashSet<String>();
      for (var a : answers) {
        var r = a.get();
        codes.add(r.statusCode());
        references.add(json(r).path("reference").asText());
      }
      assertEquals(1, codes.stream().filter(c -> c == 201).count(), "one created: " + codes);
      assertEquals(7, codes.stream().filter(c -> c == 200).count(), "the others replayed: " + codes);
      assertEquals(1, references.size(), "every answer names the one report: " + references);
      assertEquals(1, db.count("reports"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPartnerReadsOnlyItsOwnAndNoOtherKeySubmits() throws Exception {
    var viettel = partnerKey("viettel");
    var mobifone = partnerKey("mobifone");
    var reference = json(submit(viettel, TWO_LINKS, null)).get("reference").asText();
    assertEquals(200, call("GET", "/api/v1/intake/reports/" + reference, viettel, null).statusCode());
    var other = call("GET", "/api/v1/intake/reports/" + reference, mobifone, null);
    assertEquals(404, other.statusCode(), "another partner's report does not exist for it: " + other.body());
    assertFalse(other.body().contains("VT-2026"), other.body());

    var agency = keys.create("harmful-content", "test", Instant.now()).key();
    var admin = keys.create(null, "test", Instant.now()).key();
    for (var k : List.of(agency, admin)) {
      var refused = submit(k, TWO_LINKS, null);
      assertEquals(403, refused.statusCode(), refused.body());
      assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
      assertEquals(403, call("GET", "/api/v1/intake/reports/" + reference, k, null).statusCode());
    }
    assertEquals(1, db.count("reports"), "nothing submitted by an agency or admin key");
    for (var path : List.of("/api/v1/reports", "/api/v1/deliveries", "/api/v1/stats?from=2026-01-01&to=2026-12-31")) {
      var refused = call("GET", path, viettel, null);
      assertEquals(403, refused.statusCode(), path + ": " + refused.body());
    }
    assertEquals(403, call("POST", "/api/v1/agencies/police-cyber/disable", viettel, "{}").statusCode());
  }

  @Test
  void theSameUrlFromThreePartnersIsOneContentItemCountedThreeTimesForTheHarmfulContentTeam() throws Exception {
    var forms = List.of("https://www.tiktok.com/@ke_doa?utm_source=zalo&utm_medium=chat",
        "HTTPS://WWW.TIKTOK.COM/@ke_doa#comments", "www.tiktok.com:443/@ke_doa?fbclid=IwAR0abc");
    var references = new ArrayList<String>();
    int i = 0;
    for (var partner : List.of("viettel", "mobifone", "tiktok-trust-safety")) {
      var body = "{\"category\": \"online_abuse_harmful_content\", \"content_items\": [{\"url\": \"" + forms.get(i++)
          + "\", \"kind\": \"account\"}]}";
      var r = submit(partnerKey(partner), body, null);
      assertEquals(201, r.statusCode(), r.body());
      references.add(json(r).get("reference").asText());
    }
    var got = await(agencies.get("harmful-content"), 3);
    var last = got.stream().filter(d -> d.get("reference").asText().equals(references.get(2))).findFirst().orElseThrow();
    var items = last.get("content_items");
    assertEquals(1, items.size(), last.toString());
    assertEquals("https://www.tiktok.com/@ke_doa", items.get(0).get("url").asText());
    assertEquals(3, items.get(0).get("count").asInt());
    assertEquals(Set.copyOf(references), Set.copyOf(texts(items.get(0).get("report_references"))));
    var ids = got.stream().map(d -> d.get("content_items").get(0).get("id").asText()).distinct().toList();
    assertEquals(1, ids.size(), "one content item, whichever report it came with");
    for (var d : got) {
      assertEquals(List.of(), PayloadSchemas.report().errors(d), d.toString());
    }
  }

  @Test
  void aChildInDangerNowGoesToThePoliceAtOnceWithTheReportersContactForChildProtection() throws Exception {
    var body = TWO_LINKS.replace("\"urgency\": \"normal\"", "\"urgency\": \"immediate\"");
    var r = submit(partnerKey("viettel"), body, null);
    assertEquals(201, r.statusCode(), r.body());
    var reference = json(r).get("reference").asText();
    var police = await(agencies.get("police-investigation"), 1).get(0);
    assertEquals(reference, police.get("reference").asText());
    assertTrue(police.get("urgent").asBoolean());
    assertEquals("danger", police.get("intent").asText());
    var child = await(agencies.get("child-protection"), 1).get(0);
    assertEquals(List.of(), PayloadSchemas.report().errors(child), child.toString());
    var contact = child.get("reporter_contact");
    assertEquals("Nguyễn Thị Lan", contact.get("name").asText(), "the reporter agreed to be contacted");
    assertEquals("0912345678", contact.get("phone").asText());
    assertTrue(contact.get("email").isNull());
    assertFalse(await(agencies.get("harmful-content"), 1).get(0).has("reporter_contact"),
        "only agencies configured for it get the contact");
  }

  @Test
  void aLinkATexterSentAndAPartnerReportsIsOneContentItem() throws Exception {
    var texted = vn.hotline.gateway.testing.Reports.smsReport(gw, "+84912000111", "Co nguoi dang anh em len mang");
    var r = submit(partnerKey("viettel"), "{\"category\": \"online_abuse_harmful_content\", \"content_items\":"
        + " [{\"url\": \"https://Facebook.com/bachangxom?fbclid=IwAR0&utm_campaign=x\", \"kind\": \"account\"}]}", null);
    assertEquals(201, r.statusCode(), r.body());
    var reference = json(r).get("reference").asText();
    var got = await(agencies.get("harmful-content"), 1).stream()
        .filter(d -> d.get("reference").asText().equals(reference)).findFirst().orElseThrow();
    var item = got.get("content_items").get(0);
    assertEquals("https://facebook.com/bachangxom", item.get("url").asText());
    assertEquals("facebook", item.get("platform").asText());
    assertEquals(2, item.get("count").asInt(), got.toString());
    assertEquals(List.of(texted, reference), texts(item.get("report_references")), "oldest first");
  }

  @Test
  void badBodiesAreA400NamingTheFieldNeverA500() throws Exception {
    var key = partnerKey("viettel");
    var cases = new java.util.LinkedHashMap<String, String>();
    cases.put("{\"category\": \"no_such_category\", \"description\": \"x\"}", "category");
    cases.put("{\"category\": \"bullying\", \"subcategory\": \"sextortion\"}", "subcategory");
    cases.put("{\"province\": \"99\", \"description\": \"x\"}", "province");
    cases.put("{\"age_band\": \"5-8\", \"description\": \"x\"}", "age_band");
    cases.put("{\"content_items\": [{\"url\": \"javascript:alert(1)\"}]}", "content_items");
    cases.put("{\"content_items\": [{\"kind\": \"video\"}]}", "url");
    cases.put("{\"content_items\": [{\"url\": \"https://a.vn/x\", \"kind\": \"photo\"}]}", "kind");
    cases.put("{\"content_items\": [{\"url\": \"https://a.vn/x\", \"hash\": {\"algorithm\": \"crc32\", \"value\": \"abcdef0123\"}}]}",
        "algorithm");
    cases.put("{\"description\": \"x\", \"urgent\": true}", "urgent");
    cases.put("{\"description\": 42}", "description");
    cases.put("{\"description\": \"x\", \"reporter\": {\"phone\": \"0912345678\"}}", "consent_to_contact");
    cases.put("{\"description\": \"x\", \"reporter\": {\"consent_to_contact\": true}}", "contact");
    cases.put("{\"description\": \"x\", \"reporter\": {\"consent_to_contact\": true, \"phone\": \"call me\"}}", "phone");
    cases.put("{}", "description");
    cases.put("[1, 2]", "body");
    cases.put("{\"description\": ", "");
    for (var c : cases.entrySet()) {
      var r = submit(key, c.getKey(), null);
      assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
      assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), c.getKey());
      assertTrue(json(r).get("detail").asText().contains(c.getValue()), c.getKey() + " names " + c.getValue() + ": " + r.body());
    }
    var wrongType = call("POST", "/api/v1/intake/reports", key, "description=x", "Content-Type",
        "application/x-www-form-urlencoded");
    assertEquals(415, wrongType.statusCode(), wrongType.body());
    var huge = "{\"description\": \"" + "a".repeat(70 * 1024) + "\"}";
    assertEquals(413, submit(key, huge, null).statusCode());
    var badKey = submit(key, "{\"description\": \"x\"}", "bad key with spaces");
    assertEquals(400, badKey.statusCode(), badKey.body());
    assertEquals(0, db.count("reports"), "nothing stored");
  }

  @Test
  void aPartnerOverItsRateGets429WithRetryAfterWhileAnotherGoesOn(Harness house) throws Exception {
    var limited = house.startAnother("limited", Map.of("GATEWAY_ROUTING_FILE", fakes.routingFile.toString(),
        "GATEWAY_LIMITS_INTAKE_PER_MINUTE", "2"), java.time.Clock.systemUTC());
    var viettel = partnerKey("viettel");
    var body = "{\"description\": \"Có người lạ nhắn tin dụ dỗ con tôi\"}";
    for (int i = 0; i < 2; i++) {
      assertEquals(201, call(limited, "POST", "/api/v1/intake/reports", viettel, body).statusCode());
    }
    var refused = call(limited, "POST", "/api/v1/intake/reports", viettel, body);
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(Integer.parseInt(refused.headers().firstValue("Retry-After").orElse("0")) >= 1, "Retry-After");
    assertEquals(201, call(limited, "POST", "/api/v1/intake/reports", partnerKey("mobifone"), body).statusCode(),
        "another partner has its own budget");
  }

  @Test
  void statsCountThePartnerChannel() throws Exception {
    var key = partnerKey("viettel");
    for (int i = 0; i < 5; i++) { // 5: counts of 1 to 4 are suppressed
      assertEquals(201, submit(key, "{\"category\": \"bullying\", \"description\": \"report " + i + "\"}", null).statusCode());
    }
    var today = LocalDate.now(ZoneId.of("Asia/Ho_Chi_Minh"));
    var admin = keys.create(null, "test", Instant.now()).key();
    var r = call("GET", "/api/v1/stats?from=" + today.minusDays(1) + "&to=" + today.plusDays(1) + "&by=channel", admin, null);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode partner = null;
    for (var row : json(r).get("rows")) {
      if (row.path("channel").asText().equals("partner")) {
        partner = row;
      }
    }
    assertTrue(partner != null, r.body());
    assertEquals(5, partner.get("contacts").asInt(), partner.toString());
    assertEquals(5, partner.get("reports").asInt(), partner.toString());
  }

  static JsonNode find(JsonNode items, String url) {
    for (var i : items) {
      if (i.get("url").asText().equals(url)) {
        return i;
      }
    }
    throw new AssertionError(url + " not in " + items);
  }

  static List<String> texts(JsonNode array) {
    var out = new ArrayList<String>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<String> texts(List<JsonNode> nodes) {
    return nodes.stream().map(JsonNode::asText).toList();
  }
}
