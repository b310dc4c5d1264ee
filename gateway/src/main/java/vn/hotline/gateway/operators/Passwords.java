package vn.hotline.gateway.operators;

import java.text.Normalizer;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Console passwords, hashed with Argon2id (spring-security-crypto on BouncyCastle): 16-byte salt, 32-byte hash,
 * 19 MiB of memory, 2 passes, 1 lane (OWASP's minimum for Argon2id). Passwords are compared as typed, after
 * Unicode NFC normalisation, so a Vietnamese password typed with another input method (composed or combining
 * accents) still matches. Hashing takes tens of milliseconds: callers run it on a worker, never an event loop.
 */
public final class Passwords {
  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 128;
  private static final Argon2PasswordEncoder ARGON2 = new Argon2PasswordEncoder(16, 32, 1, 19 * 1024, 2);

  /** A hash of nothing anyone can type, checked against when there is no account: the answer takes as long. */
  private static final class Dummy {
    static final String HASH = ARGON2.encode("no account has this password " + System.nanoTime());
  }

  private Passwords() {}

  public static String hash(String password) {
    return ARGON2.encode(normalise(password));
  }

  /** True when {@code password} is the one {@code hash} was made from; a null hash (no password) never matches. */
  public static boolean matches(String password, String hash) {
    if (password == null || password.length() > MAX_LENGTH * 4) {
      return false;
    }
    if (hash == null) {
      ARGON2.matches(normalise(password), Dummy.HASH);
      return false;
    }
    return ARGON2.matches(normalise(password), hash);
  }

  /** Spends the time of a check without an account, so an unknown login answers as slowly as a wrong password. */
  public static void checkNothing(String password) {
    matches(password == null ? "" : password, null);
  }

  /** Why this new password cannot be used (a message key of the console's bundle), or null when it can. */
  public static String problem(String password, String repeat) {
    if (password == null || password.isEmpty()) {
      return "password.empty";
    }
    var p = normalise(password);
    int length = p.codePointCount(0, p.length());
    if (length < MIN_LENGTH) {
      return "password.short";
    }
    if (length > MAX_LENGTH) {
      return "password.long";
    }
    if (repeat == null || !p.equals(normalise(repeat))) {
      return "password.mismatch";
    }
    return null;
  }

  private static String normalise(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFC);
  }
}
