package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Split then join is the identity for any text a child may send, and each part fits one SMS. */
public class SmsCodecPropertiesTest {
  /** Vietnamese letters with every diacritic (both cases), đ/Đ, and combining tone marks. */
  static final String VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
      + "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
      + "bcdghklmnpqrstvx\u0300\u0301\u0303\u0309\u0323";
  static final String OTHER = "0123456789 .,;:!?-()'\"/\n@£$_" + "€[]{}\\~^|\f";
  static final String[] EMOJI = {"😀", "😢", "🆘", "❤️", "👍🏽", "📞"};

  /** Texts of 0 to 600 characters mixing all of the above; some are pure GSM-7 (no Vietnamese letter). */
  public static Arbitrary<String> vietnameseTexts() {
    var ch = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.of(VIETNAMESE.chars().mapToObj(c -> String.valueOf((char) c)).toList())),
        net.jqwik.api.Tuple.of(3, Arbitraries.of(OTHER.chars().mapToObj(c -> String.valueOf((char) c)).toList())),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(EMOJI)));
    var mixed = ch.list().ofMinSize(0).ofMaxSize(600).map(l -> String.join("", l));
    var gsm = Arbitraries.of(("abcdefghijklmnopqrstuvwxyz" + OTHER).chars().mapToObj(c -> String.valueOf((char) c)).toList())
        .list().ofMinSize(0).ofMaxSize(600).map(l -> String.join("", l));
    return Arbitraries.oneOf(mixed, gsm);
  }

  @Property(tries = 500)
  void splitThenJoinIsTheIdentityAndEveryPartFitsOneSms(@ForAll("texts") String text) {
    var e = SmsCodec.encode(text, 0x33);
    var joined = new ByteArrayOutputStream();
    int seq = 0;
    for (var p : e.parts()) {
      seq++;
      var bytes = p.bytes();
      if (e.parts().size() == 1) {
        assertTrue(!p.udhi() && bytes.length <= (e.dataCoding() == SmsCodec.DCS_GSM7 ? 160 : 140), "one SMS");
        joined.writeBytes(bytes);
        continue;
      }
      var payload = SmsCodec.splitUdh(bytes);
      assertEquals(new SmsCodec.Concat(0x33, e.parts().size(), seq), payload.concat());
      assertTrue(payload.body().length <= (e.dataCoding() == SmsCodec.DCS_GSM7 ? 153 : 134), "a part fits with its UDH");
      joined.writeBytes(payload.body());
    }
    assertEquals(text, SmsCodec.decode(e.dataCoding(), joined.toByteArray()));
    assertEquals(SmsCodec.isGsm7(text) ? SmsCodec.DCS_GSM7 : SmsCodec.DCS_UCS2, e.dataCoding());
  }

  @Provide
  Arbitrary<String> texts() {
    return vietnameseTexts();
  }

  @Example
  void oneVietnameseLetterTurnsAPlainTextIntoUcs2AndAnEuroSignDoesNot() {
    assertEquals(SmsCodec.DCS_GSM7, SmsCodec.encode("Gia 10€ [a] {b}", 1).dataCoding());
    assertEquals(SmsCodec.DCS_UCS2, SmsCodec.encode("Bao cao ơ", 1).dataCoding());
    assertEquals(SmsCodec.DCS_GSM7, SmsCodec.encode("Xin chào", 1).dataCoding(), "à is in GSM-7's basic set");
    assertEquals(SmsCodec.DCS_UCS2, SmsCodec.encode("Xin chào bạn", 1).dataCoding(), "ạ is not");
  }

  @Example
  void aEuroSignCostsTwoSeptetsSo159CharactersAndOneEuroNeedTwoParts() {
    assertEquals(1, SmsCodec.encode("a".repeat(158) + "€", 1).parts().size());
    assertEquals(2, SmsCodec.encode("a".repeat(159) + "€", 1).parts().size());
  }

  @Example
  void threeFullPartsOfEachAlphabetAndOneCharacterMoreIsFour() {
    assertEquals(3, SmsCodec.encode("a".repeat(3 * 153), 1).parts().size());
    assertEquals(4, SmsCodec.encode("a".repeat(3 * 153 + 1), 1).parts().size());
    assertEquals(3, SmsCodec.encode("ư".repeat(3 * 67), 1).parts().size());
    assertEquals(4, SmsCodec.encode("ư".repeat(3 * 67 + 1), 1).parts().size());
  }
}
