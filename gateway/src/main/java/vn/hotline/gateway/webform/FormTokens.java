package vn.hotline.gateway.webform;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The web report form's token, in a hidden field: when the form was handed out and a random nonce, signed with
 * HMAC-SHA256 under a key of the deployment ({@code t1.<issued-at millis>.<nonce>.<signature>}). It needs no
 * cookie and no server session, any instance checks it, and it is three guards at once: the time to fill (a form
 * sent less than {@link #MIN_FILL} after it was handed out is a bot's), its age (older than {@link #MAX_AGE}: the
 * page was left open, or the token was harvested), and a per-form nonce (what a CSRF token would be; the form
 * creates nothing sensitive, and {@link WebFormRoutes} answers a token sent twice with the first answer).
 */
final class FormTokens {
  /** No person reads the page, picks a category and describes what they saw this fast. */
  static final Duration MIN_FILL = Duration.ofSeconds(3);
  /** A form open longer than this is sent back to be checked and sent again, with a new token. */
  static final Duration MAX_AGE = Duration.ofHours(4);

  /** What a sent token is. */
  enum Check { OK, TOO_FAST, EXPIRED, FORGED }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] key;
  private final Clock clock;

  FormTokens(byte[] key, Clock clock) {
    if (key.length < 16) {
      throw new IllegalArgumentException("the form token key must be at least 16 bytes");
    }
    this.key = key.clone();
    this.clock = clock;
  }

  /** A token for a form handed out now. */
  String issue() {
    var nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    var body = "t1." + clock.millis() + "." + HexFormat.of().formatHex(nonce);
    return body + "." + sign(body);
  }

  /** Whether {@code token} is one of ours, and how long ago it was handed out. */
  Check check(String token) {
    if (token == null || token.length() > 200) {
      return Check.FORGED;
    }
    var parts = token.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("t1") || !parts[1].matches("\\d{1,15}") || !parts[2].matches("[0-9a-f]{24}")) {
      return Check.FORGED;
    }
    var body = parts[0] + "." + parts[1] + "." + parts[2];
    if (!MessageDigest.isEqual(sign(body).getBytes(StandardCharsets.US_ASCII), parts[3].getBytes(StandardCharsets.US_ASCII))) {
      return Check.FORGED;
    }
    long age = clock.millis() - Long.parseLong(parts[1]);
    if (age < MIN_FILL.toMillis()) {
      return Check.TOO_FAST; // also a token "issued" in the future
    }
    return age > MAX_AGE.toMillis() ? Check.EXPIRED : Check.OK;
  }

  /** The token's nonce (to answer a form sent twice once); only for a token {@link #check} accepted. */
  static String nonce(String token) {
    return token.split("\\.", -1)[2];
  }

  private String sign(String body) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
