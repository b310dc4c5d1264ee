package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A plain HTTP client for the console (no browser, no cookie jar, no redirects followed): what someone scripting
 * against it, or a forged cross-site request, can do.
 */
final class ConsoleHttp {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final URI base;

  ConsoleHttp(URI base) {
    this.base = base;
  }

  HttpResponse<String> get(String path, String cookies) {
    var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).GET();
    if (cookies != null && !cookies.isEmpty()) {
      b.header("Cookie", cookies);
    }
    return send(b.build());
  }

  HttpResponse<String> post(String path, Map<String, String> form, String cookies, Map<String, String> headers) {
    var body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
    if (cookies != null && !cookies.isEmpty()) {
      b.header("Cookie", cookies);
    }
    headers.forEach(b::header);
    return send(b.build());
  }

  /** Signs in through the login form as a browser would; the session cookie ("name=value"). */
  String signIn(String login, String password) {
    var page = get("/console/login", null);
    var form = "hg_console_form=" + cookie(page, "hg_console_form");
    var fields = new LinkedHashMap<String, String>();
    fields.put("csrf", hidden(page.body(), "csrf"));
    fields.put("login", login);
    fields.put("password", password);
    var r = post("/console/login", fields, form, Map.of());
    assertEquals(303, r.statusCode(), "signed in: " + r.body());
    return ConsoleAuth.SESSION_COOKIE + "=" + cookie(r, ConsoleAuth.SESSION_COOKIE);
  }

  /** A sign-in through the login form that is expected to fail: the login page's answer. */
  HttpResponse<String> signInFails(String login, String password) {
    var page = get("/console/login", null);
    var fields = new LinkedHashMap<String, String>();
    fields.put("csrf", hidden(page.body(), "csrf"));
    fields.put("login", login);
    fields.put("password", password);
    return post("/console/login", fields, "hg_console_form=" + cookie(page, "hg_console_form"), Map.of());
  }

  /** The value of a hidden form field of a page. */
  static String hidden(String html, String name) {
    var m = Pattern.compile("<input type=\"hidden\" name=\"" + Pattern.quote(name) + "\" value=\"([^\"]*)\"").matcher(html);
    if (!m.find()) {
      throw new AssertionError("no hidden field " + name + " in " + html);
    }
    return m.group(1);
  }

  /** The value a response sets for a cookie, or null. */
  static String cookie(HttpResponse<?> r, String name) {
    var header = setCookie(r, name);
    if (header == null) {
      return null;
    }
    var pair = header.split(";", 2)[0];
    return pair.substring(pair.indexOf('=') + 1);
  }

  /** The whole Set-Cookie header a response sends for a cookie, or null. */
  static String setCookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(h -> h.startsWith(name + "=")).findFirst().orElse(null);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
