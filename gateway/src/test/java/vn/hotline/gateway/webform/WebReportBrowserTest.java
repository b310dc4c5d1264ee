package vn.hotline.gateway.webform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;
import vn.hotline.gateway.delivery.SpecWebhooks;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The web report form in a real headless Chromium, with JavaScript (one step at a time, the proof of work sent) and
 * without it (every step on one page, one button): each report gets a reference on the end page, with the danger
 * numbers, and reaches its agencies as a signed webhook of the web channel.
 */
@GatewayTest
class WebReportBrowserTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SAW = "Có người lạ nhắn tin cho con tôi (lớp 7) đòi gửi ảnh riêng tư, nếu không sẽ đăng ảnh lên mạng.";
  static final String SAW_EN = "A man outside the school gate keeps asking girls to come to his car.";

  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static FakeAgencies fakes;

  @GatewayTest.BeforeStore
  static void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    var routed = house.startRouted(clock);
    gw = routed.gw();
    fakes = routed.fakes();
    PersonalData.used(SAW, SAW_EN, "parent@example.org");
  }

  @GatewayTest.AfterStore
  static void stop() {
    fakes.close();
  }

  static double meter(String name, String result) {
    var c = gw.gateway().meters().find(name).tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  /** The one webhook an agency received for this reference, its signature checked; its data. */
  static JsonNode delivered(String agency, String reference) throws Exception {
    var inbox = fakes.get(agency);
    Await.until(() -> inbox.received().stream().anyMatch(r -> r.bodyText().contains(reference)),
        agency + " has report " + reference);
    var r = inbox.received().stream().filter(x -> x.bodyText().contains(reference)).findFirst().orElseThrow();
    assertTrue(SpecWebhooks.verify(fakes.secrets.get(agency), r.header("webhook-id"), r.header("webhook-timestamp"),
        r.header("webhook-signature"), r.body(), clock.instant().getEpochSecond(), 300), agency + ": signed");
    return JSON.readTree(r.body()).get("data");
  }

  @Test
  void withJavaScriptAParentGoesStepByStepAndGetsAReference() throws Exception {
    double proven = meter("hotline.web_report.proof_of_work", "valid");
    try (var browser = Browser.start().on(gw.base)) {
      browser.open("/report");
      assertTrue(browser.element("step-1").isDisplayed());
      assertFalse(browser.element("step-2").isDisplayed(), "one step at a time");
      assertTrue(browser.text("danger").contains("113") && browser.text("danger").contains("111"));
      browser.click("category-online_abuse_harmful_content").click("next");
      assertTrue(browser.element("step-2").isDisplayed());
      assertFalse(browser.element("step-1").isDisplayed());
      browser.type("links", "https://www.facebook.com/profile.php?id=100012345678\nzalo.me/g/abcxyz")
          .type("description", SAW).click("next");
      browser.click("age-10-12");
      new Select(browser.element("province")).selectByValue("79");
      browser.click("next");
      assertTrue(browser.element("send").isDisplayed(), "the last step sends");
      browser.screenshot("web-report-js-last-step");
      clock.advance(Duration.ofSeconds(45)); // the time it took a person
      browser.click("send");
      var reference = browser.text("reference").replace(" ", "");
      assertTrue(reference.matches("\\d{8}"), reference);
      assertTrue(browser.text("danger-end").contains("113"), "the danger numbers on the end page");
      browser.screenshot("web-report-js-done");
      assertEquals(List.of(), browser.problems(), "nothing refused by the CSP, no script error");
      assertEquals(proven + 1, meter("hotline.web_report.proof_of_work", "valid"), "the script sent its proof of work");

      var data = delivered("harmful-content", reference);
      assertEquals("web", data.get("channel").asText());
      assertEquals("online_abuse_harmful_content", data.get("category").asText());
      assertTrue(data.get("harmful_content_urls").toString().contains("zalo.me/g/abcxyz"), data.toString());
      assertEquals("web", delivered("police-cyber", reference).get("channel").asText());
    }
  }

  @Test
  void withoutJavaScriptEveryStepIsOnOnePageAndTheReportGetsAReference() throws Exception {
    double absent = meter("hotline.web_report.proof_of_work", "absent");
    try (var browser = Browser.startWithoutJavaScript().on(gw.base)) {
      browser.open("/report");
      browser.click("lang-link");
      assertEquals("en", browser.element("report-form").findElement(org.openqa.selenium.By.name("lang")).getAttribute("value"));
      for (var step : List.of("step-1", "step-2", "step-3", "step-4")) {
        assertTrue(browser.element(step).isDisplayed(), step + " shows without JavaScript");
      }
      assertFalse(browser.element("next").isDisplayed(), "no Next button without the script");
      assertFalse(browser.element("website").isDisplayed(), "the honeypot is not for people");
      browser.click("category-sexual_violence").type("description", SAW_EN).click("age-7-9");
      new Select(browser.element("province")).selectByValue("01");
      browser.type("contact_email", "parent@example.org").click("consent");
      browser.screenshotWholePage("web-report-nojs-form");
      clock.advance(Duration.ofSeconds(60));
      browser.click("send");
      var reference = browser.text("reference").replace(" ", "");
      assertTrue(reference.matches("\\d{8}"), reference);
      assertTrue(browser.text("done").contains("Thank you for your report"), browser.text("done"));
      assertEquals(absent + 1, meter("hotline.web_report.proof_of_work", "absent"), "sent without a proof of work");

      var data = delivered("child-protection", reference);
      assertEquals("web", data.get("channel").asText());
      assertEquals("sexual_violence", data.get("category").asText());
      assertEquals("7-9", data.get("age_band").asText());
      assertEquals("web", delivered("police-investigation", reference).get("channel").asText());
    }
  }
}
