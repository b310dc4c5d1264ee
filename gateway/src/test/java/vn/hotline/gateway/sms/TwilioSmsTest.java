package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;

/** A child texts the hotline through Twilio Messaging: real HTTP, signed as Twilio signs, on both stores. */
@GatewayTest
class TwilioSmsTest {
  static final String CHILD = "+84987654321";
  static final String ACCOUNT = FakeTwilioRest.ACCOUNT;

  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;
  FakeTwilioRest rest;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    rest = new FakeTwilioRest();
    gw = house.start(rest.gatewaySettings(Map.of()), clock);
    twilio = gw.twilio();
  }

  @AfterEach
  void stop() {
    rest.close();
  }

  @Test
  void aWholeReportConversationInVietnameseEndsInAReportRowAndAReferenceSms() throws SQLException {
    var first = twilio.sms(CHILD, "báo cáo");
    assertTrue(first.messageText().contains("Ban bao cao viec gi?"), first.body());
    assertTrue(twilio.sms(CHILD, "4").messageText().contains("chinh ban"));
    assertTrue(twilio.sms(CHILD, "2").messageText().contains("bao nhieu tuoi"));
    assertTrue(twilio.sms(CHILD, "4").messageText().contains("tinh/thanh pho"));
    assertTrue(twilio.sms(CHILD, "79").messageText().contains("ke chuyen"));
    var story1 = "Bạn em bị một người lạ dọa đăng ảnh riêng tư lên mạng nếu không gửi tiền.";
    var story2 = "Chuyện xảy ra ở trường THCS gần nhà, từ tuần trước.";
    assertTrue(twilio.sms(CHILD, story1).messageText().contains("XONG"));
    assertTrue(twilio.sms(CHILD, story2).messageText().contains("XONG"));
    assertTrue(twilio.sms(CHILD, "xong").messageText().contains("duong link"));
    assertTrue(twilio.sms(CHILD, "link day: https://facebook.com/groups/xyz123 va tiktok.com/@kedoa.").messageText()
        .contains("Tra loi 1 Dong y"));
    assertTrue(twilio.sms(CHILD, "1").messageText().contains("Co an toan de tu van vien nhan tin lai cho ban khong?"));
    var end = twilio.sms(CHILD, "1"); // safe to text back

    var m = Pattern.compile("ma so (\\d{8})").matcher(end.messageText());
    assertTrue(m.find(), end.body());
    var report = db.row("SELECT * FROM reports WHERE reference = ?", m.group(1));
    assertEquals("sms-twilio", report.get("channel"));
    assertEquals("online_abuse_harmful_content", report.get("category"));
    assertEquals("other", report.get("about"));
    assertEquals("13-15", report.get("age_band"));
    assertEquals("79", report.get("province"));
    assertEquals("completed", report.get("outcome"));
    var sealer = gw.sealer();
    assertEquals(story1 + "\n" + story2, sealer.open((String) report.get("description_sealed")));
    assertEquals("[\"https://facebook.com/groups/xyz123\",\"tiktok.com/@kedoa\"]",
        sealer.open((String) report.get("urls_sealed")));
    assertStoredNowhereInClear(CHILD.substring(1), story1, "kedoa");
  }

  @Test
  void keywordsMatchWithOrWithoutAccentsSpacesAndCaseAndInEnglish() {
    for (var word : List.of("BAOCAO", "bao cao", "Báo Cáo", "báo cáo.", "  BAO  CAO ")) {
      var from = "+8490" + Math.abs(word.hashCode() % 10_000_000);
      assertTrue(twilio.sms(from, word).messageText().contains("Ban bao cao viec gi?"), word);
    }
    assertTrue(twilio.sms("+84900000001", "report").messageText().contains("What are you reporting?"));
    assertTrue(twilio.sms("+84900000002", "giúp").messageText().contains("Tong dai bao ve tre em"));
    assertTrue(twilio.sms("+84900000003", "HELP").messageText().contains("child protection hotline"));
  }

  @Test
  void textOutsideAnyConversationGetsTheShortMenu() {
    var reply = twilio.sms(CHILD, "alo co ai khong");
    assertEquals(1, reply.messages().size());
    assertTrue(reply.messageText().contains("Nhan BAOCAO"), reply.body());
  }

  @Test
  void stopMeansNoMoreMessagesUntilStart() {
    twilio.sms(CHILD, "BAOCAO");
    var stop = twilio.sms(CHILD, "HUY");
    assertTrue(stop.messageText().contains("khong nhan them tin nhan"), stop.body());
    assertEquals(List.of(), twilio.sms(CHILD, "1").messages(), "nothing goes to a number that texted STOP");
    assertEquals(List.of(), twilio.sms(CHILD, "alo").messages());
    var start = twilio.sms(CHILD, "bat dau");
    assertTrue(start.messageText().contains("nhan lai tin nhan"), start.body());
    assertTrue(twilio.sms(CHILD, "alo").messageText().contains("Nhan BAOCAO"));
    assertEquals(1, db.count("sms_opt_outs"));
  }

  @Test
  void aKeywordInTheMiddleOfAConversationRestartsItCleanly() throws SQLException {
    twilio.sms(CHILD, "BAOCAO");
    twilio.sms(CHILD, "1");
    var restarted = twilio.sms(CHILD, "baocao");
    assertTrue(restarted.messageText().startsWith("111: Bat dau bao cao moi."), restarted.body());
    assertTrue(restarted.messageText().contains("Ban bao cao viec gi?"));
    assertEquals(2, db.count("contacts"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM contacts WHERE outcome = ?", "restarted"));
    assertEquals(0, db.count("reports"), "a restarted report is replaced, not sent twice");
  }

  @Test
  void anUnclearReplyIsAskedAgain() {
    twilio.sms(CHILD, "BAOCAO");
    var again = twilio.sms(CHILD, "em khong biet chon gi");
    assertTrue(again.messageText().startsWith("Xin loi, 111 chua hieu"), again.body());
    assertTrue(again.messageText().contains("Ban bao cao viec gi?"));
  }

  @Test
  void aRetriedWebhookIsAnsweredOnceAndProcessedOnce() {
    var sid = FakeTwilio.newMessageSid();
    var first = twilio.sms(sid, CHILD, "BAOCAO");
    var retry = twilio.sms(sid, CHILD, "BAOCAO");
    assertEquals(1, first.messages().size());
    assertEquals(List.of(), retry.messages());
    assertEquals(1, db.count("sms_inbound"));
    assertEquals(1, db.count("contacts"));
  }

  @Test
  void forgedSignatureGets403AndNothingIsStored() {
    var params = Map.of("MessageSid", FakeTwilio.newMessageSid(), "From", CHILD, "To", "+84111", "Body", "BAOCAO");
    var forged = twilio.rawPost("/twilio/sms/incoming", params,
        TwilioSigner.sign("wrong-token", gw.base + "/twilio/sms/incoming", params), "application/x-www-form-urlencoded");
    assertEquals(403, forged.status());
    assertEquals(0, db.count("sms_inbound"));
    assertEquals(0, db.count("sms_outbound"));
    assertEquals(0, db.count("contacts"));
  }

  @Test
  void aLongTextOf1600EmojiOrVietnameseCharactersIsStoredWholeAndAnswered() {
    // 1,600 characters is the longest text Twilio delivers; emoji take 4 UTF-8 bytes, 12 once percent-encoded.
    var emoji = "😢".repeat(800) + "Em sợ lắm, làm ơn giúp em với ".repeat(27).substring(0, 800);
    var vietnamese = "Ngày hôm qua ở trường, bạn ấy đã đánh em và dọa sẽ đăng ảnh. ".repeat(30).substring(0, 1600);
    for (var text : List.of(emoji, vietnamese)) {
      assertEquals(1600, text.codePointCount(0, text.length()));
      var sid = FakeTwilio.newMessageSid();
      var reply = twilio.sms(sid, CHILD, text);
      assertEquals(200, reply.status(), reply.body());
      assertEquals(1, reply.messages().size(), reply.body());
      var stored = db.row("SELECT body_sealed FROM sms_inbound WHERE provider_ref = ?", sid);
      assertEquals(text, gw.sealer().open((String) stored.get("body_sealed")));
    }
  }

  @Test
  void aTextLongerThanTwilioEverSendsIsAnsweredAndItsFirst1600CharactersKept() {
    var text = "ạ".repeat(1600) + "x".repeat(3000);
    var sid = FakeTwilio.newMessageSid();
    var reply = twilio.sms(sid, CHILD, text);
    assertEquals(200, reply.status(), reply.body());
    assertEquals(1, reply.messages().size(), reply.body());
    var stored = db.row("SELECT body_sealed FROM sms_inbound WHERE provider_ref = ?", sid);
    assertEquals("ạ".repeat(1600), gw.sealer().open((String) stored.get("body_sealed")));
  }

  @Test
  void replyStatusCallbacksAreRecorded() {
    var reply = twilio.sms(CHILD, "BAOCAO");
    var action = reply.verb("Message").getAttribute("action");
    assertTrue(action.startsWith("/twilio/sms/status?out="), reply.body());
    var r = twilio.signedPost(action, Map.of("MessageSid", FakeTwilio.newMessageSid(), "MessageStatus", "delivered"));
    assertEquals(204, r.status());
    assertEquals(1, db.count("SELECT COUNT(*) FROM sms_outbound WHERE status = ?", "delivered"));
  }

  @Test
  void aQuietConversationGetsOneReminderThenExpiresKeepingWhatWasSent() throws SQLException {
    twilio.sms(CHILD, "BAOCAO");
    twilio.sms(CHILD, "2");

    clock.advance(Duration.ofMinutes(21));
    gw.gateway().housekeepingNow();
    gw.gateway().housekeepingNow();
    var reminders = rest.sent();
    assertEquals(1, reminders.size(), "one reminder, however often housekeeping runs");
    assertEquals(CHILD, reminders.get(0).form().get("To"));
    assertEquals("+84111000111", reminders.get(0).form().get("From"));
    assertTrue(reminders.get(0).form().get("Body").contains("Ban van dang bao cao chu?"));
    assertTrue(reminders.get(0).form().get("StatusCallback").contains("/twilio/sms/status?out="));
    assertEquals("Basic " + Base64.getEncoder().encodeToString((ACCOUNT + ":" + RunningGateway.TOKEN)
        .getBytes(StandardCharsets.UTF_8)), reminders.get(0).authorization());

    clock.advance(Duration.ofMinutes(10));
    gw.gateway().housekeepingNow();
    assertEquals(2, rest.sent().size());
    var expiry = rest.sent().get(1).form().get("Body");
    var m = Pattern.compile("ma so (\\d{8})").matcher(expiry);
    assertTrue(m.find(), expiry);
    var report = db.row("SELECT * FROM reports WHERE reference = ?", m.group(1));
    assertEquals("abandoned", report.get("outcome"));
    assertEquals("sexual_violence", report.get("category"));
    assertTrue(twilio.sms(CHILD, "3").messageText().contains("Nhan BAOCAO"), "after expiry a reply gets the menu");
  }

  private void assertStoredNowhereInClear(String... secrets) throws SQLException {
    for (var table : List.of("contacts", "flow_sessions", "flow_steps", "reports", "sms_inbound", "sms_inbound_parts",
        "sms_outbound", "sms_opt_outs")) {
      try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
        var md = rs.getMetaData();
        while (rs.next()) {
          for (int i = 1; i <= md.getColumnCount(); i++) {
            var v = rs.getString(i);
            for (var secret : secrets) {
              assertFalse(v != null && v.contains(secret), table + "." + md.getColumnLabel(i) + " holds '" + secret + "' in clear");
            }
          }
        }
      }
    }
  }
}
