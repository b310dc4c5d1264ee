package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class SmsCodecTest {
  @Test
  void plainVietnameseWithoutDiacriticsIsGsm7AndFitsOneSms() {
    var e = SmsCodec.encode("Bao cao da duoc ghi nhan. Ma so cua ban: 12345678", 1);
    assertEquals(SmsCodec.DCS_GSM7, e.dataCoding());
    assertEquals(1, e.parts().size());
    assertFalse(e.parts().get(0).udhi());
  }

  @Test
  void vietnameseWithDiacriticsIsUcs2AndRoundTrips() {
    var text = "Báo cáo của bạn đã được ghi nhận. Mã số: 12345678";
    var e = SmsCodec.encode(text, 1);
    assertEquals(SmsCodec.DCS_UCS2, e.dataCoding());
    assertEquals(1, e.parts().size());
    assertEquals(text, SmsCodec.decode(e.dataCoding(), e.parts().get(0).bytes()));
  }

  @Test
  void gsm7ExtensionCharactersCostTwoSeptetsAndRoundTrip() {
    var text = "Gia 10€ [a] {b} ~c^ |d| \\e";
    var e = SmsCodec.encode(text, 1);
    assertEquals(SmsCodec.DCS_GSM7, e.dataCoding());
    assertEquals(text, SmsCodec.decode(SmsCodec.DCS_GSM7, e.parts().get(0).bytes()));
    assertEquals(text.length() + 10, e.parts().get(0).bytes().length);
  }

  @Test
  void exactly160Gsm7CharactersIsOnePartAnd161IsTwoOf153() {
    assertEquals(1, SmsCodec.encode("a".repeat(160), 1).parts().size());
    var two = SmsCodec.encode("a".repeat(161), 9);
    assertEquals(2, two.parts().size());
    assertEquals(6 + 153, two.parts().get(0).bytes().length);
    assertEquals(6 + 8, two.parts().get(1).bytes().length);
  }

  @Test
  void exactly70Ucs2UnitsIsOnePartAnd71IsTwoOf67() {
    assertEquals(1, SmsCodec.encode("ă".repeat(70), 1).parts().size());
    var two = SmsCodec.encode("ă".repeat(71), 1);
    assertEquals(2, two.parts().size());
    assertEquals(6 + 134, two.parts().get(0).bytes().length);
  }

  @Test
  void longUcs2TextSplitsWithConcatenationHeadersThatReassemble() {
    var text = "Em bị bạn cùng lớp đe dọa trên mạng xã hội, ".repeat(6);
    var e = SmsCodec.encode(text, 0x42);
    assertTrue(e.parts().size() >= 3);
    var joined = new ByteArrayOutputStream();
    for (int i = 0; i < e.parts().size(); i++) {
      var p = SmsCodec.splitUdh(e.parts().get(i).bytes());
      assertEquals(new SmsCodec.Concat(0x42, e.parts().size(), i + 1), p.concat());
      joined.writeBytes(p.body());
    }
    assertEquals(text, SmsCodec.decode(SmsCodec.DCS_UCS2, joined.toByteArray()));
  }

  @Test
  void anEscapeIsNeverSeparatedFromItsCharacterAcrossParts() {
    var text = "a".repeat(152) + "€" + "b".repeat(20);
    var e = SmsCodec.encode(text, 1);
    var first = SmsCodec.splitUdh(e.parts().get(0).bytes()).body();
    assertEquals(152, first.length, "the euro sign moves whole to part two");
    var joined = new ByteArrayOutputStream();
    e.parts().forEach(p -> joined.writeBytes(SmsCodec.splitUdh(p.bytes()).body()));
    assertEquals(text, SmsCodec.decode(SmsCodec.DCS_GSM7, joined.toByteArray()));
  }

  @Test
  void anEmojiIsNeverSplitAcrossParts() {
    var text = "x".repeat(66) + "😢" + "y".repeat(10);
    var e = SmsCodec.encode(text, 1);
    var first = SmsCodec.splitUdh(e.parts().get(0).bytes()).body();
    assertEquals(132, first.length);
    var joined = new ByteArrayOutputStream();
    e.parts().forEach(p -> joined.writeBytes(SmsCodec.splitUdh(p.bytes()).body()));
    assertEquals(text, SmsCodec.decode(SmsCodec.DCS_UCS2, joined.toByteArray()));
  }

  @Test
  void sixteenBitReferenceUdhIsRead() {
    var msg = new byte[] {0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, 'h', 'i'};
    var p = SmsCodec.splitUdh(msg);
    assertEquals(new SmsCodec.Concat(0x1234, 3, 2), p.concat());
    assertArrayEquals(new byte[] {'h', 'i'}, p.body());
  }

  @Test
  void latin1AndGsm7DecodeAndATruncatedUdhIsRefused() {
    assertEquals("café", SmsCodec.decode(SmsCodec.DCS_LATIN1, new byte[] {'c', 'a', 'f', (byte) 0xE9}));
    assertEquals("@£$", SmsCodec.decode(SmsCodec.DCS_GSM7, new byte[] {0x00, 0x01, 0x02}));
    assertThrows(IllegalArgumentException.class, () -> SmsCodec.splitUdh(new byte[] {0x05, 0x00, 0x03}));
  }

  @Test
  void aMalformedUdhIsSplitLenientlyWithTheReasonAndNoTextLost() {
    var pastTheEnd = SmsCodec.splitUdhLeniently(new byte[] {0x50, 'h', 'i'});
    assertEquals("udh_length", pastTheEnd.malformed());
    assertArrayEquals(new byte[] {0x50, 'h', 'i'}, pastTheEnd.payload().body(), "nothing tells header from text");
    var overrun = SmsCodec.splitUdhLeniently(new byte[] {0x02, 0x00, 0x05, 'h', 'i'});
    assertEquals("udh_element", overrun.malformed());
    assertArrayEquals(new byte[] {'h', 'i'}, overrun.payload().body(), "the header skipped, the text kept");
    assertEquals(null, overrun.payload().concat());
    var sound = SmsCodec.splitUdhLeniently(new byte[] {0x05, 0x00, 0x03, 0x07, 0x02, 0x01, 'h', 'i'});
    assertEquals(null, sound.malformed());
    assertEquals(new SmsCodec.Concat(7, 2, 1), sound.payload().concat());
  }
}
