package vn.hotline.gateway.sms.smpp;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jsmpp.DefaultPDUReader;
import org.jsmpp.bean.OptionalParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jSMPP's PDU reader with a repair in front of its decoding, for deliver_sm only. jSMPP gives no answer at all to a
 * deliver_sm whose bytes disagree with their lengths (an sm_length shorter or longer than what follows, a TLV running
 * past the end: its decoder throws where nothing answers), and refuses for good one whose source address is longer
 * than SMPP's 20 octets. Either way a child's text is lost. Here such a PDU is rewritten into one jSMPP reads: the
 * mandatory fields kept, the short message clamped to the bytes present (or, when what follows it is no TLV, given
 * those bytes back: an sm_length too short), TLVs that do not parse dropped, a source address too long moved out of
 * source_addr into a private TLV. The reasons travel in the PDU itself (private TLV {@link #TAG_REPAIRED}), so
 * {@link SmppInbound} stores the text flagged and answers deliver_sm_resp only once it is committed, as for any text.
 * A sound PDU passes through untouched. Never logs the number or the text.
 */
final class RepairingPduReader extends DefaultPDUReader {
  private static final Logger log = LoggerFactory.getLogger(RepairingPduReader.class);

  static final int DELIVER_SM = 0x00000005;
  /** Private TLVs (SMPP's vendor range): the repair's reason codes, and a source address too long for source_addr. */
  static final short TAG_REPAIRED = 0x14FF;
  static final short TAG_SOURCE = 0x14FE;
  /** Reason codes (each stored in the part's malformed column; short, the column holds 64 characters). */
  static final String SM = "pdu_sm";       // sm_length disagreed with the bytes (or was over 254)
  static final String TLV = "pdu_tlv";     // a TLV that did not parse, dropped
  static final String SOURCE = "pdu_src";  // source address over 20 octets: kept aside, the text not answered
  static final String FIELD = "pdu_hdr";   // another mandatory field too long or missing, cut or emptied
  /** The longest source address kept aside (the sealed column's room); a longer one is cut and still marked. */
  static final int SOURCE_KEPT = 64;

  @Override
  public byte[] readPDU(DataInputStream in, int commandLength, int commandId, int commandStatus, int sequenceNumber)
      throws IOException {
    var pdu = super.readPDU(in, commandLength, commandId, commandStatus, sequenceNumber);
    if (commandId != DELIVER_SM) {
      return pdu;
    }
    var r = repair(pdu);
    if (!r.reasons().isEmpty()) {
      log.atWarn().addKeyValue("sequence", sequenceNumber).addKeyValue("reasons", String.join(",", r.reasons()))
          .log("deliver_sm inconsistent; repaired before decoding, stored flagged");
    }
    return r.pdu();
  }

  /** A deliver_sm as jSMPP will read it, and why it was rewritten (empty: the bytes as they came). */
  record Repaired(byte[] pdu, Set<String> reasons) {}

  /** Reads a deliver_sm (header included) leniently and, when anything disagreed, writes it again consistently. */
  static Repaired repair(byte[] pdu) {
    var in = new Cursor(pdu, 16);
    var why = new LinkedHashSet<String>();
    var serviceType = in.cstring(6, why);
    int sourceTon = in.octet(why);
    int sourceNpi = in.octet(why);
    var source = in.cstring(Integer.MAX_VALUE, why);
    byte[] sourceKept = null;
    if (source.length > 20) {
      // Not a number anyone can be answered at; a cut one would answer a stranger. Kept whole (sealed later) for a
      // counsellor, the text stored unanswerable.
      sourceKept = java.util.Arrays.copyOf(source, Math.min(source.length, SOURCE_KEPT));
      source = new byte[0];
      why.add(SOURCE);
    }
    int destTon = in.octet(why);
    int destNpi = in.octet(why);
    var dest = in.cstring(21, why);
    int esmClass = in.octet(why);
    int protocolId = in.octet(why);
    int priority = in.octet(why);
    var schedule = in.time(why);
    var validity = in.time(why);
    int registered = in.octet(why);
    int replace = in.octet(why);
    int dataCoding = in.octet(why);
    int defaultId = in.octet(why);
    int smLength = in.octet(why);
    var sm = in.bytes(smLength);
    if (sm.length < smLength) {
      why.add(SM); // sm_length longer than the PDU: the bytes there are
    }
    var rest = in.bytes(Integer.MAX_VALUE);
    var tlvs = new ArrayList<byte[]>();
    boolean whole = tlvs(rest, tlvs, why);
    if (!whole && tlvs.isEmpty() && sm.length + rest.length <= 254) {
      // What follows the short message is no TLV at all: most likely an sm_length too short, the rest of the text.
      sm = concat(sm, rest);
      why.add(SM);
    } else if (!whole) {
      why.add(TLV); // the TLVs that parsed are kept, the rest dropped
    }
    if (sm.length > 254) { // sm_length 255: more than short_message may hold, so it goes whole in message_payload
      tlvs.add(tlv((short) 0x0424, sm));
      sm = new byte[0];
      why.add(SM);
    }
    if (why.isEmpty()) {
      return new Repaired(pdu, why);
    }
    var b = new ByteArrayOutputStream(pdu.length + 32);
    b.writeBytes(new byte[16]); // header, filled below
    cstring(b, serviceType);
    b.write(sourceTon);
    b.write(sourceNpi);
    cstring(b, source);
    b.write(destTon);
    b.write(destNpi);
    cstring(b, dest);
    b.write(esmClass);
    b.write(protocolId);
    b.write(priority);
    cstring(b, schedule);
    cstring(b, validity);
    b.write(registered);
    b.write(replace);
    b.write(dataCoding);
    b.write(defaultId);
    b.write(sm.length);
    b.writeBytes(sm);
    tlvs.forEach(b::writeBytes);
    b.writeBytes(tlv(TAG_REPAIRED, String.join(",", why).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    if (sourceKept != null) {
      b.writeBytes(tlv(TAG_SOURCE, sourceKept));
    }
    var out = b.toByteArray();
    System.arraycopy(pdu, 4, out, 4, 12); // command id, status, sequence number as they came
    int n = out.length;
    out[0] = (byte) (n >>> 24);
    out[1] = (byte) (n >>> 16);
    out[2] = (byte) (n >>> 8);
    out[3] = (byte) n;
    return new Repaired(out, why);
  }

  /**
   * Splits {@code rest} into TLVs jSMPP will decode (each added whole, as bytes); one whose value jSMPP's own decoder
   * refuses (a length wrong for its tag, 0 among them) is dropped and marked, and so is one of our private tags (an
   * SMSC does not get to mark a text repaired). False when a TLV runs past the end (or 1 to 3 bytes are left over):
   * the rest is not kept.
   */
  private static boolean tlvs(byte[] rest, List<byte[]> out, Set<String> why) {
    int i = 0;
    while (i < rest.length) {
      if (rest.length - i < 4) {
        return false;
      }
      short tag = (short) (((rest[i] & 0xff) << 8) | (rest[i + 1] & 0xff));
      int length = ((rest[i + 2] & 0xff) << 8) | (rest[i + 3] & 0xff);
      if (length > rest.length - i - 4) {
        return false;
      }
      var value = java.util.Arrays.copyOfRange(rest, i + 4, i + 4 + length);
      i += 4 + length;
      if (tag == TAG_REPAIRED || tag == TAG_SOURCE) {
        why.add(TLV);
        continue;
      }
      try {
        OptionalParameters.deserialize(tag, value);
        out.add(tlv(tag, value));
      } catch (RuntimeException e) {
        why.add(TLV);
      }
    }
    return true;
  }

  private static byte[] tlv(short tag, byte[] value) {
    var b = new byte[4 + value.length];
    b[0] = (byte) (tag >> 8);
    b[1] = (byte) tag;
    b[2] = (byte) (value.length >> 8);
    b[3] = (byte) value.length;
    System.arraycopy(value, 0, b, 4, value.length);
    return b;
  }

  private static void cstring(ByteArrayOutputStream b, byte[] s) {
    b.writeBytes(s);
    b.write(0);
  }

  private static byte[] concat(byte[] a, byte[] c) {
    var r = java.util.Arrays.copyOf(a, a.length + c.length);
    System.arraycopy(c, 0, r, a.length, c.length);
    return r;
  }

  /** Reads fields where they are; a field the PDU ends before is empty (and marked), never an exception. */
  private static final class Cursor {
    private final byte[] b;
    private int i;

    Cursor(byte[] b, int start) {
      this.b = b;
      this.i = Math.min(start, b.length);
    }

    int octet(Set<String> why) {
      if (i >= b.length) {
        why.add(FIELD);
        return 0;
      }
      return b[i++] & 0xff;
    }

    /** A C-octet string (without its NUL); one with no NUL ends at the PDU's end; one of {@code max} or more cut. */
    byte[] cstring(int max, Set<String> why) {
      int end = i;
      while (end < b.length && b[end] != 0) {
        end++;
      }
      if (end >= b.length) {
        why.add(FIELD);
      }
      var s = java.util.Arrays.copyOfRange(b, i, end);
      i = Math.min(end + 1, b.length);
      if (s.length >= max) {
        why.add(FIELD);
        return java.util.Arrays.copyOf(s, max - 1);
      }
      return s;
    }

    /** schedule_delivery_time and validity_period: empty or 16 characters, else emptied (a deliver_sm has no use). */
    byte[] time(Set<String> why) {
      var s = cstring(Integer.MAX_VALUE, why);
      if (s.length != 0 && s.length != 16) {
        why.add(FIELD);
        return new byte[0];
      }
      return s;
    }

    byte[] bytes(int n) {
      int k = Math.min(n, b.length - i);
      var s = java.util.Arrays.copyOfRange(b, i, i + k);
      i += k;
      return s;
    }
  }
}
