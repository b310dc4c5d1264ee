package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jsmpp.bean.OptionalParameter;
import org.junit.jupiter.api.Test;

/** Reading a received part: UDH (8- and 16-bit), SAR TLVs, and headers that cannot be read as sent. */
class ReceivedPartTest {
  static final OptionalParameter[] SAR = {
      new OptionalParameter.Short(ReceivedPart.TAG_SAR_MSG_REF_NUM, (short) 0x1234),
      new OptionalParameter.Byte(ReceivedPart.TAG_SAR_TOTAL_SEGMENTS, (byte) 3),
      new OptionalParameter.Byte(ReceivedPart.TAG_SAR_SEGMENT_SEQNUM, (byte) 2)};

  @Test
  void udhPartsSayWhichPartOfWhichMessageTheyAre() {
    var eight = ReceivedPart.of(new byte[] {0x05, 0x00, 0x03, 0x42, 0x02, 0x01, 'h', 'i'}, true, (SmsCodec.Concat) null);
    assertEquals(new SmsCodec.Concat(0x42, 2, 1), eight.concat());
    assertArrayEquals(new byte[] {'h', 'i'}, eight.body());
    assertFalse(eight.isMalformed());
    var sixteen = ReceivedPart.of(new byte[] {0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, 'h', 'i'}, true, (SmsCodec.Concat) null);
    assertEquals(new SmsCodec.Concat(0x1234, 3, 2), sixteen.concat());
    assertArrayEquals(new byte[] {'h', 'i'}, sixteen.body());
  }

  @Test
  void sarInfoIsReadFromTheTlvsWhenThereIsNoUdh() {
    assertEquals(new SmsCodec.Concat(0x1234, 3, 2), ReceivedPart.sar(SAR));
    var part = ReceivedPart.of("x".getBytes(StandardCharsets.US_ASCII), false, SAR);
    assertEquals(new SmsCodec.Concat(0x1234, 3, 2), part.concat());
    assertArrayEquals("x".getBytes(StandardCharsets.US_ASCII), part.body());
    assertNull(ReceivedPart.sar(new OptionalParameter[] {SAR[0], SAR[1]}), "incomplete SAR is no concatenation");
    assertNull(ReceivedPart.of(new byte[] {1, 2}, false, (OptionalParameter[]) null).concat());
    assertNull(ReceivedPart.of(null, false, (OptionalParameter[]) null).concat(), "no short_message: an empty text");
  }

  @Test
  void aHeaderThatCannotBeReadMakesAMessageOfItsOwnFlaggedAndNoTextLost() {
    var pastTheEnd = ReceivedPart.of(new byte[] {0x50, 'h', 'i'}, true, SAR);
    assertEquals(List.of("udh_length"), pastTheEnd.malformed());
    assertArrayEquals(new byte[] {0x50, 'h', 'i'}, pastTheEnd.body(), "nothing tells header from text");
    assertNull(pastTheEnd.concat(), "with UDHI the TLVs are not consulted");
    var overrun = ReceivedPart.of(new byte[] {0x02, 0x00, 0x05, 'h', 'i'}, true, (SmsCodec.Concat) null);
    assertEquals(List.of("udh_element"), overrun.malformed());
    assertArrayEquals(new byte[] {'h', 'i'}, overrun.body(), "the header skipped, the text kept");
    assertNull(overrun.concat());
  }

  @Test
  void concatenationInfoThatMakesNoSenseIsFlaggedAndThePartStandsAlone() {
    for (var c : List.of(new SmsCodec.Concat(7, 2, 3), new SmsCodec.Concat(7, 2, 0), new SmsCodec.Concat(7, 0, 0))) {
      var viaSar = ReceivedPart.of(new byte[] {'h', 'i'}, false, c);
      assertEquals(List.of("concat_info"), viaSar.malformed(), c.toString());
      assertNull(viaSar.concat());
    }
    var viaUdh = ReceivedPart.of(new byte[] {0x05, 0x00, 0x03, 0x07, 0x02, 0x03, 'h', 'i'}, true, (SmsCodec.Concat) null);
    assertEquals(List.of("concat_info"), viaUdh.malformed());
    assertNull(viaUdh.concat());
    assertArrayEquals(new byte[] {'h', 'i'}, viaUdh.body());
  }
}
