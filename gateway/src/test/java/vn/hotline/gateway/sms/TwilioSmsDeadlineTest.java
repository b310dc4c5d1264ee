package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
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
 * A Twilio SMS webhook that passes http.webhook_deadline_ms because the store is slow: the texter gets the
 * fallback text at once, and what the gateway records must be what the texter got.
 */
@GatewayTest(faulty = true)
class TwilioSmsDeadlineTest {
  static final String CHILD = "+84987654322";
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
        "GATEWAY_HTTP_WEBHOOK_DEADLINE_MS", "300",
        // What is tested is the deadline: through a store this slow, new pooled connections take seconds to open,
        // and the late work must wait for one rather than fail for want of it (that is StoreFaultTest's subject).
        "GATEWAY_DB_CONNECT_TIMEOUT_MS", "15000")), clock);
    twilio = gw.twilio();
  }

  @AfterEach
  void stop() {
    rest.close();
  }

  @Test
  void repliesCutOffByTheDeadlineAreNotRecordedAsSentAndGoOutByTheRestApiInstead() throws Exception {
    db.proxy().delay(Duration.ofMillis(250)); // every answer from the store comes late: the work outlasts 300 ms
    var answer = twilio.sms(CHILD, "BAOCAO");
    assertTrue(answer.messageText().contains("111 is having trouble"), "the texter got the fallback: " + answer.body());
    assertTrue(!answer.messageText().contains("Ban bao cao viec gi?"), answer.body());

    Await.until(() -> db.count("SELECT COUNT(*) FROM sms_inbound WHERE status = ?", "processed") == 1,
        "the inbound message is kept and processed", Duration.ofSeconds(30));
    db.proxy().restore();
    var reply = db.row("SELECT status, provider_ref FROM sms_outbound WHERE kind = ?", "reply");
    assertTrue(!"sent".equals(reply.get("status")) || reply.get("provider_ref") != null,
        "a reply the texter never got is not recorded as sent: " + reply);

    gw.gateway().housekeepingNow(); // the REST sender takes up what the webhook could not deliver
    var sent = rest.sent();
    assertEquals(1, sent.size(), "the reply went out by the REST API");
    assertEquals(CHILD, sent.get(0).form().get("To"));
    assertTrue(sent.get(0).form().get("Body").contains("Ban bao cao viec gi?"), sent.get(0).form().get("Body"));
    var after = db.row("SELECT status, provider_ref FROM sms_outbound WHERE kind = ?", "reply");
    assertEquals("sent", after.get("status"));
    assertNotNull(after.get("provider_ref"), "sent means Twilio took it, with its SID");

    assertTrue(twilio.sms(CHILD, "1").messageText().contains("chinh ban"),
        "the conversation went on from where the late message left it");
  }
}
