package vn.hotline.gateway.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayProcess;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Two gateway processes on one MariaDB, both taking calls and both delivering to a slow agency; one is killed
 * with SIGKILL while its deliveries are on the wire. The other takes back what the dead one held at its next
 * heartbeat (no lease waited for), finishes every delivery, each report reaches the agency under one webhook-id
 * (a request the dead one had on the wire may come again under the same id: at least once, counted against what
 * was taken back), calls keep being answered by the survivor, and the audit chain both wrote still verifies.
 */
class TwoInstancesChaosIT {
  private static final int CALLS = Chaos.texts(30, 300); // reports, half through each instance
  private static final String TOKEN = "test-auth-token-0123456789abcdef";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path work;
  private TestDatabase mariadb;
  private FakeAgency agency;
  private GatewayProcess a;
  private GatewayProcess b;

  @AfterEach
  void stop() throws Exception {
    Chaos.closeAll(a, b, agency, mariadb);
  }

  @Test
  void oneKilledMidDeliveryTheOtherFinishesNoneLostNoneUnderTwoIdsChainVerifies() throws Exception {
    long t0 = System.nanoTime();
    mariadb = TestDatabase.create(TestDatabase.Kind.MARIADB, work);
    agency = new FakeAgency();
    agency.always(new FakeAgency.Answer(200, null, Duration.ofSeconds(1), null)); // deliveries in flight at the kill
    var env = new HashMap<String, String>();
    env.put("TWILIO_AUTH_TOKEN", TOKEN);
    env.put("GATEWAY_FALLBACK_NUMBER", "+842437911111");
    env.put("GATEWAY_OPERATORS_NUMBERS", "+842400000001,+842400000002");
    env.put("GATEWAY_LIMITS_CALLS_PER_MINUTE", "10000");
    env.put("GATEWAY_INBOX_URL", agency.url("/reports"));
    env.put("GATEWAY_INBOX_SECRET", WebhookSignature.newSecret());
    env.put("GATEWAY_DB_URL", mariadb.gatewayUrl());
    env.put("GATEWAY_DB_USER", mariadb.user());
    // One data directory: both read the same sealing key, as two instances of one deployment do.
    a = new GatewayProcess(work, "a", env);
    b = new GatewayProcess(work, "b", env);
    a.start();
    a.awaitReady(Duration.ofSeconds(90)); // migrates
    b.start();
    b.awaitReady(Duration.ofSeconds(90));

    var viaA = new FakeTwilio(a.url(), TOKEN);
    var viaB = new FakeTwilio(b.url(), TOKEN);
    int calls = 0;
    for (int i = 0; i < CALLS; i++) {
      (i % 2 == 0 ? viaA : viaB).dangerCallAnswered();
      calls++;
    }
    // Kill one at once, while both are delivering (each delivery takes the agency a second).
    int atKill = agency.received().size();
    int undeliveredAtKill = mariadb.count("deliveries WHERE status <> 'delivered'");
    a.kill();
    var killedAt = java.time.Instant.now();
    // The survivor goes on answering calls.
    for (int i = 0; i < CALLS / 3; i++) {
      viaB.dangerCallAnswered();
      calls++;
    }
    long killed = System.nanoTime();
    int reports = calls;
    Await.until(() -> ids() == reports && mariadb.count("deliveries WHERE status <> 'delivered'") == 0,
        () -> "every report reached the agency: " + ids() + " of " + reports, Duration.ofSeconds(60 + reports / 2));
    var waited = Duration.ofNanos(System.nanoTime() - killed);
    int requests = agency.received().size();
    int deliveryRows = mariadb.count("deliveries");
    int pending = mariadb.count("deliveries WHERE status <> 'delivered'");
    int contacts = mariadb.count("contacts");
    int takenBack = takenBackDeliveries(String.join("\n", b.logs()));
    var takeover = takeoverAt(String.join("\n", b.logs()));
    var verify = b.run(Duration.ofSeconds(60), "audit", "verify");

    Chaos.row(new Chaos.Row("two-instances-one-killed", "MARIADB", calls, contacts, ids(), reports - ids(),
        deliveryRows - reports, Duration.ofNanos(System.nanoTime() - t0), "killed with " + atKill + " requests at the"
        + " agency and " + undeliveredAtKill + " deliveries to make; the survivor took back " + takenBack + ", "
        + (requests - reports) + " sent again under the same webhook-id, taken back "
        + (takeover == null ? "never" : Duration.between(killedAt, takeover).toMillis() + " ms") + " after the kill, all delivered " + waited.toSeconds()
        + " s after the kill; audit verify exit " + verify.exit()));

    assertTrue(undeliveredAtKill > 0, "the kill came while deliveries were still to be made");
    assertEquals(calls, contacts, "every call stored");
    assertEquals(reports, ids(), "every report reached the agency");
    assertEquals(reports, deliveryRows, "one delivery (one webhook-id) per report, none doubled");
    assertEquals(0, pending, "nothing left to deliver");
    assertTrue(requests - reports <= takenBack, "a report sent twice (" + (requests - reports) + ") only when the"
        + " dead instance had it on the wire and it was taken back (" + takenBack + ")");
    // Taken back at the survivor's next heartbeat after the kill, not when the 2-minute lease ran out.
    assertTrue(takeover != null, "the survivor took back the dead one's claims");
    assertTrue(Duration.between(killedAt, takeover).compareTo(Duration.ofSeconds(20)) < 0,
        "taken back " + Duration.between(killedAt, takeover) + " after the kill, not after the lease");
    assertEquals(0, verify.exit(), verify.output());
    assertTrue(verify.output().contains("audit chain intact"), verify.output());
  }

  private int ids() {
    var ids = new java.util.HashSet<String>();
    agency.received().forEach(r -> ids.add(r.header("webhook-id")));
    return ids.size();
  }

  /** When the survivor logged its takeover of a dead instance's claims (its text log's time), or null. */
  private static java.time.Instant takeoverAt(String log) {
    for (var line : log.split("\n")) {
      if (line.contains("took back the claims")) {
        return java.time.Instant.parse(line.substring(0, line.indexOf(' ')));
      }
    }
    return null;
  }

  private static final Pattern TAKEN_BACK = Pattern.compile(", (\\d+) delivery\\(ies\\)");

  /** The deliveries the survivor says it took back from the dead instance (its log's takeover events). */
  private static int takenBackDeliveries(String log) {
    int n = 0;
    for (var line : log.split("\n")) {
      if (line.contains("took back the claims")) {
        var m = TAKEN_BACK.matcher(line);
        if (m.find()) {
          n += Integer.parseInt(m.group(1));
        }
      }
    }
    return n;
  }
}
