package vn.hotline.gateway.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a request the way Twilio documents it, written here independently of the gateway and of the Twilio
 * SDK: the full URL, then each POST parameter name followed by its value, sorted by name; HMAC-SHA1 with the
 * auth token; base64. https://www.twilio.com/docs/usage/security#validating-requests
 */
public final class TwilioSigner {
  private TwilioSigner() {}

  public static String sign(String authToken, String url, Map<String, String> params) {
    var data = new StringBuilder(url);
    for (var e : new TreeMap<>(params).entrySet()) {
      data.append(e.getKey()).append(e.getValue());
    }
    try {
      var mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
