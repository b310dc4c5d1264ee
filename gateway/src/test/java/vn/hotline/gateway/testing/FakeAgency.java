package vn.hotline.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agency's webhook inbox for tests: records every request (headers, body) and answers what the test scripts
 * (status, Retry-After, a delay), then 200 once the script runs out.
 */
public final class FakeAgency implements AutoCloseable {
  /** One request as it arrived. */
  public record Received(String path, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** One scripted answer. */
  public record Answer(int status, String retryAfter, Duration delay, String location) {
    public static Answer of(int status) {
      return new Answer(status, null, Duration.ZERO, null);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Answer> script = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Answer always;

  public FakeAgency() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      try {
        var headers = new java.util.HashMap<String, String>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        received.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(headers),
            exchange.getRequestBody().readAllBytes()));
        Answer a;
        synchronized (script) {
          a = script.isEmpty() ? (always != null ? always : Answer.of(200)) : script.poll();
        }
        if (!a.delay().isZero()) {
          try {
            Thread.sleep(a.delay().toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (a.retryAfter() != null) {
          exchange.getResponseHeaders().add("Retry-After", a.retryAfter());
        }
        if (a.location() != null) {
          exchange.getResponseHeaders().add("Location", a.location());
        }
        exchange.sendResponseHeaders(a.status(), -1);
        exchange.close();
      } finally {
        inFlight.decrementAndGet();
      }
    });
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next answers, in order. */
  public FakeAgency answer(Answer... answers) {
    synchronized (script) {
      script.addAll(List.of(answers));
    }
    return this;
  }

  /** What to answer once the script is used up (default 200). */
  public FakeAgency always(Answer a) {
    this.always = a;
    return this;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public int maxConcurrent() {
    return maxInFlight.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
