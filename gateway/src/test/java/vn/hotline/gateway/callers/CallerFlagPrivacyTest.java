package vn.hotline.gateway.callers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.privacy.Retention;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * What a caller flag keeps, and for how long: its expiry is applied (and audited) by the housekeeping job whether
 * or not the caller calls again; once a flag stopped counting, whose it was (the pseudonym) and why (the sealed
 * reason) go after retention.caller_number_days, its ids and times stay; an erasure of a contact clears and purges
 * at once the flags set from it or on its caller. Flags set from the CLI, calls over signed webhooks, both stores.
 * The housekeeping timer is set to an hour so that only housekeepingNow moves it, on the gateway's clock.
 */
@GatewayTest
class CallerFlagPrivacyTest {
  static final String CALLER_B = "+84987000111";
  static final String CALLER_C = "+84987000222";
  static final String WHY_A = "prank calls, 12 today";
  static final String WHY_B = "silent calls at night";
  static final String WHY_C = "abusive to counsellors";

  Harness house;
  TestDatabase db;
  MutableClock clock;
  RunningGateway gw;
  FakeTwilio twilio;
  Store store;

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    db = house.db();
    clock = MutableClock.now();
    gw = house.start(Map.of("GATEWAY_SESSIONS_HOUSEKEEPING_INTERVAL_MS", "3600000"), clock);
    twilio = gw.twilio();
    store = Store.open(gw.config().db(), null);
    PersonalData.used(CALLER_B, CALLER_C, WHY_A, WHY_B, WHY_C);
  }

  @AfterEach
  void stop() {
    store.close();
  }

  @Test
  void housekeepingAppliesAndAuditsAnExpiryAtAboutItsTimeWithoutACall() {
    var reference = adviceCall(FakeTwilio.CALLER);
    assertEquals(0, cli("flag", "--reference", reference, "--hours", "24", "--reason", WHY_A).exit());
    var flag = (String) db.row("SELECT id FROM caller_flags WHERE reference = ?", reference).get("id");
    int contacts = db.count("contacts");

    clock.advance(Duration.ofHours(23));
    gw.gateway().housekeepingNow();
    assertEquals(0, expiredEvents(), "an hour before its end the flag still counts");
    assertEquals(null, db.row("SELECT expired_at FROM caller_flags WHERE id = ?", flag).get("expired_at"));

    clock.advance(Duration.ofMinutes(61));
    var due = clock.instant();
    gw.gateway().housekeepingNow();

    assertEquals(1, expiredEvents(), "the expiry is audited though the caller never called again");
    var event = db.row("SELECT at, refs, data, actor FROM audit_events WHERE event_type = ?", "caller.flag.expired");
    assertEquals("gateway", event.get("actor"));
    assertTrue(event.get("refs").toString().contains(flag), event.toString());
    assertEquals(due.truncatedTo(ChronoUnit.MILLIS), at(event.get("at")), "at the housekeeping run after the expiry");
    assertEquals(due.truncatedTo(ChronoUnit.MILLIS),
        at(db.row("SELECT expired_at FROM caller_flags WHERE id = ?", flag).get("expired_at")));
    assertEquals(contacts, db.count("contacts"), "no call was needed");

    gw.gateway().housekeepingNow();
    assertTrue(advice(FakeTwilio.CALLER).has("Dial"), "the caller is rung again");
    assertTrue(cli("flags").out().contains("expired"));
    assertEquals(1, expiredEvents(), "the expiry is applied once");
  }

  @Test
  void anEndedFlagLosesItsPseudonymAndReasonAfterTheCallerNumberDaysAndKeepsItsIdsAndTimes() throws Exception {
    var refA = adviceCall(FakeTwilio.CALLER);
    var refB = adviceCall(CALLER_B);
    var refC = adviceCall(CALLER_C);
    assertEquals(0, cli("flag", "--reference", refA, "--hours", "24", "--reason", WHY_A).exit());   // runs out
    assertEquals(0, cli("flag", "--reference", refB, "--hours", "48", "--reason", WHY_B).exit());
    assertEquals(0, cli("unflag", "--reference", refB).exit());                                      // cleared
    assertEquals(0, cli("flag", "--reference", refC, "--hours", "2160", "--reason", WHY_C).exit()); // 90 days
    var retention = new Retention(store, new AuditLog(), gw.config().retention());

    clock.advance(Duration.ofDays(29));
    var early = retention.purge(clock.instant());
    assertEquals(0, early.get("caller_flags"), early.toString());
    for (var ref : List.of(refA, refB, refC)) {
      var row = flag(ref);
      assertTrue(((String) row.get("pseudonym")).startsWith("p1_"), "kept within the period: " + row);
      assertTrue(((String) row.get("reason_sealed")).startsWith("v1."), "kept within the period: " + row);
    }
    assertEquals(1, expiredEvents(), "the purge applied the expiry it found, audited");
    var listed = cli("flags").out();
    assertTrue(listed.contains(WHY_A) && listed.contains(WHY_B) && listed.contains(WHY_C), listed);
    var beforeA = flag(refA);
    var beforeB = flag(refB);
    var beforeC = flag(refC);

    clock.advance(Duration.ofDays(2).plusHours(1)); // A ran out 30 days and an hour ago, B was cleared 31 days ago
    var purged = retention.purge(clock.instant());

    assertEquals(2, purged.get("caller_flags"), purged.toString());
    for (var entry : Map.of(refA, beforeA, refB, beforeB).entrySet()) {
      var after = flag(entry.getKey());
      assertEquals("", after.get("pseudonym"), "whose it was: purged");
      assertEquals("", after.get("reason_sealed"), "why: purged");
      assertEquals(without(entry.getValue()), without(after), "ids, who set it and the times stay for the audit trail");
    }
    assertEquals(beforeC, flag(refC), "a flag that still counts is untouched");
    assertFalse(advice(CALLER_C).has("Dial"), "and still keeps the caller from ringing counsellors");
    assertTrue(advice(FakeTwilio.CALLER).has("Dial"));
    listed = cli("flags").out();
    assertFalse(listed.contains(WHY_A) || listed.contains(WHY_B), listed);
    assertTrue(listed.contains(WHY_C) && listed.contains("(purged)"), listed);
    assertTrue(listed.contains(refA) && listed.contains(refB), "the history stays: " + listed);
    var audit = db.row("SELECT data FROM audit_events WHERE event_type = ? ORDER BY id DESC LIMIT 1", "retention.purged");
    assertTrue(audit.get("data").toString().contains("\"caller_flags\":2"), audit.toString());
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  @Test
  void anErasureClearsAndPurgesTheFlagsSetFromTheContactOrOnItsCallerAudited() throws Exception {
    var first = adviceCall(FakeTwilio.CALLER);
    var second = adviceCall(FakeTwilio.CALLER);
    var other = adviceCall(CALLER_B);
    assertEquals(0, cli("flag", "--reference", first, "--hours", "24", "--reason", WHY_A).exit());
    clock.advance(Duration.ofMinutes(10));
    assertEquals(0, cli("flag", "--reference", second, "--hours", "48", "--reason", WHY_C).exit()); // replaces it
    assertEquals(0, cli("flag", "--reference", other, "--hours", "48", "--reason", WHY_B).exit());
    assertFalse(advice(FakeTwilio.CALLER).has("Dial"), "flagged before the erasure");
    var active = flag(second);
    assertTrue(((String) active.get("pseudonym")).startsWith("p1_"));
    assertTrue(((String) active.get("reason_sealed")).startsWith("v1."));
    var untouched = flag(other);
    int cleared = db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "caller.flag.cleared");

    clock.advance(Duration.ofMinutes(5));
    assertTrue(new Retention(store, new AuditLog(), gw.config().retention()).erase(first, "REQ-2026-31", clock.instant()));

    for (var ref : List.of(first, second)) {
      var row = flag(ref);
      assertEquals("", row.get("pseudonym"), "the flag set from the erased contact and the one on its caller: " + ref);
      assertEquals("", row.get("reason_sealed"));
    }
    var after = flag(second);
    assertEquals("erasure", after.get("cleared_by"), "the flag that counted is cleared by the erasure");
    assertEquals(clock.instant().truncatedTo(ChronoUnit.MILLIS), at(after.get("cleared_at")));
    assertEquals(without(active, "cleared_at", "cleared_by"), without(after, "cleared_at", "cleared_by"));
    assertEquals(cleared + 1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "caller.flag.cleared"));
    var event = db.row("SELECT actor, refs, data FROM audit_events WHERE event_type = ? ORDER BY id DESC LIMIT 1",
        "caller.flag.cleared");
    assertEquals("cli", event.get("actor"));
    assertTrue(event.get("refs").toString().contains((String) active.get("id")), event.toString());
    var erasure = db.row("SELECT refs, data FROM audit_events WHERE event_type = ?", "erasure").toString();
    assertTrue(erasure.contains("\"caller_flags\":2") && erasure.contains("\"caller_flags_cleared\":1"), erasure);
    for (var audited : List.of(event.toString(), erasure)) {
      assertFalse(audited.contains((String) active.get("pseudonym")) || audited.contains("p1_"), "no pseudonym: " + audited);
      assertFalse(audited.contains("abusive") || audited.contains("prank"), "no reason: " + audited);
    }
    assertEquals(untouched, flag(other), "another caller's flag is untouched");
    assertTrue(advice(FakeTwilio.CALLER).has("Dial"), "the erased contact's caller is rung again");
    assertFalse(advice(CALLER_B).has("Dial"), "the other caller is still flagged");
    var listed = cli("flags").out();
    assertTrue(listed.contains("cleared") && listed.contains(WHY_B), listed);
    assertFalse(listed.contains(WHY_A) || listed.contains(WHY_C), listed);
    assertTrue(AuditChain.verify(store.dataSource(), null).intact());
  }

  // --- helpers ------------------------------------------------------------------------------------------

  /** An advice call from {@code from} that reaches the Dial (or the voicemail prompt); returns its reference. */
  String adviceCall(String from) {
    var call = twilio.call();
    var first = call.post("/twilio/voice/incoming", Map.of("CallStatus", "ringing", "From", from));
    call.press(call.press(first, "1"), "3");
    call.status("completed");
    return (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
  }

  /** Another advice call from {@code from}; what it answers after the choice. */
  Twiml advice(String from) {
    var call = twilio.call();
    var first = call.post("/twilio/voice/incoming", Map.of("CallStatus", "ringing", "From", from));
    var t = call.press(call.press(first, "1"), "3");
    call.status("completed");
    return t;
  }

  Map<String, Object> flag(String reference) {
    return db.row("SELECT * FROM caller_flags WHERE reference = ?", reference);
  }

  /** A flag's row without whose it is and why (and without {@code more}): what must stay as it was. */
  static Map<String, Object> without(Map<String, Object> row, String... more) {
    var out = new HashMap<>(row);
    out.remove("pseudonym");
    out.remove("reason_sealed");
    for (var m : more) {
      out.remove(m);
    }
    return out;
  }

  int expiredEvents() {
    return db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "caller.flag.expired");
  }

  /** A DATETIME(3) column as read through JDBC (a LocalDateTime or a Timestamp of UTC wall time). */
  static java.time.Instant at(Object dbTime) {
    assertNotEquals(null, dbTime);
    var local = dbTime instanceof java.sql.Timestamp t ? t.toLocalDateTime() : (LocalDateTime) dbTime;
    return local.toInstant(ZoneOffset.UTC);
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
