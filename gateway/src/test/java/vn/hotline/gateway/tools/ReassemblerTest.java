package vn.hotline.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.sms.SmsCodec;

/** Joining concatenated SMS parts (8- and 16-bit UDH references, SAR TLVs), whatever their order (no SMSC). */
class ReassemblerTest {
  static final String CHILD = "0912345678";
  static final String TEXT = "Em bị bạn cùng lớp đe dọa trên mạng xã hội, em sợ lắm. ".repeat(4);

  final Reassembler r = new Reassembler();

  @Test
  void eightBitReferencePartsInReverseOrderGiveTheTextOnceTheLastArrives() {
    var parts = udhParts(TEXT, 0x42);
    assertEquals(4, parts.size());
    for (int i = parts.size() - 1; i > 0; i--) {
      assertNull(r.add(parts.get(i)), "incomplete after part " + (i + 1));
    }
    assertEquals(List.of("3 of 4 parts"), r.incomplete());
    assertEquals(TEXT, r.add(parts.get(0)));
    assertEquals(List.of(), r.incomplete());
  }

  @Test
  void sixteenBitReferencesAreKeptApartByAllSixteenBits() {
    // Two messages whose 16-bit references share the low byte: an 8-bit reading would mix them up.
    var a = sixteenBit("Phần một của tin A. ", "Phần hai của tin A.", 0x0101);
    var b = sixteenBit("Phần một của tin B. ", "Phần hai của tin B.", 0x0201);
    assertNull(r.add(a.get(0)));
    assertNull(r.add(b.get(1)));
    assertEquals("Phần một của tin A. Phần hai của tin A.", r.add(a.get(1)));
    assertEquals("Phần một của tin B. Phần hai của tin B.", r.add(b.get(0)));
  }

  @Test
  void sarSegmentsJoinLikeUdhParts() {
    var bytes = TEXT.getBytes(StandardCharsets.UTF_16BE);
    int half = bytes.length / 2 & ~1;
    var one = new Reassembler.Piece(CHILD, "111", SmsCodec.DCS_UCS2, java.util.Arrays.copyOfRange(bytes, 0, half), false,
        new SmsCodec.Concat(7, 2, 1));
    var two = new Reassembler.Piece(CHILD, "111", SmsCodec.DCS_UCS2,
        java.util.Arrays.copyOfRange(bytes, half, bytes.length), false, new SmsCodec.Concat(7, 2, 2));
    assertNull(r.add(two));
    assertEquals(TEXT, r.add(one));
  }

  @Test
  void aPartWithAMalformedHeaderIsATextOfItsOwnAsTheGatewayTakesIt() {
    // the UDH length says 2, the element inside it claims 5 bytes: the header is skipped, the text kept
    var broken = new Reassembler.Piece(CHILD, "111", SmsCodec.DCS_GSM7, new byte[] {0x02, 0x00, 0x05, 0x68, 0x69}, true, null);
    assertEquals("hi", r.add(broken));
    // "part 3 of 2": no message to wait for, the part is whole
    var nonsense = new Reassembler.Piece(CHILD, "111", SmsCodec.DCS_GSM7, new byte[] {0x68, 0x69}, false,
        new SmsCodec.Concat(7, 2, 3));
    assertEquals("hi", r.add(nonsense));
    assertEquals(List.of(), r.incomplete());
  }

  @Test
  void aDuplicatePartNeitherCompletesTheMessageNorDoublesItsText() {
    var parts = udhParts(TEXT, 9);
    assertNull(r.add(parts.get(0)));
    assertNull(r.add(parts.get(0)), "the same part again");
    assertNull(r.add(parts.get(2)));
    assertNull(r.add(parts.get(2)));
    assertNull(r.add(parts.get(1)));
    assertEquals(TEXT, r.add(parts.get(3)));
  }

  @Test
  void theSameReferenceFromTwoSendersIsTwoMessages() {
    var mine = udhParts(TEXT, 5);
    var other = new ArrayList<Reassembler.Piece>();
    var otherText = TEXT.toUpperCase();
    for (var p : SmsCodec.encode(otherText, 5).parts()) {
      other.add(new Reassembler.Piece("0987654321", "111", SmsCodec.DCS_UCS2, p.bytes(), p.udhi(), null));
    }
    for (int i = 0; i < 3; i++) {
      assertNull(r.add(mine.get(i)));
      assertNull(r.add(other.get(i)));
    }
    assertEquals(otherText, r.add(other.get(3)));
    assertEquals(TEXT, r.add(mine.get(3)));
  }

  @Test
  void aSingleSmsIsWholeAtOnce() {
    var e = SmsCodec.encode("BAOCAO", 1);
    assertEquals("BAOCAO", r.add(new Reassembler.Piece(CHILD, "111", e.dataCoding(), e.parts().get(0).bytes(), false, null)));
    assertEquals(List.of(), r.incomplete());
  }

  static List<Reassembler.Piece> udhParts(String text, int reference) {
    var e = SmsCodec.encode(text, reference);
    return e.parts().stream()
        .map(p -> new Reassembler.Piece(CHILD, "111", e.dataCoding(), p.bytes(), p.udhi(), null)).toList();
  }

  /** Two UCS-2 parts with a 16-bit reference UDH (IEI 0x08). */
  static List<Reassembler.Piece> sixteenBit(String first, String second, int reference) {
    var out = new ArrayList<Reassembler.Piece>();
    var texts = List.of(first, second);
    for (int i = 0; i < 2; i++) {
      var body = texts.get(i).getBytes(StandardCharsets.UTF_16BE);
      var b = new byte[7 + body.length];
      b[0] = 0x06;
      b[1] = 0x08;
      b[2] = 0x04;
      b[3] = (byte) (reference >> 8);
      b[4] = (byte) reference;
      b[5] = 2;
      b[6] = (byte) (i + 1);
      System.arraycopy(body, 0, b, 7, body.length);
      out.add(new Reassembler.Piece(CHILD, "111", SmsCodec.DCS_UCS2, b, true, null));
    }
    return out;
  }
}
