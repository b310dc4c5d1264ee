package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.Browser;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A counsellor in a real Chromium keeps a promise: a child in danger left a voicemail after saying a callback is safe
 * (a signed simulated call); the live board counts the task and links to the tasks page, where it is urgent with
 * its due time; on the task page she plays the voicemail (the browser's audio element loads it from the gateway,
 * which fetched it from the Twilio stand-in; the page holds no Twilio URL), then records three unanswered attempts,
 * which close the task.
 */
@GatewayTest
class TaskBrowserTest {
  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static ConsoleFixture accounts;
  static FakeTwilioRest twilio;
  static Browser browser;

  @GatewayTest.BeforeStore
  static void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    twilio = new FakeTwilioRest();
    gw = house.start(twilio.gatewaySettings(Map.of()), clock);
    accounts = new ConsoleFixture(gw, clock, db);
    browser = Browser.start().on(gw.base);
  }

  @GatewayTest.AfterStore
  static void stop() {
    browser.close();
    accounts.close();
    twilio.close();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser.driver()).executeScript(script, args);
  }

  @Test
  void aCounsellorSeesTheTaskPlaysTheVoicemailAndRecordsThreeUnansweredAttempts() {
    var lan = accounts.active(Role.COUNSELLOR);
    browser.open("/console/login").type("login", lan.login()).type("password", ConsoleFixture.PASSWORD).click("sign-in");
    assertEquals("/console/board", browser.path());

    var call = gw.twilio().call();
    call.record(call.callbackSafe(call.dialEnded(call.dangerNow(), "no-answer")), 30);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    var task = (String) db.row("SELECT id FROM followup_tasks WHERE contact_id = ?", contact).get("id");
    var reference = (String) db.row("SELECT reference FROM contacts WHERE id = ?", contact).get("reference");
    var sid = gw.sealer().open((String) db.row("SELECT recording_sealed FROM reports WHERE contact_id = ?", contact)
        .get("recording_sealed"));

    // the live board counts it (its event stream brings the new reading) and links to the tasks page
    Await.until(() -> browser.has("tasks-count") && browser.text("tasks-count").startsWith("1 "), "the board counts the task");
    browser.click("tasks-count");
    assertEquals("/console/tasks", browser.path());
    var row = browser.text("task-" + task);
    var due = DateTimeFormatter.ofPattern("HH:mm").format(clock.instant().plus(Duration.ofMinutes(10))
        .atZone(gw.config().operators().hours().zone()));
    assertTrue(row.contains("Khẩn cấp") && row.contains("Gọi lại") && row.contains(reference) && row.contains(due), row);
    browser.screenshot("tasks");

    // the task page: the voicemail plays from the gateway
    browser.open("/console/tasks/" + task);
    assertTrue(browser.text("task-kind").contains("Gọi lại"));
    assertFalse(browser.source().contains("twilio.com"), "no Twilio URL in the page");
    assertFalse(browser.source().contains(sid), "no RecordingSid in the page");
    assertTrue(twilio.requests().isEmpty(), "nothing fetched before play");
    js("document.getElementById('voicemail-audio').load()");
    Await.until(() -> ((Number) js("return document.getElementById('voicemail-audio').readyState")).intValue() >= 1
        || js("return document.getElementById('voicemail-audio').error") != null, "the audio element loaded");
    assertNull(js("var e = document.getElementById('voicemail-audio').error; return e && e.code"), "decoded");
    var duration = ((Number) js("return document.getElementById('voicemail-audio').duration")).doubleValue();
    assertTrue(duration > 0.5 && duration < 2, "about a second of audio: " + duration);
    assertEquals(List.of(new FakeTwilioRest.Request("GET", "/2010-04-01/Accounts/" + FakeTwilioRest.ACCOUNT
        + "/Recordings/" + sid + ".mp3", FakeTwilioRest.expectedAuthorization())), twilio.requests().subList(0, 1));
    Await.until(() -> accounts.audit("recording.played").stream().anyMatch(e -> e.get("refs").contains(contact)),
        "her hearing it audited");
    assertEquals(List.of(), browser.problems(), "no CSP violation or script error");

    // three attempts, nobody answers: closed
    var retry = Duration.ofMinutes(gw.config().followup().retryMinutes());
    for (int i = 1; i <= 3; i++) {
      browser.click("result-no_answer").click("record-attempt");
      assertEquals(i, browser.all("#history li").size(), browser.source());
      if (i < 3) {
        assertEquals("in_progress", browser.element("task-status").getAttribute("data-status"));
        assertTrue(browser.text("task-try-again").contains("thử lại sau"), browser.text("task-attempts"));
        clock.advance(retry.plusMinutes(1));
        browser.forgetCookies().open("/console/login").type("login", lan.login()).type("password", ConsoleFixture.PASSWORD)
            .click("sign-in"); // the half hour may have ended her session
        browser.open("/console/tasks/" + task);
      }
    }
    assertEquals("closed_failed", browser.element("task-status").getAttribute("data-status"));
    assertEquals("no_answer", browser.element("task-outcome").getAttribute("data-outcome"));
    assertFalse(browser.has("task-actions"));
    browser.screenshotWholePage("task-closed");
    assertFalse(browser.source().contains(FakeTwilio.CALLER.substring(1)), "never the caller's number");
  }
}
