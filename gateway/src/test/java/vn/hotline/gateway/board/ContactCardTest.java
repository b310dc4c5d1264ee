package vn.hotline.gateway.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A counsellor's card of a contact: the answers, the path and the caller's earlier contacts without opening
 * anything; what the texter wrote only when asked, and each opening is an audit event with the operator's id.
 */
@GatewayTest
class ContactCardTest {
  static final String CHILD = "+84987654325";
  static final String STORY = "Ban em bi mot nguoi la doa dang anh rieng tu len mang.";

  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    gw = house.start(Map.of(), clock);
    twilio = gw.twilio();
  }

  @Test
  void theCardShowsTheAnswersAndPathAndOpensWhatWasWrittenOnlyWhenAskedAndAudited() {
    var earlier = reportBySms();
    clock.advance(Duration.ofMinutes(3));
    var reference = reportBySms();
    var contactId = (String) db.row("SELECT contact_id FROM reports WHERE reference = ?", reference).get("contact_id");

    var card = gw.gateway().cards().card(contactId).orElseThrow();
    assertEquals(reference, card.reference());
    assertEquals("sms-twilio", card.channel());
    var report = card.report().orElseThrow();
    assertEquals("online_abuse_harmful_content", report.category());
    assertEquals("13-15", report.ageBand());
    assertEquals("79", report.province());
    assertTrue(report.hasDescription() && report.hasUrls(), "there is something to open");
    assertTrue(card.steps().size() > 5, "the path the texter took: " + card.steps());
    assertEquals(1, card.earlier().size(), "the same texter's earlier report");
    assertEquals(earlier, card.earlier().get(0).reference());
    assertFalse(card.toString().contains(STORY) || card.toString().contains("987654325"),
        "nothing the texter wrote, no number, on the card itself");
    long viewsBefore = db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "personal_data.viewed");
    assertEquals(0, viewsBefore);

    var opened = gw.gateway().cards().personal(contactId, "op-lan", clock.instant()).orElseThrow();
    assertEquals(STORY, opened.description());
    assertEquals(java.util.List.of("https://facebook.com/groups/xyz123"), opened.urls());
    assertTrue(opened.messages().stream().anyMatch(m -> m.fromCaller() && STORY.equals(m.body())), opened.toString());
    assertTrue(opened.messages().stream().anyMatch(m -> !m.fromCaller() && m.body().contains("ma so " + reference)),
        "the gateway's own replies too");
    var view = db.row("SELECT actor, refs, data FROM audit_events WHERE event_type = ?", "personal_data.viewed");
    assertEquals("operator:op-lan", view.get("actor"));
    assertTrue(view.get("refs").toString().contains(contactId), view.toString());
    assertFalse(view.toString().contains(STORY), "the audit event holds who and which, never what");
  }

  @Test
  void noSuchContactIsEmptyAndAuditsNothing() {
    assertTrue(gw.gateway().cards().card("0190f0f0-0000-7000-8000-000000000000").isEmpty());
    assertTrue(gw.gateway().cards().personal("0190f0f0-0000-7000-8000-000000000000", "op-lan", clock.instant()).isEmpty());
    assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "personal_data.viewed"));
  }

  private String reportBySms() {
    twilio.sms(CHILD, "BAOCAO");
    twilio.sms(CHILD, "4");
    twilio.sms(CHILD, "2");
    twilio.sms(CHILD, "4");
    twilio.sms(CHILD, "79");
    twilio.sms(CHILD, STORY);
    twilio.sms(CHILD, "xong");
    twilio.sms(CHILD, "https://facebook.com/groups/xyz123");
    twilio.sms(CHILD, "1");
    var end = twilio.sms(CHILD, "1"); // the safety question: safe to text back
    var m = Pattern.compile("ma so (\\d{8})").matcher(end.messageText());
    assertTrue(m.find(), end.body());
    return m.group(1);
  }
}
