package vn.hotline.gateway.sms.smpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.util.DefaultDecomposer;
import org.junit.jupiter.api.Test;

/**
 * The repair on hand-made deliver_sm bytes: each inconsistent PDU, which jSMPP's own decoder cannot read (so it would
 * be left unanswered or refused for good), comes out as one it decodes, with the reasons marked for the store; a sound
 * PDU passes untouched.
 */
class RepairingPduReaderTest {
  static final byte[] TEXT = "Cuu em voi".getBytes(StandardCharsets.US_ASCII);
  static final byte[] NUMBER = "0966000222".getBytes(StandardCharsets.US_ASCII);

  /** A deliver_sm PDU, header included: the fields as given, sm_length as given, then the bytes of {@code tail}. */
  static byte[] pdu(byte[] source, int smLength, byte[] sm, byte[] tail) {
    var b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 42});
    b.write(0); // service_type
    b.write(1);
    b.write(1);
    if (source != null) {
      b.writeBytes(source);
      b.write(0);
      b.writeBytes(new byte[] {1, 1, '1', '1', '1', 0}); // destination 111
      b.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0}); // esm .. sm_default_msg_id
      b.write(smLength);
      b.writeBytes(sm);
      b.writeBytes(tail);
    }
    var p = b.toByteArray();
    p[2] = (byte) (p.length >> 8);
    p[3] = (byte) p.length;
    return p;
  }

  static byte[] tlv(int tag, int length, byte[] value) {
    var b = new byte[4 + value.length];
    b[0] = (byte) (tag >> 8);
    b[1] = (byte) tag;
    b[2] = (byte) (length >> 8);
    b[3] = (byte) length;
    System.arraycopy(value, 0, b, 4, value.length);
    return b;
  }

  static byte[] concat(byte[]... parts) {
    var b = new ByteArrayOutputStream();
    for (var p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  /** Repairs, checks the result decodes with jSMPP and carries {@code reasons}; returns what jSMPP reads. */
  static DeliverSm repaired(byte[] pdu, String reasons) throws Exception {
    var r = RepairingPduReader.repair(pdu);
    assertEquals(Set.of(reasons.split(",")), r.reasons());
    var d = new DefaultDecomposer().deliverSm(r.pdu());
    assertEquals(r.pdu().length, d.getCommandLength(), "command_length agrees with the bytes");
    assertEquals(42, d.getSequenceNumber(), "answered under the sequence number it came with");
    var mark = assertInstanceOf(OptionalParameter.OctetString.class, d.getOptionalParameter(RepairingPduReader.TAG_REPAIRED));
    assertEquals(Set.of(reasons.split(",")), Set.of(new String(mark.getValue(), StandardCharsets.US_ASCII).split(",")),
        "marked repaired in the PDU jSMPP hands on");
    return d;
  }

  static void jsmppCannotRead(byte[] pdu) {
    assertThrows(Exception.class, () -> new DefaultDecomposer().deliverSm(pdu), "jSMPP alone cannot read it");
  }

  @Test
  void aSoundPduPassesUntouched() throws Exception {
    var p = pdu(NUMBER, TEXT.length, TEXT, tlv(0x020C, 2, new byte[] {0, 7})); // sar_msg_ref_num
    var r = RepairingPduReader.repair(p);
    assertSame(p, r.pdu());
    assertTrue(r.reasons().isEmpty());
    var empty = pdu(new byte[0], TEXT.length, TEXT, new byte[0]); // no source: jSMPP reads it, the store flags it
    assertSame(empty, RepairingPduReader.repair(empty).pdu());
  }

  @Test
  void anSmLengthShorterThanTheTextGetsTheRestOfTheTextBack() throws Exception {
    var p = pdu(NUMBER, 3, TEXT, new byte[0]);
    jsmppCannotRead(p);
    var d = repaired(p, "pdu_sm");
    assertArrayEquals(TEXT, d.getShortMessage(), "nothing of the text is dropped");
    assertEquals("0966000222", d.getSourceAddr());
  }

  @Test
  void anSmLengthLongerThanThePduIsClampedToTheBytesThere() throws Exception {
    var p = pdu(NUMBER, 200, TEXT, new byte[0]);
    jsmppCannotRead(p);
    assertArrayEquals(TEXT, repaired(p, "pdu_sm").getShortMessage());
  }

  @Test
  void aTlvRunningPastTheEndIsDroppedAndTheOnesBeforeItKept() throws Exception {
    var p = pdu(NUMBER, TEXT.length, TEXT, concat(tlv(0x020C, 2, new byte[] {0, 7}), tlv(0x0424, 300, TEXT)));
    jsmppCannotRead(p);
    var d = repaired(p, "pdu_tlv");
    assertArrayEquals(TEXT, d.getShortMessage());
    assertInstanceOf(OptionalParameter.Short.class, d.getOptionalParameter(OptionalParameter.Tag.SAR_MSG_REF_NUM));
    assertNull(d.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD));
  }

  @Test
  void aTlvOfLengthZeroWhereItsTagNeedsAValueIsDropped() throws Exception {
    var p = pdu(NUMBER, TEXT.length, TEXT, tlv(0x020C, 0, new byte[0])); // sar_msg_ref_num is two octets
    jsmppCannotRead(p);
    var d = repaired(p, "pdu_tlv");
    assertArrayEquals(TEXT, d.getShortMessage());
    assertNull(d.getOptionalParameter(OptionalParameter.Tag.SAR_MSG_REF_NUM));
  }

  @Test
  void aSourceAddressOf25DigitsIsKeptAsideAndNotUsedAsTheNumber() throws Exception {
    var longSource = "0966000222333444555666777".getBytes(StandardCharsets.US_ASCII);
    var p = pdu(longSource, TEXT.length, TEXT, new byte[0]);
    jsmppCannotRead(p);
    var d = repaired(p, "pdu_src");
    assertNull(d.getSourceAddr(), "no number to answer: a cut one would be a stranger's");
    var kept = assertInstanceOf(OptionalParameter.OctetString.class, d.getOptionalParameter(RepairingPduReader.TAG_SOURCE));
    assertArrayEquals(longSource, kept.getValue(), "kept whole for a counsellor");
    assertArrayEquals(TEXT, d.getShortMessage());
  }

  @Test
  void aPduThatEndsBeforeItsSourceAddressIsReadWithEverythingEmpty() throws Exception {
    var p = pdu(null, 0, null, null);
    jsmppCannotRead(p);
    var d = repaired(p, "pdu_hdr");
    assertNull(d.getSourceAddr());
    assertEquals(0, d.getShortMessage().length);
  }

  @Test
  void anSmscCannotMarkATextRepairedItself() throws Exception {
    var p = pdu(NUMBER, TEXT.length, TEXT, tlv(RepairingPduReader.TAG_SOURCE, 3, new byte[] {'1', '1', '3'}));
    var d = repaired(p, "pdu_tlv");
    assertNull(d.getOptionalParameter(RepairingPduReader.TAG_SOURCE), "its own source TLV is dropped");
    assertEquals("0966000222", d.getSourceAddr());
  }

  @Test
  void theReaderRepairsOnlyDeliverSm() throws Exception {
    var p = pdu(NUMBER, 200, TEXT, new byte[0]);
    var reader = new RepairingPduReader();
    var in = new DataInputStream(new ByteArrayInputStream(p));
    var header = reader.readPDUHeader(in);
    var read = reader.readPDU(in, header);
    new DefaultDecomposer().deliverSm(read); // decodes
    p[7] = 0x04; // the same bytes as a submit_sm: not ours to touch
    in = new DataInputStream(new ByteArrayInputStream(p));
    assertArrayEquals(p, reader.readPDU(in, reader.readPDUHeader(in)));
  }
}
