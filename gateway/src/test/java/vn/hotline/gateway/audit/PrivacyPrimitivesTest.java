package vn.hotline.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Pseudonyms link repeat contacts without the number; sealed data survives key rotation and resists tampering. */
class PrivacyPrimitivesTest {
  static String key(String id) {
    var b = new byte[32];
    new SecureRandom().nextBytes(b);
    return id + ":" + Base64.getEncoder().encodeToString(b);
  }

  @Test
  void aPseudonymIsStableForOneKeyWhateverTheNumberFormat() {
    var p = Pseudonyms.parse(key("p1"));
    var a = p.of("+84912345678");
    assertEquals(a, p.of("0912345678"));
    assertEquals(a, p.of("84912345678"));
    assertEquals(a, p.of("+84 912 345 678"));
    assertNotEquals(a, p.of("+84912345679"));
    assertTrue(a.matches("p1_[0-9a-f]{32}"), a);
    assertFalse(a.contains("912345678"));
  }

  @Test
  void pseudonymsDifferAcrossKeys() {
    assertNotEquals(Pseudonyms.parse(key("p1")).of("0912345678"), Pseudonyms.parse(key("p1")).of("0912345678"));
  }

  @Test
  void sealedTextOpensAfterTheKeyIsRotatedAndNewTextUsesTheNewKey() {
    var k1 = key("k1");
    var before = Sealer.parse(k1);
    var sealed = before.seal("Em bị đánh ở nhà, số của em là 0912345678");
    assertTrue(sealed.startsWith("v1.k1."), sealed);
    assertFalse(sealed.contains("0912345678"));

    var after = Sealer.parse(key("k2") + "," + k1);
    assertEquals("Em bị đánh ở nhà, số của em là 0912345678", after.open(sealed));
    var fresh = after.seal("mới");
    assertTrue(fresh.startsWith("v1.k2."), fresh);
    assertEquals("mới", after.open(fresh));
  }

  @Test
  void sealedTextWithoutItsKeyOrTamperedDoesNotOpen() {
    var sealer = Sealer.parse(key("k1"));
    var sealed = sealer.seal("bí mật");
    var other = Sealer.parse(key("k9"));
    var e = assertThrows(IllegalStateException.class, () -> other.open(sealed));
    assertTrue(e.getMessage().contains("'k1'"), e.getMessage());
    var chars = sealed.toCharArray();
    chars[chars.length - 3] = chars[chars.length - 3] == 'A' ? 'B' : 'A';
    assertThrows(IllegalStateException.class, () -> sealer.open(new String(chars)));
    assertThrows(IllegalStateException.class, () -> sealer.open(sealed.replace("v1.k1.", "v1.k1.x")));
  }

  @Test
  void aPurgedValueOpensToNothing() {
    var sealer = Sealer.parse(key("k1"));
    assertNull(sealer.open(""));
    assertNull(sealer.open(null));
  }

  @Test
  void badKeySpecsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Sealer.parse("k1:c2hvcnQ="));
    assertThrows(IllegalArgumentException.class, () -> Sealer.parse("nocolon"));
    var k = key("k1");
    assertThrows(IllegalArgumentException.class, () -> Sealer.parse(k + "," + k));
    assertThrows(IllegalArgumentException.class, () -> Pseudonyms.parse(key("a") + "," + key("b")));
  }
}
