package vn.hotline.gateway.contact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.delivery.PayloadSchemas;
import vn.hotline.gateway.util.Json;

/**
 * The words the enums stand for are the ones agencies are promised (docs/report.schema.json) and the store
 * holds: a renamed constant that changed its word would change what an agency receives.
 */
class ContactWordsTest {

  private static Set<String> schemaEnum(String property) throws Exception {
    var words = new LinkedHashSet<String>();
    Json.JSON.readTree(PayloadSchemas.REPORT.toFile()).path("properties").path(property).path("enum")
        .forEach(n -> words.add(n.asText()));
    return words;
  }

  @Test
  void channelsAreThePublishedOnes() throws Exception {
    assertEquals(schemaEnum("channel"), Channel.words());
    assertEquals(EnumSet.of(Channel.SMS_TWILIO, Channel.SMS_SMPP), EnumSet.copyOf(Channel.SMS));
    for (var c : Channel.values()) {
      assertEquals(c, Channel.of(c.wire()));
    }
    assertThrows(IllegalArgumentException.class, () -> Channel.of("sms"));
  }

  @Test
  void theOutcomesOfReportsAreThePublishedOnes() throws Exception {
    // cancelled, restarted and opted-out contacts make no report (report.ReportPolicy), so agencies never see them
    var ofReports = new ArrayList<String>();
    for (var o : EnumSet.complementOf(EnumSet.of(Outcome.CANCELLED, Outcome.RESTARTED, Outcome.OPTED_OUT))) {
      ofReports.add(o.wire());
    }
    assertEquals(new ArrayList<>(schemaEnum("outcome")), ofReports);
    for (var o : Outcome.values()) {
      assertEquals(o, Outcome.of(o.wire()));
    }
    assertEquals(null, Outcome.find(null));
  }

  @Test
  void statusesReadBackAndAreSqlLiterals() {
    assertEquals(Set.of("pending", "held", "delivered", "dead"),
        Set.copyOf(EnumSet.allOf(DeliveryStatus.class).stream().map(DeliveryStatus::wire).toList()));
    assertEquals(Set.of("queued", "sending", "sent", "delivered", "failed", "skipped"),
        Set.copyOf(EnumSet.allOf(OutboundStatus.class).stream().map(OutboundStatus::wire).toList()));
    for (var s : DeliveryStatus.values()) {
      assertEquals(s, DeliveryStatus.of(s.wire()));
      assertEquals("'" + s.wire() + "'", s.sql());
    }
    for (var s : OutboundStatus.values()) {
      assertEquals(s, OutboundStatus.of(s.wire()));
    }
    assertThrows(IllegalArgumentException.class, () -> OutboundStatus.of("read"));
    assertEquals(Set.of("pending", "processed", "unanswerable"),
        Set.copyOf(EnumSet.allOf(InboundStatus.class).stream().map(InboundStatus::wire).toList()));
    assertEquals(Set.of("active", "closed"),
        Set.copyOf(EnumSet.allOf(SessionStatus.class).stream().map(SessionStatus::wire).toList()));
    assertEquals(SessionStatus.CLOSED, SessionStatus.of(true));
    assertEquals(SessionStatus.ACTIVE, SessionStatus.of(false));
    assertEquals("'unanswerable'", InboundStatus.UNANSWERABLE.sql());
    assertEquals("'active'", SessionStatus.ACTIVE.sql());
  }
}
