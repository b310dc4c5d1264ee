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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/** Agencies' IT staff use /api/v1 with their keys: what they may see, do, and what they are refused. */
@GatewayTest
class ApiTest {
  static final ObjectMapper JSON = new ObjectMapper();

  TestDatabase db;
  RunningGateway gw;
  MutableClock clock = MutableClock.now();
  FakeAgencies fakes;
  java.util.Map<String, FakeAgency> agencies;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  Store store;
  ApiKeyRepository keys;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    var routed = house.startRouted(clock);
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

  String key(String agency) {
    return keys.create(agency, "test", Instant.now()).key();
  }

  HttpResponse<String> call(String method, String path, String key, String body) throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(URI.create(gw.base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** An urgent call (police-investigation + child-protection) and an online-harm call (harmful-content + police-cyber). */
  Map<String, String> twoReports() {
    int delivered = db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered");
    var twilio = gw.twilio();
    var danger = twilio.dangerCallAnswered();
    var online = twilio.call();
    var t = online.press(online.press(online.press(online.press(online.incoming(), "1"), "2"), "4"), "2");
    t = online.press(online.press(t, "4"), "79");
    online.dialEnded(t, "completed");
    online.status("completed");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == delivered + 4, "delivered");
    return Map.of("danger", reportId(danger.sid), "online", reportId(online.sid));
  }

  String reportId(String callSid) {
    return (String) db.row("SELECT r.id FROM reports r JOIN contacts c ON c.id = r.contact_id WHERE c.provider_ref = ?",
        callSid).get("id");
  }

  @Test
  void withoutAValidKeyEverythingIs401AsAProblemDocument() throws Exception {
    var none = call("GET", "/api/v1/reports", null, null);
    assertEquals(401, none.statusCode());
    assertEquals("application/problem+json", none.headers().firstValue("Content-Type").orElse(""));
    assertEquals(401, json(none).get("status").asInt());
    assertEquals("Unauthorized", json(none).get("title").asText());
    assertEquals(401, call("GET", "/api/v1/reports", "hgk_notarealkey", null).statusCode());
    var revoked = keys.create("education", "old", Instant.now());
    keys.revoke(revoked.id(), Instant.now());
    var r = call("GET", "/api/v1/reports", revoked.key(), null);
    assertEquals(401, r.statusCode());
    assertTrue(json(r).get("detail").asText().contains("unknown or revoked"), r.body());
  }

  @Test
  void anAgencySeesOnlyItsOwnReportsWithItsOwnFields() throws Exception {
    var ids = twoReports();
    var harmful = key("harmful-content");
    var list = json(call("GET", "/api/v1/reports", harmful, null));
    assertEquals(1, list.get("items").size(), list.toString());
    var item = list.get("items").get(0);
    assertEquals(List.of(), vn.hotline.gateway.delivery.PayloadSchemas.report().errors(item),
        "API reports follow docs/report.schema.json");
    assertEquals(ids.get("online"), item.get("id").asText());
    assertFalse(item.has("age_band"), "the harmful-content team does not get the age band");
    assertEquals("online-harm", item.get("routing").get("rule").asText());

    var other = call("GET", "/api/v1/reports/" + ids.get("danger"), harmful, null);
    assertEquals(404, other.statusCode(), "another agency's report does not exist for you");
    var mine = json(call("GET", "/api/v1/reports/" + ids.get("danger"), key("child-protection"), null));
    assertEquals("danger", mine.get("intent").asText());
    assertTrue(mine.has("age_band"));

    var admin = json(call("GET", "/api/v1/reports", key(null), null));
    assertEquals(2, admin.get("items").size());
    for (var r : admin.get("items")) {
      assertEquals(List.of(), vn.hotline.gateway.delivery.PayloadSchemas.report().errors(r));
    }
  }

  @Test
  void aReportOfAFormerProvinceCarriesItsNameBesideTodaysUnit() throws Exception {
    int delivered = db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered");
    var call = gw.twilio().call();
    var t = call.press(call.press(call.press(call.press(call.incoming(), "1"), "2"), "4"), "2");
    t = call.press(call.press(t, "4"), "34"); // Thái Bình's code before 2025: in Hưng Yên today
    call.dialEnded(t, "completed");
    call.status("completed");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == delivered + 2, "delivered");
    var report = json(call("GET", "/api/v1/reports/" + reportId(call.sid), key("harmful-content"), null));
    assertEquals(List.of(), vn.hotline.gateway.delivery.PayloadSchemas.report().errors(report));
    assertEquals("33", report.get("province").get("code").asText());
    assertEquals("Hưng Yên", report.get("province").get("name").asText());
    assertEquals("Thái Bình", report.get("former_province").asText());
  }

  @Test
  void reportsPageWithACursor() throws Exception {
    twoReports();
    twoReports();
    var admin = key(null);
    var first = json(call("GET", "/api/v1/reports?limit=3", admin, null));
    assertEquals(3, first.get("items").size());
    var cursor = first.get("next_cursor").asText();
    var second = json(call("GET", "/api/v1/reports?limit=3&cursor=" + cursor, admin, null));
    assertEquals(1, second.get("items").size());
    assertTrue(second.get("next_cursor").isNull());
    var since = json(call("GET", "/api/v1/reports?since=" + Instant.now().plusSeconds(3600), admin, null));
    assertEquals(0, since.get("items").size());
  }

  @Test
  void anAgencyAcknowledgesAReportWithItsCaseNumber() throws Exception {
    var ids = twoReports();
    var police = key("police-investigation");
    var ack = call("POST", "/api/v1/reports/" + ids.get("danger") + "/acknowledge", police, "{\"case_number\":\"CA-2026-0042\"}");
    assertEquals(200, ack.statusCode(), ack.body());
    assertEquals("CA-2026-0042", json(ack).get("case_number").asText());
    assertEquals("CA-2026-0042", db.row("SELECT case_number FROM deliveries WHERE report_id = ? AND agency_id = 'police-investigation'",
        ids.get("danger")).get("case_number"));
    assertEquals(404, call("POST", "/api/v1/reports/" + ids.get("online") + "/acknowledge", police,
        "{\"case_number\":\"X\"}").statusCode(), "not delivered to the police-investigation unit");
    assertEquals(403, call("POST", "/api/v1/reports/" + ids.get("danger") + "/acknowledge", key(null),
        "{\"case_number\":\"X\"}").statusCode());
  }

  @Test
  void requestsTheContractDoesNotAllowGetA400WithTheReason() throws Exception {
    var k = key("education");
    var tooMany = call("GET", "/api/v1/reports?limit=500", k, null);
    assertEquals(400, tooMany.statusCode(), tooMany.body());
    assertEquals("application/problem+json", tooMany.headers().firstValue("Content-Type").orElse(""));
    assertTrue(json(tooMany).get("detail").asText().toLowerCase().contains("limit"), tooMany.body());
    assertEquals(400, call("POST", "/api/v1/reports/0193a0c6-d9e4-7f3a-8b2c-0123456789ab/acknowledge", k, "{}").statusCode());
    assertEquals(400, call("POST", "/api/v1/reports/0193a0c6-d9e4-7f3a-8b2c-0123456789ab/acknowledge", k,
        "{\"case_number\":\"1\",\"extra\":true}").statusCode());
    assertEquals(400, call("GET", "/api/v1/deliveries?status=lost", k, null).statusCode());
    assertEquals(400, call("GET", "/api/v1/reports/not-an-id", k, null).statusCode());
  }

  @Test
  void deliveriesAttemptsAndReplaysAreVisibleAndUsable() throws Exception {
    twoReports();
    var k = key("child-protection");
    var list = json(call("GET", "/api/v1/deliveries", k, null));
    assertEquals(1, list.get("items").size());
    var d = list.get("items").get(0);
    assertEquals("delivered", d.get("status").asText());
    var attempts = json(call("GET", "/api/v1/deliveries/" + d.get("id").asText() + "/attempts", k, null));
    assertEquals(1, attempts.get("items").size());
    assertEquals(200, attempts.get("items").get(0).get("http_status").asInt());

    var replay = call("POST", "/api/v1/deliveries/" + d.get("id").asText() + "/replay", k, null);
    assertEquals(202, replay.statusCode(), replay.body());
    Await.until(() -> agencies.get("child-protection").received().size() == 2, "sent again");
    var ids = agencies.get("child-protection").received().stream().map(r -> r.header("webhook-id")).distinct().toList();
    assertEquals(List.of(d.get("id").asText()), ids, "a replay keeps the webhook-id");

    var others = json(call("GET", "/api/v1/deliveries", key("education"), null));
    assertEquals(0, others.get("items").size());
    assertEquals(404, call("POST", "/api/v1/deliveries/" + d.get("id").asText() + "/replay", key("education"), null).statusCode());
    assertEquals(0, json(call("POST", "/api/v1/deliveries/replay-dead", k, null)).get("replayed").asInt());
  }

  @Test
  void anAdminSwitchesAnAgencyEndpointOffAndOn() throws Exception {
    var admin = key(null);
    assertEquals(403, call("POST", "/api/v1/agencies/education/disable", key("education"), "{}").statusCode());
    assertEquals(404, call("POST", "/api/v1/agencies/nobody/disable", admin, "{}").statusCode());
    var off = call("POST", "/api/v1/agencies/child-protection/disable", admin, "{\"reason\":\"maintenance\"}");
    assertEquals(200, off.statusCode(), off.body());
    gw.twilio().dangerCallAnswered();
    Await.until(() -> agencies.get("police-investigation").received().size() == 1, "police got it");
    // Both deliveries were due together; a claim pass run to its end counts an attempt before sending, so a
    // child-protection delivery not skipped would show one by now.
    gw.gateway().deliverNow();
    assertEquals(0, db.count("SELECT attempts FROM deliveries WHERE agency_id = ?", "child-protection"),
        "the disabled endpoint's delivery is not claimed");
    assertEquals(0, agencies.get("child-protection").received().size(), "a disabled endpoint gets nothing");
    assertEquals(200, call("POST", "/api/v1/agencies/child-protection/enable", admin, null).statusCode());
    Await.until(() -> agencies.get("child-protection").received().size() == 1, "what waited is sent");
  }

  @Test
  void theOpenApiDocumentIsServedWithoutAKey() throws Exception {
    var r = call("GET", "/api/v1/openapi.yaml", null, null);
    assertEquals(200, r.statusCode());
    assertTrue(r.body().startsWith("openapi: 3.1.0"), r.body());
  }

  /** A 4xx problem document, never a 500, for what a client sent. */
  static void assertClientProblem(int status, HttpResponse<String> r, String what) throws IOException {
    assertEquals(status, r.statusCode(), what + ": " + r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), what);
    var body = JSON.readTree(r.body());
    assertEquals(status, body.get("status").asInt(), what);
    assertFalse(body.get("detail").asText().isBlank(), what);
  }

  HttpResponse<String> send(String method, String path, String key, String contentType, String body)
      throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(URI.create(gw.base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void malformedRequestsGetA4xxProblemDocumentNeverA500() throws Exception {
    var k = key("police-investigation");
    var report = "/api/v1/reports/0193a0c6-d9e4-7f3a-8b2c-0123456789ab";
    assertClientProblem(400, send("GET", "/api/v1/reports", null, "application/json", "{\"a\":1}"), "GET with a body, no key");
    assertClientProblem(400, send("GET", "/api/v1/deliveries", null, "application/x-www-form-urlencoded", "a=1"),
        "GET with a form body, no key");
    assertClientProblem(400, send("GET", "/api/v1/reports", k, "application/json", "{\"a\":1}"), "GET with a body");
    assertClientProblem(400, send("GET", "/api/v1/reports", k, "multipart/form-data; boundary=b",
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n"), "GET with a multipart body");
    assertClientProblem(400, send("GET", "/api/v1/reports", k, "text/plain", "hello"), "GET with a text body");
    var form = send("POST", report + "/acknowledge", k, "application/x-www-form-urlencoded", "case_number=CA-1");
    assertTrue(form.statusCode() == 400 || form.statusCode() == 415, form.body());
    assertClientProblem(form.statusCode(), form, "a form body");
    var multipart = send("POST", report + "/acknowledge", k, "multipart/form-data; boundary=b",
        "--b\r\nContent-Disposition: form-data; name=\"case_number\"\r\n\r\nCA-1\r\n--b--\r\n");
    assertTrue(multipart.statusCode() == 400 || multipart.statusCode() == 415, multipart.body());
    assertClientProblem(multipart.statusCode(), multipart, "a multipart body");
    assertClientProblem(400, send("POST", report + "/acknowledge", k, "application/json", "{\"case_number\":"), "invalid JSON");
    assertClientProblem(400, send("POST", report + "/acknowledge", k, "application/json", "[1,2]"), "a JSON array");
    assertClientProblem(400, send("POST", report + "/acknowledge", k, "application/json", ""), "an empty body");
    assertClientProblem(400, send("POST", report + "/acknowledge", k, "application/json", "{\"case_number\":42}"), "a number");
    var wrongType = send("POST", report + "/acknowledge", k, "text/plain", "{\"case_number\":\"CA-1\"}");
    assertTrue(wrongType.statusCode() == 400 || wrongType.statusCode() == 415, wrongType.body());
    assertClientProblem(wrongType.statusCode(), wrongType, "wrong content type");
    assertClientProblem(400, send("GET", "/api/v1/deliveries?status=", k, null, null), "an empty status");
    assertClientProblem(400, send("GET", "/api/v1/reports?limit=abc", k, null, null), "a limit that is no number");
    assertClientProblem(400, send("GET", "/api/v1/reports?limit=99999999999999999999", k, null, null), "a huge limit");
    assertClientProblem(400, send("GET", "/api/v1/reports?limit=0", k, null, null), "a zero limit");
    assertClientProblem(400, send("GET", "/api/v1/reports?since=yesterday", k, null, null), "a since that is no time");
    assertClientProblem(400, send("GET", "/api/v1/reports?since=2026-12-01T00:00:00", k, null, null), "a since without offset");
    assertClientProblem(400, send("GET", "/api/v1/reports?cursor=" + "a".repeat(300), k, null, null), "a long cursor");
    assertClientProblem(400, send("GET", "/api/v1/reports?cursor=%25%25%25", k, null, null), "a cursor that is no base64");
    assertClientProblem(400, send("GET", "/api/v1/deliveries?cursor=!!", k, null, null), "a delivery cursor that is no base64");
    assertClientProblem(400, send("GET", "/api/v1/stats?from=2026-13-01&to=2026-12-31", key(null), null, null), "a month 13");
    assertClientProblem(405, send("DELETE", "/api/v1/reports", k, null, null), "an unknown method");
  }

  @Test
  void aSecondAcknowledgementWithAnotherCaseNumberIsAConflictAndTheSameOneIsIdempotent() throws Exception {
    var ids = twoReports();
    var police = key("police-investigation");
    var path = "/api/v1/reports/" + ids.get("danger") + "/acknowledge";
    var first = call("POST", path, police, "{\"case_number\":\"CA-2026-0042\"}");
    assertEquals(200, first.statusCode(), first.body());
    var at = json(first).get("acknowledged_at").asText();
    clock.advance(Duration.ofMinutes(5));

    var again = call("POST", path, police, "{\"case_number\":\"CA-2026-0042\"}");
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(at, json(again).get("acknowledged_at").asText(), "a repeat keeps the first time");
    assertEquals("CA-2026-0042", json(again).get("case_number").asText());

    var other = call("POST", path, police, "{\"case_number\":\"CA-2026-9999\"}");
    assertClientProblem(409, other, "another case number");
    assertEquals("Conflict", json(other).get("title").asText());
    assertTrue(json(other).get("detail").asText().contains("CA-2026-0042"), other.body());
    var stored = db.row("SELECT case_number, acknowledged_at FROM deliveries WHERE report_id = ? AND agency_id = 'police-investigation'",
        ids.get("danger"));
    assertEquals("CA-2026-0042", stored.get("case_number"), "the first case number stays on file");
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "report.acknowledged"),
        "only the first acknowledgement is audited");
    var delivery = json(call("GET", "/api/v1/deliveries", police, null)).get("items").get(0);
    assertEquals("CA-2026-0042", delivery.get("case_number").asText());
    assertEquals(at, delivery.get("acknowledged_at").asText());
  }

  @Test
  void sinceAcceptsAnyRfc3339Offset() throws Exception {
    twoReports();
    var admin = key(null);
    // An hour before the reports, written as Viet Nam's local time: if the offset were dropped it would be 7 hours
    // later, after the reports.
    var vn = java.time.ZoneOffset.ofHours(7);
    var before = clock.instant().minus(Duration.ofHours(1)).atOffset(vn).withNano(0);
    var after = clock.instant().plus(Duration.ofHours(1)).atOffset(vn).withNano(0);
    var encoded = before.toString().replace("+", "%2B");
    var r = call("GET", "/api/v1/reports?since=" + encoded, admin, null);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(2, json(r).get("items").size(), r.body());
    assertEquals(0, json(call("GET", "/api/v1/reports?since=" + after.toString().replace("+", "%2B"), admin, null))
        .get("items").size());
    // A literal + (which a query string decodes as a space) is taken as the + the client meant.
    var plain = call("GET", "/api/v1/reports?since=" + before, admin, null);
    assertEquals(200, plain.statusCode(), plain.body());
    assertEquals(2, json(plain).get("items").size());
    // Lower-case t and z, a negative offset, fractions of a second: RFC 3339 allows them all.
    var utc = clock.instant().minus(Duration.ofHours(1));
    var lower = utc.atOffset(java.time.ZoneOffset.UTC).withNano(0).toString().toLowerCase();
    assertEquals(2, json(call("GET", "/api/v1/reports?since=" + lower, admin, null)).get("items").size(), lower);
    var west = utc.atOffset(java.time.ZoneOffset.ofHoursMinutes(-3, -30)).toString();
    assertEquals(2, json(call("GET", "/api/v1/reports?since=" + west, admin, null)).get("items").size(), west);
    var noTime = call("GET", "/api/v1/reports?since=2026-12-01T25:00:00%2B07:00", admin, null);
    assertClientProblem(400, noTime, "hour 25");
    assertTrue(json(noTime).get("detail").asText().contains("since"), noTime.body());
  }

}
