package vn.hotline.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stands in for Twilio's REST API (Messages.json): records each message sent and answers 201 with a SID. */
public final class FakeTwilioRest implements AutoCloseable {
  /** One message the gateway asked Twilio to send. */
  public record Sent(String path, String authorization, Map<String, String> form) {}

  private final HttpServer server;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();

  public FakeTwilioRest() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/2010-04-01/Accounts/", exchange -> {
      var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      var form = new HashMap<String, String>();
      for (var pair : body.split("&")) {
        var kv = pair.split("=", 2);
        form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
      sent.add(new Sent(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Authorization"), form));
      var answer = ("{\"sid\":\"SM" + FakeTwilio.newCallSid().substring(2) + "\",\"status\":\"queued\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(201, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
