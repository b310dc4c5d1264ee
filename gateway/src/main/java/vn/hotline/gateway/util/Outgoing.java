package vn.hotline.gateway.util;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The one HTTP client for the gateway's outgoing calls (agency webhooks, Twilio's REST API): HTTP/1.1, redirects
 * never followed (a 3xx is an answer, not a new address to send a report to), 5 s to connect; each request sets its
 * own timeout. It is made at the first call, not at startup, because setting up its TLS takes a noticeable part of
 * startup and most deployments send only one kind of call, or none. Its callers run on worker or virtual threads
 * ({@link Loop}) and block on the answer, which is why this is the JDK's blocking client and not Vert.x's WebClient.
 */
public final class Outgoing {
  private Outgoing() {
  }

  private static final class Holder {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The shared client, made at the first call (the JVM's lazy class initialisation makes it once). */
  public static HttpClient http() {
    return Holder.CLIENT;
  }
}
