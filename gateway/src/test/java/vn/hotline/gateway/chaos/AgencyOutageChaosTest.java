package vn.hotline.gateway.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.delivery.DeliveryWorker;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Chaos (issue 14): the police's endpoint is down for a whole simulated day (the gateway's clock is injected and
 * moved to each next due attempt), the child-protection endpoint stays up; then the police come back, and later
 * child protection answers 410 Gone. Counted at the end: every report reached each agency once (one webhook-id per
 * report and agency), no attempt came before its step of the retry schedule, the healthy agency was never held up,
 * and the switched-off agency's reports wait, none lost.
 */
@GatewayTest
class AgencyOutageChaosTest {
  static final String POLICE = "police-investigation";
  static final String CHILD_PROTECTION = "child-protection";

  TestDatabase db;
  RunningGateway gw;
  MutableClock clock = MutableClock.now();
  FakeAgencies fakes;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    fakes = new FakeAgencies(house.dir());
    // The breaker is BreakerTest's; here (at most 1,000 failures in a row) every due delivery is tried: the schedule decides.
    gw = house.start(new HashMap<>(Map.of("GATEWAY_ROUTING_FILE", fakes.routingFile.toString(),
        "GATEWAY_DELIVERY_BREAKER_FAILURES", "1000")), clock);
  }

  @AfterEach
  void stop() {
    fakes.close();
  }

  int pendingDue(String agency) {
    return db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = '" + agency + "' AND status = 'pending'"
        + " AND next_attempt_at <= ?", LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC).toString());
  }

  /** Attempts claimed (counted on the delivery) whose answer is not recorded yet. */
  int inFlight(String agency) {
    return db.count("SELECT (SELECT COALESCE(SUM(attempts), 0) FROM deliveries WHERE agency_id = ?)"
        + " - (SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
        + " WHERE d.agency_id = '" + agency + "')", agency);
  }

  Instant nextDue(String agency) throws Exception {
    try (var c = db.connect(); var ps = c.prepareStatement(
        "SELECT MIN(next_attempt_at) FROM deliveries WHERE agency_id = ? AND status = 'pending'")) {
      ps.setString(1, agency);
      try (var rs = ps.executeQuery()) {
        rs.next();
        var t = rs.getObject(1, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
      }
    }
  }

  /** Moves the clock to the next due police attempt and waits until every attempt due then has its answer. */
  boolean stepTo(Instant limit) throws Exception {
    var next = nextDue(POLICE);
    if (next == null || next.isAfter(limit)) {
      return false;
    }
    var gap = Duration.between(clock.instant(), next);
    if (!gap.isNegative()) {
      clock.advance(gap.plusMillis(1));
    }
    gw.gateway().deliverNow();
    // Answered, not merely claimed: a claim moves next_attempt_at to the lease's end, and the clock must not jump
    // past a lease while its attempt is still on the wire.
    Await.until(() -> pendingDue(POLICE) == 0 && inFlight(POLICE) == 0, "every due police attempt answered",
        Duration.ofSeconds(60));
    return true;
  }

  /** {@code n} danger calls that reach a counsellor; a call the fallback answered (a loaded machine) is made again. */
  static int calls(vn.hotline.gateway.testing.FakeTwilio twilio, int n) {
    int made = 0;
    int fellBack = 0;
    while (made < n) {
      try {
        twilio.dangerCallAnswered();
        made++;
      } catch (AssertionError e) {
        if (++fellBack > n) {
          throw e;
        }
      }
    }
    return fellBack;
  }

  @Test
  void aDayLongOutageIsRetriedOnScheduleThenDeliveredOnceAndA410SwitchesOneAgencyOffAlone() throws Exception {
    long t0 = System.nanoTime();
    int reports = Chaos.texts(12, 100);
    var police = fakes.get(POLICE);
    var childProtection = fakes.get(CHILD_PROTECTION);
    police.always(FakeAgency.Answer.of(503));
    var twilio = gw.twilio();
    int fellBack = calls(twilio, reports);
    Await.until(() -> childProtection.received().size() >= reports, "child protection unaffected by the police outage",
        Duration.ofSeconds(60));
    var down = clock.instant();
    var up = down.plus(Duration.ofHours(24));
    int steps = 0;
    while (stepTo(up)) {
      steps++;
    }
    int failed = police.received().size();
    assertTrue(failed >= reports * 7, failed + " attempts in 24 h for " + reports + " reports: the schedule has 7 by then");
    assertEquals(0, db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ? AND status <> 'pending'", POLICE),
        "nothing given up within the day");

    police.always(FakeAgency.Answer.of(200));
    while (nextDue(POLICE) != null) {
      stepTo(Instant.MAX);
      steps++;
    }
    // What the store holds is the count (a call answered by the fallback under load may still make its report).
    int policeReports = db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?", POLICE);
    assertTrue(policeReports >= reports, policeReports + " police deliveries for " + reports + " reports");
    assertEquals(policeReports, db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ? AND status = 'delivered'", POLICE));
    var ids = police.received().stream().map(r -> r.header("webhook-id")).distinct().count();
    assertEquals(policeReports, ids, "one webhook-id per report, across every retry");
    Await.until(() -> childProtection.received().size() == db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?",
        CHILD_PROTECTION), "child protection has every report", Duration.ofSeconds(30));
    assertEquals(childProtection.received().size(),
        childProtection.received().stream().map(r -> r.header("webhook-id")).distinct().count(),
        "the healthy agency got each report once");

    // No attempt before its step (the schedule less its 10 % jitter), each delivery's attempts in order.
    var early = new ArrayList<String>();
    try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT a.delivery_id, a.attempt, a.started_at"
        + " FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.agency_id = '" + POLICE + "'"
        + " ORDER BY a.delivery_id, a.attempt")) {
      String id = null;
      Instant last = null;
      while (rs.next()) {
        var at = rs.getObject(3, LocalDateTime.class).toInstant(ZoneOffset.UTC);
        int attempt = rs.getInt(2);
        if (rs.getString(1).equals(id) && attempt > 1) {
          var step = DeliveryWorker.SCHEDULE.get(Math.min(attempt - 1, DeliveryWorker.SCHEDULE.size()) - 1);
          if (Duration.between(last, at).compareTo(step.multipliedBy(9).dividedBy(10)) < 0) {
            early.add(id + " attempt " + attempt + " after " + Duration.between(last, at));
          }
        }
        id = rs.getString(1);
        last = at;
      }
    }
    assertTrue(early.isEmpty(), "attempts before their step: " + early);

    // Child protection answers 410: switched off, its new reports wait; the police get theirs at once.
    childProtection.always(FakeAgency.Answer.of(410));
    int more = Math.max(3, reports / 4);
    int cpBefore = db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?", CHILD_PROTECTION);
    fellBack += calls(twilio, more);
    Await.until(() -> police.received().stream().map(r -> r.header("webhook-id")).distinct().count()
            == db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?", POLICE),
        "the police get the new reports while child protection is switched off", Duration.ofSeconds(60));
    Await.until(() -> db.count("SELECT COUNT(*) FROM agency_endpoints WHERE agency_id = ?", CHILD_PROTECTION) == 1,
        "child protection switched off");
    int waiting = db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ? AND status = 'pending'", CHILD_PROTECTION);
    assertTrue(waiting >= more, waiting + " child protection reports waiting after the 410, for " + more + " new calls");
    assertEquals(db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?", CHILD_PROTECTION) - cpBefore, waiting,
        "every report made after the 410 waits, none lost");
    int policeIds = (int) police.received().stream().map(r -> r.header("webhook-id")).distinct().count();
    int policeRows = db.count("SELECT COUNT(*) FROM deliveries WHERE agency_id = ?", POLICE);
    Chaos.row(new Chaos.Row("agency-outage", db.kind.name(), policeRows, policeRows, policeIds,
        Math.max(0, policeRows - policeIds), Math.max(0, policeIds - policeRows), Duration.ofNanos(System.nanoTime() - t0), "police down a simulated"
        + " day: " + steps + " clock steps, " + police.received().size() + " attempts; child protection then 410: "
        + waiting + " of its reports waiting, none lost; " + fellBack + " calls answered by the fallback, made again"));
  }
}
