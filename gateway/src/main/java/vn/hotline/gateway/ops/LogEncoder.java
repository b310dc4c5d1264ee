package vn.hotline.gateway.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Log lines for people and for machines, both with an ISO-8601 UTC time. {@code text}: time, level, the
 * logger's short name, the message, then key=value pairs. {@code json}: one JSON object per line with the same
 * fields. {@code serve} picks the format (text in dev mode, JSON in production, or --log-format /
 * GATEWAY_LOG_FORMAT); until it does, what {@code Main} read from GATEWAY_LOG_FORMAT at the process's start, or text.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
  public enum Format { TEXT, JSON }

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static volatile Format format = Format.TEXT;

  /** The format every line from now on is written in. */
  public static void use(Format f) {
    format = f;
  }

  public static Format format() {
    return format;
  }

  /** "text" or "json" (any case); null for anything else. */
  public static Format parse(String s) {
    if (s == null) {
      return null;
    }
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "text" -> Format.TEXT;
      case "json" -> Format.JSON;
      default -> null;
    };
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    return (format == Format.JSON ? json(e) : text(e)).getBytes(StandardCharsets.UTF_8);
  }

  static String text(ILoggingEvent e) {
    var b = new StringBuilder(160);
    b.append(TIME.format(e.getInstant())).append(' ');
    var level = e.getLevel().toString();
    b.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
    var logger = e.getLoggerName();
    // One event, one line: a message that quotes a multi-line text (H2 puts its SQL on lines of its own) keeps its
    // line breaks as \n, as the key-value pairs do.
    b.append(logger.substring(logger.lastIndexOf('.') + 1)).append(' ')
        .append(String.valueOf(e.getFormattedMessage()).replace("\r", "").replace("\n", "\\n"));
    if (e.getKeyValuePairs() != null) {
      for (var kv : e.getKeyValuePairs()) {
        var v = String.valueOf(kv.value);
        b.append(' ').append(kv.key).append('=');
        if (v.isEmpty() || v.chars().anyMatch(c -> c <= ' ' || c == '"')) {
          b.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        } else {
          b.append(v);
        }
      }
    }
    b.append('\n');
    if (e.getThrowableProxy() != null) {
      b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
    }
    return b.toString();
  }

  static String json(ILoggingEvent e) {
    var b = new StringBuilder(200);
    b.append("{\"timestamp\":");
    quote(b, TIME.format(e.getInstant()));
    b.append(",\"level\":");
    quote(b, e.getLevel().toString());
    b.append(",\"threadName\":");
    quote(b, e.getThreadName());
    b.append(",\"loggerName\":");
    quote(b, e.getLoggerName());
    b.append(",\"formattedMessage\":");
    quote(b, e.getFormattedMessage());
    if (e.getKeyValuePairs() != null && !e.getKeyValuePairs().isEmpty()) {
      b.append(",\"kv\":{");
      var first = true;
      for (var kv : e.getKeyValuePairs()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quote(b, kv.key);
        b.append(':');
        if (kv.value instanceof Number || kv.value instanceof Boolean) {
          b.append(kv.value);
        } else {
          quote(b, String.valueOf(kv.value));
        }
      }
      b.append('}');
    }
    if (e.getThrowableProxy() != null) {
      b.append(",\"throwable\":");
      quote(b, ThrowableProxyUtil.asString(e.getThrowableProxy()));
    }
    return b.append("}\n").toString();
  }

  private static void quote(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
