package vn.hotline.gateway.tools;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;
import vn.hotline.gateway.cli.Cli;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * What the tools that play Twilio towards the gateway share ({@link CallSimulator}, {@link TwilioStandIn}): the
 * auth token they sign with, Twilio's request signature, a signed form POST, reading the TwiML that comes back.
 */
final class TwilioPlay {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TwilioPlay() {}

  /** Why no auth token could be found; the message says what to do. */
  static final class NoToken extends Exception {
    NoToken(String message) {
      super(message);
    }
  }

  /**
   * The gateway's Twilio auth token as a tool finds it: {@code option} (--token), else TWILIO_AUTH_TOKEN, else the
   * dev token the gateway wrote in its data dir ({@code dataDir}, else GATEWAY_DATA_DIR, else ./data).
   */
  static String authToken(String option, Path dataDir, Map<String, String> env) throws NoToken {
    var secret = option != null ? option : env.get("TWILIO_AUTH_TOKEN");
    if (secret != null && !secret.isBlank()) {
      return secret;
    }
    var dir = dataDir != null ? dataDir : Path.of(env.getOrDefault("GATEWAY_DATA_DIR", "./data"));
    var file = dir.resolve(GatewayConfig.DEV_TOKEN_FILE);
    if (!Files.isRegularFile(file)) {
      throw new NoToken("no auth token: pass --token, set TWILIO_AUTH_TOKEN, or run the gateway in dev"
          + " mode from this directory (it writes " + file + ")");
    }
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new NoToken("cannot read the dev auth token " + file + ": " + Cli.words(e));
    }
  }

  /** Twilio's signature: HMAC-SHA1 over the URL and the POST parameters sorted by name, base64. */
  static String sign(String token, String url, Map<String, String> params) {
    try {
      var data = new StringBuilder(url);
      new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
      var mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HTTP/1.1 client as Twilio's side of a call uses. */
  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * POSTs {@code params} as a form to {@code target}, with the X-Twilio-Signature of {@code signedUrl} (the URL as
   * the gateway knows itself, which may differ from where the request is sent).
   */
  static HttpResponse<String> post(HttpClient http, URI target, String signedUrl, String token,
      Map<String, String> params) throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(target)
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sign(token, signedUrl, params))
        .POST(HttpRequest.BodyPublishers.ofString(form(params)))
        .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static String form(Map<String, String> params) {
    var body = new StringBuilder();
    params.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return body.toString();
  }

  /** The verbs of a TwiML document, in order (none for an empty body). */
  static List<Element> verbs(String xml) throws IOException {
    if (xml == null || xml.isBlank()) {
      return List.of();
    }
    try {
      var f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      var doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
      return children(doc.getDocumentElement());
    } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
      throw new IOException("the gateway did not answer TwiML: " + e.getMessage());
    }
  }

  static List<Element> children(Element e) {
    var out = new ArrayList<Element>();
    for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element el) {
        out.add(el);
      }
    }
    return out;
  }

  /** What the Says inside a verb (a Gather) read out, in order. */
  static List<String> said(Element verb) {
    return children(verb).stream().filter(c -> c.getTagName().equals("Say")).map(c -> c.getTextContent().trim())
        .toList();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** {@code bytes} random bytes in hex: the tail of a SID. */
  static String hex(int bytes) {
    var b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** At most the last three digits of a number, for what a tool prints. */
  static String mask(String number) {
    return TestSmsc.mask(number);
  }
}
