package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.SmppLink;
import vn.hotline.gateway.tools.TestSmsc;

/**
 * A counsellor answers an SMS conversation that came over a telco's SMPP link: the gateway bound to the real test
 * SMSC over loopback, the console over real HTTP with a session cookie, on both stores. The report's texter gets
 * the counsellor's reply on their handset (UCS-2 when it has Vietnamese diacritics), from the short code; what
 * they write meanwhile goes to the counsellor and is not answered by the flow; handing back returns them to the
 * flow; STOP still works and then nothing more can be sent.
 */
@GatewayTest
class SmsTakeoverSmppTest {
  static final String CHILD = "0912345670";
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String REPLY = "Chào em, chị là tư vấn viên của 111. Em đang ở đâu, có an toàn không?";

  Harness house;
  TestSmsc smsc;
  RunningGateway gw;
  ConsoleFixture accounts;
  ConsoleHttp http;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300), Duration.ofSeconds(1)));
    gw = house.start(SmppLink.quick(smsc.port()), clock);
    Await.until(() -> "BOUND".equals(gw.gateway().smpp().states().get("smpp")), "link bound");
    accounts = new ConsoleFixture(gw, clock, house.db());
    http = new ConsoleHttp(gw.base);
    PersonalData.used(CHILD, REPLY);
  }

  @AfterEach
  void stop() {
    accounts.close();
    smsc.close();
  }

  /** Texts 111 and returns the next reply the child's phone gets. */
  String text(String message) throws Exception {
    PersonalData.used(message);
    int before = smsc.mtTexts(CHILD).size();
    smsc.deliverMo(CHILD, "111", message);
    return smsc.awaitMtTexts(CHILD, before + 1, WAIT).get(before);
  }

  /** A whole SMS report, safe to text back ("1" at the safety question): its contact id. */
  String reportSafeToTextBack(String story) throws Exception {
    for (var t : List.of("báo cáo", "1", "1", "3", "01")) {
      text(t);
    }
    assertTrue(text(story).contains("XONG"));
    text("Xong");
    text("0");
    assertTrue(text("1").contains("Co an toan de tu van vien nhan tin lai cho ban khong?"));
    var end = text("1");
    assertTrue(end.contains("Tu van vien se lien he lai"), end);
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);
    return (String) house.db().row("SELECT id FROM contacts WHERE reference = ?", m.group(1)).get("id");
  }

  vn.hotline.gateway.operators.Operator lan;

  String signedInCounsellor() {
    lan = accounts.active(Role.COUNSELLOR);
    return http.signIn(lan.login(), ConsoleFixture.PASSWORD);
  }

  String csrf(String page) {
    return ConsoleHttp.hidden(page, "csrf");
  }

  /** Processed and stored with the contact: the positive signal before checking nothing answered it. */
  void awaitStoredWith(String contactId, int count) {
    Await.until(() -> storedWith(contactId) >= count, count + " messages stored with the conversation");
  }

  int storedWith(String contactId) {
    return house.db().count("SELECT COUNT(*) FROM sms_inbound WHERE contact_id = ? AND status = 'processed'", contactId);
  }

  @Test
  void aReportsTextsAreTakenOverTheReplyReachesTheHandsetInUcs2AndHandBackReturnsToTheFlow() throws Exception {
    try (var logs = LogCapture.start()) {
      var story = "Bố dượng đánh em, em không dám về nhà.";
      var contact = reportSafeToTextBack(story);
      var cookie = signedInCounsellor();

      var card = http.get("/console/contacts/" + contact, cookie);
      assertTrue(card.body().contains("href=\"/console/conversations/" + contact + "\""), "the card links the conversation");
      var taskId = (String) house.db().row("SELECT id FROM followup_tasks WHERE contact_id = ?", contact).get("id");
      assertTrue(http.get("/console/tasks/" + taskId, cookie).body().contains("id=\"task-conversation\" href=\"/console/conversations/"
          + contact + "\""), "so does the SMS reply task's page");

      var page = http.get("/console/conversations/" + contact, cookie);
      assertEquals(200, page.statusCode(), page.body());
      assertTrue(page.body().contains(story), "the texts are opened for the counsellor");
      assertTrue(page.body().contains("id=\"take-over\""), "an SMS report owing a reply can be taken over");
      var viewed = accounts.audit("personal_data.viewed");
      assertEquals(1, viewed.size());
      assertTrue(viewed.get(0).get("refs").contains(contact), viewed.toString());
      assertTrue(viewed.get(0).get("data").contains("sms_transcript"), viewed.toString());
      assertEquals("operator:" + lan.id(), viewed.get(0).get("actor"), "audited with the operator id");
      assertTrue(viewed.get(0).get("data").contains(lan.id()), viewed.toString());

      var taken = http.post("/console/conversations/" + contact + "/take", Map.of("csrf", csrf(page.body())), cookie, Map.of());
      assertEquals(303, taken.statusCode(), taken.body());
      assertEquals(1, accounts.audit("sms.taken_over").size());

      // without the CSRF token: refused, nothing queued
      int outboundBefore = house.db().count("sms_outbound");
      var forged = http.post("/console/conversations/" + contact + "/reply", Map.of("text", REPLY), cookie, Map.of());
      assertEquals(403, forged.statusCode());
      assertEquals(outboundBefore, house.db().count("sms_outbound"), "a reply without the CSRF token is not queued");

      page = http.get("/console/conversations/" + contact, cookie);
      assertTrue(page.body().contains("id=\"reply-form\""), page.body());
      int mtsBefore = smsc.mtTexts(CHILD).size();
      var sent = http.post("/console/conversations/" + contact + "/reply", Map.of("csrf", csrf(page.body()), "text", REPLY),
          cookie, Map.of());
      assertEquals(303, sent.statusCode(), sent.body());
      var handset = smsc.awaitMtTexts(CHILD, mtsBefore + 1, WAIT);
      assertEquals(REPLY, handset.get(mtsBefore), "the counsellor's words reach the child's handset");
      var parts = smsc.mts().stream().filter(mt -> mt.to().equals(CHILD)).toList();
      var last = parts.get(parts.size() - 1);
      assertEquals(8, last.dataCoding(), "Vietnamese diacritics go as UCS-2");
      assertEquals("111", last.from(), "from the short code");

      var task = house.db().row("SELECT status, outcome FROM followup_tasks WHERE contact_id = ?", contact);
      assertEquals("done", task.get("status"), "the promise is kept: the reply records the attempt as reached");
      assertEquals("reached", task.get("outcome"));
      assertEquals(1, accounts.audit("sms.reply_sent").size());
      assertFalse(house.db().row("SELECT body FROM sms_outbound WHERE kind = ?", "counsellor").get("body").toString()
          .contains("tư vấn viên"), "the reply's text is sealed at rest");

      // the texter writes again: the counsellor sees it, the flow does not answer
      var next = "Em đang ở nhà bạn, em sợ lắm.";
      PersonalData.used(next);
      int mts = smsc.mtTexts(CHILD).size();
      int outbound = house.db().count("sms_outbound");
      int stored = storedWith(contact);
      smsc.deliverMo(CHILD, "111", next);
      awaitStoredWith(contact, stored + 1);
      assertEquals(outbound, house.db().count("sms_outbound"), "nothing queued for the texter: no flow answer");
      assertEquals(mts, smsc.mtTexts(CHILD).size());
      page = http.get("/console/conversations/" + contact, cookie);
      assertTrue(page.body().contains(next), "the message is on the counsellor's screen");
      assertTrue(page.body().contains(REPLY), "with the reply before it");

      // handed back: the next text gets the flow's answer (outside any conversation: the short menu)
      var back = http.post("/console/conversations/" + contact + "/hand-back", Map.of("csrf", csrf(page.body())), cookie,
          Map.of());
      assertEquals(303, back.statusCode(), back.body());
      assertEquals(1, accounts.audit("sms.handed_back").size());
      assertTrue(text("alo").contains("Nhan BAOCAO"), "back in the flow");
      page = http.get("/console/conversations/" + contact, cookie);
      assertFalse(page.body().contains("id=\"reply-form\""), "no reply box once handed back");

      var audit = accounts.allAuditText();
      for (var secret : List.of(REPLY, next, story, CHILD)) {
        assertFalse(audit.contains(secret), "no text or number in the audit trail");
        assertEquals(List.of(), logs.matching(LogCapture.message(secret)), "no text or number in the logs");
      }
      assertTrue(logs.matching(e -> e.getFormattedMessage().contains("tư vấn")).isEmpty(), "no part of the reply logged");
    }
  }

  @Test
  void stopDuringATakeoverOptsOutTheConsoleShowsItAndRefusesAFurtherReply() throws Exception {
    text("báo cáo");
    text("1");
    var contact = (String) house.db().row("SELECT id FROM contacts WHERE channel = ?", "sms-smpp").get("id");
    var cookie = signedInCounsellor();
    var page = http.get("/console/conversations/" + contact, cookie);
    assertTrue(page.body().contains("id=\"take-over\""), "a conversation in progress can be taken over");
    var taken = http.post("/console/conversations/" + contact + "/take", Map.of("csrf", csrf(page.body())), cookie, Map.of());
    assertEquals(303, taken.statusCode(), taken.body());
    assertEquals("operator", house.db().row("SELECT outcome FROM contacts WHERE id = ?", contact).get("outcome"),
        "the flow's conversation ended as handed to a counsellor");

    var stop = text("STOP");
    assertTrue(stop.contains("khong nhan them tin nhan"), "STOP is confirmed as always: " + stop);
    page = http.get("/console/conversations/" + contact, cookie);
    assertTrue(page.body().contains("id=\"opted-out\""), "the counsellor sees the opt-out");
    assertTrue(page.body().contains("STOP"), "and the STOP in the transcript");
    assertFalse(page.body().contains("id=\"reply-form\""), "no reply box to a texter who opted out");

    int outbound = house.db().count("sms_outbound");
    var refused = http.post("/console/conversations/" + contact + "/reply",
        Map.of("csrf", csrf(page.body()), "text", "Em còn đó không?"), cookie, Map.of());
    assertEquals(409, refused.statusCode());
    assertTrue(refused.body().contains("id=\"problem\""), refused.body());
    assertEquals(outbound, house.db().count("sms_outbound"), "nothing more goes to that number");

    var closed = http.post("/console/conversations/" + contact + "/close", Map.of("csrf", csrf(page.body())), cookie, Map.of());
    assertEquals(303, closed.statusCode());
    assertEquals(1, accounts.audit("sms.closed").size());
  }
}
