package vn.hotline.gateway.followup;

import static vn.hotline.gateway.testing.XmlTrees.assertSameXml;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.TwiML;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Gather;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Number;
import com.twilio.twiml.voice.Pause;
import com.twilio.twiml.voice.Say;
import org.junit.jupiter.api.Test;

/**
 * The TwiML of a counsellor's callback (the whisper, the Dial to the child, what they hear after) reads, to an XML
 * parser, exactly as what the Twilio SDK's builders wrote before it was written with util.Xml (the builders below
 * are that code, kept as the model).
 */
class CallbackTwimlTest {
  private static final String CALL = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

  @Test
  void theWhisperOnTheCounsellorsPhone() throws Exception {
    for (var lang : new String[] {"vi", "en", null}) {
      var gather = new Gather.Builder().inputs(Gather.Input.DTMF).numDigits(1).timeout(8)
          .action(Callbacks.path("key", CALL)).method(HttpMethod.POST)
          .pause(new Pause.Builder().length(1).build())
          .say(say(lang, "whisper", "1234 5678"));
      var sdk = new VoiceResponse.Builder().gather(gather.build()).hangup(new Hangup.Builder().build()).build();
      assertSameXml(sdk.toXml(), Callbacks.whisper(lang, "12345678", CALL, 8), "whisper in " + lang);
    }
  }

  @Test
  void theDialToTheChild() throws Exception {
    var dial = new Dial.Builder().callerId("+84111").timeout(20)
        .answerOnBridge(true).action(Callbacks.path("dialed", CALL)).method(HttpMethod.POST)
        .number(new Number.Builder("+84901234567").machineDetection("Enable").url(Callbacks.path("child", CALL))
            .method(HttpMethod.POST).build());
    assertSameXml(new VoiceResponse.Builder().dial(dial.build()).build().toXml(),
        Callbacks.dialChild(CALL, "+84901234567", "+84111", 20), "dial the child");
  }

  @Test
  void whatTheCounsellorHearsAfterAndTheShortAnswers() throws Exception {
    for (var lang : new String[] {"vi", "en"}) {
      for (var keys : new String[][] {{"closed"}, {"reached"}, {"no_answer"}, {"machine", "no_answer_closed"}}) {
        var sdk = new VoiceResponse.Builder();
        for (var k : keys) {
          sdk.say(say(lang, k));
        }
        assertSameXml(xml(sdk.hangup(new Hangup.Builder().build()).build()), Callbacks.saidThenHangup(lang, keys),
            String.join(",", keys) + " in " + lang);
      }
    }
    assertSameXml(xml(new VoiceResponse.Builder().hangup(new Hangup.Builder().build()).build()), Callbacks.hangup(), "hangup");
    assertSameXml(xml(new VoiceResponse.Builder().build()), Callbacks.empty(), "empty: put through");
  }

  private static Say say(String callLang, String key, String... args) {
    var en = "en".equals(callLang);
    var text = Callbacks.words(en ? "en" : "vi", key);
    for (int i = 0; i < args.length; i++) {
      text = text.replace("{" + i + "}", args[i]);
    }
    return new Say.Builder(text).language(en ? Say.Language.EN_US : Say.Language.VI_VN).build();
  }

  private static String xml(TwiML t) throws Exception {
    return t.toXml();
  }
}
