package vn.hotline.gateway.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts personal data at rest (numbers, free text) with AES-256-GCM. Keys have ids and rotate: the first key
 * encrypts, every listed key decrypts, so text sealed under an old key still opens. A sealed value reads
 * {@code v1.<key id>.<base64 nonce+ciphertext>}; the key id is authenticated as associated data.
 */
public final class Sealer {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, SecretKeySpec> keys;
  private final String current;

  /** @param keys key id to 32-byte key, the current (encrypting) key first */
  public Sealer(Map<String, byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("at least one encryption key is needed");
    }
    var copy = new LinkedHashMap<String, SecretKeySpec>();
    keys.forEach((id, k) -> {
      if (!id.matches("[A-Za-z0-9_-]{1,16}")) {
        throw new IllegalArgumentException("key id '" + id + "' must be 1-16 letters, digits, _ or -");
      }
      if (k.length != 32) {
        throw new IllegalArgumentException("key '" + id + "' must be 32 bytes (AES-256), not " + k.length);
      }
      copy.put(id, new SecretKeySpec(k, "AES"));
    });
    this.keys = copy;
    this.current = copy.keySet().iterator().next();
  }

  /** Parses {@code id:base64key,id2:base64key}, the current key first. */
  public static Sealer parse(String spec) {
    var keys = new LinkedHashMap<String, byte[]>();
    for (var item : spec.split(",")) {
      var t = item.trim();
      if (t.isEmpty()) {
        continue;
      }
      int colon = t.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("each key must read id:base64 (entry " + (keys.size() + 1) + ")");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(t.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("key '" + t.substring(0, colon) + "' is not base64");
      }
      if (keys.put(t.substring(0, colon), key) != null) {
        throw new IllegalArgumentException("key id '" + t.substring(0, colon) + "' is listed twice");
      }
    }
    return new Sealer(keys);
  }

  public String currentKeyId() {
    return current;
  }

  public String seal(String plain) {
    if (plain == null) {
      return null;
    }
    try {
      var nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      var cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(current), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(current.getBytes(StandardCharsets.UTF_8));
      var ct = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      var out = ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
      return "v1." + current + "." + Base64.getEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The plain text, or null for null or a purged ("") value. */
  public String open(String sealed) {
    if (sealed == null || sealed.isEmpty()) {
      return null;
    }
    var parts = sealed.split("\\.", 3);
    if (parts.length != 3 || !parts[0].equals("v1")) {
      throw new IllegalArgumentException("not a sealed value");
    }
    var key = keys.get(parts[1]);
    if (key == null) {
      throw new IllegalStateException("sealed with key '" + parts[1] + "', which is not configured (privacy.encryption_keys)");
    }
    try {
      var raw = Base64.getDecoder().decode(parts[2]);
      var cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 0, 12));
      cipher.updateAAD(parts[1].getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(raw, 12, raw.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealed value under key '" + parts[1] + "' does not open (tampered or wrong key)", e);
    }
  }
}
