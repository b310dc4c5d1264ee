package vn.hotline.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vn.hotline.gateway.delivery.SpecWebhooks;

/**
 * The webhook-receiver tool on port 0, fed requests signed in this test from the Standard Webhooks spec (see
 * {@link SpecWebhooks}), never by the gateway's own signer.
 */
class WebhookReceiverCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String SECRET = SpecWebhooks.newSecret();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(WAIT).build();
  private final Deque<AutoCloseable> closeAfter = new ArrayDeque<>();

  @AfterEach
  void close() throws Exception {
    while (!closeAfter.isEmpty()) {
      closeAfter.pop().close();
    }
  }

  @Test
  void aSignedReportIsAcceptedAndSummarised() throws Exception {
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET);
    assertTrue(rx.screen.text().contains("listening on http://0.0.0.0:" + rx.port + ", verifying with 1 secret(s)"),
        rx.screen.text());

    var id = newId();
    var body = envelope("48213907");
    var response = postSigned(rx, "/", id, now(), body, SECRET);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("{\"received\": true}", response.body());
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));

    rx.screen.await("url: https://www.facebook.com/groups/anh-nong-hs");
    var printed = rx.screen.text();
    assertTrue(printed.contains("report.created " + id), printed);
    assertTrue(printed.contains("reference 48213907 via sms-smpp"), printed);
    assertTrue(printed.contains("category: online_abuse_harmful_content / sextortion"), printed);
    assertTrue(printed.contains("urgent: no | intent: report | outcome: completed"), printed);
    assertTrue(printed.contains("province: Thành phố Hồ Chí Minh (79)"), printed);
    assertTrue(printed.contains("urls: 2"), printed);
    assertTrue(printed.contains("| Có người lạ dọa đăng ảnh của em lên mạng nếu em không gửi tiền"), printed);
    assertTrue(printed.contains("| Nó nhắn tin qua Zalo?[31m mỗi tối"), "control characters neutralised: " + printed);
    assertTrue(printed.contains("url: tiktok.com/@ke_doa"), printed);
  }

  @Test
  void aReportsContentItemsArePrintedWithHowManyReportsNamedThem() throws Exception {
    var payload = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
        {"type": "report.created", "timestamp": "2026-12-01T20:26:07.147Z", "data": {"reference": "31492177",
         "channel": "partner", "harmful_content_urls": ["https://www.tiktok.com/@ke_doa"],
         "content_items": [{"id": "01a23349-341d-72c2-8685-2ea03e89c79c", "url": "https://www.tiktok.com/@ke_doa",
           "platform": "tiktok", "kind": "account", "hash": null, "count": 3,
           "report_references": ["30571246", "61029384", "31492177"]}]}}
        """);
    var printed = WebhookReceiverCommand.summary("20:26:07", "msg_x", payload);
    assertTrue(printed.contains("reference 31492177 via partner"), printed);
    assertTrue(printed.contains("content item 01a23349-341d-72c2-8685-2ea03e89c79c: https://www.tiktok.com/@ke_doa"
        + " (named by 3 reports)"), printed);
  }

  @Test
  void aMinimisedReportSaysWhatWasNotShared() throws Exception {
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET);
    var id = newId();
    var body = """
        {"type":"report.created","timestamp":"2026-11-23T21:40:00.123Z","data":{"schema_version":"1.0",\
        "id":"0193a0c6-d9e4-7f3a-8b2c-4d5e6f708192","reference":"30417725","channel":"voice",\
        "received_at":"2026-11-23T21:31:12.004Z","completed_at":"2026-11-23T21:33:40.551Z","category":null,\
        "urgent":true,"intent":"danger","province":null}}""";
    var response = postSigned(rx, "/", id, now(), body, SECRET);
    assertEquals(200, response.statusCode(), response.body());
    rx.screen.await("urls: ");
    var printed = rx.screen.text();
    assertTrue(printed.contains("reference 30417725 via voice  URGENT"), printed);
    assertTrue(printed.contains("category: unknown"), printed);
    assertTrue(printed.contains("urgent: yes | intent: danger | outcome: (not shared)"), printed);
    assertTrue(printed.contains("province: unknown"), printed);
    assertTrue(printed.contains("urls: (not shared)"), printed);
    assertFalse(printed.contains("description"), printed);
  }

  @Test
  void aWrongSignatureIsRefusedAndNothingIsReceived() throws Exception {
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET);
    var id = newId();
    var body = envelope("48213907");
    var otherSecret = SpecWebhooks.newSecret();
    var response = postSigned(rx, "/", id, now(), body, otherSecret);
    assertEquals(401, response.statusCode());
    assertEquals("no v1 signature matches\n", response.body(), "one line saying why");

    // signed right, then changed on the way
    var tampered = body.replace("\"urgent\":false", "\"urgent\":true ");
    long ts = now();
    response = post(rx, "/", id, ts, sign(SECRET, id, ts, body), tampered);
    assertEquals(401, response.statusCode());

    // no signature at all
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rx.port + "/"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertTrue(response.body().startsWith("missing webhook-id"), response.body());

    var printed = rx.screen.text(); // refusals are printed before they are answered
    assertTrue(printed.contains("refused " + id + " with 401: no v1 signature matches"), printed);
    assertTrue(printed.contains("refused (no webhook-id) with 401: missing"), printed);
    assertFalse(printed.contains("report.created"), printed);
    assertFalse(printed.contains("48213907"), printed);
  }

  @Test
  void aStaleTimestampIsRefusedEvenWhenSignedRight() throws Exception {
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET);
    var id = newId();
    var body = envelope("48213907");
    long tenMinutesAgo = now() - 600;
    var response = postSigned(rx, "/", id, tenMinutesAgo, body, SECRET);
    assertEquals(401, response.statusCode());
    assertTrue(response.body().contains("more than 5 minutes"), response.body());
    assertFalse(rx.screen.text().contains("48213907"), rx.screen.text());
  }

  @Test
  void aRetryOfTheSameWebhookIsAnsweredButReceivedOnce() throws Exception {
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET);
    var id = newId();
    var body = envelope("48213907");
    var first = postSigned(rx, "/", id, now(), body, SECRET);
    assertEquals(200, first.statusCode());
    long later = now() + 5; // a retry carries the same webhook-id with its own timestamp and signature
    var retry = postSigned(rx, "/", id, later, body, SECRET);
    assertEquals(200, retry.statusCode());
    assertEquals("{\"received\": true}", retry.body());

    rx.screen.await("duplicate " + id + " (already received)");
    rx.screen.await("reference 48213907");
    var printed = rx.screen.text();
    assertEquals(1, printed.split("reference 48213907", -1).length - 1, printed);

    var other = newId();
    var third = postSigned(rx, "/", other, now(), body, SECRET);
    assertEquals(200, third.statusCode());
    rx.screen.await("report.created " + other);
  }

  @Test
  void duringARotationEitherSecretIsAccepted() throws Exception {
    var oldSecret = SpecWebhooks.newSecret();
    var rx = start(Map.of(), "--port", "0", "--secret", oldSecret, "--secret", SECRET);
    assertTrue(rx.screen.text().contains("verifying with 2 secret(s)"), rx.screen.text());
    var id = newId();
    var body = envelope("55120384");
    var response = postSigned(rx, "/", id, now(), body, SECRET);
    assertEquals(200, response.statusCode(), "signed with the second secret only");
    rx.screen.await("reference 55120384");

    var id2 = newId();
    assertEquals(200, postSigned(rx, "/", id2, now(), body, SECRET, oldSecret).statusCode(),
        "signed with both, space-separated");

    var id3 = newId();
    var stranger = SpecWebhooks.newSecret();
    assertEquals(401, postSigned(rx, "/", id3, now(), body, stranger)
        .statusCode());
  }

  @Test
  void secretsCanComeFromTheEnvironment() throws Exception {
    var other = SpecWebhooks.newSecret();
    var rx = start(Map.of("WEBHOOK_SECRET", other + "," + SECRET), "--port", "0");
    assertTrue(rx.screen.text().contains("verifying with 2 secret(s)"), rx.screen.text());
    var id = newId();
    var body = envelope("48213907");
    assertEquals(200, postSigned(rx, "/", id, now(), body, SECRET)
        .statusCode());
  }

  @Test
  void outSavesEachAcceptedBodyByteForByteBeforeAnswering(@TempDir Path dir) throws Exception {
    var out = dir.resolve("inbox");
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET, "--out", out.toString());
    var id = newId();
    var body = envelope("48213907");
    assertEquals(200, postSigned(rx, "/", id, now(), body, SECRET)
        .statusCode());
    var saved = out.resolve(id + ".json");
    assertTrue(Files.isRegularFile(saved), "saved before the 200 went out");
    assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(saved));

    var refusedId = newId();
    assertEquals(401, post(rx, "/", refusedId, now(), "v1,AAAA", body).statusCode());
    assertFalse(Files.exists(out.resolve(refusedId + ".json")), "nothing unverified is saved");
    try (var files = Files.list(out)) {
      assertEquals(List.of(saved), files.toList());
    }
  }

  @Test
  void bodiesThatAreNotJsonOrTooLargeOrNotPostedAreRefused() throws Exception {
    var rx = start(Map.of(), "--port", "0", "--secret", SECRET, "--path", "/hooks/111");
    var id = newId();
    var text = "reference=48213907";
    var response = postSigned(rx, "/hooks/111", id, now(), text, SECRET);
    assertEquals(400, response.statusCode(), "signed, but not JSON");

    var big = new byte[WebhookReceiverCommand.MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    var bigId = newId();
    long bigTs = now();
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rx.port + "/hooks/111"))
        .header("webhook-id", bigId).header("webhook-timestamp", Long.toString(bigTs))
        .header("webhook-signature", SpecWebhooks.sign(SECRET, bigId, Long.toString(bigTs), big))
        .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build();
    assertEquals(413, http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());

    var get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rx.port + "/hooks/111")).GET().build();
    var refused = http.send(get, HttpResponse.BodyHandlers.ofString());
    assertEquals(405, refused.statusCode());
    assertEquals("POST", refused.headers().firstValue("allow").orElse(""));

    var elsewhere = newId();
    var body = envelope("48213907");
    assertEquals(404, postSigned(rx, "/other", elsewhere, now(), body, SECRET).statusCode(), "outside --path");
    var below = newId();
    assertEquals(200, postSigned(rx, "/hooks/111/agency-a", below, now(), body, SECRET).statusCode(),
        "below --path");
  }

  @Test
  void withoutAGoodSecretItDoesNotStart() {
    var err = new ByteArrayOutputStream();
    var cmd = new WebhookReceiverCommand(utf8(new ByteArrayOutputStream()), utf8(err), Map.of(), Clock.systemUTC(),
        new CountDownLatch(1));
    assertEquals(2, new CommandLine(cmd).execute("--port", "0"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no secret: give --secret whsec_..."), err.toString());

    err.reset();
    cmd = new WebhookReceiverCommand(utf8(new ByteArrayOutputStream()), utf8(err), Map.of(), Clock.systemUTC(),
        new CountDownLatch(1));
    assertEquals(2, new CommandLine(cmd).execute("--port", "0", "--secret", "hunter2hunter2"));
    var said = err.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("bad secret hunter2hun...: a webhook secret starts with whsec_"), said);
  }

  // ------------------------------------------------------------------ helpers

  @Test
  void aPortInUseIsSaidInWords() throws Exception {
    try (var taken = new java.net.ServerSocket(0)) {
      var out = new ByteArrayOutputStream();
      var err = new ByteArrayOutputStream();
      var cmd = new WebhookReceiverCommand(utf8(out), utf8(err), Map.of(), Clock.systemUTC(), new CountDownLatch(1));
      int exit = new CommandLine(cmd).execute("--port", Integer.toString(taken.getLocalPort()), "--secret", SECRET);
      var said = err.toString(StandardCharsets.UTF_8);
      assertEquals(1, exit, said);
      assertEquals("webhook-receiver: port " + taken.getLocalPort() + " is in use already: is another"
          + " webhook-receiver (or an earlier one you started with &) still running? Stop it (Ctrl-C, or kill %1),"
          + " or give another --port\n", said.replace("\r\n", "\n"));
    }
  }

  private record Receiver(int port, Screen screen) {}

  /** Starts the command on its own thread, as `webhook-receiver ARGS` would run; stopped after the test. */
  private Receiver start(Map<String, String> env, String... args) throws Exception {
    var screen = new Screen();
    var stop = new CountDownLatch(1);
    var cmd = new WebhookReceiverCommand(new PrintStream(screen, true, StandardCharsets.UTF_8),
        utf8(new ByteArrayOutputStream()), env, Clock.systemUTC(), stop);
    var exit = new AtomicReference<Integer>();
    var thread = new Thread(() -> exit.set(new CommandLine(cmd).execute(args)), "webhook-receiver-under-test");
    thread.start();
    closeAfter.push(() -> {
      stop.countDown();
      thread.join(WAIT.toMillis());
      assertFalse(thread.isAlive(), "stops when told to");
      assertEquals(0, exit.get());
    });
    int port = cmd.awaitPort(WAIT);
    assertTrue(port > 0, "listening; printed: " + screen.text());
    return new Receiver(port, screen);
  }

  private HttpResponse<String> post(Receiver rx, String path, String id, long timestamp, String signature, String body)
      throws Exception {
    var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rx.port + path))
        .timeout(WAIT)
        .header("content-type", "application/json")
        .header("user-agent", "hotline-gateway/0.1")
        .header("webhook-id", id)
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", signature)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** POSTs {@code body} signed for {@code ts} with each of {@code secrets} (space-separated, as during a rotation). */
  private HttpResponse<String> postSigned(Receiver rx, String path, String id, long ts, String body, String... secrets)
      throws Exception {
    var signatures = new java.util.ArrayList<String>();
    for (var s : secrets) {
      signatures.add(sign(s, id, ts, body));
    }
    return post(rx, path, id, ts, String.join(" ", signatures), body);
  }

  private static String sign(String secret, String id, long ts, String body) {
    return SpecWebhooks.sign(secret, id, Long.toString(ts), body.getBytes(StandardCharsets.UTF_8));
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static String newId() {
    var b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return "msg_" + HexFormat.of().formatHex(b);
  }

  private static PrintStream utf8(OutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }

  /** A report as the gateway sends it, with the fields the summary shows (and an escape sequence to neutralise). */
  private static String envelope(String reference) {
    return """
        {"type":"report.created","timestamp":"2026-11-23T21:40:00.123Z","data":{"schema_version":"1.0",\
        "id":"0193a0c6-d9e4-7f3a-8b2c-4d5e6f708192","reference":"%s","channel":"sms-smpp",\
        "received_at":"2026-11-23T21:31:12.004Z","completed_at":"2026-11-23T21:39:58.870Z",\
        "category":"online_abuse_harmful_content","urgent":false,"intent":"report","subcategory":"sextortion",\
        "about":"self","age_band":"13-15","province":{"code":"79","name":"Thành phố Hồ Chí Minh"},\
        "outcome":"completed","harmful_content_urls":["tiktok.com/@ke_doa","https://www.facebook.com/groups/anh-nong-hs"],\
        "description":"Có người lạ dọa đăng ảnh của em lên mạng nếu em không gửi tiền\\nNó nhắn tin qua Zalo\\u001b[31m mỗi tối"}}"""
        .formatted(reference);
  }

  /** What the command printed, readable while it prints; await() waits for a text to appear (no polling). */
  private static final class Screen extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      notifyAll();
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    synchronized void await(String expected) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!text().contains(expected)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("never printed \"" + expected + "\"; printed:\n" + text());
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }
}
