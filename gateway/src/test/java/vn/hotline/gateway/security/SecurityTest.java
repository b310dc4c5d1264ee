package vn.hotline.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.GatewayTest.Stores;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.testing.Twiml;

/**
 * What an attacker tries, case by case, and what they get. Each test is named for the attempt and asserts what
 * the attacker sees (status, body) and what the hotline keeps (nothing stored, an audit event, other callers
 * still answered). The gateway runs for real on a random port over a real store.
 */
@GatewayTest(stores = Stores.H2)
class SecurityTest {
  Harness house;
  Path dir;
  TestDatabase db;
  RunningGateway gw;

  @BeforeEach
  void house(Harness house) {
    this.house = house;
    dir = house.dir();
  }

  /** A gateway on the embedded store (H2), configured like a deployment by environment, plus {@code env}. */
  void start(Map<String, String> env) {
    db = house.db();
    gw = house.start(env);
  }

  // ===== Twilio webhooks: forged and repeated parameters, long texts, echoed values =====

  static final String TWILIO_FORM = "application/x-www-form-urlencoded";

  /** A form body as Twilio encodes it, in the order given. */
  static String twilioForm(Map<String, String> params) {
    var b = new StringBuilder();
    params.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(java.net.URLEncoder.encode(k, StandardCharsets.UTF_8))
        .append('=').append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString();
  }

  /** The parameters Twilio Messaging signs for one inbound SMS. */
  static Map<String, String> twilioSmsParams(String from, String body) {
    var p = new LinkedHashMap<String, String>();
    p.put("MessageSid", FakeTwilio.newMessageSid());
    p.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    p.put("From", from);
    p.put("To", "+84111");
    p.put("Body", body);
    p.put("NumMedia", "0");
    return p;
  }

  /** The parameters Twilio Voice signs for a callback of call {@code sid}, plus {@code extra}. */
  static Map<String, String> twilioVoiceParams(String sid, Map<String, String> extra) {
    var p = new LinkedHashMap<String, String>();
    p.put("CallSid", sid);
    p.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    p.put("From", FakeTwilio.CALLER);
    p.put("To", "+84111");
    p.put("CallStatus", "in-progress");
    p.put("Direction", "inbound");
    p.putAll(extra);
    return p;
  }

  String twilioSign(String pathAndQuery, Map<String, String> params) {
    return TwilioSigner.sign(RunningGateway.TOKEN, gw.base + pathAndQuery, params);
  }

  void twilioAssertProblem(int status, Twiml r) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.body().startsWith("{"), "a problem document, not " + r.body());
    var json = new io.vertx.core.json.JsonObject(r.body());
    assertEquals(status, json.getInteger("status"), r.body());
    assertNotNull(json.getString("detail"), r.body());
  }

  void twilioAwaitAudit(String type, int count) {
    vn.hotline.gateway.testing.Await.until(
        () -> db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", type) >= count, count + " " + type + " audit event(s)");
  }

  /** A POST written by hand, for a request line java.net.http refuses to send (a malformed query string). */
  Twiml twilioOverSocket(String pathAndQuery, String body) {
    try (var socket = new java.net.Socket(gw.base.getHost(), gw.base.getPort())) {
      socket.setSoTimeout(10_000);
      var bytes = body.getBytes(StandardCharsets.UTF_8);
      var out = socket.getOutputStream();
      out.write(("POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + gw.base.getAuthority() + "\r\nContent-Type: " + TWILIO_FORM
          + "\r\nX-Twilio-Signature: sig\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      var response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      var status = Integer.parseInt(response.substring(9, 12));
      return Twiml.parse(status, response.substring(response.indexOf("\r\n\r\n") + 4), java.time.Duration.ZERO);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void twilioAnSmsReplayedWithItsOwnFromAndBodyPutBeforeOrAfterTheSignedOnesIsRefusedAndNothingStored() {
    start(Map.of());
    var twilio = gw.twilio();
    var child = "+84915550101";
    var forger = "+84915550102";
    PersonalData.used(child, forger);
    var signed = twilioSmsParams(child, "alo");
    var signature = twilioSign("/twilio/sms/incoming", signed);
    var extra = "From=" + java.net.URLEncoder.encode(forger, StandardCharsets.UTF_8) + "&Body=BAOCAO";

    var before = twilio.rawPost("/twilio/sms/incoming", extra + "&" + twilioForm(signed), signature, TWILIO_FORM);
    var after = twilio.rawPost("/twilio/sms/incoming", twilioForm(signed) + "&" + extra, signature, TWILIO_FORM);

    twilioAssertProblem(403, before);
    twilioAssertProblem(403, after);
    assertFalse(before.body().contains("BAOCAO") || before.body().contains("915550102"), before.body());
    assertEquals(0, db.count("sms_inbound"));
    assertEquals(0, db.count("contacts"));
    assertEquals(0, db.count("sms_outbound"));
    // the very same signed request without the extra copies is served: the refusals were about the copies alone
    assertEquals(1, twilio.rawPost("/twilio/sms/incoming", twilioForm(signed), signature, TWILIO_FORM).messages().size());
    assertEquals(1, db.count("sms_inbound"));
  }

  @Test
  void twilioACallReplayedWithASecondCallSidGetsNoSession() {
    start(Map.of());
    var twilio = gw.twilio();
    var signed = twilioVoiceParams(FakeTwilio.newCallSid(), Map.of());
    var signature = twilioSign("/twilio/voice/incoming", signed);
    var other = "CallSid=" + FakeTwilio.newCallSid();

    var before = twilio.rawPost("/twilio/voice/incoming", other + "&" + twilioForm(signed), signature, TWILIO_FORM);
    var after = twilio.rawPost("/twilio/voice/incoming", twilioForm(signed) + "&" + other, signature, TWILIO_FORM);

    twilioAssertProblem(403, before);
    twilioAssertProblem(403, after);
    assertFalse(before.has("Gather"));
    assertEquals(0, db.count("contacts"));
    assertEquals(0, db.count("flow_sessions"));
  }

  @Test
  void twilioAKeypressReplayedWithASecondDigitsDoesNotMoveTheCall() {
    start(Map.of());
    var twilio = gw.twilio();
    var call = twilio.call();
    var menu = call.incoming();
    var action = menu.actionOf("Gather");
    var signed = twilioVoiceParams(call.sid, Map.of("Digits", "1"));
    var signature = twilioSign(action, signed);

    var before = twilio.rawPost(action, "Digits=2&" + twilioForm(signed), signature, TWILIO_FORM);
    var after = twilio.rawPost(action, twilioForm(signed) + "&Digits=2", signature, TWILIO_FORM);

    twilioAssertProblem(403, before);
    twilioAssertProblem(403, after);
    var real = call.press(menu, "1");
    assertTrue(real.heardText().contains("đang gặp nguy hiểm"), "still at the language menu, Vietnamese chosen: "
        + real.heardText());
  }

  @Test
  void twilioAStepUrlWithTwoSeqIsRefusedEvenWhenTheSignatureCoversIt() {
    start(Map.of());
    var twilio = gw.twilio();
    var call = twilio.call();
    var menu = call.incoming();
    var action = menu.actionOf("Gather");
    assertTrue(action.contains("seq="), action);
    var twice = action + "&seq=999";
    var signed = twilioVoiceParams(call.sid, Map.of("Digits", "1"));

    twilioAssertProblem(403, twilio.rawPost(twice, twilioForm(signed), twilioSign(twice, signed), TWILIO_FORM));

    var real = call.press(menu, "1");
    assertTrue(real.heardText().contains("đang gặp nguy hiểm"), real.heardText());
  }

  @Test
  void twilioRepeatedParametersAreAuditedCountedAndCountTowardsTheFailedAuthLimit() {
    start(Map.of("GATEWAY_LIMITS_FAILED_AUTH_PER_MINUTE", "2"));
    var twilio = gw.twilio();
    var number = "+84915550103";
    PersonalData.used(number);
    var statuses = new java.util.ArrayList<Integer>();
    for (int i = 0; i < 3; i++) {
      var signed = twilioSmsParams(number, "alo");
      statuses.add(twilio.rawPost("/twilio/sms/incoming", "Body=BAOCAO&" + twilioForm(signed),
          twilioSign("/twilio/sms/incoming", signed), TWILIO_FORM).status());
    }

    assertEquals(List.of(403, 403, 429), statuses);
    twilioAwaitAudit("webhook.refused", 2);
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT data FROM audit_events WHERE event_type = 'webhook.refused'")) {
      while (rs.next()) {
        var data = rs.getString(1);
        assertTrue(data.contains("repeated-parameter"), data);
        assertFalse(data.contains("915550103") || data.contains("BAOCAO"), data);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_webhook_refused_total{reason=\"repeated-parameter\"} 2.0"), metrics);
    assertEquals(0, db.count("sms_inbound"));
  }

  @Test
  void twilioAMalformedPercentEncodingGetsA400ProblemThatDoesNotEchoTheNumber() {
    start(Map.of());
    var twilio = gw.twilio();
    var number = "+84915550104";
    PersonalData.used(number);
    var sid = FakeTwilio.newMessageSid();
    var badFrom = "MessageSid=" + sid + "&From=%2B" + number.substring(1) + "%ZZ&To=%2B84111&Body=alo";
    var badBody = "MessageSid=" + sid + "&From=%2B" + number.substring(1) + "&To=%2B84111&Body=%E0%A4%A";
    var badCall = "CallSid=" + FakeTwilio.newCallSid() + "&From=%2B" + number.substring(1) + "%G1";

    for (var r : List.of(twilio.rawPost("/twilio/sms/incoming", badFrom, "sig", TWILIO_FORM),
        twilio.rawPost("/twilio/sms/incoming", badBody, "sig", TWILIO_FORM),
        twilio.rawPost("/twilio/voice/incoming", badCall, "sig", TWILIO_FORM),
        twilioOverSocket("/twilio/voice/step/main-menu?seq=1&event=%2B" + number.substring(1) + "%ZZ",
            "CallSid=" + FakeTwilio.newCallSid()))) {
      twilioAssertProblem(400, r);
      assertFalse(r.body().contains("915550104"), r.body());
      assertFalse(r.body().contains("%E0") || r.body().contains("%ZZ"), r.body());
    }
    assertEquals(0, db.count("sms_inbound"));
    assertEquals(0, db.count("contacts"));
  }

  @Test
  void twilioAForgedSignatureGetsTheSameProblemShapeAsEveryOtherError() {
    start(Map.of());
    var twilio = gw.twilio();
    var params = twilioSmsParams("+84915550105", "BAOCAO");
    PersonalData.used("+84915550105");
    var forged = twilio.rawPost("/twilio/sms/incoming", twilioForm(params),
        TwilioSigner.sign("guess", gw.base + "/twilio/sms/incoming", params), TWILIO_FORM);
    twilioAssertProblem(403, forged);
    assertEquals(0, db.count("sms_inbound"));
  }

  @Test
  void twilioABodyFarLargerThanTwilioEverSendsGetsAClearAnswerNotA500() {
    start(Map.of());
    var twilio = gw.twilio();
    var text = "😀".repeat(40_000);
    var params = twilioSmsParams("+84915550106", text);
    PersonalData.used("+84915550106");
    var r = twilio.rawPost("/twilio/sms/incoming", twilioForm(params), twilioSign("/twilio/sms/incoming", params), TWILIO_FORM);
    twilioAssertProblem(413, r);
    assertEquals(0, db.count("sms_inbound"));
  }

  // ----- end of Twilio webhooks -----

  // ===== The embedded store: network exposure, file permissions, production refusal =====

  /** A gateway started the way {@code serve} starts by default: no db.url, so the embedded H2 under data_dir. */
  vn.hotline.gateway.Gateway storeGateway;

  @AfterEach
  void storeStop() {
    if (storeGateway != null) {
      storeGateway.close();
    }
  }

  Map<String, String> storeEnv;

  /** The environment of a default deployment on this machine (no db.url), the same for the gateway and the CLI. */
  Map<String, String> storeEnv() {
    if (storeEnv != null) {
      return storeEnv;
    }
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return storeEnv = Map.of("GATEWAY_HTTP_HOST", "127.0.0.1", "GATEWAY_HTTP_PORT", Integer.toString(port),
        "GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port, "GATEWAY_DATA_DIR", dir.resolve("data").toString(),
        "TWILIO_AUTH_TOKEN", RunningGateway.TOKEN, "GATEWAY_FALLBACK_NUMBER", RunningGateway.FALLBACK,
        "GATEWAY_OPERATORS_NUMBERS", RunningGateway.OPERATOR_1, "GATEWAY_HTTP_SHUTDOWN_GRACE_SECONDS", "1",
        "GATEWAY_MANAGEMENT_PORT", "0");
  }

  /** Starts the embedded-store gateway and returns what its H2 lock file tells anyone who can read it. */
  java.util.Properties storeStartAndReadLock() throws Exception {
    var cfg = vn.hotline.gateway.config.GatewayConfig.from(vn.hotline.gateway.config.Settings.load(null, storeEnv()));
    storeGateway = vn.hotline.gateway.Gateway.start(cfg);
    var lock = dir.resolve("data/hotline.lock.db");
    assertTrue(java.nio.file.Files.isRegularFile(lock), "the embedded store is open with AUTO_SERVER: " + lock);
    var props = new java.util.Properties();
    try (var in = java.nio.file.Files.newInputStream(lock)) {
      props.load(in);
    }
    assertNotNull(props.getProperty("server"), "the lock file names the auto-server: " + props);
    return props;
  }

  static int storePort(java.util.Properties lock) {
    var server = lock.getProperty("server");
    return Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
  }

  /** Local addresses (hex, as the kernel lists them) of every socket listening on {@code port}. */
  static java.util.List<String> storeListeners(int port) throws java.io.IOException {
    var found = new java.util.ArrayList<String>();
    for (var table : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      var file = Path.of(table);
      if (!java.nio.file.Files.exists(file)) {
        continue;
      }
      var lines = java.nio.file.Files.readAllLines(file); // read once: the kernel's table changes between reads
      for (var line : lines.subList(1, lines.size())) {
        var f = line.trim().split("\\s+");
        var local = f[1].split(":");
        if ("0A".equals(f[3]) && Integer.parseInt(local[1], 16) == port) {
          found.add(local[0]);
        }
      }
    }
    return found;
  }

  /** 127.0.0.0/8, ::1 or ::ffff:127.x.x.x as /proc/net/tcp(6) spell them (little-endian words). */
  static boolean storeLoopbackHex(String hex) {
    return hex.length() == 8 ? hex.endsWith("7F")
        : hex.equals("00000000000000000000000001000000") || hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F");
  }

  @Test
  void theEmbeddedStoresAutoServerListensOnLoopbackOnly() throws Exception {
    int port = storePort(storeStartAndReadLock());

    var listeners = storeListeners(port);
    assertFalse(listeners.isEmpty(), "the auto-server listens on port " + port);
    for (var l : listeners) {
      assertTrue(storeLoopbackHex(l), "listening on " + l + ": reachable from other machines (port " + port + ")");
    }
    // What an outsider on the network does: connect to the machine's own address.
    for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (var a : java.util.Collections.list(nic.getInetAddresses())) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || !(a instanceof java.net.Inet4Address)) {
          continue;
        }
        try (var s = new java.net.Socket()) {
          s.connect(new java.net.InetSocketAddress(a, port), 2000);
          fail("the store answered on " + a.getHostAddress() + ":" + port);
        } catch (java.net.ConnectException expected) {
          // refused: nothing listens there
        }
      }
    }
  }

  @Test
  void anEmptyUserAndPasswordCannotOpenTheEmbeddedStore() throws Exception {
    var lock = storeStartAndReadLock();
    int port = storePort(lock);

    // The attacker has the port and the key (say from a copy of the lock file) and tries H2's default login.
    var viaServer = "jdbc:h2:tcp://127.0.0.1:" + port + "/" + lock.getProperty("id");
    var e = assertThrows(java.sql.SQLException.class, () -> java.sql.DriverManager.getConnection(viaServer, "", "").close());
    assertEquals(28000, e.getErrorCode(), e.getMessage());
    var e2 = assertThrows(java.sql.SQLException.class, () -> java.sql.DriverManager.getConnection(viaServer, "sa", "").close());
    assertEquals(28000, e2.getErrorCode(), e2.getMessage());
  }

  @Test
  void theDataDirAndTheStoreFilesAreOwnerOnly() throws Exception {
    storeStartAndReadLock();
    var data = dir.resolve("data");

    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(data)), "data_dir");
    try (var files = java.nio.file.Files.list(data)) {
      var all = files.toList();
      assertTrue(all.stream().anyMatch(f -> f.getFileName().toString().equals("hotline.mv.db")), all.toString());
      for (var f : all) {
        var perms = java.nio.file.Files.getPosixFilePermissions(f);
        for (var p : perms) {
          assertFalse(p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"),
              f.getFileName() + " is " + java.nio.file.attribute.PosixFilePermissions.toString(perms));
        }
      }
    }
  }

  @Test
  void aStoreCommandInAnotherProcessStillWorksWhileTheGatewayRuns() throws Exception {
    storeStartAndReadLock();

    // The operator's CLI: a second JVM on the same machine, same user, same data_dir, while serve runs.
    var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var out = dir.resolve("api-key.out");
    var pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "vn.hotline.gateway.Main",
        "api-key", "create", "--admin", "--label", "store-test")
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
    pb.environment().putAll(storeEnv());
    var p = pb.start();
    assertTrue(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "api-key create finishes");
    var printed = java.nio.file.Files.readString(out);
    assertEquals(0, p.exitValue(), printed);
    var key = java.util.regex.Pattern.compile("key:\\s+(\\S+)").matcher(printed);
    assertTrue(key.find(), printed);

    // The key it wrote into the store works at once on the running gateway's API.
    var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + storeGateway.port() + "/api/v1/reports"))
        .header("Authorization", "Bearer " + key.group(1)).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, answer.statusCode(), answer.body());
  }

  // ----- end of the embedded store -----

  // ===== The integrator API: guessed keys, bodies on GETs, acknowledgements, times =====

  vn.hotline.gateway.testing.MutableClock apiClock;
  final java.net.http.HttpClient apiHttp = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

  /** A gateway on H2 with a clock the test moves, and an API key for {@code agency} (null: an admin key). */
  String apiStart(Map<String, String> env, String agency) {
    db = house.db();
    apiClock = vn.hotline.gateway.testing.MutableClock.now();
    gw = house.start(env, apiClock);
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

  @org.junit.jupiter.api.Test
  void metricsAndHealthDetailsAreNotServedOnThePublicListener() {
    start(Map.of());
    var twilio = gw.twilio();
    assertTrue(twilio.call().incoming().has("Gather"));

    var publicMetrics = twilio.get("/metrics");
    assertEquals(404, publicMetrics.statusCode(), publicMetrics.body());
    assertFalse(publicMetrics.body().contains("hotline_"), publicMetrics.body());
    var publicReady = twilio.get("/health/ready");
    assertEquals(200, publicReady.statusCode(), publicReady.body());
    var checks = new io.vertx.core.json.JsonObject(publicReady.body()).getJsonObject("checks");
    assertEquals("UP", checks.getJsonObject("store").getString("status"), publicReady.body());
    assertEquals("UP", checks.getJsonObject("flows").getString("status"), publicReady.body());
    for (var secret : List.of("detail", "hotline-111", "H2", "jdbc", dir.toString())) {
      assertFalse(publicReady.body().contains(secret), "the public readiness says '" + secret + "': " + publicReady.body());
    }

    // The management listener (127.0.0.1, its own port) serves Prometheus and the detailed readiness.
    var management = gw.management();
    var metrics = management.get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("route=\"/twilio/voice/incoming\""), metrics.body());
    var ready = management.get("/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains("hotline-111"), ready.body());
    assertTrue(gw.gateway().managementPort() != gw.base.getPort());
  }

  @org.junit.jupiter.api.Test
  void slowClientsAreCutOffWhileTwilioIsStillAnswered() throws Exception {
    start(Map.of("GATEWAY_HTTP_REQUEST_TIMEOUT_SECONDS", "2", "GATEWAY_HTTP_IDLE_TIMEOUT_SECONDS", "30"));
    var head = "POST /twilio/sms/incoming HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\n";
    try (var silent = listenerConnect(); var slowHeaders = listenerConnect(); var slowBody = listenerConnect()) {
      slowBody.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      var trickles = List.of(listenerTrickle(slowHeaders, head), listenerTrickle(slowBody, "a".repeat(400)));
      try {
        // During the attack, a caller's webhook on another connection is answered.
        assertTrue(gw.twilio().call().incoming().has("Gather"), "a caller is answered during the attack");
        for (var s : List.of(silent, slowHeaders, slowBody)) {
          listenerAwaitClosed(s, Duration.ofSeconds(10));
        }
      } finally {
        trickles.forEach(Thread::interrupt);
      }
    }
    assertTrue(gw.twilio().call().incoming().has("Gather"), "and after it");
  }

  @org.junit.jupiter.api.Test
  void connectionsBeyondThePerAddressCapAreClosedAtOnce() throws Exception {
    start(Map.of("GATEWAY_HTTP_MAX_CONNECTIONS_PER_IP", "3", "GATEWAY_HTTP_REQUEST_TIMEOUT_SECONDS", "60"));
    var held = new java.util.ArrayList<java.net.Socket>();
    try {
      for (int i = 0; i < 3; i++) {
        var s = listenerConnect();
        held.add(s);
        // Each held connection answers a request (and stays open): it is counted by the gateway now.
        var answer = listenerExchange(s, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      }
      try (var fourth = listenerConnect()) {
        fourth.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        listenerAwaitClosed(fourth, Duration.ofSeconds(5));
      }
      held.remove(0).close();
      Await.until(() -> {
        try {
          return gw.twilio().get("/health/live").statusCode() == 200;
        } catch (AssertionError closed) {
          return false;
        }
      }, "a connection freed by the same address is accepted again", Duration.ofSeconds(10));
    } finally {
      for (var s : held) {
        s.close();
      }
    }
  }

  @org.junit.jupiter.api.Test
  void ambiguousRequestFramingIsRefusedAndWhatItHidesIsNotServed() throws Exception {
    start(Map.of());
    var hidden = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    var chunked = "0\r\n\r\n" + hidden;
    var post = "POST /twilio/sms/incoming HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n";
    var attempts = Map.of(
        "Content-Length with Transfer-Encoding",
        post + "Content-Length: " + chunked.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
        "Transfer-Encoding: chunked, identity",
        post + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked,
        "Transfer-Encoding: xchunked",
        post + "Transfer-Encoding: xchunked\r\n\r\n" + hidden,
        "two Transfer-Encoding headers",
        post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + chunked,
        "two different Content-Length",
        post + "Content-Length: 0\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden,
        "Content-Length: 0, 46",
        post + "Content-Length: 0, " + hidden.length() + "\r\n\r\n" + hidden);
    var notRefused = new java.util.TreeMap<String, String>();
    for (var attempt : attempts.entrySet()) {
      try (var s = listenerConnect()) {
        s.getOutputStream().write(attempt.getValue().getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(5_000);
        var all = new java.io.ByteArrayOutputStream();
        try {
          s.getInputStream().transferTo(all); // until the gateway closes the connection
        } catch (java.net.SocketTimeoutException e) {
          all.write("... and the connection stayed open".getBytes(StandardCharsets.US_ASCII));
        }
        var got = all.toString(StandardCharsets.ISO_8859_1);
        int responses = got.split("HTTP/1\\.1 ", -1).length - 1;
        if (!got.startsWith("HTTP/1.1 400") || responses != 1 || got.endsWith("stayed open")) {
          notRefused.put(attempt.getKey(), responses + " response(s): " + got);
        }
      }
    }
    // Each gets one 400, then the connection closes: what it hid is never answered.
    assertEquals(Map.of(), notRefused);
    assertTrue(gw.twilio().call().incoming().has("Gather"), "callers are still answered");
  }

  java.net.Socket listenerConnect() throws java.io.IOException {
    var s = new java.net.Socket(gw.base.getHost(), gw.base.getPort());
    s.setTcpNoDelay(true);
    return s;
  }

  /** Writes one request and reads its response head and body (Content-Length), leaving the connection open. */
  static String listenerExchange(java.net.Socket s, String request) throws java.io.IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.setSoTimeout(10_000);
    var in = s.getInputStream();
    var head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException("closed after: " + head);
      }
      head.append((char) b);
    }
    var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  /** Sends {@code text} one byte every 200 ms from a thread of its own, until done, interrupted or cut off. */
  static Thread listenerTrickle(java.net.Socket s, String text) {
    var t = new Thread(() -> {
      try {
        var out = s.getOutputStream();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
          out.write(b);
          out.flush();
          Thread.sleep(200);
        }
      } catch (java.io.IOException | InterruptedException stopped) {
        // cut off by the gateway, or the test is over
      }
    }, "trickle");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits for the gateway to close the connection (EOF or reset); fails if it is still open after {@code within}. */
  static void listenerAwaitClosed(java.net.Socket s, Duration within) throws java.io.IOException {
    s.setSoTimeout((int) within.toMillis());
    long end = System.nanoTime() + within.toNanos();
    var in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        if (System.nanoTime() > end) {
          throw new AssertionError("still open after " + within.toSeconds() + " s");
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the gateway kept the connection open for " + within.toSeconds() + " s");
    } catch (java.net.SocketException reset) {
      // closed with unread data: a reset is a close too
    }
  }

  // ----- end of the listener -----
}
