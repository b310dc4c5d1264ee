package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Reports reach the agencies the shipped routing names, signed as Standard Webhooks says, at least once, with
 * nothing lost when an agency is down: real HTTP agencies on random ports, real calls and texts, both stores.
 */
@GatewayTest
class DeliveryTest {
  static final ObjectMapper JSON = new ObjectMapper();

  Harness house;
  TestDatabase db;
  RunningGateway gw;
  MutableClock clock = MutableClock.now();
  FakeAgencies fakes;
  Map<String, FakeAgency> agencies;
  Map<String, String> secrets;
  Path routingFile;

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    db = house.db();
    fakes = new FakeAgencies(house.dir());
    agencies = fakes.agencies;
    secrets = fakes.secrets;
    routingFile = fakes.routingFile;
  }

  void startGateway(Map<String, String> extra) {
    var env = new HashMap<String, String>(Map.of("GATEWAY_ROUTING_FILE", routingFile.toString(),
        "GATEWAY_DELIVERY_BREAKER_FAILURES", "3", "GATEWAY_DELIVERY_BREAKER_COOLDOWN_SECONDS", "60"));
    env.putAll(extra);
    gw = house.start(env, clock);
  }

  @AfterEach
  void stop() {
    fakes.close();
  }

  /** A child in danger calls and reaches an operator: an urgent report. Returns its reference. */
  String dangerCall(FakeTwilio twilio) {
    var call = twilio.dangerCallAnswered();
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }

  /** A texted report of online harm with a description and a link. Returns its reference. */
  String onlineHarmSms(FakeTwilio twilio, String from) {
    for (var t : List.of("BAOCAO", "4", "2", "4", "79", "Có kẻ lạ dọa tung ảnh của em trên TikTok.", "XONG",
        "tiktok.com/@kedoa123", "1")) { // ... consent to share, then the safety question
      twilio.sms(from, t);
    }
    var end = twilio.sms(from, "1").messageText();
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);
    return m.group(1);
  }

  @Test
  void anUrgentCallReachesPoliceAndChildProtectionSignedAsStandardWebhooksSays() throws Exception {
    startGateway(Map.of());
    var reference = dangerCall(gw.twilio());
    var police = await(agencies.get("police-investigation"), 1).get(0);
    var child = await(agencies.get("child-protection"), 1).get(0);

    for (var entry : Map.of("police-investigation", police, "child-protection", child).entrySet()) {
      var r = entry.getValue();
      assertTrue(SpecWebhooks.verify(secrets.get(entry.getKey()), r.header("webhook-id"), r.header("webhook-timestamp"),
          r.header("webhook-signature"), r.body(), clock.instant().getEpochSecond(), 300),
          "signature verified by an independent implementation of the spec");
      assertEquals(List.of(), PayloadSchemas.webhook().errors(r.bodyText()), "the payload follows docs/webhook.schema.json");
      assertTrue(r.header("webhook-id").matches("msg_[0-9a-f]{32}"), r.header("webhook-id"));
      assertTrue(Math.abs(Long.parseLong(r.header("webhook-timestamp")) - clock.instant().getEpochSecond()) < 5);
      assertEquals("application/json", r.header("content-type"));
      var body = JSON.readTree(r.body());
      assertEquals("report.created", body.get("type").asText());
      var data = body.get("data");
      assertEquals("1.2", data.get("schema_version").asText());
      assertEquals(1, data.get("version").asInt(), "the report as the call made it");
      assertEquals("auto", data.get("review").get("status").asText(), "immediate danger is never held for review");
      assertEquals(reference, data.get("reference").asText());
      assertTrue(data.get("urgent").asBoolean());
      assertEquals("danger", data.get("intent").asText());
      assertEquals("immediate-danger", data.get("routing").get("rule").asText());
      assertEquals(entry.getKey(), data.get("routing").get("agency").asText());
    }
    assertEquals(0, agencies.get("education").received().size() + agencies.get("harmful-content").received().size());
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2,
        "both recorded as delivered once the agencies answered");
  }

  @Test
  void eachAgencyGetsOnlyTheFieldsItIsConfiguredFor() throws Exception {
    startGateway(Map.of());
    var reference = onlineHarmSms(gw.twilio(), "+84977000111");
    var harmful = JSON.readTree(await(agencies.get("harmful-content"), 1).get(0).body()).get("data");
    var cyber = JSON.readTree(await(agencies.get("police-cyber"), 1).get(0).body()).get("data");

    for (var a : List.of("harmful-content", "police-cyber")) {
      assertEquals(List.of(), PayloadSchemas.webhook().errors(agencies.get(a).received().get(0).bodyText()), a);
    }
    assertEquals(reference, harmful.get("reference").asText());
    assertEquals("online_abuse_harmful_content", harmful.get("category").asText());
    assertEquals(List.of("tiktok.com/@kedoa123"), list(harmful.get("harmful_content_urls")));
    assertEquals("79", harmful.get("province").get("code").asText());
    assertEquals("Thành phố Hồ Chí Minh", harmful.get("province").get("name").asText());
    for (var hidden : List.of("description", "about", "age_band", "caller_pseudonym", "recording", "consent", "outcome")) {
      assertFalse(harmful.has(hidden), "the harmful-content team does not get " + hidden);
    }
    assertEquals("Có kẻ lạ dọa tung ảnh của em trên TikTok.", cyber.get("description").asText());
    assertEquals("13-15", cyber.get("age_band").asText());
    assertTrue(cyber.get("caller_pseudonym").asText().startsWith("p1_"));
    assertTrue(cyber.get("consent").get("share_with_agencies").asBoolean());
    assertEquals(0, agencies.get("child-protection").received().size(), "online harm is not routed to social affairs");
  }

  @Test
  void anAgencyThatIsDownGetsTheSameWebhookIdWhenItComesBack() throws Exception {
    startGateway(Map.of());
    agencies.get("police-investigation").answer(FakeAgency.Answer.of(503), FakeAgency.Answer.of(500));
    dangerCall(gw.twilio());
    await(agencies.get("police-investigation"), 1);
    await(agencies.get("child-protection"), 1); // the other agency is not held up
    Await.until(() -> db.count("SELECT COUNT(*) FROM delivery_attempts WHERE outcome = ?", "retry") == 1, "first retry");

    clock.advance(Duration.ofSeconds(6));
    gw.gateway().deliverNow();
    Await.until(() -> agencies.get("police-investigation").received().size() == 2, "second attempt after 5 s");
    // its answer recorded (the next try scheduled from the clock of now) before the clock moves on
    Await.until(() -> db.count("SELECT COUNT(*) FROM delivery_attempts WHERE outcome = ?", "retry") == 2, "second retry");
    clock.advance(Duration.ofMinutes(6));
    gw.gateway().deliverNow();
    var all = await(agencies.get("police-investigation"), 3);
    assertEquals(1, all.stream().map(r -> r.header("webhook-id")).distinct().count(), "one webhook-id across retries");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2, "both delivered");
    var attempts = db.count("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
        + " WHERE d.agency_id = ?", "police-investigation");
    assertEquals(3, attempts, "every attempt recorded");
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    startGateway(Map.of());
    agencies.get("child-protection").answer(new FakeAgency.Answer(429, "120", Duration.ZERO, null));
    dangerCall(gw.twilio());
    await(agencies.get("child-protection"), 1);
    Await.until(() -> db.count("SELECT COUNT(*) FROM delivery_attempts WHERE http_status = ?", "429") == 1, "429 recorded");
    clock.advance(Duration.ofSeconds(60));
    // A claim pass at +60 s has run to its end (claiming counts the attempt before anything is sent), so a
    // delivery due before Retry-After would show a second attempt now, however slow the sending.
    gw.gateway().deliverNow();
    assertEquals(1, attemptsCounted("child-protection"), "not claimed before Retry-After");
    assertEquals(1, agencies.get("child-protection").received().size(), "not before Retry-After");
    clock.advance(Duration.ofSeconds(61));
    gw.gateway().deliverNow();
    await(agencies.get("child-protection"), 2);
  }

  @Test
  void a410DisablesTheAgencyAndItsReportsWaitWhileOthersFlow() throws Exception {
    startGateway(Map.of());
    agencies.get("police-investigation").answer(FakeAgency.Answer.of(410));
    dangerCall(gw.twilio());
    await(agencies.get("police-investigation"), 1);
    Await.until(() -> db.count("SELECT COUNT(*) FROM agency_endpoints WHERE agency_id = ?", "police-investigation") == 1,
        "disabled");
    dangerCall(gw.twilio());
    await(agencies.get("child-protection"), 2);
    clock.advance(Duration.ofHours(1));
    // Every police delivery is due now; a claim pass at +1 h has run to its end, so one not skipped would
    // have its attempt counted already.
    gw.gateway().deliverNow();
    assertEquals(1, attemptsCounted("police-investigation"), "no delivery to a disabled endpoint claimed");
    assertEquals(1, agencies.get("police-investigation").received().size(), "nothing more to a disabled endpoint");
    assertEquals(2, db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ? AND status = 'pending'",
        "police-investigation"), "its reports wait, not lost");
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_deliveries_total{agency=\"police-investigation\",outcome=\"gone\"} 1.0"), metrics);
  }

  @Test
  void redirectsAreNotFollowed() throws Exception {
    startGateway(Map.of());
    var elsewhere = new FakeAgency();
    try {
      agencies.get("child-protection").answer(new FakeAgency.Answer(301, null, Duration.ZERO, elsewhere.url("/steal")));
      dangerCall(gw.twilio());
      await(agencies.get("child-protection"), 1);
      Await.until(() -> db.count("SELECT COUNT(*) FROM delivery_attempts WHERE http_status = ?", "301") == 1, "301 recorded");
      assertEquals(0, elsewhere.received().size(), "the report did not follow the redirect");
      assertEquals("pending", db.row("SELECT status FROM deliveries WHERE agency_id = ?", "child-protection").get("status"));
    } finally {
      elsewhere.close();
    }
  }

  @Test
  void afterTheWholeScheduleADeliveryIsDeadAndAReplaySendsItWithTheSameId() throws Exception {
    startGateway(Map.of());
    agencies.get("child-protection").always(FakeAgency.Answer.of(500));
    dangerCall(gw.twilio());
    for (int i = 1; i <= 11; i++) {
      int n = i;
      await(agencies.get("child-protection"), n);
      Await.until(() -> db.count("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
          + " WHERE d.agency_id = ?", "child-protection") == n, "attempt " + n + " recorded");
      clock.advance(Duration.ofHours(27));
      gw.gateway().deliverNow();
    }
    var delivery = db.row("SELECT * FROM deliveries WHERE agency_id = ?", "child-protection");
    assertEquals("dead", delivery.get("status"));
    assertEquals(11, ((Number) delivery.get("attempts")).intValue());
    assertEquals("HTTP 500", delivery.get("last_error"));

    agencies.get("child-protection").always(FakeAgency.Answer.of(200));
    gw.gateway().deliveries().replayDead("child-protection", "cli", clock.instant());
    gw.gateway().deliverNow();
    var all = await(agencies.get("child-protection"), 12);
    assertEquals(1, all.stream().map(r -> r.header("webhook-id")).distinct().count());
    Await.until(() -> "delivered".equals(db.row("SELECT status FROM deliveries WHERE agency_id = ?", "child-protection")
        .get("status")), "delivered after replay");
  }

  @Test
  void oneDeadAgencyDoesNotSlowTheOthersAndEachAgencyStaysUnderItsConcurrencyCap() throws Exception {
    startGateway(Map.of());
    agencies.get("police-investigation").always(new FakeAgency.Answer(503, null, Duration.ofMillis(200), null));
    agencies.get("child-protection").always(new FakeAgency.Answer(200, null, Duration.ofMillis(100), null));
    var twilio = gw.twilio();
    for (int i = 0; i < 6; i++) {
      dangerCall(twilio);
    }
    await(agencies.get("child-protection"), 6);
    // The circuit opens after the third failure; calls placed after that never reach the police at first.
    Await.until(() -> gw.management().get("/metrics").body()
        .contains("hotline_agency_circuit_closed{agency=\"police-investigation\"} 0.0"), "the police circuit opened");
    Await.until(this::nothingInFlight, "every police attempt answered and recorded");
    int firstRound = agencies.get("police-investigation").received().size();
    assertTrue(firstRound >= 3 && firstRound <= 6, "3 failures open the circuit, each report tried once: " + firstRound);
    clock.advance(Duration.ofSeconds(6)); // every failed one is due again (5 s + 10 %), the cooldown (60 s) is not over
    gw.gateway().deliverNow(); // a claim pass at +6 s, run to its end: a retry would be counted by now
    assertEquals(firstRound, attemptsCounted("police-investigation"), "no retry while the circuit is open");
    int policeAttempts = agencies.get("police-investigation").received().size();
    assertEquals(firstRound, policeAttempts, "after 3 failures in a row the circuit opens: " + policeAttempts);
    assertTrue(agencies.get("child-protection").maxConcurrent() <= 4, "max_concurrency 4 per agency");
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_agency_circuit_closed{agency=\"police-investigation\"} 0.0"), metrics);
  }

  @Test
  void aGatewayStoppedBeforeItSentADeliveryHasItSentAfterRestart() throws Exception {
    startGateway(Map.of());
    // Answered long after the gateway is gone (its stop takes seconds): an attempt whose answer comes while the
    // gateway is still stopping is recorded as it ended, which is not this case.
    agencies.get("child-protection").answer(new FakeAgency.Answer(200, null, Duration.ofSeconds(30), null));
    dangerCall(gw.twilio());
    await(agencies.get("child-protection"), 1); // in flight, not yet answered
    gw.close(); // the gateway dies mid-send
    clock.advance(Duration.ofMinutes(3)); // the lease of the claim runs out
    startGateway(Map.of());
    gw.gateway().deliverNow();
    var all = await(agencies.get("child-protection"), 2);
    assertEquals(all.get(0).header("webhook-id"), all.get(1).header("webhook-id"), "the same delivery, resent");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 2, "delivered");
  }

  @Test
  void twoGatewaysOnOneDatabaseSendEveryDeliveryOnce() throws Exception {
    startGateway(Map.of());
    try (var second = house.startAnother("data2",
        Map.of("GATEWAY_ROUTING_FILE", routingFile.toString()), clock)) {
      for (var a : agencies.values()) {
        a.always(new FakeAgency.Answer(200, null, Duration.ofMillis(20), null));
      }
      var t1 = gw.twilio();
      var t2 = second.twilio();
      for (int i = 0; i < 8; i++) {
        dangerCall(i % 2 == 0 ? t1 : t2);
      }
      Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 16, "all delivered");
      // A double send is a second claim of one delivery: it counts an attempt, and its answer is recorded. Once
      // every counted attempt is recorded nothing is in flight, and nothing delivered can be claimed again.
      Await.until(this::nothingInFlight, "every attempt answered and recorded");
      assertEquals(16, db.count("delivery_attempts"), "one attempt per delivery");
      for (var a : List.of("police-investigation", "child-protection")) {
        var ids = agencies.get(a).received().stream().map(r -> r.header("webhook-id")).toList();
        assertEquals(8, ids.size(), a + " got each report once: " + ids);
        assertEquals(8, new HashSet<>(ids).size());
      }
    }
  }

  /** Attempts counted when claimed (before sending) for an agency's deliveries. */
  int attemptsCounted(String agency) {
    return db.count("SELECT COALESCE(SUM(attempts), 0) FROM deliveries WHERE agency_id = ?", agency);
  }

  /** Every attempt counted at a claim has its answer recorded: no send is under way. */
  boolean nothingInFlight() {
    return db.count("SELECT COALESCE(SUM(attempts), 0) FROM deliveries WHERE id <> ?", "")
        == db.count("delivery_attempts");
  }

  static List<String> list(JsonNode array) {
    var out = new java.util.ArrayList<String>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<FakeAgency.Received> await(FakeAgency agency, int count) {
    Await.until(() -> agency.received().size() >= count, count + " request(s) at the agency");
    return agency.received();
  }


}
