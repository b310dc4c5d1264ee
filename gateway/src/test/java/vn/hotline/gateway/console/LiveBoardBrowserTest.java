package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * The live board and the screen-pop in a real Chromium: a counsellor's board shows a danger call waiting within a
 * second of its webhook, pushed without a reload, with no number or words of a caller on the page and a repeat
 * contact's badge; and when she, Available, presses 1 at the whisper of a signed simulated danger call, her browser
 * goes to the contact's card by itself within a second. One gateway and one browser per store.
 */
@GatewayTest
class LiveBoardBrowserTest {
  static final String TEXTER = "+84987650001";
  static final String LAN_PHONE = "+84901000021";

  static MutableClock clock;
  static RunningGateway gw;
  static Browser browser;
  static ConsoleFixture accounts;
  static FakeTwilio twilio;

  @GatewayTest.BeforeStore
  static void startGatewayAndBrowser(Harness house) {
    clock = MutableClock.now();
    gw = house.start(Map.of(), clock);
    accounts = new ConsoleFixture(gw, clock, house.db());
    twilio = gw.twilio();
    browser = Browser.start().on(gw.base);
    PersonalData.used(TEXTER, LAN_PHONE);
  }

  @GatewayTest.AfterStore
  static void stopBrowser() {
    browser.close();
    accounts.close();
  }

  @BeforeEach
  void signedOut() {
    browser.forgetCookies();
    browser.problems();
  }

  void signIn(String login) {
    browser.open("/console/login").type("login", login).type("password", ConsoleFixture.PASSWORD).click("sign-in");
    assertEquals("/console/board", browser.path(), "a counsellor lands on the live board");
  }

  String contactOf(String callSid) {
    return (String) accounts.db.row("SELECT id FROM contacts WHERE provider_ref = ?", callSid).get("id");
  }

  /** Waits (polling every 10 ms) until the condition holds; how long it took, in ms; fails after 5 s. */
  static long msUntil(java.util.function.BooleanSupplier condition, String what) {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > 5_000_000_000L) {
        throw new AssertionError("not within 5 s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** The text of an element that htmx or the board's stream may be swapping meanwhile ("" while it is). */
  static String textOf(String id) {
    try {
      var found = browser.driver().findElements(By.id(id));
      return found.isEmpty() ? "" : found.getFirst().getText();
    } catch (org.openqa.selenium.StaleElementReferenceException swapped) {
      return "";
    }
  }

  boolean rowIs(String contactId, String state) {
    var rows = browser.driver().findElements(By.id("contact-" + contactId));
    try {
      return !rows.isEmpty() && state.equals(rows.getFirst().getAttribute("data-state"));
    } catch (org.openqa.selenium.StaleElementReferenceException swappedMeanwhile) {
      return false;
    }
  }

  @Test
  void aDangerCallShowsAsWaitingWithinASecondWithoutAReloadAndNoCallersNumberOrWords() {
    var lan = accounts.active(Role.COUNSELLOR);
    signIn(lan.login());
    assertTrue(browser.has("board-summary"), "the board is there");
    ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript("window.stillTheSamePage = true;");

    var earlier = twilio.call(); // the same caller earlier today: a repeat contact
    earlier.incoming();
    earlier.status("completed");
    clock.advance(Duration.ofMinutes(1));
    var menu = twilio.call();
    menu.incoming();
    twilio.sms(TEXTER, "BAOCAO");
    twilio.sms(TEXTER, "em so lam khong biet lam sao");

    var danger = twilio.call();
    danger.dangerNow();
    long webhookDone = System.nanoTime();
    var contact = contactOf(danger.sid);
    long ms = msUntil(() -> rowIs(contact, "waiting"), "the danger call shows as waiting");
    long sinceWebhook = (System.nanoTime() - webhookDone) / 1_000_000;
    System.out.println("live board: the danger call shown " + sinceWebhook + " ms after its webhook");
    assertTrue(sinceWebhook < 1_000, "pushed within a second of the webhook: " + sinceWebhook + " ms (" + ms + ")");
    assertEquals(Boolean.TRUE, ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript("return window.stillTheSamePage === true;"),
        "the page was not reloaded: the board was pushed into it");

    var row = browser.element("contact-" + contact);
    assertTrue(row.getText().contains("Đang chờ tư vấn viên"), row.getText());
    assertTrue(row.getText().contains("Khẩn cấp") && row.getText().contains("Nguy hiểm ngay"), row.getText());
    var board = gw.gateway().board();
    var item = board.items().stream().filter(i -> i.contactId().equals(contact)).findFirst().orElseThrow();
    assertTrue(item.earlierContacts() >= 1, "the same caller was seen before: " + item);
    assertEquals("Liên hệ lại · " + item.earlierContacts() + " lần trước", browser.text("repeat-" + contact),
        "a repeat-contact badge with the count");
    var menuRow = browser.element("contact-" + contactOf(menu.sid));
    assertTrue(menuRow.getText().contains("Trong menu: chọn ngôn ngữ"), "at which step: " + menuRow.getText());
    assertTrue(browser.all("tr[data-state=\"sms\"]").size() >= 1, "the SMS conversation is on the board");
    String first = browser.element("contact-" + contact).findElement(By.className("ticker")).getText();
    msUntil(() -> {
      try {
        return !browser.element("contact-" + contact).findElement(By.className("ticker")).getText().equals(first);
      } catch (org.openqa.selenium.StaleElementReferenceException swapped) {
        return false;
      }
    }, "the waiting time counts up by itself");

    var page = browser.source();
    for (var personal : List.of("912345678", "987650001", "em so lam", "BAOCAO")) {
      assertFalse(page.contains(personal), "no caller's number or words on the board: " + personal);
    }
    browser.screenshot("board");
    assertEquals(List.of(), browser.problems(), "no CSP refusal or script error on the board");

    for (var call : List.of(menu, danger)) {
      call.status("completed");
    }
  }

  @Test
  void theAvailableCounsellorsBrowserOpensTheContactCardWithinASecondOfHerPressingOne() {
    PersonalData.used(LAN_PHONE);
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE);
    signIn(lan.login());
    browser.element("presence-available").click(); // the header's control (htmx, the session's token)
    msUntil(() -> textOf("presence-now").contains("sẵn sàng"), "she is Available");
    assertEquals("true", browser.element("presence-available").getAttribute("aria-pressed"));
    assertEquals("/console/board", browser.path(), "setting her presence keeps her on the board");

    var call = twilio.call();
    var dial = call.dangerNow();
    int mine = dial.dialled().indexOf(LAN_PHONE);
    assertTrue(mine >= 0, "her phone rings: " + dial.dialled());
    var contact = contactOf(call.sid);
    var leg = call.leg(dial, mine);
    var whisper = leg.pickUp();
    assertTrue(leg.press(whisper, "1").verbs().isEmpty(), "she pressed 1: put through");
    long pressed = System.nanoTime();
    long ms = msUntil(() -> browser.path().equals("/console/contacts/" + contact), "her browser goes to the card");
    long sincePress = (System.nanoTime() - pressed) / 1_000_000;
    System.out.println("screen-pop: the card opened " + sincePress + " ms after the press-1 webhook");
    assertTrue(sincePress < 1_000, "the card opened within a second of the press-1 webhook: " + sincePress + " ms (" + ms + ")");

    call.dialEndedWithoutKey(dial, "completed");
    call.status("completed");
  }
}
