package vn.hotline.gateway.config;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The format of a webhook secret (Standard Webhooks: {@code whsec_} + base64 of at least 24 random bytes), here
 * at the bottom so configuration can check and generate secrets without knowing about delivery;
 * delivery.WebhookSignature signs with them.
 */
public final class WebhookSecrets {
  public static final String PREFIX = "whsec_";

  private WebhookSecrets() {}

  /** The secret's key bytes; refuses anything that is not whsec_ + base64 of at least 24 bytes. */
  public static byte[] key(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + PREFIX);
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook secret is " + PREFIX + " followed by base64");
    }
    if (key.length < 24) {
      throw new IllegalArgumentException("a webhook secret needs at least 24 random bytes, not " + key.length);
    }
    return key;
  }

  /** A fresh secret: whsec_ + base64 of 32 random bytes. */
  public static String newSecret() {
    var b = new byte[32];
    new SecureRandom().nextBytes(b);
    return PREFIX + Base64.getEncoder().encodeToString(b);
  }
}
