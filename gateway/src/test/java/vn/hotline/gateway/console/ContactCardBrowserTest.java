package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.delivery.PayloadSchemas;
import vn.hotline.gateway.delivery.SpecWebhooks;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A counsellor in a real Chromium opens the card of a report a child just made by a signed simulated call: she
 * reads what the child pressed (category, age, province, the reference the child was given), asks to see what the
 * child said (the voicemail's reference appears, and her view is in the audit chain, which stays intact), then
 * completes the form with another category and refers: the cyber police, who had the first version at once,
 * receive version 2 as a signed report.updated with her category.
 */
@GatewayTest
class ContactCardBrowserTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NOTES = "Em kể bị một người lạ tống tiền bằng ảnh qua Zalo. Đã hướng dẫn em giữ lại tin nhắn.";
  static final String DISTRICT = "Phường Gò Vấp";
  static final String REASON = "Tống tiền bằng ảnh riêng tư: cần công an và bảo vệ trẻ em vào cuộc.";

  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static FakeAgencies fakes;
  static ConsoleFixture accounts;
  static Browser browser;

  @GatewayTest.BeforeStore
  static void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    var routed = house.startRouted(clock);
    gw = routed.gw();
    fakes = routed.fakes();
    accounts = new ConsoleFixture(gw, clock, db);
    browser = Browser.start().on(gw.base);
    PersonalData.used(NOTES, DISTRICT, REASON);
  }

  @GatewayTest.AfterStore
  static void stop() {
    browser.close();
    accounts.close();
    fakes.close();
  }

  /**
   * A child calls, presses Vietnamese, "report", online harm, "another child", 13-15, Ho Chi Minh City (79); nobody
   * answers and the child leaves a voice message: a report that the shipped routing sends at once to the
   * harmful-content team and the cyber police. Returns the call's contact id.
   */
  String voicemailReport() {
    var call = gw.twilio().call();
    var t = call.press(call.press(call.press(call.press(call.incoming(), "1"), "2"), "4"), "2");
    var handoff = call.press(call.press(t, "4"), "79");
    call.record(call.callbackSafe(call.dialEnded(handoff, "no-answer")), 42);
    call.status("completed");
    return (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
  }

  /** The webhooks an agency has received, once there are {@code n}, each with a valid signature and schema. */
  List<FakeAgency.Received> received(String agency, int n) {
    var inbox = fakes.get(agency);
    Await.until(() -> inbox.received().size() >= n, agency + " has " + n + " webhook(s)");
    var all = inbox.received();
    assertEquals(n, all.size(), agency);
    for (var r : all) {
      assertTrue(SpecWebhooks.verify(fakes.secrets.get(agency), r.header("webhook-id"), r.header("webhook-timestamp"),
          r.header("webhook-signature"), r.body(), clock.instant().getEpochSecond(), 300),
          agency + ": a valid Standard Webhooks signature");
      assertEquals(List.of(), PayloadSchemas.webhook().errors(r.bodyText()), agency + ": docs/webhook.schema.json");
    }
    return all;
  }

  @Test
  void aCounsellorReadsTheCardOpensWhatTheChildSaidAndCompletesAndRefersTheReport() throws Exception {
    var lan = accounts.active(Role.COUNSELLOR);
    browser.open("/console/login").type("login", lan.login()).type("password", ConsoleFixture.PASSWORD).click("sign-in");
    assertEquals("/console/board", browser.path());

    var contact = voicemailReport();
    var reference = (String) db.row("SELECT reference FROM contacts WHERE id = ?", contact).get("reference");
    var recording = gw.sealer().open((String) db.row("SELECT recording_sealed FROM reports WHERE contact_id = ?",
        contact).get("recording_sealed"));
    var first = received("police-cyber", 1).get(0);
    assertEquals("report.created", JSON.readTree(first.body()).get("type").asText());

    // The card: what the child pressed, in words, and the reference the child was told.
    browser.open("/console/contacts/" + contact);
    assertEquals(reference.substring(0, 4) + " " + reference.substring(4), browser.text("card-reference"));
    assertEquals("Xâm hại trên mạng, nội dung độc hại", browser.text("card-category"));
    assertEquals("Từ 13 đến 15 tuổi", browser.text("card-age"));
    assertEquals("Thành phố Hồ Chí Minh", browser.text("card-province"));
    assertEquals("Một em nhỏ khác", browser.text("card-about"));
    assertEquals("Báo cáo xâm hại, tổn hại", browser.text("card-intent"));
    assertEquals("Tiếng Việt", browser.text("card-language"));
    assertTrue(browser.text("path-steps").contains("report-province") && browser.text("path-steps").contains("trả lời 79"),
        "the menu path with the answers: " + browser.text("path-steps"));
    assertTrue(browser.text("deliveries").contains("Công an tỉnh - Phòng An ninh mạng"), browser.text("deliveries"));
    assertFalse(browser.source().contains(recording), "nothing the child said is on the card before she asks");
    assertEquals(0, accounts.audit("personal_data.viewed").size());

    // She asks: the voicemail's reference appears (htmx, in place), and her view is recorded in the audit chain.
    browser.click("show-personal");
    assertEquals(recording, browser.text("personal-recording"));
    assertTrue(browser.text("personal-audited").contains("nhật ký kiểm toán"), browser.text("personal-audited"));
    var views = accounts.audit("personal_data.viewed");
    assertEquals(1, views.size());
    assertEquals("operator:" + lan.id(), views.get(0).get("actor"));
    assertTrue(views.get(0).get("refs").contains(contact) && views.get(0).get("data").contains(lan.id()), views.toString());
    try (var store = vn.hotline.gateway.store.Store.open(gw.config().db(), null)) {
      var chain = AuditChain.verify(store.dataSource(), null);
      assertTrue(chain.intact(), "audit verify: " + chain.problem());
    }

    // The form, pre-filled with the child's answers and the routing's agencies.
    assertEquals("online_abuse_harmful_content", new Select(browser.element("f-category")).getFirstSelectedOption()
        .getAttribute("value"));
    assertEquals("13-15", new Select(browser.element("f-age_band")).getFirstSelectedOption().getAttribute("value"));
    assertEquals("79", new Select(browser.element("f-province")).getFirstSelectedOption().getAttribute("value"));
    assertTrue(browser.element("f-agency-police-cyber").isSelected() && browser.element("f-agency-harmful-content").isSelected(),
        "where the routing sent it, ticked");
    assertFalse(browser.element("f-agency-child-protection").isSelected());

    // She corrects the category, assesses, and refers to child protection as well.
    new Select(browser.element("f-category")).selectByValue("sexual_violence");
    assertFalse(browser.all("#f-subcategory option[value='sextortion']").get(0).isEnabled(),
        "the subcategories of another category are not offered");
    new Select(browser.element("f-subcategory")).selectByValue("sexual_exploitation");
    new Select(browser.element("f-risk_level")).selectByValue("high");
    new Select(browser.element("f-outcome")).selectByValue("referred");
    new Select(browser.element("f-sex")).selectByValue("female");
    browser.type("f-district", DISTRICT).type("f-notes", NOTES).type("f-reason", REASON);
    browser.element("f-agency-child-protection").click();
    browser.screenshotWholePage("card");
    browser.click("save");

    assertTrue(browser.text("saved").contains("Đã lưu thành phiên bản 2."), browser.text("saved"));
    assertTrue(browser.text("saved-updated").contains("Công an tỉnh - Phòng An ninh mạng"), browser.text("saved-updated"));
    assertTrue(browser.text("saved-created").contains("Cơ quan bảo vệ trẻ em"), browser.text("saved-created"));
    assertTrue(browser.text("review-state").contains("Phiên bản 2") && browser.text("review-state").contains(lan.name()),
        browser.text("review-state"));
    browser.screenshot("card-saved");

    // The cyber police had version 1: they get version 2 as report.updated, signed, with her category.
    var update = received("police-cyber", 2).get(1);
    var body = JSON.readTree(update.body());
    assertEquals("report.updated", body.get("type").asText());
    assertEquals(2, body.get("data").get("version").asInt());
    assertEquals(reference, body.get("data").get("reference").asText());
    assertEquals("sexual_violence", body.get("data").get("category").asText(), "the counsellor's category");
    assertEquals("sexual_exploitation", body.get("data").get("subcategory").asText());
    assertEquals("reviewed", body.get("data").get("review").get("status").asText());
    assertEquals(NOTES, body.get("data").get("assessment").get("case_notes").asText());
    assertFalse(update.header("webhook-id").equals(first.header("webhook-id")), "a new webhook-id for the new version");
    var child = JSON.readTree(received("child-protection", 1).get(0).body());
    assertEquals("report.created", child.get("type").asText(), "added by the counsellor");
    assertEquals("sexual_violence", child.get("data").get("category").asText());
    assertEquals(List.of(), browser.problems(), "no CSP refusal or script error on the card");
  }
}
