package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.delivery.PayloadSchemas;
import vn.hotline.gateway.delivery.SpecWebhooks;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.SmppLink;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.tools.TestSmsc;

/**
 * Texters name the province as they would say it ("cao bang", "dak nong", "tp hcm"), over the telco's SMPP link
 * and over Twilio, on both stores: the agency receives today's unit, and the former province when one was named,
 * in a payload it can verify.
 */
@GatewayTest
class PlacesAsTextedTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(15);

  Harness house;
  TestDatabase db;
  TestSmsc smsc;
  FakeAgencies fakes;
  RunningGateway gw;

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    db = house.db();
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300), Duration.ofSeconds(1)));
    var routed = house.startRouted(SmppLink.to(smsc.port()), Clock.systemUTC());
    gw = routed.gw();
    fakes = routed.fakes();
    Await.until(() -> "BOUND".equals(gw.gateway().smpp().states().get("smpp")), "link bound");
  }

  @AfterEach
  void stop() {
    smsc.close();
    fakes.close();
  }

  /** One child's phone over SMPP: texts 111, returns the next reply. */
  Function<String, String> smpp(String phone) {
    return message -> {
      PersonalData.used(phone, message);
      int before = smsc.mtTexts(phone).size();
      smsc.deliverMo(phone, "111", message);
      try {
        return smsc.awaitMtTexts(phone, before + 1, WAIT).get(before);
      } catch (Exception e) {
        throw new AssertionError("no reply to a text", e);
      }
    };
  }

  /** One child's phone over Twilio Messaging. */
  Function<String, String> twilio(String phone) {
    return message -> gw.twilio().sms(phone, message).messageText();
  }

  /** A report of online harm whose province the child writes as {@code place}; returns its reference. */
  String report(Function<String, String> phone, String place) {
    phone.apply("BAOCAO");
    phone.apply("4");
    phone.apply("2");
    var asked = phone.apply("4");
    assertTrue(asked.contains("Nhan ten tinh"), "the province is asked by name first: " + asked);
    var next = phone.apply(place);
    assertTrue(next.contains("ke chuyen"), "\"" + place + "\" is understood, the conversation goes on: " + next);
    phone.apply("Co nguoi la doa tung anh cua em.");
    phone.apply("XONG");
    phone.apply("tiktok.com/@kedoa123");
    phone.apply("1");
    var end = phone.apply("1");
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);
    return m.group(1);
  }

  @Test
  void namesAndFormerProvincesReachTheAgencyAsTodaysUnitOverSmppAndTwilio() throws Exception {
    var cases = List.of(
        new Case("cao bang", "04", "Cao Bằng", null),
        new Case("dak nong", "68", "Lâm Đồng", "Đắk Nông"),
        new Case("tp hcm", "79", "Thành phố Hồ Chí Minh", null));
    var references = new ArrayList<String>();
    int phone = 0;
    for (var c : cases) {
      references.add(report(smpp("09120000" + (10 + phone++)), c.written()));
      references.add(report(twilio("+849120000" + (10 + phone++)), c.written()));
    }
    var agency = fakes.get("harmful-content");
    Await.until(() -> agency.received().size() >= references.size(), references.size() + " reports at the agency");
    var byReference = new HashMap<String, JsonNode>();
    for (var r : agency.received()) {
      assertTrue(SpecWebhooks.verify(fakes.secrets.get("harmful-content"), r.header("webhook-id"),
          r.header("webhook-timestamp"), r.header("webhook-signature"), r.body(), java.time.Instant.now().getEpochSecond(),
          300), "signed as Standard Webhooks says");
      assertEquals(List.of(), PayloadSchemas.webhook().errors(r.bodyText()), "follows docs/webhook.schema.json");
      var data = JSON.readTree(r.body()).get("data");
      byReference.put(data.get("reference").asText(), data);
    }
    for (int i = 0; i < references.size(); i++) {
      var c = cases.get(i / 2);
      var data = byReference.get(references.get(i));
      var channel = i % 2 == 0 ? "sms-smpp" : "sms-twilio";
      var what = c.written() + " over " + channel;
      assertEquals(channel, data.get("channel").asText(), what);
      assertEquals(c.code(), data.get("province").get("code").asText(), what);
      assertEquals(c.name(), data.get("province").get("name").asText(), what);
      assertEquals(c.former(), data.get("former_province").isNull() ? null : data.get("former_province").asText(), what);
      var row = db.row("SELECT province, former_province FROM reports WHERE reference = ?", references.get(i));
      assertEquals(c.code(), row.get("province"), what);
      assertEquals(c.former(), row.get("former_province"), what);
    }
  }

  @Test
  void aPlaceThatIsNoneIsAskedAgainAndTheSkipStillWorks() {
    var phone = twilio("+84912000099");
    phone.apply("BAOCAO");
    phone.apply("4");
    phone.apply("2");
    phone.apply("4");
    var again = phone.apply("abc");
    assertTrue(again.startsWith("Xin loi, 111 chua hieu"), again);
    assertTrue(again.contains("Nhan ten tinh"), again);
    assertTrue(phone.apply("99").startsWith("Xin loi, 111 chua hieu"), "99 is no code, old or new");
    assertTrue(phone.apply("*").contains("ke chuyen"), "* skips, as before");
  }

  record Case(String written, String code, String name, String former) {}
}
