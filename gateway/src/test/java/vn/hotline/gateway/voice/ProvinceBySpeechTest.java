package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.delivery.SpecWebhooks;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * The province question of a report call, answered by keys (today's code or the former one) or by voice, with
 * Twilio's signed SpeechResult and Confidence; an answer the recogniser is unsure of is confirmed with one key.
 * Both stores; the report is what the call's row and the agency get.
 */
@GatewayTest
class ProvinceBySpeechTest {
  static final ObjectMapper JSON = new ObjectMapper();

  Harness house;
  TestDatabase db;
  FakeAgencies fakes;
  RunningGateway gw;

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    db = house.db();
    var routed = house.startRouted();
    gw = routed.gw();
    fakes = routed.fakes();
  }

  @AfterEach
  void stop() {
    fakes.close();
  }

  /** Vietnamese, report, sexual violence, about me, 10-12: the province question. */
  Twiml atProvince(FakeTwilio.Call call) {
    var t = call.press(call.press(call.press(call.incoming(), "1"), "2"), "2");
    return call.press(call.press(t, "1"), "3");
  }

  /** After the province: nobody answers, a voicemail is left, the call ends. Returns the report's row. */
  Map<String, Object> finish(FakeTwilio.Call call, Twiml t) {
    assertTrue(t.heardText().contains("Mã số báo cáo của bạn"), "the flow went on to the reference: " + t.heardText());
    call.record(call.callbackSafe(call.dialEnded(t, "no-answer")), 20);
    call.status("completed");
    var reference = (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
    Await.until(() -> db.count("SELECT COUNT(*) FROM reports WHERE reference = ?", reference) == 1, "the report");
    return db.row("SELECT reference, province, former_province FROM reports WHERE reference = ?", reference);
  }

  @Test
  void theProvinceQuestionListensForNamesInVietnamese() {
    var call = gw.twilio().call();
    var gather = atProvince(call).verb("Gather");
    assertEquals("dtmf speech", gather.getAttribute("input"));
    assertEquals("vi-VN", gather.getAttribute("language"));
    assertEquals("2", gather.getAttribute("numDigits"), "keys work as before");
    var hints = List.of(gather.getAttribute("hints").split(", "));
    assertTrue(hints.containsAll(List.of("Cao Bằng", "Thành phố Hồ Chí Minh", "Đắk Nông", "Thái Bình", "Lâm Đồng")), hints.toString());
    assertTrue(hints.size() >= 63, "today's units and the former provinces: " + hints.size());
  }

  @Test
  void theFormerCodeKeyedIsTodaysUnitWithTheFormerProvince() throws Exception {
    var call = gw.twilio().call();
    var row = finish(call, call.press(atProvince(call), "67"));
    assertEquals("68", row.get("province"));
    assertEquals("Đắk Nông", row.get("former_province"));

    var police = fakes.get("police-investigation");
    Await.until(() -> !police.received().isEmpty(), "the report at the police");
    var r = police.received().get(0);
    assertTrue(SpecWebhooks.verify(fakes.secrets.get("police-investigation"), r.header("webhook-id"),
        r.header("webhook-timestamp"), r.header("webhook-signature"), r.body(), java.time.Instant.now().getEpochSecond(), 300));
    var data = JSON.readTree(r.body()).get("data");
    assertEquals(row.get("reference"), data.get("reference").asText());
    assertEquals("68", data.get("province").get("code").asText());
    assertEquals("Lâm Đồng", data.get("province").get("name").asText());
    assertEquals("Đắk Nông", data.get("former_province").asText());
  }

  @Test
  void aNameSaidClearlyIsTakenAtOnce() {
    var call = gw.twilio().call();
    var t = call.say(atProvince(call), "cao bang", 0.92);
    assertFalse(t.heardText().contains("đúng không"), "no confirmation when the recogniser is sure: " + t.heardText());
    var row = finish(call, t);
    assertEquals("04", row.get("province"));
    assertNull(row.get("former_province"), "today's own name");
  }

  @Test
  void aNameHeardUnsurelyIsConfirmedWithOneKey() {
    var call = gw.twilio().call();
    var t = call.say(atProvince(call), "thai binh", 0.4);
    assertTrue(t.heardText().contains("Bạn nói Thái Bình, đúng không? Đúng bấm 1, sai bấm 2."), t.heardText());
    var gather = t.verb("Gather");
    assertEquals("dtmf", gather.getAttribute("input"), "the confirmation is one key");
    assertEquals("1", gather.getAttribute("numDigits"));
    var row = finish(call, call.press(t, "1"));
    assertEquals("33", row.get("province"), "Thái Bình is in Hưng Yên today");
    assertEquals("Thái Bình", row.get("former_province"));
  }

  @Test
  void aRefusedConfirmationAsksAgainAndTheNextAnswerCounts() {
    var call = gw.twilio().call();
    var t = call.say(atProvince(call), "thai binh", 0.4);
    t = call.press(t, "2");
    assertTrue(t.heardText().contains("Việc xảy ra ở tỉnh hoặc thành phố nào?"), "asked again: " + t.heardText());
    assertEquals("dtmf speech", t.verb("Gather").getAttribute("input"));
    var row = finish(call, call.press(t, "79"));
    assertEquals("79", row.get("province"));
    assertNull(row.get("former_province"), "the refused Thái Bình is not kept");
  }

  @Test
  void noKeyAtTheConfirmationGoesOnWithoutAProvince() {
    var call = gw.twilio().call();
    var t = call.say(atProvince(call), "thai binh", 0.4);
    var row = finish(call, call.silence(t));
    assertNull(row.get("province"), "an unconfirmed place is not guessed");
    assertNull(row.get("former_province"));
  }

  @Test
  void speechThatIsNoPlaceIsAskedAgainThenTheCallGoesOn() {
    var call = gw.twilio().call();
    var t = call.say(atProvince(call), "em khong biet noi sao", 0.9);
    assertTrue(t.heardText().startsWith("Xin lỗi, tổng đài chưa nhận được lựa chọn của bạn."), t.heardText());
    assertTrue(t.heardText().contains("Việc xảy ra ở tỉnh hoặc thành phố nào?"), t.heardText());
    assertEquals("dtmf speech", t.verb("Gather").getAttribute("input"), "asked again, still listening");
    t = call.say(t, "abc", 0.9);
    t = call.say(t, "xyz", 0.9); // the third unclear answer: on, as after silence
    var row = finish(call, t);
    assertNull(row.get("province"));
  }
}
