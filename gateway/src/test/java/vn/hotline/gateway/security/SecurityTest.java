package vn.hotline.gateway.security;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * What an attacker tries, case by case, and what they get. Each test is named for the attempt and asserts what
 * the attacker sees (status, body) and what the hotline keeps (nothing stored, an audit event, other callers
 * still answered). The gateway runs for real on a random port over a real store.
 */
class SecurityTest {
  @TempDir Path dir;
  TestDatabase db;
  RunningGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
    if (db != null) {
      db.close();
    }
  }

  /** A gateway on the embedded store (H2), configured like a deployment by environment, plus {@code env}. */
  void start(Map<String, String> env) {
    start(TestDatabase.Kind.H2, env);
  }

  void start(TestDatabase.Kind kind, Map<String, String> env) {
    db = TestDatabase.create(kind, dir);
    gw = RunningGateway.start(db, dir.resolve("data"), env);
  }

  // ===== Twilio webhooks: forged and repeated parameters, long texts, echoed values =====

  // ----- end of Twilio webhooks -----

  // ===== The embedded store: network exposure, file permissions, production refusal =====

  // ----- end of the embedded store -----

  // ===== The integrator API: guessed keys, bodies on GETs, acknowledgements, times =====

  vn.hotline.gateway.testing.MutableClock apiClock;
  final java.net.http.HttpClient apiHttp = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

  /** A gateway on H2 with a clock the test moves, and an API key for {@code agency} (null: an admin key). */
  String apiStart(Map<String, String> env, String agency) {
    db = TestDatabase.create(TestDatabase.Kind.H2, dir);
    apiClock = vn.hotline.gateway.testing.MutableClock.now();
    gw = RunningGateway.start(db, dir.resolve("data"), env, apiClock);
    try (var store = vn.hotline.gateway.store.Store.open(gw.config().db(), null)) {
      return new vn.hotline.gateway.store.ApiKeyRepository(store, new vn.hotline.gateway.audit.AuditLog())
          .create(agency, "test", java.time.Instant.now()).key();
    }
  }

  java.net.http.HttpResponse<String> apiSend(String method, String path, String authorization, String body) {
    var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.base + path))
        .timeout(java.time.Duration.ofSeconds(20))
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    try {
      return apiHttp.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }

  static com.fasterxml.jackson.databind.JsonNode apiJson(java.net.http.HttpResponse<String> r) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  static void apiAssertProblem(int status, String title, java.net.http.HttpResponse<String> r) {
    org.junit.jupiter.api.Assertions.assertEquals(status, r.statusCode(), r.body());
    org.junit.jupiter.api.Assertions.assertEquals("application/problem+json",
        r.headers().firstValue("Content-Type").orElse(""), r.body());
    org.junit.jupiter.api.Assertions.assertEquals(title, apiJson(r).get("title").asText(), r.body());
    org.junit.jupiter.api.Assertions.assertEquals(status, apiJson(r).get("status").asInt(), r.body());
  }

  @org.junit.jupiter.api.Test
  void guessingApiKeysFromOneAddressIsCutOffWith429AndAuditedEvenForTheRightKey() {
    var good = apiStart(Map.of("GATEWAY_LIMITS_FAILED_AUTH_PER_MINUTE", "3"), "education");
    apiAssertProblem(401, "Unauthorized", apiSend("GET", "/api/v1/reports", null, null));
    apiAssertProblem(401, "Unauthorized", apiSend("GET", "/api/v1/reports", "Bearer hgk_guess1", null));
    apiAssertProblem(401, "Unauthorized", apiSend("GET", "/api/v1/deliveries", "Bearer hgk_guess2", null));
    var cut = apiSend("GET", "/api/v1/reports", "Bearer hgk_guess3", null);
    apiAssertProblem(429, "Too Many Requests", cut);
    // 3 a minute: the clock stands still, so the next token comes back in 20 seconds.
    org.junit.jupiter.api.Assertions.assertEquals("20", cut.headers().firstValue("Retry-After").orElse(null));
    // While cut off, the right key is refused as well: a 429 says nothing about whether a guess was right.
    apiAssertProblem(429, "Too Many Requests", apiSend("GET", "/api/v1/reports", "Bearer " + good, null));
    // A bad Twilio signature from the same address counts against the same budget.
    java.net.http.HttpResponse<String> twilio;
    try {
      twilio = apiHttp.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.base + "/twilio/voice/incoming"))
          .timeout(java.time.Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
          .header("X-Twilio-Signature", "forged").POST(java.net.http.HttpRequest.BodyPublishers.ofString("CallSid=CA1"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
    org.junit.jupiter.api.Assertions.assertEquals(429, twilio.statusCode(), twilio.body());
    org.junit.jupiter.api.Assertions.assertEquals("20", twilio.headers().firstValue("Retry-After").orElse(null));
    vn.hotline.gateway.testing.Await.until(() -> db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?",
        "ratelimit.exceeded") == 1, "the flood is audited, once for the minute");
    var audited = db.row("SELECT actor, data FROM audit_events WHERE event_type = ?", "ratelimit.exceeded");
    org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(audited.get("data")).contains("auth"), audited.toString());

    apiClock.advance(java.time.Duration.ofSeconds(20));
    org.junit.jupiter.api.Assertions.assertEquals(200, apiSend("GET", "/api/v1/reports", "Bearer " + good, null).statusCode(),
        "after Retry-After the agency's own key works again");
    org.junit.jupiter.api.Assertions.assertEquals(200, apiSend("GET", "/api/v1/reports", "Bearer " + good, null).statusCode(),
        "a right key spends nothing");
  }

  @org.junit.jupiter.api.Test
  void aFormBodyOnAGetWithoutAKeyIsA400ProblemNotAnInternalError() throws Exception {
    apiStart(Map.of(), "education");
    var bodies = Map.of("application/x-www-form-urlencoded", "a=1",
        "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n",
        "application/json", "{\"x\":\"" + "y".repeat(1000) + "\"}");
    for (var path : java.util.List.of("/api/v1/reports", "/api/v1/deliveries", "/api/v1/stats?from=2026-01-01&to=2026-01-31")) {
      for (var body : bodies.entrySet()) {
        var r = apiHttp.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.base + path))
            .header("Content-Type", body.getKey())
            .method("GET", java.net.http.HttpRequest.BodyPublishers.ofString(body.getValue())).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        apiAssertProblem(400, "Bad Request", r);
        org.junit.jupiter.api.Assertions.assertTrue(apiJson(r).get("detail").asText().contains("no body"), r.body());
      }
    }
  }

  @org.junit.jupiter.api.Test
  void caseNumbersWithControlCharactersOrTooLongAreRefusedBeforeTheyReachTheStoreOrTheLogs() {
    var key = apiStart(Map.of(), "police-investigation");
    var path = "/api/v1/reports/0193a0c6-d9e4-7f3a-8b2c-0123456789ab/acknowledge";
    for (var bad : java.util.List.of("CA-1\\r\\nINFO forged log line", "CA\\u001b[31m", "CA\\u0000", "CA\\u202e1",
        "X".repeat(65))) {
      var r = apiSend("POST", path, "Bearer " + key, "{\"case_number\":\"" + bad + "\"}");
      apiAssertProblem(400, "Bad Request", r);
      org.junit.jupiter.api.Assertions.assertTrue(apiJson(r).get("detail").asText().contains("case_number"), r.body());
    }
    org.junit.jupiter.api.Assertions.assertEquals(0,
        db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "report.acknowledged"));
  }

  // ----- end of the integrator API -----

  // ===== The listener: metrics exposure, slow clients, request smuggling =====

  // ----- end of the listener -----
}
