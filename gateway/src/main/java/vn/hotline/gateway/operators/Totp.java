package vn.hotline.gateway.operators;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) as authenticator apps make them: HMAC-SHA1, 30 s
 * steps from the Unix epoch, 6 digits. A code is accepted for the step before, the step of and the step after
 * the moment it is checked (clocks drift), and only for a step later than the last one accepted, so a code seen
 * over someone's shoulder cannot be used again.
 */
public final class Totp {
  public static final int DIGITS = 6;
  public static final long STEP_SECONDS = 30;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Totp() {}

  /** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), in base32 as apps take it. */
  public static String newSecret() {
    var key = new byte[20];
    RANDOM.nextBytes(key);
    return base32(key);
  }

  /** The 30 s step {@code at} falls in. */
  public static long step(Instant at) {
    return Math.floorDiv(at.getEpochSecond(), STEP_SECONDS);
  }

  /** The 6-digit code for the step {@code at} falls in. */
  public static String code(String base32Secret, Instant at) {
    return code(fromBase32(base32Secret), step(at), DIGITS, "HmacSHA1");
  }

  /** RFC 4226 HOTP of counter {@code step} with this HMAC ("HmacSHA1", "HmacSHA256", "HmacSHA512"). */
  static String code(byte[] key, long step, int digits, String hmac) {
    byte[] h;
    try {
      var mac = Mac.getInstance(hmac);
      mac.init(new SecretKeySpec(key, "RAW"));
      h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    int offset = h[h.length - 1] & 0x0f;
    int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
        | (h[offset + 3] & 0xff);
    long mod = 1;
    for (int i = 0; i < digits; i++) {
      mod *= 10;
    }
    var s = Long.toString(binary % mod);
    return "0".repeat(digits - s.length()) + s;
  }

  /**
   * The step {@code code} is valid for at {@code now} (one step of drift either way) and later than
   * {@code lastUsedStep} (null: none used yet), or -1. Spaces in the code are ignored.
   */
  public static long verify(String base32Secret, String code, Instant now, Long lastUsedStep) {
    if (base32Secret == null || code == null) {
      return -1;
    }
    var typed = code.replace(" ", "").strip();
    if (!typed.matches("\\d{" + DIGITS + "}")) {
      return -1;
    }
    var key = fromBase32(base32Secret);
    long current = step(now);
    long found = -1;
    for (long s = current - 1; s <= current + 1; s++) {
      // every candidate is computed and compared in constant time, whichever matches
      if (MessageDigest.isEqual(code(key, s, DIGITS, "HmacSHA1").getBytes(StandardCharsets.US_ASCII),
          typed.getBytes(StandardCharsets.US_ASCII)) && found < 0) {
        found = s;
      }
    }
    return found >= 0 && (lastUsedStep == null || found > lastUsedStep) ? found : -1;
  }

  /** The otpauth:// URI an authenticator app reads (as a QR code, or pasted), per Google's Key URI Format. */
  public static String uri(String issuer, String account, String base32Secret) {
    var label = enc(issuer) + ":" + enc(account);
    return "otpauth://totp/" + label + "?secret=" + base32Secret + "&issuer=" + enc(issuer)
        + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
  }

  /** The secret in groups of four, easier to type into an app by hand. */
  public static String grouped(String base32Secret) {
    var b = new StringBuilder();
    for (int i = 0; i < base32Secret.length(); i += 4) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(base32Secret, i, Math.min(base32Secret.length(), i + 4));
    }
    return b.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** RFC 4648 base32 without padding. */
  public static String base32(byte[] bytes) {
    var out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  /** Decodes base32 (any case, spaces and padding ignored); IllegalArgumentException on another character. */
  public static byte[] fromBase32(String s) {
    var clean = s.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
    var out = new java.io.ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < clean.length(); i++) {
      int v = BASE32.indexOf(clean.charAt(i));
      if (v < 0) {
        throw new IllegalArgumentException("not a base32 secret");
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
