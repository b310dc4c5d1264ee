package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.testing.Twiml;

/**
 * A call put through in dial mode: each counsellor's phone hears a whisper on picking up (urgent first, intent,
 * category, the reference in groups) and only pressing 1 puts the child through; what a counsellor hears and
 * what the contact keeps of who answered, over real signed webhooks on both stores.
 */
@GatewayTest
class WhisperWebhookTest {
  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;

  @BeforeEach
  void start(Harness house) {
    db = house.db();
    gw = house.start();
    twilio = gw.twilio();
  }

  @Test
  void everyDialledNumberGetsTheWhisperOfItsContactAndTheDialsEndSaysSo() {
    var call = twilio.call();
    var handoff = call.dangerNow();

    assertEquals(List.of(RunningGateway.OPERATOR_1, RunningGateway.OPERATOR_2), handoff.dialled());
    var contact = contactId(call.sid);
    var urls = handoff.whisperUrls();
    assertEquals(2, urls.size(), handoff.body());
    for (var url : urls) {
      assertTrue(url.startsWith("/twilio/voice/whisper?contact=" + contact + "&seq=2"), url);
    }
    var numbers = handoff.verb("Dial").getElementsByTagName("Number");
    assertEquals("POST", ((org.w3c.dom.Element) numbers.item(0)).getAttribute("method"));
    assertEquals("/twilio/voice/step/danger-handoff?seq=2&whisper=1", handoff.actionOf("Dial"));
  }

  @Test
  void theWhisperSaysUrgentDangerAndTheReferenceInGroupsThenAsksForKey1() {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var reference = reference(call.sid);

    var whisper = call.leg(handoff, 0).pickUp();

    assertEquals(200, whisper.status(), whisper.body());
    var gather = whisper.verb("Gather");
    assertEquals("1", gather.getAttribute("numDigits"));
    assertEquals("8", gather.getAttribute("timeout"));
    assertTrue(gather.getAttribute("action").startsWith("/twilio/voice/whisper/key?contact=" + contactId(call.sid)),
        gather.getAttribute("action"));
    var said = whisper.heardText();
    var grouped = reference.substring(0, 4).replaceAll("", " ").strip() + ", "
        + reference.substring(4).replaceAll("", " ").strip();
    assertEquals("Khẩn cấp. Nguy hiểm ngay. Mã số " + grouped + ". Bấm 1 để nhận cuộc gọi.", said);
    assertEquals("vi-VN", gather.getElementsByTagName("Say").item(0).getAttributes().getNamedItem("language").getNodeValue());
    // no key within the timeout: Twilio goes on to the next verb, which ends this leg only
    assertEquals("Hangup", whisper.verbs().getLast().getTagName());
  }

  @Test
  void aReportIsWhisperedInTheCounsellorsLanguageWithItsCategoryWhateverTheChildSpoke() {
    var call = twilio.call();
    var t = call.press(call.press(call.incoming(), "2"), "2");      // English, report
    t = call.press(call.press(call.press(t, "2"), "2"), "4");        // sexual abuse, another child, 13-15
    var handoff = call.press(t, "79");
    assertTrue(handoff.has("Dial"), handoff.body());

    var said = call.leg(handoff, 1).pickUp().heardText();

    assertTrue(said.startsWith("Báo cáo xâm hại. Xâm hại tình dục. Mã số "), said);
    assertFalse(said.contains("Khẩn cấp"), "a report is not urgent: " + said);
    assertTrue(said.endsWith("Bấm 1 để nhận cuộc gọi."), said);
  }

  @Test
  void key1PutsTheChildThroughAndTheContactKeepsWhichNumberAnsweredSealed() throws SQLException {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var leg = call.leg(handoff, 1);

    var taken = leg.press(leg.pickUp(), "1");

    assertEquals(200, taken.status(), taken.body());
    assertTrue(taken.verbs().isEmpty(), "empty TwiML: Twilio bridges the call: " + taken.body());
    var row = answer(call.sid);
    assertEquals(leg.sid, row.get("answered_leg"));
    assertEquals(2, ((Number) row.get("answered_seq")).intValue());
    assertNull(row.get("answered_operator"));
    var sealed = (String) row.get("answered_number_sealed");
    assertFalse(sealed.contains(RunningGateway.OPERATOR_2.substring(1)), "the number is kept sealed only");
    assertEquals(RunningGateway.OPERATOR_2, gw.sealer().open(sealed));
    assertNotNull(row.get("answered_at"));
    var audit = db.row("SELECT refs, data, actor FROM audit_events WHERE event_type = ?", "handoff.answered");
    assertTrue(audit.get("refs").toString().contains(leg.sid), audit.toString());
    assertFalse(audit.toString().contains(RunningGateway.OPERATOR_2.substring(1)), "no number in the audit: " + audit);

    // the same leg's key again (Twilio retrying) still connects; the conversation then ends the handoff answered
    assertTrue(leg.press(leg.pickUp(), "1").verbs().isEmpty());
    var after = call.dialEndedWithoutKey(handoff, "completed");
    assertTrue(after.has("Hangup"), after.body());
    call.status("completed");
    assertEquals("operator", db.row("SELECT outcome FROM contacts WHERE provider_ref = ?", call.sid).get("outcome"));
  }

  @Test
  void anOperatorIdInTheWhisperUrlIsWhatTheContactKeepsAndItsLanguageIsSpoken() {
    // What a RingTargets target with an operator id and a language makes of the Number's url.
    var call = twilio.call();
    var handoff = call.dangerNow();
    var url = TwimlRenderer.whisperPath(contactId(call.sid), 2, "op-lan", "en-US");
    var leg = call.leg(handoff, 0);

    var whisper = leg.post(url, Map.of());
    assertTrue(whisper.heardText().startsWith("Urgent. In danger right now. Reference "), whisper.heardText());
    assertTrue(whisper.heardText().endsWith("Press 1 to take the call."), whisper.heardText());
    assertTrue(leg.press(whisper, "1").verbs().isEmpty());

    var row = answer(call.sid);
    assertEquals("op-lan", row.get("answered_operator"));
    assertNull(row.get("answered_number_sealed"), "with an operator id the number is not kept at all");
  }

  @Test
  void key2OrNoKeyHangsUpThatLegOnlyRecordsNothingAndACompletedDialThenGoesToVoicemail() {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var first = call.leg(handoff, 0);
    var second = call.leg(handoff, 1);

    var declined = first.press(first.pickUp(), "2");
    var missed = second.press(second.pickUp(), "");   // a voicemail picking up, or a key never pressed

    for (var r : List.of(declined, missed)) {
      assertEquals(200, r.status(), r.body());
      assertEquals(List.of("Hangup"), tags(r), r.body());
    }
    assertNull(answer(call.sid).get("answered_leg"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "handoff.answered"));
    // Twilio may report such a dial as completed: without a 1 it is nobody, and the child is offered voicemail
    // (after the question whether calling back is safe).
    var next = call.dialEndedWithoutKey(handoff, "completed");
    assertTrue(next.heardText().contains("Tất cả tư vấn viên đang bận"), next.heardText());
    assertTrue(call.callbackSafe(next).has("Record"), next.body());
  }

  @Test
  void aForgedOrAlteredWhisperKeyIsRefusedAndRecordsNothing() {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var leg = call.leg(handoff, 0);
    var action = leg.pickUp().actionOf("Gather");
    var params = new LinkedHashMap<String, String>();
    params.put("CallSid", leg.sid);
    params.put("ParentCallSid", call.sid);
    params.put("To", RunningGateway.OPERATOR_1);
    params.put("Digits", "1");
    var form = "application/x-www-form-urlencoded";

    var forged = twilio.rawPost(action, params, TwilioSigner.sign("not-the-token", gw.base + action, params), form);
    var signature = TwilioSigner.sign(RunningGateway.TOKEN, gw.base + action, params);
    var repeated = twilio.rawPost(action, "CallSid=" + leg.sid + "&To=%2B842400000001&Digits=1&Digits=1", signature, form);
    var otherContact = twilio.rawPost(action.replace("seq=2", "seq=3"), params, signature, form);

    for (var r : List.of(forged, repeated, otherContact)) {
      assertEquals(403, r.status(), r.body());
    }
    assertNull(answer(call.sid).get("answered_leg"));
    // the genuine key is still taken: the refusals were about the requests alone
    assertTrue(twilio.rawPost(action, params, signature, form).verbs().isEmpty());
    assertEquals(leg.sid, answer(call.sid).get("answered_leg"));
  }

  @Test
  void aSecondCounsellorPressing1IsHungUpAndTheFirstStaysTheOneRecorded() {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var first = call.leg(handoff, 0);
    var second = call.leg(handoff, 1);
    var secondWhisper = second.pickUp();

    assertTrue(first.press(first.pickUp(), "1").verbs().isEmpty());
    var late = second.press(secondWhisper, "1");

    assertTrue(late.has("Hangup"), late.body());
    assertEquals(first.sid, answer(call.sid).get("answered_leg"));
  }

  @Test
  void aPhonePickedUpAfterTheCallMovedOnHearsNothingAndIsHungUp() {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var leg = call.leg(handoff, 0);
    var whisper = leg.pickUp();
    assertTrue(call.callbackSafe(call.dialEndedWithoutKey(handoff, "no-answer")).has("Record"));

    var late = leg.pickUp();
    var lateKey = leg.press(whisper, "1");

    assertEquals(List.of("Hangup"), tags(late), late.body());
    assertTrue(lateKey.has("Hangup"), lateKey.body());
    assertNull(answer(call.sid).get("answered_leg"));
  }

  @Test
  void aWhisperUrlNamingNoContactIsA400() {
    var call = twilio.call();
    var handoff = call.dangerNow();
    var leg = call.leg(handoff, 0);

    var bad = leg.post("/twilio/voice/whisper?contact=not-a-contact&seq=2", Map.of());
    var badOp = leg.post(TwimlRenderer.whisperPath(contactId(call.sid), 2, "op lan", null), Map.of());

    assertEquals(400, bad.status(), bad.body());
    assertEquals(400, badOp.status(), badOp.body());
  }

  // --- helpers ------------------------------------------------------------------------------------------

  String contactId(String callSid) {
    return (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", callSid).get("id");
  }

  String reference(String callSid) {
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", callSid).get("reference");
  }

  Map<String, Object> answer(String callSid) {
    return db.row("SELECT answered_at, answered_seq, answered_leg, answered_operator, answered_number_sealed"
        + " FROM contacts WHERE provider_ref = ?", callSid);
  }

  static List<String> tags(Twiml t) {
    return t.verbs().stream().map(v -> v.getTagName()).toList();
  }
}
