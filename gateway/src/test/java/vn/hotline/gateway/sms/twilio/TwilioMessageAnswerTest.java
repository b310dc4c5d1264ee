package vn.hotline.gateway.sms.twilio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Twilio's answers to POST .../Messages.json, as Twilio writes them (the Message resource of
 * https://www.twilio.com/docs/messaging/api/message-resource and its error object), read the way the sender
 * reads them: the SID a status callback will name, and nothing thrown for anything else.
 */
class TwilioMessageAnswerTest {
  /** A 201 answer, field for field as Twilio sends it (numbers are made up). */
  static final String CREATED = """
      {"account_sid": "ACc4c268517530bb5fec0b659e3f88c6be", "api_version": "2010-04-01",
       "body": "Tong dai 111: ban van o do chu?", "date_created": "Tue, 27 Nov 2018 16:14:39 +0000",
       "date_sent": null, "date_updated": "Tue, 27 Nov 2018 16:14:39 +0000", "direction": "outbound-api",
       "error_code": null, "error_message": null, "from": "+19106000514", "messaging_service_sid": null,
       "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD",
       "sid": "SM29f4f980778e4621b72df75ac82f5000", "status": "queued",
       "subresource_uris": {"media": "/2010-04-01/Accounts/ACc4c268517530bb5fec0b659e3f88c6be/Messages/SM29f4f980778e4621b72df75ac82f5000/Media.json"},
       "to": "+84901234567",
       "uri": "/2010-04-01/Accounts/ACc4c268517530bb5fec0b659e3f88c6be/Messages/SM29f4f980778e4621b72df75ac82f5000.json"}
      """;

  /** A 400 answer: Twilio's error object (its message quotes the number, which is why it is not read). */
  static final String INVALID_TO = """
      {"code": 21211, "message": "The 'To' number +8490123 is not a valid phone number.",
       "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}
      """;

  @Test
  void aCreatedMessageGivesItsSidAndStatus() {
    var a = TwilioMessageAnswer.parse(CREATED);
    assertEquals("SM29f4f980778e4621b72df75ac82f5000", a.messageSid());
    assertEquals("queued", a.status());
    assertNull(a.errorCode());
    assertNull(a.code());
  }

  @Test
  void anMmsSidIsAMessageSidToo() {
    assertEquals("MM29f4f980778e4621b72df75ac82f5000",
        TwilioMessageAnswer.parse("{\"sid\":\"MM29f4f980778e4621b72df75ac82f5000\",\"status\":\"accepted\"}").messageSid());
  }

  @Test
  void anErrorObjectGivesItsCodeAndNoSid() {
    var a = TwilioMessageAnswer.parse(INVALID_TO);
    assertNull(a.messageSid());
    assertEquals(21211, a.code());
    assertEquals("400", a.status());
    assertEquals("TwilioMessageAnswer[sid=null, status=400, code=21211, errorCode=null]", a.toString(),
        "nothing of the message's words (the number) is kept");
  }

  @Test
  void aFailedMessageCarriesItsErrorCode() {
    var a = TwilioMessageAnswer.parse("{\"sid\":\"SM29f4f980778e4621b72df75ac82f5000\",\"status\":\"failed\","
        + "\"error_code\":30003,\"error_message\":\"Unreachable destination handset\"}");
    assertEquals(30003, a.errorCode());
    assertEquals("failed", a.status());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "<html><body><h1>502 Bad Gateway</h1></body></html>",
      "",
      "   ",
      "null",
      "[]",
      "\"SM29f4f980778e4621b72df75ac82f5000\"",
      "{\"sid\": \"SM29f4f980778e4621b72df75ac82f5000\"",  // cut off
      "{\"sid\": {\"nested\": true}}",
      "{\"sid\": \"SM123\"}",                               // not a SID's shape
      "{\"sid\": \"AC29f4f980778e4621b72df75ac82f5000\"}",  // an account, not a message
      "{\"code\": \"many\"}",
  })
  void aBodyThatIsNotTwilioJsonGivesNoSidAndThrowsNothing(String body) {
    assertNull(TwilioMessageAnswer.parse(body).messageSid());
  }

  @Test
  void noBodyAtAllIsNoAnswer() {
    assertEquals(TwilioMessageAnswer.NONE, TwilioMessageAnswer.parse(null));
  }
}
