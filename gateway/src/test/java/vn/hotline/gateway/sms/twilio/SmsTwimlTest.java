package vn.hotline.gateway.sms.twilio;

import static vn.hotline.gateway.testing.XmlTrees.assertSameXml;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.MessagingResponse;
import com.twilio.twiml.messaging.Body;
import com.twilio.twiml.messaging.Message;
import java.util.List;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.sms.SmsConversations;

/**
 * The SMS replies (a MessagingResponse) read, to an XML parser, exactly as what the Twilio SDK's builders wrote
 * before they were written with util.Xml (the builder below is that code, kept as the model).
 */
class SmsTwimlTest {
  @Test
  void repliesWithAndWithoutAStatusCallbackAndTextToEscape() throws Exception {
    var cases = List.of(
        List.<SmsConversations.Reply>of(),
        List.of(new SmsConversations.Reply(null, "Cảm ơn bạn. Mã số của bạn là 31415926.")),
        List.of(new SmsConversations.Reply("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "Bấm 1 & gửi <tin> \"nhắn\" 'ngay' 👧"),
            new SmsConversations.Reply(null, "Reply STOP to stop; 2 > 1\nnew line")));
    for (var replies : cases) {
      var sdk = new MessagingResponse.Builder();
      for (var r : replies) {
        var m = new Message.Builder().body(new Body.Builder(r.text()).build());
        if (r.outboundId() != null) {
          m.action(TwilioSmsRoutes.BASE + "/status?out=" + r.outboundId()).method(HttpMethod.POST);
        }
        sdk.message(m.build());
      }
      assertSameXml(sdk.build().toXml(), TwilioSmsRoutes.twiml(replies), replies.size() + " replies");
    }
  }
}
