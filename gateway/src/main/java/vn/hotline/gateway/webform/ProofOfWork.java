package vn.hotline.gateway.webform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The form's optional proof of work (hashcash): the page's script finds a counter {@code n} such that
 * SHA-256({@code token + ":" + n}) starts with {@link #BITS} zero bits (about 4,000 hashes with the browser's
 * crypto.subtle: a fraction of a second on a cheap phone, a real cost to a bot sending thousands), and sends it in
 * the field {@code pow}. The server checks it when it is there; a form without it (no JavaScript, or a browser
 * without crypto.subtle on plain http) is accepted all the same, so it never shuts a person out, and one with a
 * wrong value is a bot's (refused quietly).
 */
final class ProofOfWork {
  static final int BITS = 12;

  private ProofOfWork() {}

  /** Whether {@code counter} (decimal, at most 12 digits) proves the work for {@code token}. */
  static boolean valid(String token, String counter) {
    if (counter == null || !counter.matches("\\d{1,12}")) {
      return false;
    }
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest((token + ":" + counter).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return leadingZeroBits(hash) >= BITS;
  }

  static int leadingZeroBits(byte[] hash) {
    int bits = 0;
    for (byte b : hash) {
      if (b == 0) {
        bits += 8;
        continue;
      }
      return bits + Integer.numberOfLeadingZeros(b & 0xff) - 24;
    }
    return bits;
  }
}
