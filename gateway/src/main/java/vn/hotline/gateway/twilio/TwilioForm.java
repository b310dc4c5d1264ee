package vn.hotline.gateway.twilio;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The application/x-www-form-urlencoded body of a Twilio webhook, decoded here rather than by Vert.x: one parse
 * that the signature check and the handlers both read, no per-value size cap below the body limit (Twilio sends
 * texts of 1,600 characters in any script, up to 12 bytes a character once percent-encoded), and an error that
 * never repeats what was sent (a value is a caller's number or text).
 */
final class TwilioForm {
  /** A body that is not valid percent-encoding. Its message names no value. */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  private TwilioForm() {}

  /** Every name=value pair in order, names and values decoded ('+' is a space, %XX a byte, bytes are UTF-8). */
  static MultiMap parse(Buffer body) throws MalformedException {
    var form = MultiMap.caseInsensitiveMultiMap();
    var bytes = body.getBytes();
    int start = 0;
    while (start <= bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '&') {
        end++;
      }
      if (end > start) {
        int eq = start;
        while (eq < end && bytes[eq] != '=') {
          eq++;
        }
        var name = decode(bytes, start, eq);
        var value = eq < end ? decode(bytes, eq + 1, end) : "";
        if (name.isEmpty()) {
          throw new MalformedException("a form field has no name");
        }
        form.add(name, value);
      }
      start = end + 1;
    }
    return form;
  }

  private static String decode(byte[] b, int from, int to) throws MalformedException {
    var out = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '+') {
        out.write(' ');
      } else if (c == '%') {
        int hi = i + 1 < to ? Character.digit(b[i + 1], 16) : -1;
        int lo = i + 2 < to ? Character.digit(b[i + 2], 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new MalformedException("the form body is not valid percent-encoding (a % must be followed by two hex digits)");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    // Twilio sends UTF-8; a byte sequence that is not becomes U+FFFD and then fails the signature check.
    return out.toString(StandardCharsets.UTF_8);
  }
}
