package vn.hotline.gateway.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import vn.hotline.gateway.config.WebhookSecrets;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"): HMAC-SHA256 with the
 * secret's bytes (base64 after {@code whsec_}) over {@code id.timestamp.body}, sent as {@code v1,<base64>}. During a
 * secret rotation the header carries one signature per secret, space-separated; a receiver accepts any.
 */
public final class WebhookSignature {
  public static final String PREFIX = WebhookSecrets.PREFIX;
  /** How far a webhook-timestamp may be from now before a receiver refuses it (replay protection). */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  private WebhookSignature() {}

  /** The secret's key bytes; refuses anything that is not whsec_ + base64 of at least 24 bytes. */
  public static byte[] key(String secret) {
    return WebhookSecrets.key(secret);
  }

  /** The webhook-signature header value for these secrets (the first is the current one). */
  public static String header(List<String> secrets, String id, long timestamp, byte[] body) {
    var out = new ArrayList<String>();
    for (var s : secrets) {
      out.add("v1," + sign(key(s), id, timestamp, body));
    }
    return String.join(" ", out);
  }

  static String sign(byte[] key, String id, long timestamp, byte[] body) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Why a webhook is refused, or null when its signature and timestamp are good for one of {@code secrets}. */
  public static String verify(List<String> secrets, String id, String timestamp, String signatureHeader, byte[] body,
      Instant now) {
    if (id == null || timestamp == null || signatureHeader == null) {
      return "missing webhook-id, webhook-timestamp or webhook-signature";
    }
    long ts;
    try {
      ts = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      return "webhook-timestamp is not a number of seconds";
    }
    if (Math.abs(now.getEpochSecond() - ts) > TOLERANCE.toSeconds()) {
      return "webhook-timestamp is more than " + TOLERANCE.toMinutes() + " minutes from now (replayed or clock skew)";
    }
    for (var secret : secrets) {
      var expected = sign(key(secret), id, ts, body).getBytes(StandardCharsets.US_ASCII);
      for (var candidate : signatureHeader.trim().split(" +")) {
        int comma = candidate.indexOf(',');
        if (comma > 0 && candidate.substring(0, comma).equals("v1")
            && MessageDigest.isEqual(expected, candidate.substring(comma + 1).getBytes(StandardCharsets.US_ASCII))) {
          return null;
        }
      }
    }
    return "no v1 signature matches";
  }

  /** A fresh secret: whsec_ + base64 of 32 random bytes. */
  public static String newSecret() {
    return WebhookSecrets.newSecret();
  }
}
