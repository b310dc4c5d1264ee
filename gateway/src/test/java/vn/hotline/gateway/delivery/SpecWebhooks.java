package vn.hotline.gateway.delivery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks symmetric scheme written again from the spec (standardwebhooks.com, "Signature scheme"),
 * without using {@link WebhookSignature}: so tests compare the gateway against the spec, not against itself.
 * <ul>
 *   <li>secret: "whsec_" + base64; the HMAC key is the base64-decoded part;</li>
 *   <li>signed content: the webhook-id, ".", the webhook-timestamp header as sent, ".", the raw body;</li>
 *   <li>signature: "v1," + base64(HMAC-SHA256); the header may hold several, separated by single spaces.</li>
 * </ul>
 */
public final class SpecWebhooks {
  private SpecWebhooks() {}

  public static byte[] keyOf(String secret) {
    var b64 = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
    return Base64.getDecoder().decode(b64);
  }

  /** One "v1,..." signature. */
  public static String sign(String secret, String msgId, String timestamp, byte[] body) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyOf(secret), "HmacSHA256"));
      var prefix = (msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
      var content = new byte[prefix.length + body.length];
      System.arraycopy(prefix, 0, content, 0, prefix.length);
      System.arraycopy(body, 0, content, prefix.length, body.length);
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sign(String secret, String msgId, long timestamp, String body) {
    return sign(secret, msgId, Long.toString(timestamp), body.getBytes(StandardCharsets.UTF_8));
  }

  /** True when the timestamp is within {@code toleranceSeconds} of {@code nowSeconds} and one v1 signature matches. */
  public static boolean verify(String secret, String msgId, String timestamp, String header, byte[] body, long nowSeconds,
      long toleranceSeconds) {
    long ts;
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(nowSeconds - ts) > toleranceSeconds) {
      return false;
    }
    var expected = sign(secret, msgId, timestamp, body).substring(3);
    boolean ok = false;
    for (var part : header.split(" ")) {
      var comma = part.indexOf(',');
      if (comma < 0 || !part.substring(0, comma).equals("v1")) {
        continue;
      }
      ok |= MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
          part.substring(comma + 1).getBytes(StandardCharsets.US_ASCII));
    }
    return ok;
  }

  /** A fresh secret: whsec_ + base64 of 32 random bytes. */
  public static String newSecret() {
    var b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return "whsec_" + Base64.getEncoder().encodeToString(b);
  }
}
