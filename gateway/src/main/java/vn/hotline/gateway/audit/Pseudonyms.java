package vn.hotline.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms for caller numbers (HMAC-SHA256): the same number gives the same pseudonym under one key,
 * so repeat contacts link and conversations are found, without the number being stored. Numbers are
 * normalised first so 0912345678, +84912345678 and 84912345678 are one caller.
 */
public final class Pseudonyms {
  private final byte[] key;

  public Pseudonyms(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("pseudonym key must be at least 16 bytes");
    }
    this.key = key.clone();
  }

  /** From the config spec id:base64 (one key: pseudonyms cannot rotate without unlinking repeat contacts). */
  public static Pseudonyms parse(String spec) {
    var t = spec.trim();
    int colon = t.indexOf(':');
    if (colon <= 0 || t.indexOf(',') >= 0) {
      throw new IllegalArgumentException("pseudonym key must read id:base64 (one key)");
    }
    return new Pseudonyms(java.util.Base64.getDecoder().decode(t.substring(colon + 1)));
  }

  /**
   * A key of its own for another purpose (e.g. signing the web report form's tokens), derived from this one:
   * every instance of a deployment derives the same, no further secret to configure, and it says nothing of the
   * pseudonym key or of any pseudonym.
   */
  public byte[] derive(String purpose) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(("derived-key:" + purpose).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String of(String number) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      // 128 bits are plenty to avoid collisions among callers and keep the column short
      var digest = mac.doFinal(normalise(number).getBytes(StandardCharsets.UTF_8));
      return "p1_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A keyed digest of any text under the same key (no number normalisation), 64 hex digits: finds a sealed value
   * again by what it is (a normalised harmful-content URL) without storing it in the clear or as a plain hash
   * anyone could test a guess against.
   */
  public String digest(String text) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(("text:" + text).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Vietnamese national format (0xxxxxxxxx) and 84xxxxxxxxx become +84xxxxxxxxx; other numbers keep their digits. */
  public static String normalise(String number) {
    var digits = number.replaceAll("[^0-9+]", "");
    if (digits.startsWith("+")) {
      return digits;
    }
    if (digits.startsWith("84") && digits.length() >= 11) {
      return "+" + digits;
    }
    if (digits.startsWith("0") && digits.length() >= 9) {
      return "+84" + digits.substring(1);
    }
    return digits;
  }
}
