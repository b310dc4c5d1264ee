package vn.hotline.gateway.sms;

import java.util.ArrayList;
import java.util.List;
import org.jsmpp.bean.OptionalParameter;

/**
 * The one reader of a received short_message (deliver_sm, or a handset's submit_sm at the test SMSC): which part
 * of which message it is and which bytes are its text. With esm_class UDHI the concatenation comes from the UDH
 * (IEI 0x00, 8-bit reference, or 0x08, 16-bit); without it, from the SAR TLVs. A message that must not be lost
 * whatever its header says is read best effort: a header we cannot read ({@code udh_length}, {@code udh_element},
 * see {@link SmsCodec#splitUdhLeniently}) or concatenation info that makes no sense ({@code concat_info}: part 0,
 * part 3 of 2) makes the part a message of its own, and {@link #malformed()} says why, so the caller can
 * acknowledge it, flag it and keep its raw bytes.
 *
 * @param concat which part of which message ("1 of 1" when it says so); null when nothing says
 * @param body the text bytes (without UDH), to be decoded with the data_coding
 * @param malformed why the header could not be read as sent, in order; empty when it could
 */
public record ReceivedPart(SmsCodec.Concat concat, byte[] body, List<String> malformed) {
  public static final short TAG_SAR_MSG_REF_NUM = 0x020C;
  public static final short TAG_SAR_TOTAL_SEGMENTS = 0x020E;
  public static final short TAG_SAR_SEGMENT_SEQNUM = 0x020F;

  public ReceivedPart {
    malformed = List.copyOf(malformed);
  }

  /** Reads a short_message as received with esm_class UDHI {@code udhi} and the SAR info of its TLVs (or null). */
  public static ReceivedPart of(byte[] shortMessage, boolean udhi, SmsCodec.Concat sar) {
    var message = shortMessage == null ? new byte[0] : shortMessage;
    var malformed = new ArrayList<String>();
    var body = message;
    SmsCodec.Concat concat = null;
    if (udhi) {
      var split = SmsCodec.splitUdhLeniently(message);
      body = split.payload().body();
      concat = split.payload().concat();
      if (split.malformed() != null) {
        malformed.add(split.malformed());
      }
    } else {
      concat = sar;
    }
    if (concat != null && (concat.total() < 1 || concat.seq() < 1 || concat.seq() > concat.total())) {
      malformed.add("concat_info"); // a nonsensical concatenation header: a message of its own rather than lost
      concat = null;
    }
    return new ReceivedPart(concat, body, malformed);
  }

  /** {@link #of} with the SAR info read from the PDU's TLVs. */
  public static ReceivedPart of(byte[] shortMessage, boolean udhi, OptionalParameter[] tlvs) {
    return of(shortMessage, udhi, sar(tlvs));
  }

  /**
   * The SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum) as concatenation info, or null unless
   * all three are there. Their values are read whatever class jSMPP decoded them into.
   */
  public static SmsCodec.Concat sar(OptionalParameter[] tlvs) {
    var ref = tlvValue(tlvs, TAG_SAR_MSG_REF_NUM);
    var total = tlvValue(tlvs, TAG_SAR_TOTAL_SEGMENTS);
    var seq = tlvValue(tlvs, TAG_SAR_SEGMENT_SEQNUM);
    if (ref == null || total == null || seq == null) {
      return null;
    }
    return new SmsCodec.Concat(unsigned(ref), unsigned(total), unsigned(seq));
  }

  /** Whether the header could not be read as sent. */
  public boolean isMalformed() {
    return !malformed.isEmpty();
  }

  /** The value bytes of a TLV (serialize() gives tag, length, value); null when absent. */
  private static byte[] tlvValue(OptionalParameter[] tlvs, short tag) {
    if (tlvs == null) {
      return null;
    }
    for (var p : tlvs) {
      if (p != null && p.tag == tag) {
        var all = p.serialize();
        return java.util.Arrays.copyOfRange(all, 4, all.length);
      }
    }
    return null;
  }

  private static int unsigned(byte[] v) {
    int n = 0;
    for (byte b : v) {
      n = (n << 8) | (b & 0xff);
    }
    return n;
  }
}
