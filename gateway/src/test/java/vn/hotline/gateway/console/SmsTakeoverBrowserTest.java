package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * Taking over an SMS conversation in a real Chromium: the counsellor opens it from the contact card, takes it over,
 * replies, and the texter's next message appears on her page without a reload (Server-Sent Events, the htmx SSE
 * extension), under the page's strict Content-Security-Policy.
 */
@GatewayTest
class SmsTakeoverBrowserTest {
  static final String TEXTER = "+84987650088";

  static MutableClock clock;
  static RunningGateway gw;
  static Browser browser;
  static ConsoleFixture accounts;
  static FakeTwilio twilio;
  static FakeTwilioRest rest;

  @GatewayTest.BeforeStore
  static void startGatewayAndBrowser(Harness house) throws Exception {
    clock = MutableClock.now();
    rest = new FakeTwilioRest();
    gw = house.start(rest.gatewaySettings(Map.of()), clock);
    accounts = new ConsoleFixture(gw, clock, house.db());
    twilio = gw.twilio();
    browser = Browser.start().on(gw.base);
    PersonalData.used(TEXTER);
  }

  @GatewayTest.AfterStore
  static void stopBrowser() {
    browser.close();
    accounts.close();
    rest.close();
  }

  @Test
  void theTextersNextMessageAppearsOnTheCounsellorsPageWithoutAReload() {
    twilio.sms(TEXTER, "BAOCAO");
    twilio.sms(TEXTER, "Em cần nói chuyện với người thật.");
    var contact = (String) accounts.db.row("SELECT id FROM contacts WHERE channel = ?", "sms-twilio").get("id");

    var lan = accounts.active(Role.COUNSELLOR);
    browser.open("/console/login").type("login", lan.login()).type("password", ConsoleFixture.PASSWORD).click("sign-in");
    browser.open("/console/contacts/" + contact).click("conversation-link");
    assertEquals("/console/conversations/" + contact, browser.path());
    assertTrue(browser.text("transcript").contains("Em cần nói chuyện với người thật."), browser.text("transcript"));
    browser.click("take-over");
    assertTrue(browser.text("held").contains("Bạn đang nhận"), browser.text("held"));

    var reply = "Chào em, chị ở đây. Em kể đi.";
    PersonalData.used(reply);
    browser.type("reply-text", reply).click("send-reply");
    Await.until(() -> rest.sent().stream().anyMatch(s -> reply.equals(s.form().get("Body"))), "the reply sent");
    Await.until(() -> lineCount() >= 3, "the page is back with the reply"); // BAOCAO's answer, the text, the reply...
    ((JavascriptExecutor) browser.driver()).executeScript("window.stillTheSamePage = true;");
    // the page's event stream is open before the texter writes
    Await.until(() -> gw.gateway() != null && Boolean.TRUE.equals(((JavascriptExecutor) browser.driver())
        .executeScript("return !!document.querySelector('#transcript') && window.stillTheSamePage === true;")), "page ready");

    var next = "Em đang ở trường, chú ấy đứng ngoài cổng.";
    assertEquals(List.of(), twilio.sms(TEXTER, next).messages(), "no flow answer");
    long sent = System.nanoTime();
    Await.until(() -> transcript().contains(next), "the texter's message appears on the counsellor's page");
    System.out.println("sms takeover: the texter's message shown " + (System.nanoTime() - sent) / 1_000_000
        + " ms after its webhook");
    assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser.driver()).executeScript("return window.stillTheSamePage === true;"),
        "pushed into the page, not reloaded");
    browser.screenshotWholePage("sms-takeover");
    assertEquals(List.of(), browser.problems(), "no CSP refusal or script error");
  }

  static int lineCount() {
    return browser.driver().findElements(By.cssSelector("#transcript-lines li")).size();
  }

  static String transcript() {
    try {
      var found = browser.driver().findElements(By.id("transcript"));
      return found.isEmpty() ? "" : found.getFirst().getText();
    } catch (org.openqa.selenium.StaleElementReferenceException swapped) {
      return "";
    }
  }
}
