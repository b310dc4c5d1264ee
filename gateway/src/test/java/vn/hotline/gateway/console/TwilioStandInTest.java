package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.tools.TwilioStandIn;

/**
 * The {@code twilio-stand-in} developer tool against a real gateway, on MariaDB and H2: the gateway's REST base URL
 * points at the stand-in, a danger voicemail (a signed simulated call, safe to call back) makes a callback task, the
 * counsellor presses "Call back" on the console, and the stand-in plays the whole call as Twilio would (signed
 * webhooks: status callbacks, the whisper, the key, the child's leg, the Dial's end) until the task records the
 * attempt. It also serves and deletes recordings, and takes SMS sends.
 */
@GatewayTest
class TwilioStandInTest {
  static final String HOTLINE = "+842873000111";
  static final String ACCOUNT = "AC" + "0123456789abcdef".repeat(2);

  static RunningGateway gw;
  static TestDatabase db;
  static ConsoleFixture accounts;
  static ConsoleHttp http;
  static FakeTwilio twilio;
  static TwilioStandIn standIn;
  static final List<String> printed = new CopyOnWriteArrayList<>();

  @GatewayTest.BeforeStore
  static void start(Harness house) {
    var clock = MutableClock.now();
    db = house.db();
    standIn = TwilioStandIn.start(new TwilioStandIn.Config("127.0.0.1", 0, RunningGateway.TOKEN, null, null, true,
        TwilioStandIn.Child.ANSWERS, Duration.ZERO), printed::add);
    gw = house.start(Map.of("TWILIO_ACCOUNT_SID", ACCOUNT, "GATEWAY_TWILIO_API_BASE_URL", standIn.baseUrl(),
        "GATEWAY_OPERATORS_CALLER_ID", HOTLINE), clock);
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    twilio = gw.twilio();
  }

  @GatewayTest.AfterStore
  static void stop() {
    accounts.close();
    standIn.close();
  }

  @BeforeEach
  void fresh() {
    printed.clear();
  }

  /** A child in danger calls, nobody answers, a callback is safe, they leave a message: its task's id. */
  String dangerVoicemailTask() {
    var call = twilio.call();
    call.record(call.callbackSafe(call.dialEnded(call.dangerNow(), "no-answer")), 30);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    return gw.gateway().followups().taskOfContact(contact).orElseThrow().id();
  }

  /** A counsellor with {@code phone} signs in and presses "Call back" on the task's page, with its CSRF token. */
  void callBack(String taskId, String phone) {
    var who = accounts.active(Role.COUNSELLOR, phone);
    var cookie = http.signIn(who.login(), ConsoleFixture.PASSWORD);
    var page = http.get("/console/tasks/" + taskId + "/callback", cookie);
    assertEquals(200, page.statusCode(), page.body());
    var r = http.post("/console/tasks/" + taskId + "/callback", Map.of("csrf", ConsoleHttp.hidden(page.body(), "csrf")),
        cookie, Map.of());
    assertEquals(200, r.statusCode(), r.body());
  }

  /** Waits for the stand-in to print that the call of the task's last callback ended; what it printed. */
  String playedThrough() {
    Await.until(() -> printed.stream().anyMatch(l -> l.startsWith("call CA") && l.contains(" ended: ")),
        "the stand-in to play the call through: " + printed);
    return String.join("\n", printed);
  }

  @Test
  void theStandInPlaysCallBackThroughToTheChildAndTheTaskIsDone() {
    standIn.phones(true, TwilioStandIn.Child.ANSWERS);
    var task = dangerVoicemailTask();
    callBack(task, "+84903111678");
    var out = playedThrough();
    var callId = (String) db.row("SELECT id FROM followup_calls WHERE task_id = ?", task).get("id");
    var reference = gw.gateway().followups().task(task).orElseThrow().reference();
    assertTrue(out.contains("ringing the counsellor's phone ***678 for task call " + callId), out);
    assertTrue(out.contains("(the counsellor hears) Gọi lại cho mã số " + reference.substring(0, 4) + " "
        + reference.substring(4)), out);
    assertTrue(out.contains("(the counsellor presses 1)"), out);
    assertTrue(out.contains("dialling the child ***" + FakeTwilio.CALLER.substring(FakeTwilio.CALLER.length() - 3)
        + " with caller ID " + HOTLINE), out);
    assertTrue(out.contains("(the counsellor hears) Đã ghi: đã liên lạc được."), out);
    assertFalse(out.contains(FakeTwilio.CALLER.substring(1)), "the stand-in printed the child's number: " + out);
    assertFalse(out.contains("903111678"), "the stand-in printed the counsellor's number: " + out);

    var t = gw.gateway().followups().task(task).orElseThrow();
    assertEquals(Followup.Status.DONE, t.status());
    assertEquals(Followup.Outcome.REACHED, t.outcome());
    assertEquals(List.of(Followup.Result.REACHED),
        gw.gateway().followups().attempts(task).stream().map(a -> a.result()).toList());
    // the final status callback was taken too: the call is over in the gateway's eyes
    assertEquals("ended", db.row("SELECT state FROM followup_calls WHERE id = ?", callId).get("state"));
  }

  @Test
  void aChildWhoDoesNotAnswerIsOneAttemptWithNoAnswerAndTheTaskStaysOpen() {
    standIn.phones(true, TwilioStandIn.Child.NO_ANSWER);
    var task = dangerVoicemailTask();
    callBack(task, "+84903111679");
    var out = playedThrough();
    assertTrue(out.contains("nobody answers the child's phone"), out);
    assertTrue(out.contains("Không ai nghe máy"), out);
    var t = gw.gateway().followups().task(task).orElseThrow();
    assertEquals(Followup.Status.IN_PROGRESS, t.status());
    assertEquals(List.of(Followup.Result.NO_ANSWER),
        gw.gateway().followups().attempts(task).stream().map(a -> a.result()).toList());
    assertEquals("no_answer", db.row("SELECT result FROM followup_calls WHERE task_id = ?", task).get("result"));
  }

  @Test
  void aCounsellorWhoDoesNotAnswerRecordsNothing() {
    standIn.phones(false, TwilioStandIn.Child.ANSWERS);
    var task = dangerVoicemailTask();
    callBack(task, "+84903111680");
    var out = playedThrough();
    assertTrue(out.contains("rings out: no answer"), out);
    assertEquals("counsellor_missed", db.row("SELECT result FROM followup_calls WHERE task_id = ?", task).get("result"));
    assertEquals(List.of(), gw.gateway().followups().attempts(task));
    assertEquals(Followup.Status.OPEN, gw.gateway().followups().task(task).orElseThrow().status());
  }

  static final HttpClient client = HttpClient.newHttpClient();

  static HttpResponse<byte[]> rest(String method, String path, String authorization, String form) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(standIn.baseUrl() + "/2010-04-01/Accounts/" + ACCOUNT + path))
        .method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((ACCOUNT + ":" + RunningGateway.TOKEN)
      .getBytes(StandardCharsets.UTF_8));

  @Test
  void aRecordingIsATonePlayedUntilItIsDeleted() throws Exception {
    var sid = "RE" + FakeTwilio.newCallSid().substring(2);
    assertEquals(401, rest("GET", "/Recordings/" + sid + ".mp3", null, null).statusCode());
    var wrong = "Basic " + Base64.getEncoder().encodeToString((ACCOUNT + ":not-the-token").getBytes(StandardCharsets.UTF_8));
    assertEquals(401, rest("GET", "/Recordings/" + sid + ".mp3", wrong, null).statusCode());

    for (var suffix : List.of(".mp3", ".wav", "")) {
      var audio = rest("GET", "/Recordings/" + sid + suffix, BASIC, null);
      assertEquals(200, audio.statusCode());
      assertTrue(audio.headers().firstValue("Content-Type").orElse("").startsWith("audio/"), audio.headers().toString());
      var wav = audio.body();
      assertArrayEquals("RIFF".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(wav, 4));
      assertEquals("WAVE", new String(wav, 8, 4, StandardCharsets.US_ASCII));
      assertTrue(wav.length > 8000 * 2 * 2, "a few seconds of 8 kHz 16-bit audio: " + wav.length + " bytes");
      var samples = java.nio.ByteBuffer.wrap(wav, 44, wav.length - 44).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      int loud = 0;
      while (samples.remaining() >= 2) {
        loud = Math.max(loud, Math.abs(samples.getShort()));
      }
      assertTrue(loud > 5000, "a tone, not silence: peak " + loud);
    }
    assertEquals(204, rest("DELETE", "/Recordings/" + sid + ".json", BASIC, null).statusCode());
    assertTrue(printed.contains("deleted recording " + sid + " (204)"), printed.toString());
    assertEquals(404, rest("GET", "/Recordings/" + sid + ".mp3", BASIC, null).statusCode());
    assertEquals(404, rest("DELETE", "/Recordings/" + sid, BASIC, null).statusCode());
  }

  @Test
  void anSmsSendIsAnsweredAsTwilioDoesAndPrintedMasked() throws Exception {
    var r = rest("POST", "/Messages.json", BASIC, "To=%2B84912345678&From=%2B84111000111&Body=Xin+chao");
    assertEquals(201, r.statusCode());
    var json = new String(r.body(), StandardCharsets.UTF_8);
    assertTrue(json.matches(".*\"sid\":\"SM[0-9a-f]{32}\".*") && json.contains("\"status\":\"queued\""), json);
    Await.until(() -> printed.stream().anyMatch(l -> l.startsWith("SMS to ***678 from +84111000111: Xin chao")),
        "the SMS printed: " + printed);
    assertFalse(String.join("\n", printed).contains("912345678"), printed.toString());
    assertEquals(401, rest("POST", "/Messages.json", null, "To=%2B84912345678&From=%2B84111000111&Body=x").statusCode());
  }
}
