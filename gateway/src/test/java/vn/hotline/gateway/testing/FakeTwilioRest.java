package vn.hotline.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for Twilio's REST API (Messages.json, Calls.json): records each request exactly (path, Authorization,
 * the form's parameters in order) and answers 201 with a SID (SM... for a message, CA... for a call), or with the
 * status a test asked for.
 */
public final class FakeTwilioRest implements AutoCloseable {
  /**
   * One request the gateway made: {@code form} by name (a repeated name: its last value), {@code params} every
   * name=value in the order sent, {@code sid} what this stand-in answered (null when it refused).
   */
  public record Sent(String path, String authorization, Map<String, String> form, List<Map.Entry<String, String>> params,
      String sid) {
    public boolean isCall() {
      return path.endsWith("/Calls.json");
    }

    public boolean isMessage() {
      return path.endsWith("/Messages.json");
    }
  }

  private final HttpServer server;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private volatile CountDownLatch answerWhen = new CountDownLatch(0);
  private volatile int refuseWith = 201;

  public FakeTwilioRest() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/2010-04-01/Accounts/", exchange -> {
      var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      var form = new HashMap<String, String>();
      var params = new ArrayList<Map.Entry<String, String>>();
      for (var pair : body.split("&")) {
        var kv = pair.split("=", 2);
        var name = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
        var value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
        form.put(name, value);
        params.add(Map.entry(name, value));
      }
      var path = exchange.getRequestURI().getPath();
      int status = refuseWith;
      var sid = status != 201 ? null : path.endsWith("/Calls.json") ? FakeTwilio.newCallSid()
          : "SM" + FakeTwilio.newCallSid().substring(2);
      sent.add(new Sent(path, exchange.getRequestHeaders().getFirst("Authorization"), form, List.copyOf(params), sid));
      try {
        answerWhen.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      var answer = (sid == null ? "{\"code\":21211,\"message\":\"refused\",\"status\":" + status + "}"
          : "{\"sid\":\"" + sid + "\",\"status\":\"queued\"}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.setExecutor(pool);
    server.start();
  }

  /** From now on each message is recorded at once but answered only when the returned latch is counted down. */
  public CountDownLatch holdAnswers() {
    var latch = new CountDownLatch(1);
    answerWhen = latch;
    return latch;
  }

  /** From now on every request is answered with {@code status} (e.g. 400, as Twilio refuses a bad number); 201: accept. */
  public void answerWith(int status) {
    refuseWith = status;
  }

  /** Forgets the requests recorded so far. */
  public void clear() {
    sent.clear();
  }

  /** The Calls.create requests so far. */
  public List<Sent> calls() {
    return sent().stream().filter(Sent::isCall).toList();
  }

  /** The account the gateway under test sends as. */
  public static final String ACCOUNT = "AC" + "0123456789abcdef".repeat(2);
  /** The number (sms_from) the gateway under test sends from. */
  public static final String SMS_FROM = "+84111000111";

  /** The settings that make a gateway send its REST SMS here, with {@code extra} settings added. */
  public Map<String, String> gatewaySettings(Map<String, String> extra) {
    var settings = new HashMap<String, String>(extra);
    settings.put("TWILIO_ACCOUNT_SID", ACCOUNT);
    settings.put("GATEWAY_TWILIO_API_BASE_URL", baseUrl());
    settings.put("GATEWAY_TWILIO_SMS_FROM", SMS_FROM);
    return Map.copyOf(settings);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  @Override
  public void close() {
    answerWhen.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
