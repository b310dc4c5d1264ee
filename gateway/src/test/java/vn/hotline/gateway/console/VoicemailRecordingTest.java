package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeTwilioRest;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A voicemail stays at Twilio: the console plays it through the gateway, which fetches it from Twilio's REST API (the
 * stand-in, FakeTwilioRest) with the account's credentials, sends the bytes on and audits who heard it; the page
 * never holds a Twilio URL. When its retention (retention.recording_days) passes, the gateway deletes it at Twilio
 * (the exact DELETE seen there) and the audit chain says so; a DELETE that fails is tried again on the next
 * retention run. On MariaDB and H2.
 */
@GatewayTest
class VoicemailRecordingTest {
  MutableClock clock;
  RunningGateway gw;
  TestDatabase db;
  ConsoleFixture accounts;
  ConsoleHttp http;
  FakeTwilioRest twilio;
  FakeAgency agency;
  static final HttpClient BYTES = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeEach
  void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    twilio = new FakeTwilioRest();
    agency = new FakeAgency();
    gw = house.start(twilio.gatewaySettings(Map.of("GATEWAY_INBOX_URL", agency.url("/inbox"),
        "GATEWAY_INBOX_SECRET", WebhookSignature.newSecret())), clock);
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
  }

  @AfterEach
  void stop() {
    accounts.close();
    twilio.close();
    agency.close();
  }

  record Voicemail(String contactId, String recordingSid, String taskId) {}

  /** A danger call nobody answers; the caller says calling back is safe and leaves a message; its report delivered. */
  Voicemail voicemail() {
    var call = gw.twilio().call();
    call.record(call.callbackSafe(call.dialEnded(call.dangerNow(), "no-answer")), 30);
    call.status("completed");
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    var sid = gw.sealer().open((String) db.row("SELECT recording_sealed FROM reports WHERE contact_id = ?", contact)
        .get("recording_sealed"));
    var task = (String) db.row("SELECT id FROM followup_tasks WHERE contact_id = ?", contact).get("id");
    Await.until(() -> db.count("SELECT COUNT(*) FROM deliveries d JOIN reports r ON r.id = d.report_id"
        + " WHERE r.contact_id = ? AND d.status = 'delivered'", contact) == 1, "the report delivered");
    return new Voicemail(contact, sid, task);
  }

  HttpResponse<byte[]> getBytes(String path, String cookie) throws Exception {
    return BYTES.send(HttpRequest.newBuilder(gw.base.resolve(path)).header("Cookie", cookie).timeout(Duration.ofSeconds(20))
        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  String recordingPath(String sid, String ext) {
    return "/2010-04-01/Accounts/" + FakeTwilioRest.ACCOUNT + "/Recordings/" + sid + ext;
  }

  @Test
  void aCounsellorHearsTheVoicemailThroughTheGatewayFetchedWithTheAccountsCredentialsAndAudited() throws Exception {
    var v = voicemail();
    var lan = accounts.active(Role.COUNSELLOR);
    var cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);

    // the task page and the card carry a player whose source is the gateway, never Twilio, and no RecordingSid
    for (var page : List.of("/console/tasks/" + v.taskId(), "/console/contacts/" + v.contactId())) {
      var html = http.get(page, cookie).body();
      assertTrue(html.contains("<audio controls preload=\"none\" id=\"voicemail-audio\" src=\"/console/recordings/"
          + v.contactId() + "\">"), page + ": " + html);
      assertFalse(html.contains("twilio.com"), page);
      assertFalse(html.contains(v.recordingSid()), page);
    }
    var csp = http.get("/console/tasks/" + v.taskId(), cookie).headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.contains("media-src 'self'"), csp);
    assertEquals(0, accounts.audit("recording.played").size(), "nothing fetched before play");
    assertTrue(twilio.requests().isEmpty(), twilio.requests().toString());

    var audio = getBytes("/console/recordings/" + v.contactId(), cookie);
    assertEquals(200, audio.statusCode());
    assertEquals("audio/mpeg", audio.headers().firstValue("Content-Type").orElseThrow());
    assertArrayEquals(FakeTwilioRest.AUDIO, audio.body());
    assertEquals(List.of(new FakeTwilioRest.Request("GET", recordingPath(v.recordingSid(), ".mp3"),
        FakeTwilioRest.expectedAuthorization())), twilio.requests(), "one GET of the MP3, with HTTP Basic");

    var played = accounts.audit("recording.played");
    assertEquals(1, played.size());
    assertEquals("operator:" + lan.id(), played.getFirst().get("actor"));
    assertTrue(played.getFirst().get("refs").contains(v.contactId()), played.toString());
    var audit = accounts.allAuditText();
    assertFalse(audit.contains(v.recordingSid()) || audit.contains("twilio.com") || audit.contains("/Recordings/"),
        "no RecordingSid and no URL in the audit chain");

    // an admin-only account cannot; nor a request without a session; a contact without a voicemail is 404
    var admin = http.signIn(accounts.active(Role.ADMIN).login(), ConsoleFixture.PASSWORD);
    assertEquals(403, getBytes("/console/recordings/" + v.contactId(), admin).statusCode());
    assertEquals(303, getBytes("/console/recordings/" + v.contactId(), "x=y").statusCode());
    assertEquals(404, getBytes("/console/recordings/0190a000-0000-7000-8000-000000000000", cookie).statusCode());
    assertEquals(1, twilio.requests().size(), "none of these reached Twilio");
  }

  @Test
  void whenItsRetentionPassesTheRecordingIsDeletedAtTwilioAFailureIsTriedAgainAndTheChainRecordsIt() throws Exception {
    var v = voicemail();
    var lan = accounts.active(Role.COUNSELLOR);
    var cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    twilio.failDeletes(1, 503);
    int before = twilio.requests().size();

    clock.advance(Duration.ofDays(gw.config().retention().recordingDays() + 1));
    gw.gateway().housekeepingNow(); // the retention run: the reference cleared, the DELETE tried, Twilio fails
    Await.until(() -> accounts.audit("recording.delete_failed").stream().anyMatch(e -> e.get("refs").contains(v.contactId())),
        "the failed DELETE recorded");
    assertNull(db.row("SELECT recording_sealed FROM reports WHERE contact_id = ?", v.contactId()).get("recording_sealed"));
    assertFalse(twilio.deletedRecordings().contains(v.recordingSid()));
    assertEquals(1, db.count("SELECT COUNT(*) FROM recording_deletions WHERE contact_id = ? AND deleted_at IS NULL",
        v.contactId()), "still owed");
    cookie = http.signIn(lan.login(), ConsoleFixture.PASSWORD); // months later: a new session
    assertEquals(404, getBytes("/console/recordings/" + v.contactId(), cookie).statusCode(), "nothing to play any more");

    clock.advance(Duration.ofDays(1).plusMinutes(1));
    gw.gateway().housekeepingNow(); // the next retention run tries again
    Await.until(() -> twilio.deletedRecordings().contains(v.recordingSid()), "deleted at Twilio");
    var deletes = twilio.requests().subList(before, twilio.requests().size()).stream()
        .filter(r -> r.method().equals("DELETE")).toList();
    var expected = new FakeTwilioRest.Request("DELETE", recordingPath(v.recordingSid(), ".json"),
        FakeTwilioRest.expectedAuthorization());
    assertEquals(List.of(expected, expected), deletes, "the exact DELETE, twice: the failure, then the retry");
    Await.until(() -> accounts.audit("recording.deleted").stream().anyMatch(e -> e.get("refs").contains(v.contactId())),
        "the deletion recorded");
    var deleted = accounts.audit("recording.deleted").stream().filter(e -> e.get("refs").contains(v.contactId())).toList();
    assertEquals(1, deleted.size());
    assertTrue(deleted.getFirst().get("data").contains("\"status\":204") && deleted.getFirst().get("data").contains(
        "\"reason\":\"retention\""), deleted.toString());
    assertNull(db.row("SELECT recording_sealed FROM recording_deletions WHERE contact_id = ?", v.contactId())
        .get("recording_sealed"), "the RecordingSid goes once it is deleted");
    assertFalse(accounts.allAuditText().contains(v.recordingSid()));

    // done once: later runs ask Twilio nothing more about it
    int after = twilio.requests().size();
    clock.advance(Duration.ofDays(2));
    gw.gateway().housekeepingNow();
    assertEquals(after, twilio.requests().size());
    try (var store = vn.hotline.gateway.store.Store.open(gw.config().db(), null)) {
      var chain = AuditChain.verify(store.dataSource(), null);
      assertTrue(chain.intact(), "audit verify: " + chain.problem());
    }
  }
}
