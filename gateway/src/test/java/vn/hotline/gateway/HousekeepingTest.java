package vn.hotline.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The periodic jobs run on their own timers (here every 200 ms): a texter who went quiet gets the reminder without
 * anyone asking, a run asked for by hand never overlaps the timer's run of the same job, and a Twilio REST call
 * that hangs holds nobody else up: texters and callers are answered meanwhile.
 */
@GatewayTest
class HousekeepingTest {
  static final String CHILD = "+84987654323";
  static final String OTHER_CHILD = "+84987654324";
  static final String ACCOUNT = FakeTwilioRest.ACCOUNT;

  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;
  FakeTwilioRest rest;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    rest = new FakeTwilioRest();
    gw = house.start(rest.gatewaySettings(Map.of(
        "GATEWAY_SESSIONS_HOUSEKEEPING_INTERVAL_MS", "200")), clock);
    twilio = gw.twilio();
  }

  @AfterEach
  void stop() {
    rest.close();
  }

  @Test
  void theTimersSendTheReminderToAQuietTexterOnTheirOwn() throws Exception {
    twilio.sms(CHILD, "BAOCAO");
    clock.advance(Duration.ofMinutes(21));
    Await.until(() -> rest.sent().size() == 1, "the reminder went out by the REST API", Duration.ofSeconds(30));
    Await.until(() -> "sent".equals(reminder().get("status")), "and is recorded as sent", Duration.ofSeconds(30));
    assertNotNull(reminder().get("provider_ref"));
  }

  @Test
  void aRunAskedForByHandWaitsForTheTimersRunOfTheSameJob() throws Exception {
    twilio.sms(CHILD, "BAOCAO");
    var answer = rest.holdAnswers(); // Twilio takes the reminder but has not answered yet
    clock.advance(Duration.ofMinutes(21));
    Await.until(() -> rest.sent().size() == 1, "the timer's run handed the reminder to Twilio", Duration.ofSeconds(30));

    var byHand = CompletableFuture.runAsync(() -> gw.gateway().housekeepingNow());
    boolean returnedWhileTheTimersRunWasInFlight;
    try {
      byHand.get(1, TimeUnit.SECONDS);
      returnedWhileTheTimersRunWasInFlight = true;
    } catch (TimeoutException waiting) {
      returnedWhileTheTimersRunWasInFlight = false;
    }
    answer.countDown();
    byHand.get(30, TimeUnit.SECONDS);

    assertFalse(returnedWhileTheTimersRunWasInFlight, "the run asked for by hand overlapped the timer's run");
    assertEquals("sent", reminder().get("status"), "once the hand-run is over, what the timer started is finished");
    assertEquals(1, rest.sent().size(), "the reminder went out once");
  }

  @Test
  void whileTwilioKeepsAReminderWaitingNewTextersAndCallersAreAnsweredAsUsual() throws Exception {
    twilio.sms(CHILD, "BAOCAO");
    var answer = rest.holdAnswers(); // Twilio takes the reminder but does not answer
    try {
      clock.advance(Duration.ofMinutes(21));
      Await.until(() -> rest.sent().size() == 1, "the timer's run handed the reminder to Twilio", Duration.ofSeconds(30));

      var texted = twilio.sms(OTHER_CHILD, "BAOCAO");
      assertTrue(texted.messageText().contains("Ban bao cao viec gi?"), "a new texter got the menu: " + texted.body());
      assertFalse(texted.messageText().contains("111 is having trouble"), "not the fallback: " + texted.body());

      var called = twilio.call().incoming();
      assertEquals(200, called.status());
      assertEquals("/twilio/voice/step/choose-language?seq=0", called.verb("Gather").getAttribute("action"),
          "a new caller got the language menu, not the fallback: " + called.body());

      assertEquals(1, rest.sent().size(), "Twilio is still holding the reminder (nothing else went by REST)");
      assertFalse("sent".equals(reminder().get("status")), "the reminder is still in flight");
    } finally {
      answer.countDown();
    }
    Await.until(() -> "sent".equals(reminder().get("status")), "the reminder is recorded as sent once Twilio answers",
        Duration.ofSeconds(30));
  }

  private Map<String, Object> reminder() {
    return db.row("SELECT status, provider_ref FROM sms_outbound WHERE kind = ?", "reminder");
  }
}
