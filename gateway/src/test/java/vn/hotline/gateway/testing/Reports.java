package vn.hotline.gateway.testing;

import java.util.List;
import java.util.regex.Pattern;

/** Reports made the way callers and texters make them, for tests that need some to exist (retention, audit). */
public final class Reports {
  private Reports() {}

  /** A texted report with {@code story} and a link, from {@code from}; returns its reference. */
  public static String smsReport(RunningGateway gw, String from, String story) {
    var twilio = gw.twilio();
    for (var t : List.of("BAOCAO", "1", "2", "3", "48", story, "XONG", "facebook.com/bachangxom", "1")) {
      twilio.sms(from, t);
    }
    var reply = twilio.sms(from, "1").messageText();
    var m = Pattern.compile("ma so (\\d{8})").matcher(reply);
    if (!m.find()) {
      throw new AssertionError("no reference in the last reply: " + reply);
    }
    return m.group(1);
  }

  /** A report call that ends in a voicemail; returns its reference. */
  public static String voicemailCall(RunningGateway gw, TestDatabase db) {
    var call = gw.twilio().call();
    var t = call.press(call.press(call.press(call.incoming(), "1"), "2"), "2");
    t = call.press(call.press(call.press(t, "1"), "3"), "*");
    t = call.record(call.callbackSafe(call.dialEnded(t, "no-answer")), 40);
    call.status("completed");
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }
}
