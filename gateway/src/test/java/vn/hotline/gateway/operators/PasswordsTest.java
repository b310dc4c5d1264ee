package vn.hotline.gateway.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import org.junit.jupiter.api.Test;

/** Console passwords: Argon2id hashes, Vietnamese typed either way, at least 12 characters. */
class PasswordsTest {
  @Test
  void hashesAreArgon2idSaltedAndMatchOnlyTheirPassword() {
    var password = "Hôm nay trời đẹp quá";
    var hash = Passwords.hash(password);
    assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
    assertNotEquals(hash, Passwords.hash(password), "salted: the same password hashes differently");
    assertTrue(Passwords.matches(password, hash));
    assertTrue(Passwords.matches(Normalizer.normalize(password, Normalizer.Form.NFD), hash),
        "typed with combining accents (another keyboard) it still matches");
    assertFalse(Passwords.matches("Hom nay troi dep qua", hash));
    assertFalse(Passwords.matches(password, null), "no password set: nothing matches");
  }

  @Test
  void aNewPasswordNeedsTwelveCharactersTypedTwice() {
    assertEquals("password.empty", Passwords.problem("", ""));
    assertEquals("password.short", Passwords.problem("ngắn quá", "ngắn quá"));
    assertEquals("password.short", Passwords.problem("mười một ký", "mười một ký"), "11 characters, more bytes");
    assertNull(Passwords.problem("mười hai ký!", "mười hai ký!"), "12 characters");
    assertEquals("password.mismatch", Passwords.problem("mười hai ký!", "mười hai ký?"));
    assertEquals("password.long", Passwords.problem("x".repeat(129), "x".repeat(129)));
  }
}
