package vn.hotline.gateway.tools;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jsmpp.bean.OptionalParameter;
import vn.hotline.gateway.sms.SmsCodec;

/**
 * Joins the parts of concatenated SMS back into texts, whichever way the parts say they belong together: a
 * concatenation UDH (esm_class UDHI) or the SAR TLVs. Parts of one message are joined as bytes in sequence order and
 * decoded once with the data_coding of the message. Not thread-safe; a test tool's helper (incomplete messages are
 * kept for ever).
 */
final class Reassembler {
  static final short TAG_SAR_MSG_REF_NUM = 0x020C;
  static final short TAG_SAR_TOTAL_SEGMENTS = 0x020E;
  static final short TAG_SAR_SEGMENT_SEQNUM = 0x020F;

  /** One received part: short_message as sent, whether esm_class had UDHI, the SAR info if it came with TLVs. */
  record Piece(String from, String to, byte dataCoding, byte[] shortMessage, boolean udhi, SmsCodec.Concat sar) {}

  private record Group(byte dataCoding, TreeMap<Integer, byte[]> bodies) {}

  private final Map<String, Group> open = new LinkedHashMap<>();

  /** Adds a part; returns the whole text when this part completed one (a single-part message completes at once). */
  String add(Piece p) {
    var body = p.shortMessage() == null ? new byte[0] : p.shortMessage();
    var concat = p.sar();
    if (p.udhi()) {
      try {
        var payload = SmsCodec.splitUdh(body);
        body = payload.body();
        if (payload.concat() != null) {
          concat = payload.concat();
        }
      } catch (IllegalArgumentException e) {
        // a malformed header: take the bytes as they are
      }
    }
    if (concat == null || concat.total() <= 1) {
      return SmsCodec.decode(p.dataCoding(), body);
    }
    var key = p.from() + "|" + p.to() + "|" + concat.reference() + "|" + concat.total();
    var group = open.computeIfAbsent(key, k -> new Group(p.dataCoding(), new TreeMap<>()));
    group.bodies().put(concat.seq(), body);
    if (group.bodies().size() < concat.total()) {
      return null;
    }
    open.remove(key);
    var joined = new ByteArrayOutputStream();
    group.bodies().values().forEach(joined::writeBytes);
    return SmsCodec.decode(group.dataCoding(), joined.toByteArray());
  }

  /** Messages still waiting for parts, as "k of n parts" descriptions. */
  List<String> incomplete() {
    var out = new ArrayList<String>();
    open.forEach((key, g) -> out.add(g.bodies().size() + " of " + key.substring(key.lastIndexOf('|') + 1) + " parts"));
    return out;
  }

  /** Which part of which message a short_message is (UDH first, then SAR TLVs); null for a single SMS. */
  static SmsCodec.Concat concatOf(byte[] shortMessage, boolean udhi, OptionalParameter[] tlvs) {
    if (udhi && shortMessage != null) {
      try {
        var c = SmsCodec.splitUdh(shortMessage).concat();
        if (c != null) {
          return c;
        }
      } catch (IllegalArgumentException e) {
        // fall through to the TLVs
      }
    }
    return sar(tlvs);
  }

  /** The SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum) as concatenation info, or null. */
  static SmsCodec.Concat sar(OptionalParameter[] tlvs) {
    var ref = tlvValue(tlvs, TAG_SAR_MSG_REF_NUM);
    var total = tlvValue(tlvs, TAG_SAR_TOTAL_SEGMENTS);
    var seq = tlvValue(tlvs, TAG_SAR_SEGMENT_SEQNUM);
    if (ref == null || total == null || seq == null) {
      return null;
    }
    return new SmsCodec.Concat(unsigned(ref), unsigned(total), unsigned(seq));
  }

  /** The value bytes of a TLV whatever class jSMPP decoded it into (serialize() gives tag, length, value). */
  static byte[] tlvValue(OptionalParameter[] tlvs, short tag) {
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
