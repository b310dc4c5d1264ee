package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * A counsellor answers an SMS conversation that came through Twilio Messaging (webhooks signed as Twilio signs): the
 * reply goes out through Twilio's REST API (the stand-in), from the hotline's number, to the texter; the texter's
 * next message is answered by nobody but the counsellor (empty TwiML) and is on her page; handing back returns the
 * texter to the flow. Both stores.
 */
@GatewayTest
class SmsTakeoverTwilioTest {
  static final String TEXTER = "+84987650077";
  static final String REPLY = "Chào em, chị là tư vấn viên 111. Em có muốn kể thêm không?";

  Harness house;
  RunningGateway gw;
  FakeTwilio twilio;
  FakeTwilioRest rest;
  ConsoleFixture accounts;
  ConsoleHttp http;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    rest = new FakeTwilioRest();
    gw = house.start(rest.gatewaySettings(Map.of()), clock);
    twilio = gw.twilio();
    accounts = new ConsoleFixture(gw, clock, house.db());
    http = new ConsoleHttp(gw.base);
    PersonalData.used(TEXTER, REPLY);
  }

  @AfterEach
  void stop() {
    accounts.close();
    rest.close();
  }

  @Test
  void aReportsTaskIsAnsweredThroughTwilioAndTheTextersNextMessageGoesToTheCounsellorUntilHandedBack() {
    try (var logs = LogCapture.start()) {
      for (var t : List.of("BAOCAO", "1", "1", "4", "79", "Chú em đánh em mỗi tối.", "XONG", "0")) {
        twilio.sms(TEXTER, t);
      }
      assertTrue(twilio.sms(TEXTER, "1").messageText().contains("Co an toan de tu van vien nhan tin lai"));
      var end = twilio.sms(TEXTER, "1").messageText();
      var m = Pattern.compile("ma so (\\d{8})").matcher(end);
      assertTrue(m.find(), end);
      var contact = (String) house.db().row("SELECT id FROM contacts WHERE reference = ?", m.group(1)).get("id");

      var lan = accounts.active(Role.COUNSELLOR);
      var cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
      var page = http.get("/console/conversations/" + contact, cookie);
      assertTrue(page.body().contains("Chú em đánh em mỗi tối."), "the transcript, opened");
      var taken = http.post("/console/conversations/" + contact + "/take",
          Map.of("csrf", ConsoleHttp.hidden(page.body(), "csrf")), cookie, Map.of());
      assertEquals(303, taken.statusCode(), taken.body());

      var sent = http.post("/console/conversations/" + contact + "/reply",
          Map.of("csrf", ConsoleHttp.hidden(page.body(), "csrf"), "text", REPLY), cookie, Map.of());
      assertEquals(303, sent.statusCode(), sent.body());
      Await.until(() -> rest.sent().stream().anyMatch(s -> REPLY.equals(s.form().get("Body"))),
          "the reply handed to Twilio's REST API");
      var message = rest.sent().stream().filter(s -> REPLY.equals(s.form().get("Body"))).findFirst().orElseThrow();
      assertEquals(TEXTER, message.form().get("To"));
      assertEquals(FakeTwilioRest.SMS_FROM, message.form().get("From"), "from the hotline's number");
      assertTrue(message.path().endsWith("/Accounts/" + FakeTwilioRest.ACCOUNT + "/Messages.json"), message.path());
      Await.until(() -> "sent".equals(house.db().row("SELECT status FROM sms_outbound WHERE kind = ?", "counsellor")
          .get("status")), "recorded as sent");
      assertEquals("done", house.db().row("SELECT status FROM followup_tasks WHERE contact_id = ?", contact).get("status"));

      var next = "Dạ, em vẫn ở đây ạ.";
      var answer = twilio.sms(TEXTER, next);
      assertEquals(List.of(), answer.messages(), "the flow does not answer a texter a counsellor has");
      page = http.get("/console/conversations/" + contact, cookie);
      assertTrue(page.body().contains(next), "the message is on the counsellor's page");

      var back = http.post("/console/conversations/" + contact + "/hand-back",
          Map.of("csrf", ConsoleHttp.hidden(page.body(), "csrf")), cookie, Map.of());
      assertEquals(303, back.statusCode());
      assertTrue(twilio.sms(TEXTER, "alo").messageText().contains("Nhan BAOCAO"), "back in the flow: the short menu");
      assertTrue(twilio.sms(TEXTER, "BAOCAO").messageText().contains("Ban bao cao viec gi?"), "a new conversation");

      for (var secret : List.of(REPLY, next, TEXTER)) {
        assertEquals(List.of(), logs.matching(LogCapture.message(secret)), "never logged: " + secret);
        assertFalse(accounts.allAuditText().contains(secret), "never in the audit trail: " + secret);
      }

      // erased on request: the counsellor's reply and what the texter wrote to her go with the contact
      assertTrue(new vn.hotline.gateway.privacy.Retention(accounts.store, new vn.hotline.gateway.audit.AuditLog(),
          gw.config().retention()).erase(m.group(1), "REQ-TAKEOVER-1", clock.instant()));
      assertEquals("", house.db().row("SELECT body_sealed FROM sms_outbound WHERE kind = ?", "counsellor").get("body_sealed"));
      assertEquals(0, house.db().count("SELECT COUNT(*) FROM sms_inbound WHERE contact_id = ? AND body_sealed <> ''", contact),
          "every text of the conversation, the ones written to the counsellor after its end included");
      page = http.get("/console/conversations/" + contact, cookie);
      assertFalse(page.body().contains(next) || page.body().contains(REPLY), "nothing left to show");
      assertFalse(page.body().contains("id=\"take-over\""), "an erased contact cannot be taken over");
    }
  }

  @Test
  void anotherCounsellorCannotReplyToAConversationSheDoesNotHaveNorTakeItOver() {
    twilio.sms(TEXTER, "BAOCAO");
    var contact = (String) house.db().row("SELECT id FROM contacts WHERE channel = ?", "sms-twilio").get("id");
    var lan = accounts.active(Role.COUNSELLOR);
    var mai = accounts.active(Role.COUNSELLOR);
    var lanCookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var maiCookie = http.signIn(mai.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/conversations/" + contact, lanCookie);
    assertEquals(303, http.post("/console/conversations/" + contact + "/take",
        Map.of("csrf", ConsoleHttp.hidden(page.body(), "csrf")), lanCookie, Map.of()).statusCode());
    var maiPage = http.get("/console/conversations/" + contact, maiCookie);
    assertFalse(maiPage.body().contains("id=\"take-over\""), "taken already");
    assertFalse(maiPage.body().contains("id=\"reply-form\""), "not hers to answer");
    var csrf = ConsoleHttp.hidden(maiPage.body(), "csrf");
    assertEquals(409, http.post("/console/conversations/" + contact + "/take", Map.of("csrf", csrf), maiCookie, Map.of())
        .statusCode());
    int outbound = house.db().count("sms_outbound");
    assertEquals(409, http.post("/console/conversations/" + contact + "/reply", Map.of("csrf", csrf, "text", "Chào em"),
        maiCookie, Map.of()).statusCode());
    assertEquals(outbound, house.db().count("sms_outbound"));
    assertEquals(404, http.get("/console/conversations/00000000-0000-7000-8000-000000000000", lanCookie).statusCode());
  }
}
