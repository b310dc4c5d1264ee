package vn.hotline.gateway.casework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.delivery.PayloadSchemas;
import vn.hotline.gateway.delivery.SpecWebhooks;
import vn.hotline.gateway.delivery.WebhookPayload;
import vn.hotline.gateway.privacy.Retention;
import vn.hotline.gateway.report.Assessment;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Counsellor review as the agencies and the counsellors' board notice it: the shipped routing plus one rule that
 * holds online-harm reports 30 minutes for child protection (the shipped online-harm rule still sends them at
 * once to the harmful-content team and the cyber police). Reports come from signed voicemail calls; the
 * agencies are real HTTP inboxes that check every signature; time moves on the gateway's own clock.
 */
@GatewayTest
class CounsellorReviewTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String HELD_RULE = """
        - name: online-harm-review
          match: { category: [online_abuse_harmful_content] }
          agencies: [child-protection]
          review: counsellor
          review_within_minutes: 30
      """;
  static final String OPERATOR = "op_0193a0c6d9e4";
  static final String NOTES = "Em 14 tuổi, bị một người lạ dọa tung ảnh qua Zalo; đã hướng dẫn em lưu lại tin nhắn.";
  static final String DISTRICT = "Quận Gò Vấp";
  static final String REASON = "Tống tiền bằng ảnh riêng tư, cần công an vào cuộc.";

  TestDatabase db;
  RunningGateway gw;
  MutableClock clock = MutableClock.now();
  FakeAgencies fakes;
  Store store;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    fakes = new FakeAgencies(house.dir());
    Files.writeString(fakes.routingFile, Files.readString(fakes.routingFile) + HELD_RULE);
    gw = house.start(Map.of("GATEWAY_ROUTING_FILE", fakes.routingFile.toString()), clock);
    PersonalData.used(NOTES, DISTRICT, REASON);
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    fakes.close();
  }

  Casework casework() {
    return gw.gateway().casework();
  }

  /**
   * A child calls in English to report online harm to another child of 13 to 15 in Ho Chi Minh City, nobody
   * answers, and the child leaves a voicemail: a report (not urgent). Returns its reference.
   */
  String onlineHarmVoicemail() {
    var call = gw.twilio().call();
    var t = call.press(call.press(call.press(call.press(call.incoming(), "2"), "2"), "4"), "2");
    var handoff = call.press(call.press(t, "4"), "79");
    call.record(call.callbackSafe(call.dialEnded(handoff, "no-answer")), 42);
    call.status("completed");
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }

  /** One webhook an agency accepted: its id and its body. */
  record Got(String webhookId, JsonNode body) {
    JsonNode data() {
      return body.get("data");
    }

    String type() {
      return body.get("type").asText();
    }
  }

  /**
   * Waits until {@code agency} has received {@code n} webhooks and returns them, each checked as the agency would:
   * signature (an independent implementation of Standard Webhooks, with the agency's secret, timestamp within
   * 5 minutes of the gateway's clock) and docs/webhook.schema.json.
   */
  static List<FakeAgency.Received> distinct(List<FakeAgency.Received> all) {
    var seen = new java.util.HashSet<String>();
    return all.stream().filter(r -> seen.add(r.header("webhook-id"))).toList();
  }

  List<Got> received(String agency, int n) throws Exception {
    var inbox = fakes.get(agency);
    // Delivery is at least once: a retry after a lost answer brings the same webhook-id again, and a receiver
    // keeps the first (Standard Webhooks). What the agency ends up with is the distinct events, in arrival order.
    Await.until(() -> distinct(inbox.received()).size() >= n, agency + " has " + n + " webhook(s)");
    var all = distinct(inbox.received());
    assertEquals(n, all.size(), agency + " got exactly " + n);
    var out = checked.computeIfAbsent(agency, a -> new ArrayList<>());
    // each webhook is checked once, on the clock of its arrival (the test moves the clock only after it awaited)
    for (var r : all.subList(out.size(), all.size())) {
      assertTrue(SpecWebhooks.verify(fakes.secrets.get(agency), r.header("webhook-id"), r.header("webhook-timestamp"),
          r.header("webhook-signature"), r.body(), clock.instant().getEpochSecond(), 300), agency + ": signature valid");
      assertEquals(List.of(), PayloadSchemas.webhook().errors(r.bodyText()), agency + ": follows docs/webhook.schema.json");
      out.add(new Got(r.header("webhook-id"), JSON.readTree(r.body())));
    }
    return List.copyOf(out);
  }

  final Map<String, List<Got>> checked = new java.util.HashMap<>();

  static Assessment assessment(String category, String subcategory, String outcome, String... agencies) {
    return new Assessment(category, subcategory, "high", "13-15", "female", "79", DISTRICT, NOTES, outcome,
        new Assessment.Referral(List.of(agencies), REASON));
  }

  String status(String reference, String agency) {
    return (String) db.row("SELECT d.status FROM deliveries d JOIN reports r ON r.id = d.report_id WHERE r.reference = ?"
        + " AND d.agency_id = '" + agency + "' AND d.report_version = 1", reference).get("status");
  }

  int attempts(String agency) {
    return db.count("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
        + " WHERE d.agency_id = ?", agency);
  }

  Instant completedAt(String reference) {
    var t = db.row("SELECT completed_at FROM reports WHERE reference = ?", reference).get("completed_at");
    var local = t instanceof LocalDateTime l ? l : ((java.sql.Timestamp) t).toLocalDateTime();
    return local.toInstant(ZoneOffset.UTC);
  }

  JsonNode api(String agency, String path) throws Exception {
    if (store == null) {
      store = Store.open(gw.config().db(), null);
    }
    var key = new ApiKeyRepository(store, new AuditLog()).create(agency, "test", Instant.now()).key();
    var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.base + path))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  @Test
  void aCounsellorRuleHoldsTheReportUntilItsReviewTimeThenItGoesFlaggedNotReviewedAndIsOverdue() throws Exception {
    var reference = onlineHarmVoicemail();

    // The report exists and is on the counsellors' list, due 30 minutes after it was made.
    var waiting = casework().awaitingReview();
    assertEquals(List.of(reference), waiting.stream().map(Casework.AwaitingReview::reference).toList());
    assertEquals(completedAt(reference).plus(Duration.ofMinutes(30)), waiting.get(0).dueAt());
    assertFalse(waiting.get(0).overdue());
    // The auto rule's agencies of the same report have it at once, as the call made it.
    for (var agency : List.of("harmful-content", "police-cyber")) {
      var got = received(agency, 1).get(0);
      assertEquals("report.created", got.type());
      assertEquals(reference, got.data().get("reference").asText());
      assertEquals(1, got.data().get("version").asInt());
      assertEquals("auto", got.data().get("review").get("status").asText());
    }
    // Child protection's copy is held: a claim pass has run to its end and did not take it.
    gw.gateway().deliverNow();
    assertEquals("held", status(reference, "child-protection"));
    assertEquals(0, attempts("child-protection"));
    assertEquals(0, api("child-protection", "/api/v1/reports").get("items").size(),
        "a held report is not the agency's yet, not even through the API");

    clock.advance(Duration.ofMinutes(29));
    gw.gateway().housekeepingNow();
    gw.gateway().deliverNow();
    assertEquals("held", status(reference, "child-protection"), "one minute before its review time");
    assertEquals(0, fakes.get("child-protection").received().size());

    clock.advance(Duration.ofMinutes(1));
    gw.gateway().housekeepingNow();
    var got = received("child-protection", 1).get(0);
    assertEquals("report.created", got.type());
    assertEquals(reference, got.data().get("reference").asText());
    assertEquals(1, got.data().get("version").asInt());
    assertEquals("not_reviewed", got.data().get("review").get("status").asText());
    assertTrue(got.data().get("review").get("reviewed_at").isNull());
    assertTrue(got.data().get("assessment").isNull(), "nobody has assessed it");
    assertEquals("online_abuse_harmful_content", got.data().get("category").asText(), "as the caller said");
    assertEquals("online-harm-review", got.data().get("routing").get("rule").asText());

    var overdue = casework().awaitingReview();
    assertEquals(List.of(reference), overdue.stream().map(Casework.AwaitingReview::reference).toList());
    assertTrue(overdue.get(0).overdue(), "the board shows it as overdue until a counsellor completes it");
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "delivery.released"));
    assertEquals(1, api("child-protection", "/api/v1/reports").get("items").size(), "sent: now the agency's");
  }

  @Test
  void completingBeforeTheReviewTimeDeliversTheAmendedReportFlaggedReviewedWithTheCounsellorsCategory() throws Exception {
    var reference = onlineHarmVoicemail();
    var cyberFirst = received("police-cyber", 1).get(0);
    received("harmful-content", 1);
    // recorded as delivered before the clock jumps past the claim lease (else the worker sends it again, same id)
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "pending") == 0,
        "the first deliveries recorded");
    clock.advance(Duration.ofMinutes(10));

    var done = casework().complete(OPERATOR, reference,
        assessment("sexual_violence", "sexual_exploitation", "referred", "child-protection", "police-cyber", "education"));
    assertEquals(2, done.version());

    var child = received("child-protection", 1).get(0);
    assertEquals("report.created", child.type(), "its first copy, held until now");
    var data = child.data();
    assertEquals(reference, data.get("reference").asText());
    assertEquals(2, data.get("version").asInt());
    assertEquals("reviewed", data.get("review").get("status").asText());
    assertEquals(WebhookPayload.time(clock.instant()), data.get("review").get("reviewed_at").asText());
    assertEquals("sexual_violence", data.get("category").asText(), "the counsellor's category");
    assertEquals("sexual_exploitation", data.get("subcategory").asText());
    assertEquals("high", data.get("assessment").get("risk_level").asText());
    assertEquals("female", data.get("assessment").get("sex").asText());
    assertEquals("referred", data.get("assessment").get("outcome").asText());
    assertEquals(NOTES, data.get("assessment").get("case_notes").asText(), "child protection gets the caller's words too");
    assertEquals(DISTRICT, data.get("assessment").get("district").asText());
    assertEquals(List.of("child-protection", "police-cyber", "education"),
        JSON.convertValue(data.get("assessment").get("referral").get("agencies"), List.class));
    assertEquals("online-harm-review", data.get("routing").get("rule").asText());

    var education = received("education", 1).get(0);
    assertEquals("report.created", education.type(), "added by the counsellor");
    assertEquals(2, education.data().get("version").asInt());
    assertEquals("referral", education.data().get("routing").get("rule").asText());

    var cyber = received("police-cyber", 2).get(1);
    assertEquals("report.updated", cyber.type(), "it had version 1 already");
    assertEquals(2, cyber.data().get("version").asInt());
    assertNotEquals(cyberFirst.webhookId(), cyber.webhookId(), "a new webhook-id, so idempotency does not drop it");
    assertEquals("sexual_violence", cyber.data().get("category").asText());

    assertEquals(List.of(), casework().awaitingReview(), "completed: no longer waiting");
    var row = db.row("SELECT version, reviewed_by, reviewed_at FROM reports WHERE reference = ?", reference);
    assertEquals(2, ((Number) row.get("version")).intValue());
    assertEquals(OPERATOR, row.get("reviewed_by"));
    var stored = db.row("SELECT v.notes_sealed, v.operator_id FROM report_versions v JOIN reports r ON r.id = v.report_id"
        + " WHERE r.reference = ?", reference);
    assertFalse(((String) stored.get("notes_sealed")).contains("Zalo"), "case notes are sealed at rest");
    assertEquals(NOTES, gw.sealer().open((String) stored.get("notes_sealed")));
    assertEquals(OPERATOR, stored.get("operator_id"));
    var reviewed = db.row("SELECT actor, data FROM audit_events WHERE event_type = ?", "report.reviewed");
    assertEquals("operator:" + OPERATOR, reviewed.get("actor"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE data LIKE ?", "%Zalo%"), "no notes in the audit");

    // The review time passes: nothing is held any more, and child protection got the report once.
    clock.advance(Duration.ofMinutes(30));
    gw.gateway().housekeepingNow();
    assertEquals(0, db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "held"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "delivery.released"));
    assertEquals(1, distinct(fakes.get("harmful-content").received()).size(),
        "taken out of the referral after it had v1: no update");
  }

  @Test
  void completingAfterDeliverySendsReportUpdatedVersion2SignedToTheAgenciesThatHadIt() throws Exception {
    var reference = onlineHarmVoicemail();
    received("harmful-content", 1);
    clock.advance(Duration.ofMinutes(31));
    gw.gateway().housekeepingNow();
    var first = received("child-protection", 1).get(0);
    assertEquals("not_reviewed", first.data().get("review").get("status").asText());

    clock.advance(Duration.ofMinutes(5));
    var done = casework().complete(OPERATOR, reference, assessment("online_abuse_harmful_content", "sextortion",
        "referred", "harmful-content", "police-cyber", "child-protection"));
    assertEquals(List.of("harmful-content", "police-cyber", "child-protection"), done.updated());
    assertEquals(List.of(), done.created());

    var update = received("child-protection", 2).get(1);
    assertEquals("report.updated", update.type());
    assertEquals(2, update.data().get("version").asInt());
    assertEquals("reviewed", update.data().get("review").get("status").asText());
    assertEquals("sextortion", update.data().get("subcategory").asText());
    assertNotEquals(first.webhookId(), update.webhookId(), "each version has its own event id");
    assertEquals(first.data().get("id"), update.data().get("id"), "the same report");

    var harmful = received("harmful-content", 2).get(1);
    assertEquals("report.updated", harmful.type());
    assertEquals(2, harmful.data().get("version").asInt());
    assertFalse(harmful.data().has("assessment"), "the harmful-content team is not configured for assessments");
    assertFalse(harmful.body().toString().contains("Zalo"), "nor for anyone's words");
    assertEquals(List.of(), casework().awaitingReview());

    // The counsellor's words follow the report's free text: kept until every agency has it and its time is up.
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries WHERE status = ?", "delivered") == 6, "all delivered");
    store = Store.open(gw.config().db(), null);
    var retention = new Retention(store, new AuditLog(), gw.config().retention());
    var version = "SELECT v.* FROM report_versions v JOIN reports r ON r.id = v.report_id WHERE r.reference = ?";
    assertEquals(0, retention.purge(clock.instant().plus(Duration.ofDays(300))).get("review_free_text"));
    var kept = db.row(version, reference);
    assertEquals(NOTES, gw.sealer().open((String) kept.get("notes_sealed")), "kept within the report's free-text time");
    assertEquals(DISTRICT, gw.sealer().open((String) kept.get("district_sealed")));
    assertEquals(REASON, gw.sealer().open((String) kept.get("reason_sealed")));
    assertEquals(1, retention.purge(clock.instant().plus(Duration.ofDays(366))).get("review_free_text"));
    var purged = db.row(version, reference);
    assertEquals(null, purged.get("notes_sealed"));
    assertEquals(null, purged.get("district_sealed"));
    assertEquals(null, purged.get("reason_sealed"));
    assertEquals("high", purged.get("risk_level"));
    var rest = new java.util.HashMap<>(kept);
    for (var column : List.of("notes_sealed", "district_sealed", "reason_sealed")) {
      rest.remove(column);
    }
    rest.forEach((column, value) -> assertEquals(value, purged.get(column), column + " stays (codes, operator, time)"));
    assertEquals(OPERATOR, db.row("SELECT reviewed_by FROM reports WHERE reference = ?", reference).get("reviewed_by"),
        "an opaque operator id, not free text");
  }

  @Test
  void anAgencyTakenOutOfAReferralBeforeAnythingWasSentToItGetsNothing() throws Exception {
    var reference = onlineHarmVoicemail();
    received("police-cyber", 1);
    received("harmful-content", 1);

    var done = casework().complete(OPERATOR, reference, assessment("online_abuse_harmful_content", "sextortion",
        "referred", "police-cyber", "harmful-content", "education"));
    assertEquals(List.of("child-protection"), done.withdrawn());
    assertEquals("report.created", received("education", 1).get(0).type());
    assertEquals("report.updated", received("police-cyber", 2).get(1).type());
    assertEquals(0, db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?", "child-protection"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "delivery.withdrawn"));

    clock.advance(Duration.ofMinutes(31));
    gw.gateway().housekeepingNow();
    gw.gateway().deliverNow();
    assertEquals(0, attempts("child-protection"));
    assertEquals(0, fakes.get("child-protection").received().size());
  }

  @Test
  void aFormWithAnInvalidFieldIsRefusedNamingItAndChangesNothing() throws Exception {
    var reference = onlineHarmVoicemail();
    received("police-cyber", 1);
    received("harmful-content", 1);
    // the agencies' answers are recorded (with their audit events) just after they received the webhook; and only
    // the events about this report count (housekeeping jobs may audit their own runs meanwhile)
    for (var agency : List.of("police-cyber", "harmful-content")) {
      Await.until(() -> "delivered".equals(status(reference, agency)), agency + "'s answer recorded");
    }
    var reportId = (String) db.row("SELECT id FROM reports WHERE reference = ?", reference).get("id");
    int audited = aboutReport(reportId);
    int deliveries = db.count("deliveries");

    var cases = Map.of(
        "category", assessment("cyber", null, "advice_given"),
        "subcategory", assessment("sexual_violence", "school_bullying", "advice_given"),
        "referral.agencies", assessment("sexual_violence", null, "referred", "child-protection", "police-hanoi"),
        "outcome", assessment("sexual_violence", null, "closed"),
        "risk_level", new Assessment("sexual_violence", null, "severe", "13-15", null, "79", null, null, "advice_given",
            null),
        "province", new Assessment("sexual_violence", null, "low", "13-15", null, "99", null, null, "advice_given", null));
    for (var c : cases.entrySet()) {
      var e = assertThrows(Assessment.Invalid.class, () -> casework().complete(OPERATOR, reference, c.getValue()));
      assertEquals(c.getKey(), e.field(), e.getMessage());
    }
    var noOperator = assertThrows(Assessment.Invalid.class,
        () -> casework().complete(" ", reference, assessment("other", null, "advice_given")));
    assertEquals("operator_id", noOperator.field());
    var other = reference.equals("00000000") ? "00000001" : "00000000";
    assertThrows(Casework.UnknownReport.class,
        () -> casework().complete(OPERATOR, other, assessment("other", null, "advice_given")));

    assertEquals(0, db.count("report_versions"));
    var row = db.row("SELECT version, reviewed_at, reviewed_by FROM reports WHERE reference = ?", reference);
    assertEquals(1, ((Number) row.get("version")).intValue());
    assertEquals(null, row.get("reviewed_at"));
    assertEquals(deliveries, db.count("deliveries"));
    assertEquals("held", status(reference, "child-protection"));
    assertEquals(audited, aboutReport(reportId), "no audit event about the report");
    assertEquals(List.of(reference), casework().awaitingReview().stream().map(Casework.AwaitingReview::reference).toList());
  }

  @Test
  void theFormIsPrefilledFromTheRoutingItsNotesAreOpenedAuditedAndErasedWithTheReport() throws Exception {
    var reference = onlineHarmVoicemail();
    received("police-cyber", 1);
    received("harmful-content", 1);
    assertEquals(Set.of("harmful-content", "police-cyber", "child-protection"), Set.copyOf(casework().referralOf(reference)),
        "the routing's choice, held one included");
    assertEquals(Optional.empty(), casework().openAssessment(OPERATOR, reference), "nobody has completed it yet");

    casework().complete(OPERATOR, reference, assessment("online_abuse_harmful_content", "sextortion", "referred",
        "child-protection"));
    assertEquals(2, received("child-protection", 1).get(0).data().get("version").asInt());
    var opened = casework().openAssessment("op_supervisor", reference).orElseThrow();
    assertEquals(2, opened.version());
    assertEquals(OPERATOR, opened.operatorId());
    assertEquals(NOTES, opened.assessment().notes());
    assertEquals(List.of("child-protection"), opened.assessment().referral().agencies());
    assertEquals("operator:op_supervisor",
        db.row("SELECT actor FROM audit_events WHERE event_type = ?", "report.viewed").get("actor"),
        "a view of the case notes is audited with who looked");

    store = Store.open(gw.config().db(), null);
    assertTrue(new Retention(store, new AuditLog(), gw.config().retention()).erase(reference, "req-1", clock.instant()));
    var erased = db.row("SELECT v.notes_sealed, v.district_sealed, v.reason_sealed, v.category FROM report_versions v"
        + " JOIN reports r ON r.id = v.report_id WHERE r.reference = ?", reference);
    assertEquals(null, erased.get("notes_sealed"));
    assertEquals(null, erased.get("district_sealed"));
    assertEquals(null, erased.get("reason_sealed"));
    assertEquals("online_abuse_harmful_content", erased.get("category"), "codes stay, for the statistics");
    var again = assertThrows(Assessment.Invalid.class, () -> casework().complete(OPERATOR, reference,
        assessment("other", null, "advice_given")));
    assertEquals("reference", again.field(), "nothing about an erased report is stored again");
  }

  int aboutReport(String reportId) {
    return db.count("SELECT COUNT(*) FROM audit_events WHERE refs LIKE ?", "%" + reportId + "%");
  }
}
