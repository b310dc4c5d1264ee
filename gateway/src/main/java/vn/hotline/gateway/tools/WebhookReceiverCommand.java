package vn.hotline.gateway.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.cli.Cli;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.util.Json;

/**
 * A minimal agency inbox for trying the gateway's webhooks: verifies each POST as a receiver must (Standard Webhooks
 * signature with any of the given secrets, timestamp within 5 minutes), dedupes by webhook-id, answers 200 at once
 * and prints a readable summary of the report. It is also the reference for what docs/integrators.md asks of
 * receivers.
 */
@Command(name = "webhook-receiver", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar webhook-receiver --port 9000 --secret whsec_$(head -c 32 /dev/urandom | base64)"},
    description = "Receive the gateway's report webhooks like an agency inbox: verify, dedupe, print each report.")
public final class WebhookReceiverCommand implements Callable<Integer> {
  /** Bodies larger than this are refused with 413 (a report is a few KiB). */
  static final int MAX_BODY_BYTES = 1024 * 1024;
  /** How many webhook-ids are remembered for dedupe (the oldest are forgotten first). */
  static final int REMEMBERED_IDS = 100_000;

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final byte[] RECEIVED = "{\"received\": true}".getBytes(StandardCharsets.UTF_8);

  @Option(names = "--port", defaultValue = "9000", description = "Port to listen on (default ${DEFAULT-VALUE}; 0: any)")
  int port;

  @Option(names = "--secret", paramLabel = "whsec_...",
      description = "Webhook secret of the agency endpoint; repeat during a rotation (any one may sign). Default:"
          + " WEBHOOK_SECRET (several separated by spaces or commas)")
  List<String> secrets;

  @Option(names = "--path", defaultValue = "/",
      description = "Accept POSTs on this path and below (default ${DEFAULT-VALUE}: any path)")
  String path;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Also save each accepted body, byte for byte, as DIR/<webhook-id>.json")
  Path outDir;

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Clock clock;
  private final CountDownLatch stop;
  private final CountDownLatch started = new CountDownLatch(1);
  private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED_IDS;
    }
  };
  private volatile int boundPort = -1;

  public WebhookReceiverCommand() {
    this(System.out, System.err, System.getenv(), Clock.systemUTC(), new CountDownLatch(1));
  }

  /**
   * For tests: where to print, the environment (WEBHOOK_SECRET), the clock the timestamp check uses, and a latch that
   * stops the receiver as SIGTERM would.
   */
  WebhookReceiverCommand(PrintStream out, PrintStream err, Map<String, String> env, Clock clock, CountDownLatch stop) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.clock = clock;
    this.stop = stop;
  }

  /** The port listened on, once listening (waits up to {@code wait}); -1 if it did not start in time. */
  int awaitPort(Duration wait) throws InterruptedException {
    started.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    return boundPort;
  }

  @Override
  public Integer call() {
    Cli.quietLogs();
    var keys = secrets();
    if (keys.isEmpty()) {
      err.println("webhook-receiver: no secret: give --secret whsec_... (repeat it during a rotation) or set"
          + " WEBHOOK_SECRET");
      return 2;
    }
    for (var s : keys) {
      try {
        WebhookSignature.key(s);
      } catch (IllegalArgumentException e) {
        err.println("webhook-receiver: bad secret " + redact(s) + ": " + e.getMessage());
        return 2;
      }
    }
    if (!path.startsWith("/")) {
      err.println("webhook-receiver: --path must start with /, not " + path);
      return 2;
    }
    if (outDir != null) {
      try {
        Files.createDirectories(outDir);
      } catch (IOException e) {
        err.println("webhook-receiver: cannot create --out directory " + outDir + ": " + e.getMessage());
        return 1;
      }
    }
    HttpServer server;
    ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    try {
      server = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (java.net.BindException e) {
      err.println("webhook-receiver: port " + port + " is in use already: is another webhook-receiver (or an"
          + " earlier one you started with &) still running? Stop it (Ctrl-C, or kill %1), or give another --port");
      workers.shutdownNow();
      return 1;
    } catch (IOException e) {
      err.println("webhook-receiver: cannot listen on port " + port + ": " + Cli.words(e));
      workers.shutdownNow();
      return 1;
    }
    server.createContext(path, exchange -> {
      try (exchange) {
        handle(exchange, keys);
      } catch (IOException | RuntimeException e) {
        err.println("webhook-receiver: a request could not be handled: " + Cli.words(e));
      }
    });
    server.setExecutor(workers);
    server.start();
    boundPort = server.getAddress().getPort();
    var hook = new Thread(() -> {
      server.stop(0);
      stop.countDown();
    }, "webhook-receiver-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("listening on http://0.0.0.0:" + boundPort + (path.equals("/") ? "" : path) + ", verifying with "
        + keys.size() + " secret(s)" + (outDir != null ? "; saving payloads in " + outDir : ""));
    out.flush();
    started.countDown();
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.stop(0);
      workers.shutdown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already: the hook is what stopped us
      }
    }
    return 0;
  }

  private List<String> secrets() {
    var list = new ArrayList<String>();
    if (secrets != null && !secrets.isEmpty()) {
      for (var s : secrets) {
        if (!s.isBlank()) {
          list.add(s.trim());
        }
      }
    } else {
      var fromEnv = env.get("WEBHOOK_SECRET");
      if (fromEnv != null) {
        for (var s : fromEnv.split("[\\s,]+")) {
          if (!s.isBlank()) {
            list.add(s);
          }
        }
      }
    }
    return List.copyOf(list);
  }

  /** Enough of a secret to tell which one is meant, not enough to use it. */
  private static String redact(String secret) {
    return secret.length() <= 10 ? "(too short)" : secret.substring(0, 10) + "...";
  }

  private void handle(HttpExchange exchange, List<String> keys) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      answer(exchange, 405, "only POST is accepted here");
      return;
    }
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      refuse(exchange, 413, "body larger than " + MAX_BODY_BYTES + " bytes");
      return;
    }
    var headers = exchange.getRequestHeaders();
    var id = headers.getFirst("webhook-id");
    // Verify the raw bytes before anything else looks at them: an unsigned body is never parsed, saved or deduped.
    var why = WebhookSignature.verify(keys, id, headers.getFirst("webhook-timestamp"),
        headers.getFirst("webhook-signature"), body, clock.instant());
    if (why != null) {
      refuse(exchange, 401, why);
      return;
    }
    JsonNode payload;
    try {
      payload = Json.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      payload = null;
    }
    if (payload == null || !payload.isObject()) {
      refuse(exchange, 400, "body is not a JSON object");
      return;
    }
    boolean first;
    synchronized (seen) {
      first = seen.putIfAbsent(id, Boolean.TRUE) == null;
    }
    if (first && outDir != null) {
      try {
        save(id, body);
      } catch (IOException | UncheckedIOException e) {
        synchronized (seen) {
          seen.remove(id); // not kept, so the gateway's retry must be taken
        }
        err.println("webhook-receiver: cannot save " + id + ": " + e.getMessage());
        answer(exchange, 500, "could not save the payload");
        return;
      }
    }
    // Answer first, then do the work: the gateway waits at most 15 s and retries what it did not see succeed.
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, RECEIVED.length);
    exchange.getResponseBody().write(RECEIVED);
    exchange.getResponseBody().close();
    var time = LocalTime.now(clock.withZone(java.time.ZoneId.systemDefault())).format(TIME);
    synchronized (out) {
      if (first) {
        out.print(summary(time, id, payload));
      } else {
        out.println(time + " duplicate " + id + " (already received)");
      }
      out.flush();
    }
  }

  private void refuse(HttpExchange exchange, int status, String why) throws IOException {
    var time = LocalTime.now(clock.withZone(java.time.ZoneId.systemDefault())).format(TIME);
    var id = exchange.getRequestHeaders().getFirst("webhook-id");
    synchronized (out) {
      out.println(time + " refused " + (id == null ? "(no webhook-id)" : clean(id)) + " with " + status + ": " + why);
      out.flush();
    }
    answer(exchange, status, why);
  }

  private static void answer(HttpExchange exchange, int status, String line) throws IOException {
    var bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private void save(String id, byte[] body) throws IOException {
    var name = id.replaceAll("[^A-Za-z0-9_-]", "_");
    var target = outDir.resolve(name + ".json");
    var tmp = Files.createTempFile(outDir, name, ".tmp");
    try {
      Files.write(tmp, body);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The lines printed for one accepted report; absent fields (not shared with this agency) say so. */
  static String summary(String time, String webhookId, JsonNode payload) {
    var data = payload.path("data");
    var b = new StringBuilder();
    b.append(time).append(' ').append(payload.path("type").asText("(no type)")).append(' ').append(webhookId)
        .append('\n');
    b.append("  reference ").append(text(data, "reference")).append(" via ").append(text(data, "channel"));
    if (data.path("urgent").asBoolean(false)) {
      b.append("  URGENT");
    }
    b.append('\n');
    var category = text(data, "category");
    if (data.has("subcategory") && !data.get("subcategory").isNull()) {
      category += " / " + text(data, "subcategory");
    }
    b.append("  category: ").append(category).append('\n');
    b.append("  urgent: ").append(data.has("urgent") ? (data.get("urgent").asBoolean() ? "yes" : "no") : "?")
        .append(" | intent: ").append(text(data, "intent"))
        .append(" | outcome: ").append(text(data, "outcome")).append('\n');
    String province;
    if (!data.has("province")) {
      province = "(not shared)";
    } else if (data.get("province").isNull()) {
      province = "unknown";
    } else {
      province = clean(data.get("province").path("name").asText("?")) + " (" + text(data.get("province"), "code") + ")";
    }
    b.append("  province: ").append(province).append('\n');
    var urls = data.path("harmful_content_urls");
    b.append("  urls: ").append(data.has("harmful_content_urls") ? Integer.toString(urls.size()) : "(not shared)")
        .append('\n');
    var description = data.path("description");
    if (description.isTextual() && !description.asText().isBlank()) {
      b.append("  description:\n");
      for (var line : description.asText().split("\\R")) {
        b.append("    | ").append(clean(line)).append('\n');
      }
    }
    if (urls.isArray()) {
      for (var u : urls) {
        b.append("  url: ").append(clean(u.asText())).append('\n');
      }
    }
    // one takedown case per URL: how many reports named it so far
    for (var item : data.path("content_items")) {
      int count = item.path("count").asInt();
      b.append("  content item ").append(clean(item.path("id").asText())).append(": ")
          .append(clean(item.path("url").asText())).append(" (named by ").append(count)
          .append(count == 1 ? " report)" : " reports)").append('\n');
    }
    return b.toString();
  }

  /** A field for printing: absent (not shared with this agency) and null (not known) read differently. */
  private static String text(JsonNode node, String field) {
    if (!node.has(field)) {
      return "(not shared)";
    }
    var v = node.get(field);
    return v.isNull() ? "unknown" : clean(v.asText());
  }

  /** No control characters reach the terminal (a texter's words could hold escape sequences). */
  static String clean(String s) {
    var b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }
}
