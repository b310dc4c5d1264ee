package vn.hotline.gateway.callers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * A caller flagged from the CLI (`caller flag --reference ...`): their next calls hear a short message, go through
 * the menu, and ring no counsellor, except the danger choice; the flag expires on the gateway's clock, can be
 * cleared, is audited each way, and never touches SMS. Real signed webhooks, both stores.
 */
@GatewayTest
class CallerFlagsTest {
  static final String FLAGGED_VI = "Cuộc gọi này được ghi nhận.";
  static final String FLAGGED_EN = "This call is noted.";

  Harness house;
  TestDatabase db;
  MutableClock clock;
  RunningGateway gw;
  FakeTwilio twilio;

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    db = house.db();
    clock = MutableClock.now();
    gw = house.start(Map.of(), clock);
    twilio = gw.twilio();
  }

  @Test
  void aFlaggedCallerHearsTheMessageAndReachesVoicemailWithoutADialButDangerStillRings() throws SQLException {
    var reference = adviceCall();
    var flagged = cli("flag", "--reference", reference, "--hours", "24", "--reason", "prank calls, 12 today");
    assertEquals(0, flagged.exit(), flagged.err());
    assertTrue(flagged.out().contains("flagged the caller of reference " + reference), flagged.out());

    // advice: the message first (both languages), the menu as usual, then the voicemail path and no Dial
    var advice = twilio.call();
    var first = advice.incoming();
    assertTrue(first.heard().get(0).startsWith(FLAGGED_VI), first.heardText());
    assertTrue(first.heard().get(1).startsWith(FLAGGED_EN), first.heardText());
    assertTrue(first.heardText().contains("Để nghe tiếng Việt, bấm phím 1"), "then the language menu: " + first.heardText());
    var afterAdvice = advice.press(advice.press(first, "1"), "3");
    assertFalse(afterAdvice.has("Dial"), afterAdvice.body());
    assertTrue(advice.callbackSafe(afterAdvice).has("Record"), afterAdvice.body());
    assertTrue(events(advice.sid).containsAll(List.of("choose-language:caller-flagged", "advice-handoff:caller-flagged",
        "advice-voicemail:enter")), events(advice.sid).toString());

    // a report: every question, the reference, then the voicemail path and no Dial
    var report = twilio.call();
    var t = report.press(report.press(report.incoming(), "1"), "2");
    t = report.press(report.press(report.press(t, "1"), "1"), "1");
    var afterReport = report.press(t, "*");
    assertFalse(afterReport.has("Dial"), afterReport.body());
    assertTrue(report.callbackSafe(afterReport).has("Record"), afterReport.body());

    // immediate danger reaches a person whoever calls
    var danger = twilio.call();
    var afterDanger = danger.dangerNow();
    assertTrue(afterDanger.has("Dial"), afterDanger.body());
    assertEquals(List.of(RunningGateway.OPERATOR_1, RunningGateway.OPERATOR_2), afterDanger.dialled());
    assertEquals(2, afterDanger.whisperUrls().size());

    // another caller is not concerned
    var other = twilio.call();
    var otherFirst = other.post("/twilio/voice/incoming", Map.of("From", "+84987000111"));
    assertFalse(otherFirst.heardText().contains(FLAGGED_VI), otherFirst.heardText());
  }

  @Test
  void theFlagExpiresOnTheGatewaysClockAndTheCallerIsRungAgain() {
    var reference = adviceCall();
    assertEquals(0, cli("flag", "--reference", reference, "--hours", "24", "--reason", "abusive").exit());
    assertFalse(advice().has("Dial"), "flagged: no Dial");

    clock.advance(Duration.ofHours(23));
    assertFalse(advice().has("Dial"), "still flagged an hour before the end");
    clock.advance(Duration.ofHours(2));

    var call = twilio.call();
    var first = call.incoming();
    assertFalse(first.heardText().contains(FLAGGED_VI), "no message once expired: " + first.heardText());
    var handoff = call.press(call.press(first, "1"), "3");
    assertTrue(handoff.has("Dial"), handoff.body());
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "caller.flag.expired"));
    assertTrue(advice().has("Dial"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "caller.flag.expired"),
        "the expiry is applied once");
    var list = cli("flags");
    assertTrue(list.out().contains("expired"), list.out());
  }

  @Test
  void unflagRingsCounsellorsAgainAtOnceAndTheListShowsNoNumber() throws SQLException {
    var reference = adviceCall();
    assertEquals(0, cli("flag", "--reference", reference, "--hours", "48", "--reason", "silent calls at night").exit());
    assertFalse(advice().has("Dial"));

    var unflag = cli("unflag", "--reference", reference);
    assertEquals(0, unflag.exit(), unflag.err());
    assertTrue(advice().has("Dial"), "cleared: rung again");
    var again = cli("unflag", "--reference", reference);
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("has no active flag"), again.err());

    var list = cli("flags");
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().contains("cleared") && list.out().contains(reference), list.out());
    assertTrue(list.out().contains("silent calls at night"), "the reason, opened for the operator: " + list.out());
    assertFalse(list.out().contains(FakeTwilio.CALLER.substring(3)), "never a number: " + list.out());
    var pseudonym = (String) db.row("SELECT pseudonym FROM caller_flags WHERE reference = ?", reference).get("pseudonym");
    assertFalse(list.out().contains(pseudonym), "nor the pseudonym: " + list.out());
    var sealed = (String) db.row("SELECT reason_sealed FROM caller_flags WHERE reference = ?", reference).get("reason_sealed");
    assertFalse(sealed.contains("silent"), "the reason is sealed at rest");
    for (var type : List.of("caller.flag.set", "caller.flag.cleared")) {
      var event = db.row("SELECT actor, refs, data FROM audit_events WHERE event_type = ?", type);
      assertEquals("cli", event.get("actor"));
      assertFalse(event.toString().contains(pseudonym) || event.toString().contains("silent"), event.toString());
    }
  }

  @Test
  void smsFromAFlaggedCallerIsAnsweredAsAnyoneElses() {
    var reference = adviceCall();
    assertEquals(0, cli("flag", "--reference", reference, "--hours", "24", "--reason", "prank").exit());

    var flaggedReply = twilio.sms(FakeTwilio.CALLER, "báo cáo");
    var otherReply = twilio.sms("+84987000222", "báo cáo");

    assertEquals(200, flaggedReply.status());
    assertFalse(flaggedReply.messageText().isEmpty());
    assertEquals(otherReply.messageText(), flaggedReply.messageText());
    assertTrue(twilio.sms(FakeTwilio.CALLER, "4").messageText().contains("chinh ban"), "the report goes on");
    var flaggedPseudonym = db.row("SELECT pseudonym FROM caller_flags WHERE reference = ?", reference).get("pseudonym");
    assertEquals(1, db.count("SELECT COUNT(*) FROM contacts WHERE channel = 'sms-twilio' AND caller_pseudonym = ?",
        (String) flaggedPseudonym), "the SMS came from the flagged caller");
  }

  @Test
  void theCliRefusesWhatItCannotDoInWords() {
    var noSuch = cli("flag", "--reference", "99999999", "--hours", "24", "--reason", "x");
    assertEquals(2, noSuch.exit());
    assertTrue(noSuch.err().contains("no contact has reference 99999999"), noSuch.err());
    var reference = adviceCall();
    var tooLong = cli("flag", "--reference", reference, "--hours", "5000", "--reason", "x");
    assertEquals(2, tooLong.exit());
    assertTrue(tooLong.err().contains("--hours is 1 to 2160"), tooLong.err());
    var blank = cli("flag", "--reference", reference, "--hours", "1", "--reason", "  ");
    assertEquals(2, blank.exit());
    assertTrue(blank.err().contains("give a reason"), blank.err());
    assertEquals(0, db.count("caller_flags"));
  }

  // --- helpers ------------------------------------------------------------------------------------------

  /** An advice call from FakeTwilio.CALLER to the Dial (or the voicemail prompt); returns its reference. */
  String adviceCall() {
    var call = twilio.call();
    call.press(call.press(call.incoming(), "1"), "3");
    call.status("completed");
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }

  /** Another advice call from the same caller; what it answers after the choice. */
  Twiml advice() {
    var call = twilio.call();
    var t = call.press(call.press(call.incoming(), "1"), "3");
    call.status("completed");
    return t;
  }

  List<String> events(String callSid) throws SQLException {
    try (var c = db.connect(); var ps = c.prepareStatement("SELECT st.node_id, st.event FROM flow_steps st"
        + " JOIN flow_sessions s ON s.id = st.session_id JOIN contacts c ON c.id = s.contact_id"
        + " WHERE c.provider_ref = ? ORDER BY st.id")) {
      ps.setString(1, callSid);
      var out = new ArrayList<String>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + ":" + rs.getString(2));
        }
      }
      return out;
    }
  }

  record Run(int exit, String out, String err) {}

  /** `hotline-gateway caller ARGS` on this store and data dir (its keys), at the gateway's time. */
  Run cli(String... args) {
    var cl = new CommandLine(new CallerCommand());
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var outPrinter = new PrintStream(out, true, StandardCharsets.UTF_8);
    var errPrinter = new PrintStream(err, true, StandardCharsets.UTF_8);
    var command = (CallerCommand.WithFlags) cl.getSubcommands().get(args[0]).getCommandSpec().userObject();
    command.env = Map.of("GATEWAY_DB_URL", db.gatewayUrl(), "GATEWAY_DB_USER", db.user(),
        "GATEWAY_DATA_DIR", house.dir().resolve("data").toString(), "TWILIO_AUTH_TOKEN", RunningGateway.TOKEN);
    command.out = outPrinter;
    command.err = errPrinter;
    command.clock = clock;
    cl.setErr(new PrintWriter(errPrinter, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
