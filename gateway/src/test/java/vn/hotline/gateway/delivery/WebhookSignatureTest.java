package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's signer and verifier against the Standard Webhooks spec (an independent implementation and the
 * spec's published test vector). */
class WebhookSignatureTest {
  // The test vector of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks,
  // libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java, verifyWebhookSignWorks; the same values are
  // in the other languages' tests).
  private static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long VECTOR_TS = 1614265330;
  private static final String VECTOR_BODY = "{\"test\": 2432232314}";
  private static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static final String ID = "msg_0193a0c6d9e47f3a8b2c4d5e6f708192";
  private static final byte[] BODY = "{\"type\":\"report.created\",\"data\":{\"reference\":\"48213907\",\"description\":\"Em bị dọa\"}}"
      .getBytes(StandardCharsets.UTF_8);
  private static final long NOW = 1_795_470_000L; // 2026-11-23T21:40:00Z

  @Test
  void theSpecTestVectorIsReproducedByBothImplementations() {
    assertEquals(VECTOR_SIGNATURE, SpecWebhooks.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TS, VECTOR_BODY),
        "the independent implementation reads the spec right");
    assertEquals(VECTOR_SIGNATURE, WebhookSignature.header(List.of(VECTOR_SECRET), VECTOR_ID, VECTOR_TS,
        VECTOR_BODY.getBytes(StandardCharsets.UTF_8)));
    assertNull(WebhookSignature.verify(List.of(VECTOR_SECRET), VECTOR_ID, Long.toString(VECTOR_TS), VECTOR_SIGNATURE,
        VECTOR_BODY.getBytes(StandardCharsets.UTF_8), Instant.ofEpochSecond(VECTOR_TS)));
    // as the reference libraries' tests do: the good signature among others that are not
    var mixed = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= "
        + VECTOR_SIGNATURE;
    assertNull(WebhookSignature.verify(List.of(VECTOR_SECRET), VECTOR_ID, Long.toString(VECTOR_TS), mixed,
        VECTOR_BODY.getBytes(StandardCharsets.UTF_8), Instant.ofEpochSecond(VECTOR_TS)));
  }

  @Test
  void whatTheGatewaySignsTheSpecVerifiesAndTheOtherWayRound() {
    var secret = WebhookSignature.newSecret();
    assertTrue(secret.startsWith("whsec_"));
    assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);

    var header = WebhookSignature.header(List.of(secret), ID, NOW, BODY);
    assertTrue(header.matches("v1,[A-Za-z0-9+/]{43}="), header);
    assertTrue(SpecWebhooks.verify(secret, ID, Long.toString(NOW), header, BODY, NOW, 300));

    var spec = SpecWebhooks.sign(secret, ID, Long.toString(NOW), BODY);
    assertEquals(header, spec);
    assertNull(WebhookSignature.verify(List.of(secret), ID, Long.toString(NOW), spec, BODY,
        Instant.ofEpochSecond(NOW)));
  }

  @Test
  void duringARotationEverySecretSignsAndAnyOneVerifies() {
    var oldSecret = SpecWebhooks.newSecret();
    var newSecret = SpecWebhooks.newSecret();
    var header = WebhookSignature.header(List.of(newSecret, oldSecret), ID, NOW, BODY);
    var parts = header.split(" ");
    assertEquals(2, parts.length, header);
    assertEquals(SpecWebhooks.sign(newSecret, ID, Long.toString(NOW), BODY), parts[0], "the current secret first");
    assertEquals(SpecWebhooks.sign(oldSecret, ID, Long.toString(NOW), BODY), parts[1]);

    // a receiver that knows only one of them, either one, accepts
    assertTrue(SpecWebhooks.verify(oldSecret, ID, Long.toString(NOW), header, BODY, NOW, 300));
    assertTrue(SpecWebhooks.verify(newSecret, ID, Long.toString(NOW), header, BODY, NOW, 300));
    var now = Instant.ofEpochSecond(NOW);
    assertNull(WebhookSignature.verify(List.of(oldSecret), ID, Long.toString(NOW), header, BODY, now));
    assertNull(WebhookSignature.verify(List.of(newSecret), ID, Long.toString(NOW), header, BODY, now));
    // a receiver that lists both accepts a sender that signs with either alone
    assertNull(WebhookSignature.verify(List.of(oldSecret, newSecret), ID, Long.toString(NOW), parts[0], BODY, now));
    assertNull(WebhookSignature.verify(List.of(oldSecret, newSecret), ID, Long.toString(NOW), parts[1], BODY, now));
    // and one that knows neither refuses
    var other = SpecWebhooks.newSecret();
    assertNotNull(WebhookSignature.verify(List.of(other), ID, Long.toString(NOW), header, BODY, now));
    assertFalse(SpecWebhooks.verify(other, ID, Long.toString(NOW), header, BODY, NOW, 300));
  }

  @Test
  void timestampsMoreThanFiveMinutesAwayAreRefused() {
    var secret = SpecWebhooks.newSecret();
    var now = Instant.ofEpochSecond(NOW);
    for (long ts : new long[] {NOW - 300, NOW + 300, NOW}) {
      var sig = SpecWebhooks.sign(secret, ID, Long.toString(ts), BODY);
      assertNull(WebhookSignature.verify(List.of(secret), ID, Long.toString(ts), sig, BODY, now), "ts " + ts);
    }
    for (long ts : new long[] {NOW - 301, NOW + 301, NOW - 600, 0}) {
      var sig = SpecWebhooks.sign(secret, ID, Long.toString(ts), BODY);
      var why = WebhookSignature.verify(List.of(secret), ID, Long.toString(ts), sig, BODY, now);
      assertNotNull(why, "ts " + ts);
      assertTrue(why.contains("5 minutes"), why);
    }
    var sig = SpecWebhooks.sign(secret, ID, "yesterday", BODY);
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, "yesterday", sig, BODY, now));
  }

  @Test
  void anythingTamperedWithIsRefused() {
    var secret = SpecWebhooks.newSecret();
    var now = Instant.ofEpochSecond(NOW);
    var ts = Long.toString(NOW);
    var header = WebhookSignature.header(List.of(secret), ID, NOW, BODY);
    assertNull(WebhookSignature.verify(List.of(secret), ID, ts, header, BODY, now));

    var body = BODY.clone();
    body[body.length - 3] ^= 1;
    assertEquals("no v1 signature matches", WebhookSignature.verify(List.of(secret), ID, ts, header, body, now),
        "body");
    assertFalse(SpecWebhooks.verify(secret, ID, ts, header, body, NOW, 300));
    var reencoded = new String(BODY, StandardCharsets.UTF_8).replace(":", ": ").getBytes(StandardCharsets.UTF_8);
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, ts, header, reencoded, now),
        "the same JSON with other whitespace is another body");
    assertNotNull(WebhookSignature.verify(List.of(secret), "msg_0193a0c6d9e47f3a8b2c4d5e6f708193", ts, header, BODY,
        now), "id");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, Long.toString(NOW - 1), header, BODY, now),
        "timestamp");
    var other = header.substring(0, header.length() - 5) + (header.endsWith("AAAA=") ? "BBBB=" : "AAAA=");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, ts, other, BODY, now), "signature");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, ts, header.replace("v1,", "v2,"), BODY, now),
        "another scheme");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, ts, header.substring(3), BODY, now), "no scheme");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, ts, "", BODY, now), "empty header");
    assertNotNull(WebhookSignature.verify(List.of(secret), null, ts, header, BODY, now), "no id");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, null, header, BODY, now), "no timestamp");
    assertNotNull(WebhookSignature.verify(List.of(secret), ID, ts, null, BODY, now), "no signature");
  }

  @Test
  void badSecretsAreRefused() {
    for (var bad : new String[] {
        null,
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // no whsec_ prefix
        "whsec_not base64!",
        "whsec_" + Base64.getEncoder().encodeToString(new byte[16]), // too short to be a key
        "whsec_"}) {
      assertThrows(IllegalArgumentException.class, () -> WebhookSignature.key(bad), String.valueOf(bad));
      assertThrows(IllegalArgumentException.class,
          () -> WebhookSignature.header(List.of(String.valueOf(bad)), ID, NOW, BODY), String.valueOf(bad));
    }
    var good = SpecWebhooks.newSecret();
    assertThrows(IllegalArgumentException.class,
        () -> WebhookSignature.header(List.of(good, "whsec_short"), ID, NOW, BODY), "one bad secret spoils the set");
    assertEquals(32, WebhookSignature.key(good).length);
  }
}
