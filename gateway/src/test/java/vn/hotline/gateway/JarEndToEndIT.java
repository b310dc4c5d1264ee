package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.testing.FakeTwilio;

/**
 * What a newcomer does on a fresh clone, with the built jar as a separate process: run {@code serve} with no
 * configuration, hear a call with {@code simulate-call}, stop it with SIGTERM. Also what an operator meets when
 * startup is refused.
 */
class JarEndToEndIT {
  private static final Path JAR = Path.of("gateway/target/hotline-gateway.jar").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir Path work;
  Process gateway;
  Path stdout;
  Path stderr;

  @BeforeEach
  void copyFlows() throws IOException {
    Files.createDirectories(work.resolve("ivr-flows"));
    try (var flows = Files.list(Path.of("ivr-flows"))) {
      for (var f : flows.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, work.resolve("ivr-flows").resolve(f.getFileName()));
      }
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (gateway != null && gateway.isAlive()) {
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serveWithNoConfigurationAnswersCallsAndSimulateCallReachesAVoicemailAndAnOperator() throws Exception {
    int port = port8080IfFree();
    // No configuration at all, but the port when 8080 is taken on this machine.
    var env = port == 8080 ? Map.<String, String>of() : Map.of("GATEWAY_HTTP_PORT", Integer.toString(port));
    gateway = start(env, "serve");
    var line = awaitLine(stdout, "hotline-gateway listening on", Duration.ofSeconds(60));
    assertTrue(line.contains(":" + port + " "), line);
    assertTrue(line.contains("store: embedded H2"), line);
    assertTrue(line.contains(work.resolve("data").toString()), "the store is under ./data: " + line);
    var banner = Files.readString(stderr);
    assertTrue(banner.contains("DEV MODE"), banner);
    assertTrue(banner.contains("dev-twilio-auth-token"), "says where simulate-call finds the token: " + banner);

    var token = Files.readString(work.resolve("data/dev-twilio-auth-token")).trim();
    var answer = new FakeTwilio(java.net.URI.create("http://localhost:" + port), token).call().incoming();
    assertEquals(200, answer.status());
    assertTrue(answer.has("Gather"), answer.body());

    var voicemail = run(Map.of(), "simulate-call", "--to", "http://localhost:" + port, "--digits", "1,1,1"); // danger, safe to call back
    assertEquals(0, voicemail.exit(), voicemail.out());
    assertTrue(voicemail.out().contains("Call ended: voice message recorded"), voicemail.out());
    var ref = Pattern.compile("reference number (\\d{8})").matcher(voicemail.out());
    assertTrue(ref.find(), voicemail.out());

    var operator = run(Map.of(), "simulate-call", "--to", "http://localhost:" + port, "--digits", "2,1",
        "--operator", "answers");
    assertEquals(0, operator.exit(), operator.out());
    assertTrue(operator.out().contains("We are connecting you to a counsellor right now"), operator.out());
    assertTrue(operator.out().contains("Call ended: connected to an operator"), operator.out());

    // The console is in the jar: an admin account from the command line, its one-time setup link, the login page
    // rendered by the precompiled templates, htmx served from its WebJar.
    var admin = run(env, "operator", "create", "--login", "admin", "--name", "Quản trị viên", "--role", "admin");
    assertEquals(0, admin.exit(), admin.out());
    var setup = Pattern.compile("setup link: (http://localhost:" + port + "/console/setup\\?token=\\S+)").matcher(admin.out());
    assertTrue(setup.find(), admin.out());
    var web = java.net.http.HttpClient.newHttpClient();
    for (var url : List.of(setup.group(1), "http://localhost:" + port + "/console/login",
        "http://localhost:" + port + "/console/assets/htmx.min.js")) {
      var r = web.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), url + ": " + r.body());
      assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"), url);
    }

    // The audit chain proves what happened; the yearly figures count it without exposing anyone.
    var verify = run(Map.of(), "audit", "verify");
    assertEquals(0, verify.exit(), verify.out());
    assertTrue(verify.out().contains("audit chain intact"), verify.out());
    var today = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Ho_Chi_Minh"));
    var stats = run(Map.of(), "stats", "--from", today.minusDays(1).toString(), "--to", today.plusDays(1).toString(),
        "--by", "channel", "--format", "csv");
    assertEquals(0, stats.exit(), stats.out());
    assertTrue(stats.out().contains("<5"), "two calls are a small cell, suppressed: " + stats.out());
    var h2 = "jdbc:h2:file:" + work.resolve("data/hotline").toAbsolutePath()
        + ";MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE";
    var password = Files.readString(work.resolve("data/embedded-db-password")).trim();
    try (var c = java.sql.DriverManager.getConnection(h2, "", password)) {
      c.createStatement().executeUpdate("UPDATE audit_events SET actor = 'tampered' WHERE seq = 3");
    }
    var tampered = run(Map.of(), "audit", "verify");
    assertEquals(1, tampered.exit(), tampered.out());
    assertTrue(tampered.out().contains("BROKEN at event 3"), tampered.out());

    gateway.destroy(); // SIGTERM
    assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway stops on SIGTERM");
    var logs = Files.readString(stdout);
    assertTrue(logs.contains(" INFO  Gateway stopped\n"), "drained and closed the pool: " + logs);
    // Dev mode logs text for people: each line an ISO-8601 time, the level, the logger's short name, the message.
    var textLine = Pattern.compile("^(\\S+) (TRACE|DEBUG|INFO|WARN|ERROR) +[A-Za-z0-9$]+ \\S.*");
    for (var l : Files.readAllLines(stdout)) {
      if (l.startsWith("hotline-gateway listening on")) {
        continue;
      }
      var m = textLine.matcher(l);
      assertTrue(m.matches(), "a text log line: " + l);
      java.time.Instant.parse(m.group(1));
    }
    assertTrue(logs.contains("contact started channel=voice"), logs);
    assertTrue(logs.contains("contact ended channel=voice"), logs);
    assertFalse(logs.contains("900000000"), "the simulated caller's number is never logged");
    assertFalse(logs.contains("912345678"), "the fake Twilio caller's number is never logged");
  }

  @Test
  void testSmscAndSendSmsHoldAWholeReportConversationInVietnamese() throws Exception {
    int smscPort = freePort();
    var smscOut = work.resolve("smsc.out");
    var smsc = builder(Map.of(), "test-smsc", "--port", Integer.toString(smscPort))
        .redirectErrorStream(true).redirectOutput(smscOut.toFile()).start();
    try {
      awaitLine(smscOut, "test SMSC listening on port " + smscPort, Duration.ofSeconds(30));
      int port = freePort();
      gateway = start(Map.of("GATEWAY_HTTP_PORT", Integer.toString(port), "GATEWAY_SMPP_HOST", "localhost",
          "GATEWAY_SMPP_PORT", Integer.toString(smscPort), "GATEWAY_SMPP_SYSTEM_ID", "hotline",
          "GATEWAY_SMPP_PASSWORD", "hotline"), "serve");
      awaitLine(stdout, "hotline-gateway listening on", Duration.ofSeconds(60));
      awaitLine(smscOut, "application bound", Duration.ofSeconds(30));

      // The README's own example conversation, as it is written there: it must end with a reference number.
      var texts = readmeSendSmsTexts();
      var story = texts.get(5);
      var command = new ArrayList<>(List.of("send-sms", "--smsc", "localhost:" + smscPort, "--from", "0912345678"));
      texts.forEach(t -> command.addAll(List.of("--text", t)));
      command.addAll(List.of("--wait", "10"));
      var chat = run(Map.of(), command.toArray(String[]::new));
      assertEquals(0, chat.exit(), chat.out());
      assertTrue(chat.out().contains("< 111 da nhan. Nguy hiem ngay"), chat.out());
      var ref = Pattern.compile("< Cam on ban. Bao cao da duoc ghi nhan, ma so (\\d{8})").matcher(chat.out());
      assertTrue(ref.find(), chat.out());
      assertTrue(Files.readString(smscOut).contains("DLR for MT"), "receipts flowed back to the gateway");
      var verify = run(Map.of(), "audit", "verify");
      assertEquals(0, verify.exit(), verify.out());
      assertTrue(verify.out().contains("audit chain intact"), verify.out());

      gateway.destroy();
      assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));
      var logs = Files.readString(stdout);
      assertFalse(logs.contains("912345678"), "the texter's number is never logged");
      assertFalse(logs.contains(story), "what the texter wrote is never logged");
    } finally {
      smsc.destroy();
      smsc.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aReportFromSimulateCallReachesAWebhookReceiverSignedAndTheApiShowsIt() throws Exception {
    int receiverPort = freePort();
    var secret = vn.hotline.gateway.delivery.WebhookSignature.newSecret();
    var receiverOut = work.resolve("receiver.out");
    var receiver = builder(Map.of(), "webhook-receiver", "--port", Integer.toString(receiverPort), "--secret", secret)
        .redirectErrorStream(true).redirectOutput(receiverOut.toFile()).start();
    try {
      awaitLine(receiverOut, "listening on", Duration.ofSeconds(30));
      int port = freePort();
      var env = Map.of("GATEWAY_HTTP_PORT", Integer.toString(port),
          "GATEWAY_INBOX_URL", "http://localhost:" + receiverPort + "/", "GATEWAY_INBOX_SECRET", secret);
      gateway = start(env, "serve");
      awaitLine(stdout, "hotline-gateway listening on", Duration.ofSeconds(60));

      var call = run(Map.of(), "simulate-call", "--to", "http://localhost:" + port, "--digits", "1,1",
          "--operator", "answers");
      assertEquals(0, call.exit(), call.out());
      var delivered = awaitLine(receiverOut, "  reference ", Duration.ofSeconds(30));
      assertTrue(delivered.contains("via voice") && delivered.contains("URGENT"), delivered);
      assertFalse(Files.readString(receiverOut).contains("refused"), "the signature was accepted");

      var key = run(env, "api-key", "create", "--agency", "inbox", "--label", "it-test");
      assertEquals(0, key.exit(), key.out());
      var m = Pattern.compile("key:\\s+(hgk_\\S+)").matcher(key.out());
      assertTrue(m.find(), key.out());
      var http = java.net.http.HttpClient.newHttpClient();
      var reports = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://localhost:" + port + "/api/v1/reports"))
          .header("Authorization", "Bearer " + m.group(1)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, reports.statusCode(), reports.body());
      assertTrue(reports.body().contains("\"intent\":\"danger\""), reports.body());
    } finally {
      receiver.destroy();
      receiver.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withLogFormatJsonEveryLineOnStdoutIsAJsonObjectWithAnIsoTimeAndTheDevBannerIsOneOfThem() throws Exception {
    int port = freePort();
    gateway = start(Map.of("GATEWAY_HTTP_PORT", Integer.toString(port), "GATEWAY_MODE", "dev"),
        "serve", "--log-format", "json");
    awaitLine(stdout, "hotline-gateway listening on", Duration.ofSeconds(60));
    var token = Files.readString(work.resolve("data/dev-twilio-auth-token")).trim();
    var call = new FakeTwilio(java.net.URI.create("http://localhost:" + port), token).call();
    assertEquals(200, call.incoming().status());
    call.status("completed");
    awaitLine(stdout, "contact ended", Duration.ofSeconds(10));
    gateway.destroy();
    assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));

    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
    assertTrue(lines.size() >= 5, lines.toString());
    for (var l : lines) {
      var n = json.readTree(l); // throws on anything that is not JSON
      assertTrue(n.isObject() && n.path("timestamp").isTextual(), l);
      java.time.Instant.parse(n.get("timestamp").asText());
      assertTrue(n.path("level").isTextual() && n.path("formattedMessage").isTextual(), l);
    }
    assertTrue(lines.stream().anyMatch(l -> l.contains("DEV MODE: not for real calls")), "the banner is an event");
    assertTrue(lines.stream().anyMatch(l -> l.contains("hotline-gateway listening on")), lines.toString());
    assertFalse(Files.readString(stderr).contains("DEV MODE"), "and not a block of text beside the stream");
  }

  @Test
  void anUnknownLogFormatRefusesToStart() throws Exception {
    var r = run(Map.of("GATEWAY_HTTP_PORT", Integer.toString(freePort()), "GATEWAY_LOG_FORMAT", "xml"), "serve");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.out().contains("startup refused: log format 'xml' is neither text nor json (GATEWAY_LOG_FORMAT)"),
        r.out());
  }

  @Test
  void productionModeWithoutSecretsRefusesToStartNamingTheKey() throws Exception {
    var r = run(Map.of("GATEWAY_MODE", "production"), "serve");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.out().contains("startup refused: config public_url"), r.out());
  }

  @Test
  void aBrokenFlowFileStopsStartupNamingTheFileAndTheNode() throws Exception {
    var flow = work.resolve("ivr-flows/hotline-111.yaml");
    Files.writeString(flow, Files.readString(flow).replace("no_answer: danger-safe", "no_answer: danger-saef"));
    var r = run(Map.of("GATEWAY_HTTP_PORT", Integer.toString(freePort())), "serve");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.out().contains("ivr-flows/hotline-111.yaml: node 'danger-handoff': points to unknown node 'danger-saef'"),
        r.out());
  }

  record Result(int exit, String out) {}

  private Process start(Map<String, String> env, String... args) throws IOException {
    stdout = work.resolve("gateway.out");
    stderr = work.resolve("gateway.err");
    return builder(env, args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
  }

  private Result run(Map<String, String> env, String... args) throws Exception {
    var out = Files.createTempFile(work, "run", ".out");
    var p = builder(env, args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", args) + "\n" + Files.readString(out));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  private ProcessBuilder builder(Map<String, String> env, String... args) {
    var cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    var pb = new ProcessBuilder(cmd).directory(work.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_") || k.startsWith("TWILIO_"));
    pb.environment().putAll(env);
    if (!portFree(8081)) { // the default management port: taken on this machine, so let the gateway pick one
      pb.environment().putIfAbsent("GATEWAY_MANAGEMENT_PORT", "0");
    }
    return pb;
  }

  private static String awaitLine(Path file, String needle, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (Files.exists(file)) {
        for (var l : Files.readAllLines(file)) {
          if (l.contains(needle)) {
            return l;
          }
        }
      }
      Thread.sleep(200);
    }
    var err = file.resolveSibling(file.getFileName().toString().replace(".out", ".err"));
    throw new AssertionError("no line with '" + needle + "' within " + timeout + ":\n"
        + (Files.exists(file) ? Files.readString(file) : "(no output)")
        + (Files.exists(err) && !err.equals(file) ? "\n" + Files.readString(err) : ""));
  }

  private static boolean portFree(int port) {
    try (var s = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int port8080IfFree() {
    return portFree(8080) ? 8080 : freePort();
  }

  private static int freePort() {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code --text} arguments of the README's {@code send-sms} example, in order (quoted or bare). */
  static List<String> readmeSendSmsTexts() throws Exception {
    var readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("send-sms --smsc localhost:2775");
    assertTrue(start >= 0, "the README has a send-sms example");
    var block = readme.substring(start, readme.indexOf("```", start)).replace("\\\n", " ");
    var texts = new ArrayList<String>();
    var m = Pattern.compile("--text (?:\"([^\"]*)\"|(\\S+))").matcher(block);
    while (m.find()) {
      texts.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    assertTrue(texts.size() > 6, "the README's send-sms example tells a whole report: " + texts);
    return texts;
  }
}
