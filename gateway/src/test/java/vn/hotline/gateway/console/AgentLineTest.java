package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;
import vn.hotline.gateway.voice.Whisper;

/**
 * Enqueue mode: children wait in the flow's Twilio queues, and a counsellor takes the next one by calling the
 * counsellors' line (/twilio/voice/agent) from the phone on her account. She hears the whisper about the child she
 * will get (urgent first), presses 1, the gateway dials that queue, and when Twilio dequeues the child (the Queue
 * url, on the child's leg) the contact records her and her console opens the card. A number that is on no active
 * counsellor's account takes nobody.
 */
@GatewayTest
class AgentLineTest {
  static final String LAN_PHONE = "+84901000021";
  static final String STRANGER = "+84909999921";

  TestDatabase db;
  MutableClock clock = MutableClock.now();
  RunningGateway gw;
  FakeTwilio twilio;
  ConsoleFixture accounts;
  ConsoleHttp http;
  BoardEventsTest.EventStream lanPage;

  @BeforeEach
  void start(Harness house) {
    db = house.db();
    gw = house.start(Map.of("GATEWAY_OPERATORS_MODE", "enqueue", "GATEWAY_OPERATORS_QUEUE_WAIT_SECONDS", "300"), clock);
    twilio = gw.twilio();
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    PersonalData.used(LAN_PHONE, STRANGER);
  }

  @AfterEach
  void closeAll() {
    if (lanPage != null) {
      lanPage.close();
    }
    accounts.close();
  }

  /** A phone calling the counsellors' line: its own CallSid, From the phone's number. */
  Twiml callTheLine(FakeTwilio.Call line, String from) {
    return line.post("/twilio/voice/agent", Map.of("From", from, "To", "+84111000"));
  }

  @Test
  void aCounsellorCallsTheLineHearsTheMostUrgentChildPressesOneAndHerConsoleOpensTheCard() throws Exception {
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE);
    var lanSession = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    lanPage = new BoardEventsTest.EventStream(gw.base.resolve("/console/board/events"), lanSession);

    var stranger = callTheLine(twilio.call(), STRANGER);
    assertFalse(stranger.has("Dial") || stranger.has("Gather"), "a number on no account takes nobody: " + stranger.body());
    assertTrue(stranger.heardText().contains("không thuộc tài khoản tư vấn viên"), stranger.body());
    assertTrue(stranger.has("Hangup"));

    var early = callTheLine(twilio.call(), LAN_PHONE);
    assertTrue(early.heardText().contains("Hiện không có ai đang chờ"), early.body());
    assertFalse(early.has("Dial"), early.body());

    var advice = twilio.call(); // waits first, in the counselling queue
    var adviceWait = advice.press(advice.press(advice.incoming(), "1"), "3");
    assertEquals("counselling", adviceWait.verb("Enqueue").getTextContent().trim(), adviceWait.body());
    clock.advance(Duration.ofSeconds(30));
    var child = twilio.call(); // in danger, later, in the urgent queue
    var childWait = child.dangerNow();
    assertEquals("urgent", childWait.verb("Enqueue").getTextContent().trim(), childWait.body());
    var contact = db.row("SELECT id, reference FROM contacts WHERE provider_ref = ?", child.sid);
    var contactId = (String) contact.get("id");

    var line = twilio.call();
    var whisper = callTheLine(line, LAN_PHONE);
    var gather = whisper.verb("Gather");
    assertTrue(whisper.heardText().startsWith("Khẩn cấp. Nguy hiểm ngay. Mã số "
        + Whisper.grouped((String) contact.get("reference"))), "the urgent child first, though she waited less: "
        + whisper.body());
    var key = gather.getAttribute("action");
    assertTrue(key.startsWith("/twilio/voice/agent/key?contact=" + contactId) && key.endsWith("&queue=urgent"), key);
    assertEquals("Hangup", whisper.verbs().getLast().getTagName(), "no key: nobody is taken");

    var other = line.post(key, Map.of("Digits", "2", "From", LAN_PHONE));
    assertTrue(other.has("Hangup") && !other.has("Dial"), "any key but 1 takes nobody: " + other.body());
    var dial = line.post(key, Map.of("Digits", "1", "From", LAN_PHONE));
    var queue = dial.verb("Dial").getElementsByTagName("Queue").item(0);
    assertEquals("urgent", queue.getTextContent().trim(), dial.body());
    var dequeuedUrl = queue.getAttributes().getNamedItem("url").getNodeValue();
    assertNull(db.row("SELECT answered_operator FROM contacts WHERE id = ?", contactId).get("answered_operator"),
        "nothing is recorded before Twilio gives her the child");

    // Twilio dequeues the child: the Queue url is asked on the child's leg.
    var dequeued = child.post(dequeuedUrl, Map.of("DequeingCallSid", line.sid, "QueueSid",
        "QU0123456789abcdef0123456789abcdef", "QueueTime", "40"));
    assertEquals(200, dequeued.status(), dequeued.body());
    assertFalse(dequeued.has("Hangup"), "the child is connected: " + dequeued.body());
    var row = db.row("SELECT answered_operator, assigned_operator, answered_leg FROM contacts WHERE id = ?",
        contactId);
    assertEquals(lan.id(), row.get("answered_operator"));
    assertEquals(lan.id(), row.get("assigned_operator"), "the contact is hers");
    assertEquals(line.sid, row.get("answered_leg"), "the line's call is the leg that took it");
    var pop = lanPage.await("pop", d -> true, "her console is told to open the card");
    assertEquals("/console/contacts/" + contactId, pop.data());

    // The call ends bridged: a contact that reached a person.
    child.post(childWait.verb("Enqueue").getAttribute("action"), Map.of("QueueResult", "bridged", "QueueTime", "40"));
    child.status("completed");
    assertEquals("operator", db.row("SELECT outcome FROM contacts WHERE id = ?", contactId).get("outcome"));

    // The advice caller is next, and Lan, now on a call, is still the one calling: she is offered it.
    var next = callTheLine(twilio.call(), LAN_PHONE);
    assertTrue(next.verb("Gather").getAttribute("action").endsWith("&queue=counselling"), next.body());
    advice.status("completed");
    assertEquals(List.of(), lanPage.named("board"), "a page other than the board gets pops only");
  }

  @Test
  void aDisabledCounsellorsPhoneTakesNobody() {
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE);
    var child = twilio.call();
    child.dangerNow();
    accounts.accounts.disable(lan.id(), "cli");
    var line = callTheLine(twilio.call(), LAN_PHONE);
    assertFalse(line.has("Gather") || line.has("Dial"), line.body());
    assertTrue(line.heardText().contains("không thuộc tài khoản tư vấn viên"), line.body());
    child.status("completed");
  }
}
