package vn.hotline.gateway.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 6238's own test vectors (Appendix B), and what an authenticator app and a counsellor see of them. */
class TotpTest {
  static final byte[] SHA1_SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SHA256_SEED = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SHA512_SEED = ("1234567890".repeat(6) + "1234").getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest(name = "T = {0}")
  @CsvSource({
      "59,          94287082, 46119246, 90693936",
      "1111111109,  07081804, 68084774, 25091201",
      "1111111111,  14050471, 67062674, 99943326",
      "1234567890,  89005924, 91819424, 93441116",
      "2000000000,  69279037, 90698825, 38618901",
      "20000000000, 65353130, 77737706, 47863826"})
  void theAppendixBVectors(long seconds, String sha1, String sha256, String sha512) {
    long step = Totp.step(Instant.ofEpochSecond(seconds));
    assertEquals(sha1, Totp.code(SHA1_SEED, step, 8, "HmacSHA1"));
    assertEquals(sha256, Totp.code(SHA256_SEED, step, 8, "HmacSHA256"));
    assertEquals(sha512, Totp.code(SHA512_SEED, step, 8, "HmacSHA512"));
    // the 6 digits apps show are the last 6 of the same truncation
    assertEquals(sha1.substring(2), Totp.code(Totp.base32(SHA1_SEED), Instant.ofEpochSecond(seconds)));
  }

  @Test
  void aCodeIsAcceptedOneStepEitherSideAndOnlyOnce() {
    var secret = Totp.base32(SHA1_SEED);
    var at = Instant.ofEpochSecond(1111111111);
    long step = Totp.step(at);
    var code = Totp.code(secret, at);
    assertEquals(step, Totp.verify(secret, code, at, null));
    assertEquals(step, Totp.verify(secret, code.substring(0, 3) + " " + code.substring(3), at, null), "a space is fine");
    assertEquals(step, Totp.verify(secret, code, at.plusSeconds(30), null), "a phone 30 s slow");
    assertEquals(step, Totp.verify(secret, code, at.minusSeconds(30), null), "a phone 30 s fast");
    assertEquals(-1, Totp.verify(secret, code, at.plusSeconds(61), null), "two steps later it is gone");
    assertEquals(-1, Totp.verify(secret, code, at, step), "a code already used does not work again");
    assertEquals(-1, Totp.verify(secret, "12345", at, null));
    assertEquals(-1, Totp.verify(secret, "abcdef", at, null));
    assertEquals(-1, Totp.verify(secret, null, at, null));
  }

  @Test
  void secretsAreBase32AsAppsTakeThemAndTheUriNamesTheAccount() {
    assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32(SHA1_SEED));
    assertArrayEquals(SHA1_SEED, Totp.fromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"));
    var secret = Totp.newSecret();
    assertEquals(32, secret.length(), "160 bits");
    assertTrue(secret.matches("[A-Z2-7]+"));
    assertEquals("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", Totp.grouped(Totp.base32(SHA1_SEED)));
    assertEquals("otpauth://totp/Hotline%20111:lan?secret=" + secret
        + "&issuer=Hotline%20111&algorithm=SHA1&digits=6&period=30", Totp.uri("Hotline 111", "lan", secret));
  }
}
