package vn.hotline.gateway.testing;

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
 * The public web report form (/report) over plain HTTP, as a browser without JavaScript (or a bot) sends it: no
 * cookie jar, no redirects followed. {@link #token} reads the signed token of a freshly served form.
 */
public final class WebReportClient {
  private static final Pattern REFERENCE = Pattern.compile("<p class=\"reference\" id=\"reference\">([0-9 ]+)</p>");
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final URI base;

  public WebReportClient(URI base) {
    this.base = base;
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)).GET().build());
  }

  /** The token of the form /report serves now. */
  public String token() {
    var page = get("/report");
    var m = Pattern.compile("name=\"token\" id=\"token\" value=\"([^\"]+)\"").matcher(page.body());
    if (!m.find()) {
      throw new AssertionError("no token on the form: " + page.body());
    }
    return m.group(1);
  }

  /** Sends the form's fields as a browser does (application/x-www-form-urlencoded, UTF-8). */
  public HttpResponse<String> post(Map<String, String> fields) {
    var body = fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return postRaw(body);
  }

  public HttpResponse<String> postRaw(String body) {
    return send(HttpRequest.newBuilder(base.resolve("/report")).timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** A filled-in form a parent would send: online harm, one link, what they saw, 13-15, Hà Nội, no contact. */
  public static Map<String, String> filled(String token, String description) {
    var f = new LinkedHashMap<String, String>();
    f.put("lang", "vi");
    f.put("token", token);
    f.put("pow", "");
    f.put("website", "");
    f.put("category", "online_abuse_harmful_content");
    f.put("links", "https://www.tiktok.com/@kenh-xau/video/7312345678901234567");
    f.put("description", description);
    f.put("age_band", "13-15");
    f.put("province", "01");
    return f;
  }

  /** The reference an end page shows, digits only; null when it shows none. */
  public static String reference(String html) {
    var m = REFERENCE.matcher(html);
    return m.find() ? m.group(1).replace(" ", "") : null;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
