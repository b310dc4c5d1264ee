package vn.hotline.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.testing.Await;
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
