package vn.hotline.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.GatewayTest.Stores;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.tools.CallSimulator;

/** Floods from one source are cut off without starving others, and the gateway can terminate TLS itself. */
@GatewayTest(stores = Stores.H2)
class EdgeProtectionTest {
  Harness house;
  Path dir;
  TestDatabase db;
  RunningGateway gw;

  @BeforeEach
  void house(Harness house) {
    this.house = house;
    dir = house.dir();
  }

  void start(Map<String, String> env) {
    db = house.db();
    gw = house.start(env);
  }

  @Test
  void aClientHangingUpMidBodyIsNotAnError() throws Exception {
    start(Map.of());
    try (var logs = vn.hotline.gateway.testing.LogCapture.start()) {
      // Headers promise 4000 bytes of form; 20 come, then the connection closes (a caller's network dropping).
      try (var s = new java.net.Socket(gw.base.getHost(), gw.base.getPort())) {
        var out = s.getOutputStream();
        out.write(("POST /twilio/voice/incoming HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: x\r\n"
            + "Content-Length: 4000\r\n\r\nCallSid=CA0000000000").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(200); // let the server start reading the body before the line drops
      }
      // The server noticed (a line at some level names the closed connection) ...
      vn.hotline.gateway.testing.Await.until(() -> !logs.matching(e -> e.getFormattedMessage().contains("closed the connection")
          || e.getThrowableProxy() != null && e.getThrowableProxy().getClassName().endsWith("HttpClosedException")).isEmpty(),
          "the hang-up is seen");
      // ... and nothing about it is an ERROR.
      assertEquals(List.of(), logs.matching(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR))
          .stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList());
    }
  }

  @Test
  void anSmsFloodFromOneNumberIsCutOffAndAuditedWhileOthersAreStillAnswered() {
    start(Map.of("GATEWAY_LIMITS_SMS_PER_MINUTE", "3"));
    var twilio = gw.twilio();
    for (int i = 0; i < 3; i++) {
      assertEquals(1, twilio.sms("+84911000001", "alo " + i).messages().size());
    }
    var flooded = twilio.sms("+84911000001", "alo 4");
    assertEquals(200, flooded.status());
    assertEquals(List.of(), flooded.messages(), "not answered");
    assertEquals(3, db.count("sms_inbound"), "not stored");
    assertEquals(1, twilio.sms("+84911000002", "alo").messages().size(), "another texter is still answered");
    twilio.sms("+84911000001", "alo 5");
    awaitAudit("ratelimit.exceeded", 1);
  }

  @Test
  void aNumberCallingMoreOftenThanAPersonCanGetsABusySignal() {
    start(Map.of("GATEWAY_LIMITS_CALLS_PER_MINUTE", "2"));
    var twilio = gw.twilio();
    var robot = "+84922000001";
    for (int i = 0; i < 2; i++) {
      var call = twilio.call();
      assertTrue(call.post("/twilio/voice/incoming", Map.of("From", robot)).has("Gather"));
    }
    var third = twilio.call().post("/twilio/voice/incoming", Map.of("From", robot));
    assertTrue(third.has("Reject"), third.body());
    assertTrue(twilio.call().post("/twilio/voice/incoming", Map.of("From", "+84922000002")).has("Gather"));

    // simulate-call says so plainly instead of "the gateway hung up", and a different number still gets through.
    var printed = new ByteArrayOutputStream();
    var refused = simulate(robot, printed);
    assertEquals(CallSimulator.Ending.REFUSED, refused.ending());
    assertTrue(printed.toString(StandardCharsets.UTF_8).contains("rejected with a busy signal"), printed.toString());
    assertEquals(CallSimulator.Ending.VOICEMAIL, simulate("+84922000003", new ByteArrayOutputStream()).ending());
  }

  CallSimulator.Result simulate(String from, ByteArrayOutputStream out) {
    try {
      return new CallSimulator(gw.base, gw.base, RunningGateway.TOKEN, new PrintStream(out, true, StandardCharsets.UTF_8),
          CallSimulator.keys(List.of("1", "1", "1")), false, 5, 200, from).run(); // danger, safe to call back
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void badSignaturesFromOneAddressGet429AfterTheLimit() {
    start(Map.of("GATEWAY_LIMITS_FAILED_AUTH_PER_MINUTE", "3"));
    var twilio = gw.twilio();
    var params = Map.of("CallSid", FakeTwilio.newCallSid(), "From", "+84933000001");
    var statuses = new java.util.ArrayList<Integer>();
    for (int i = 0; i < 5; i++) {
      statuses.add(twilio.rawPost("/twilio/voice/incoming", params, TwilioSigner.sign("guess" + i, gw.base + "/x", params),
          "application/x-www-form-urlencoded").status());
    }
    assertEquals(List.of(403, 403, 403, 429, 429), statuses);
    assertEquals(0, db.count("contacts"));
  }

  @Test
  void withACertificateTheGatewayServesHttps() throws Exception {
    var cert = dir.resolve("cert.pem");
    var key = dir.resolve("key.pem");
    var p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
        "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        .redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
    start(Map.of("GATEWAY_HTTP_TLS_CERT_FILE", cert.toString(), "GATEWAY_HTTP_TLS_KEY_FILE", key.toString()));

    var ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(cert)) {
      ks.setCertificateEntry("gw", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    var ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    var client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
    var url = URI.create(gw.base.toString().replace("http://", "https://") + "/health/live");
    var r = client.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
  }

  void awaitAudit(String type, int count) {
    vn.hotline.gateway.testing.Await.until(
        () -> db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", type) >= count, count + " " + type + " audit event(s)");
  }
}
