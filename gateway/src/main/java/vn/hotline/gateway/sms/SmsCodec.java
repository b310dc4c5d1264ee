package vn.hotline.gateway.sms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SMS text encodings as SMPP carries them (3GPP TS 23.038; SMPP 3.4 section 5.2.19): data_coding 0 is the GSM 7-bit
 * default alphabet, one septet per octet (unpacked); 3 is Latin-1; 8 is UCS-2 (UTF-16BE), how Vietnamese with
 * diacritics travels. Long texts are split into parts carrying a concatenation UDH (IEI 0x00, 8-bit reference).
 */
public final class SmsCodec {
  public static final byte DCS_GSM7 = 0x00;
  public static final byte DCS_LATIN1 = 0x03;
  public static final byte DCS_UCS2 = 0x08;

  private static final char ESC = '\u001b';
  /** GSM 03.38 basic character set, indexed by septet value. */
  private static final String BASIC =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
          + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  /** The extension table: these characters take ESC + code (two septets). */
  private static final String EXT_CHARS = "\f^{}\\[~]|€";
  private static final byte[] EXT_CODES = {0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65};

  private SmsCodec() {}

  /** One SMS as submitted: the bytes of short_message (UDH included when {@code udhi}). */
  public record Part(byte[] bytes, boolean udhi) {}

  /** A text encoded for sending: its data_coding and its parts in order. */
  public record Encoded(byte dataCoding, List<Part> parts) {}

  /** Whether the text fits the GSM 7-bit alphabet (then it costs less and fits 160 characters). */
  public static boolean isGsm7(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ESC || (BASIC.indexOf(c) < 0 && EXT_CHARS.indexOf(c) < 0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Encodes {@code text} in GSM-7 when it can, otherwise UCS-2, split into concatenated parts when it does not
   * fit one SMS (160 septets / 70 UCS-2 units; with the UDH 153 / 67), never splitting an escape pair or a
   * surrogate pair. {@code reference} identifies the parts of one message (mod 256).
   */
  public static Encoded encode(String text, int reference) {
    if (isGsm7(text)) {
      var septets = gsm7(text);
      if (septets.length <= 160) {
        return new Encoded(DCS_GSM7, List.of(new Part(septets, false)));
      }
      var chunks = new ArrayList<byte[]>();
      int start = 0;
      while (start < septets.length) {
        int end = Math.min(start + 153, septets.length);
        if (end < septets.length && septets[end - 1] == ESC) {
          end--; // keep an escape with the character it escapes
        }
        chunks.add(java.util.Arrays.copyOfRange(septets, start, end));
        start = end;
      }
      return new Encoded(DCS_GSM7, withUdh(chunks, reference));
    }
    var units = text.getBytes(StandardCharsets.UTF_16BE);
    if (units.length <= 140) {
      return new Encoded(DCS_UCS2, List.of(new Part(units, false)));
    }
    var chunks = new ArrayList<byte[]>();
    int start = 0;
    while (start < units.length) {
      int end = Math.min(start + 134, units.length);
      if (end < units.length && Character.isHighSurrogate((char) (((units[end - 2] & 0xff) << 8) | (units[end - 1] & 0xff)))) {
        end -= 2; // keep a surrogate pair (an emoji) in one part
      }
      chunks.add(java.util.Arrays.copyOfRange(units, start, end));
      start = end;
    }
    return new Encoded(DCS_UCS2, withUdh(chunks, reference));
  }

  private static List<Part> withUdh(List<byte[]> chunks, int reference) {
    if (chunks.size() > 255) {
      throw new IllegalArgumentException("text needs " + chunks.size() + " parts; SMS allows 255");
    }
    var parts = new ArrayList<Part>();
    for (int i = 0; i < chunks.size(); i++) {
      var body = chunks.get(i);
      var b = new byte[6 + body.length];
      b[0] = 0x05; // UDHL
      b[1] = 0x00; // IEI: concatenated message, 8-bit reference
      b[2] = 0x03;
      b[3] = (byte) reference;
      b[4] = (byte) chunks.size();
      b[5] = (byte) (i + 1);
      System.arraycopy(body, 0, b, 6, body.length);
      parts.add(new Part(b, true));
    }
    return parts;
  }

  private static byte[] gsm7(String text) {
    var out = new java.io.ByteArrayOutputStream(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int basic = BASIC.indexOf(c);
      if (basic >= 0 && c != ESC) {
        out.write(basic);
      } else {
        out.write(0x1B);
        out.write(EXT_CODES[EXT_CHARS.indexOf(c)]);
      }
    }
    return out.toByteArray();
  }

  /** Decodes short_message bytes (without UDH) of the given data_coding. Unknown codings read as Latin-1. */
  public static String decode(byte dataCoding, byte[] bytes) {
    return switch (dataCoding & 0xff) {
      case 0x00, 0x01 -> decodeGsm7(bytes);
      case 0x08 -> new String(bytes, StandardCharsets.UTF_16BE);
      default -> new String(bytes, StandardCharsets.ISO_8859_1);
    };
  }

  private static String decodeGsm7(byte[] bytes) {
    var sb = new StringBuilder(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      int v = bytes[i] & 0x7f;
      if (v == 0x1B && i + 1 < bytes.length) {
        int code = bytes[++i] & 0x7f;
        int ext = -1;
        for (int k = 0; k < EXT_CODES.length; k++) {
          if (EXT_CODES[k] == code) {
            ext = k;
          }
        }
        sb.append(ext >= 0 ? EXT_CHARS.charAt(ext) : ' ');
      } else {
        sb.append(BASIC.charAt(v));
      }
    }
    return sb.toString();
  }

  /** Concatenation info from a UDH: which message (reference), how many parts, which one this is. */
  public record Concat(int reference, int total, int seq) {}

  /** A short_message split into its UDH concatenation info (null when absent) and its text bytes. */
  public record Payload(Concat concat, byte[] body) {}

  /** A short_message split best effort: its payload, and why its header could not be read (null when it could). */
  public record Lenient(Payload payload, String malformed) {}

  /**
   * {@link #splitUdh} for a message that must not be lost whatever its header says: a UDH length past the end of
   * the message ({@code udh_length}) leaves nothing to tell header from text, so every byte is taken as text; an
   * element overrunning a header of plausible length ({@code udh_element}) has the header skipped and the text
   * after it kept. Either way there is no concatenation info: the part is a message of its own.
   */
  public static Lenient splitUdhLeniently(byte[] message) {
    if (message.length > 0 && (message[0] & 0xff) + 1 > message.length) {
      return new Lenient(new Payload(null, message), "udh_length");
    }
    try {
      return new Lenient(splitUdh(message), null);
    } catch (IllegalArgumentException e) {
      int udhl = message[0] & 0xff;
      return new Lenient(new Payload(null, java.util.Arrays.copyOfRange(message, udhl + 1, message.length)), "udh_element");
    }
  }

  /** Splits a short_message sent with UDHI into the concatenation element (IEI 0x00 or 0x08) and the body. */
  public static Payload splitUdh(byte[] message) {
    if (message.length == 0) {
      return new Payload(null, message);
    }
    int udhl = message[0] & 0xff;
    if (udhl + 1 > message.length) {
      throw new IllegalArgumentException("UDH length " + udhl + " exceeds the message (" + message.length + " bytes)");
    }
    Concat concat = null;
    int i = 1;
    while (i + 1 < udhl + 1) {
      int iei = message[i] & 0xff;
      int len = message[i + 1] & 0xff;
      if (i + 2 + len > udhl + 1) {
        throw new IllegalArgumentException("UDH element 0x" + Integer.toHexString(iei) + " overruns the header");
      }
      if (iei == 0x00 && len == 3) {
        concat = new Concat(message[i + 2] & 0xff, message[i + 3] & 0xff, message[i + 4] & 0xff);
      } else if (iei == 0x08 && len == 4) {
        concat = new Concat(((message[i + 2] & 0xff) << 8) | (message[i + 3] & 0xff), message[i + 4] & 0xff,
            message[i + 5] & 0xff);
      }
      i += 2 + len;
    }
    return new Payload(concat, java.util.Arrays.copyOfRange(message, udhl + 1, message.length));
  }
}
