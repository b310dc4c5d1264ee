package vn.hotline.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

/** A log event is one line of text, even when its message quotes a multi-line text (H2's SQL on its own lines). */
class LogEncoderTest {
  @Test
  void aMessageWithLineBreaksStaysOneTextLine() {
    var context = new LoggerContext();
    var event = new LoggingEvent("x", context.getLogger("vn.hotline.gateway.HousekeepingVerticle"), Level.WARN,
        "housekeeping job 'retention' failed: {}", null,
        new Object[] {"StoreException: Database is already closed; SQL statement:\r\nSELECT 1 [90098-252]"});
    var text = LogEncoder.text(event);
    assertTrue(text.endsWith("\n"), text);
    assertEquals(1, text.split("\n", -1).length - 1, "one line: " + text);
    assertTrue(text.contains("SQL statement:\\nSELECT 1"), text);
  }
}
