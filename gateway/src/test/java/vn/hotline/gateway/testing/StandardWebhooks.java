package vn.hotline.gateway.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks verification written from the spec for the tests, independently of the gateway's signer:
 * the key is the base64 after "whsec_"; the signed content is "id.timestamp.body"; the header holds
 * space-separated "v1,<base64 HMAC-SHA256>" entries, any of which may match.
 */
public final class StandardWebhooks {
  private StandardWebhooks() {}

  public static boolean verify(String secret, String id, String timestamp, String header, byte[] body) throws Exception {
    var key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    var mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    var content = new java.io.ByteArrayOutputStream();
    content.writeBytes((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    content.writeBytes(body);
    var expected = Base64.getEncoder().encodeToString(mac.doFinal(content.toByteArray()));
    for (var part : header.split(" ")) {
      if (part.startsWith("v1,") && MessageDigest.isEqual(part.substring(3).getBytes(StandardCharsets.UTF_8),
          expected.getBytes(StandardCharsets.UTF_8))) {
        return true;
      }
    }
    return false;
  }

  public static boolean verify(String secret, FakeAgency.Received r) throws Exception {
    return verify(secret, r.header("webhook-id"), r.header("webhook-timestamp"), r.header("webhook-signature"), r.body());
  }
}
