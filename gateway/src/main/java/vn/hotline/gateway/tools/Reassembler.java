package vn.hotline.gateway.tools;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import vn.hotline.gateway.sms.ReceivedPart;
import vn.hotline.gateway.sms.SmsCodec;

/**
 * Joins the parts of concatenated SMS back into texts, whichever way the parts say they belong together (a
 * concatenation UDH or the SAR TLVs), read by the gateway's own parser ({@link ReceivedPart}): a malformed header
 * makes a part a text of its own, as the gateway takes it. Parts of one message are joined as bytes in sequence
 * order and decoded once with the data_coding of the message. Not thread-safe; a test tool's helper (incomplete
 * messages are kept for ever).
 */
final class Reassembler {
  /** One received part: short_message as sent, whether esm_class had UDHI, the SAR info if it came with TLVs. */
  record Piece(String from, String to, byte dataCoding, byte[] shortMessage, boolean udhi, SmsCodec.Concat sar) {}

  private record Group(byte dataCoding, TreeMap<Integer, byte[]> bodies) {}

  private final Map<String, Group> open = new LinkedHashMap<>();

  /** Adds a part; returns the whole text when this part completed one (a single-part message completes at once). */
  String add(Piece p) {
    var part = ReceivedPart.of(p.shortMessage(), p.udhi(), p.sar());
    var concat = part.concat();
    if (concat == null || concat.total() <= 1) {
      return SmsCodec.decode(p.dataCoding(), part.body());
    }
    var key = p.from() + "|" + p.to() + "|" + concat.reference() + "|" + concat.total();
    var group = open.computeIfAbsent(key, k -> new Group(p.dataCoding(), new TreeMap<>()));
    group.bodies().put(concat.seq(), part.body());
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
}
