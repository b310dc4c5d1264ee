package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.util.Ids;

/**
 * The delivery worker's claim (DeliveryRepository.claim) behind a deep backlog, on both stores: urgent deliveries
 * queued after hundreds of others go first, an agency gets no more than its room, and each of the claim's reads
 * walks {@code ix_deliveries_claim} in its order (no sort of the due backlog), so it costs the same however deep
 * the queue is.
 */
@GatewayTest
class DeliveryClaimTest {
  static final List<String> AGENCIES = List.of("police-investigation", "police-cyber", "child-protection",
      "education", "harmful-content");
  Harness house;
  Store store;
  DeliveryRepository deliveries;
  ReportRepository reports;
  Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @BeforeEach
  void open(Harness house) {
    this.house = house;
    var db = house.db();
    store = Store.open(new GatewayConfig.Db(db.gatewayUrl(), db.user(), "", 4, 2000), null);
    var audit = new AuditLog();
    deliveries = new DeliveryRepository(store, audit);
    reports = new ReportRepository(store, new Sealer(Map.of("k1", new byte[32])), audit);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** {@code count} reports, each with a delivery to every agency, due from {@code from} one millisecond apart. */
  List<String> queue(int count, boolean urgent, Instant from, int base) {
    return store.inTransaction(c -> {
      var ids = new ArrayList<String>();
      var pending = new ArrayList<DeliveryRepository.Pending>();
      for (int i = 0; i < count; i++) {
        var contactId = Ids.uuid7().toString();
        var reference = Integer.toString(base + i);
        Store.update(c, "INSERT INTO contacts (id, channel, provider_ref, reference, started_at, ended_at, outcome)"
            + " VALUES (?, 'voice', ?, ?, ?, ?, 'abandoned')", contactId, "CA" + reference, reference, t0, t0);
        var r = new Report(Ids.uuid7().toString(), reference, contactId, Channel.VOICE, "report", "physical_violence",
            null, "self", "13-15", "01", urgent, Outcome.ABANDONED, null, null, List.of(), null, null,
            List.of("choose-language", "main-menu"), t0, t0);
        reports.insertIfAbsent(c, r);
        for (var a : AGENCIES) {
          var id = DeliveryRepository.newDeliveryId();
          ids.add(id);
          pending.add(new DeliveryRepository.Pending(id, r.id(), a, "test", urgent, from.plusMillis(i)));
        }
      }
      deliveries.insertPending(c, pending);
      return ids;
    });
  }

  @Test
  void urgentDeliveriesQueuedAfterADeepBacklogAreClaimedFirstAndEachAgencyWithinItsRoom() {
    var backlog = queue(100, false, t0.minusSeconds(60), 80_000_000); // 500 due, the oldest
    var urgent = queue(1, true, t0.minusSeconds(1), 81_000_000); // 5 due, queued last

    var first = deliveries.claim(7, Duration.ofMinutes(2), t0, List.of("education"));
    var ids = first.stream().map(DeliveryRepository.Claimed::id).toList();
    var education = AGENCIES.indexOf("education");
    assertEquals(Set.copyOf(without(urgent, urgent.get(education))), Set.copyOf(ids.subList(0, 4)),
        "the urgent ones first, the skipped agency's left");
    assertEquals(without(backlog.subList(0, 5), backlog.get(education)).stream().sorted().limit(3).toList(),
        ids.subList(4, 7), "then the oldest others (the oldest report's, by id)");

    // Room: child protection 1, the police none, the rest unlimited; 20 wanted.
    var second = deliveries.claim(20, Map.of("child-protection", 1, "police-investigation", 0, "police-cyber", 0),
        Duration.ofMinutes(2), t0, List.of());
    var agencies = second.stream().map(DeliveryRepository.Claimed::agencyId).toList();
    assertEquals(20, second.size(), "the claim is not cut short by an agency out of room: " + agencies);
    assertEquals("education", agencies.get(0), "the urgent one skipped before, now first");
    assertEquals(1, agencies.stream().filter("child-protection"::equals).count(), agencies.toString());
    assertFalse(agencies.contains("police-investigation") || agencies.contains("police-cyber"), agencies.toString());
    assertEquals(Set.of("education", "harmful-content", "child-protection"), Set.copyOf(agencies));
    assertTrue(second.stream().noneMatch(d -> first.stream().anyMatch(f -> f.id().equals(d.id()))), "none claimed twice");
  }

  static List<String> without(List<String> ids, String id) {
    return ids.stream().filter(x -> !x.equals(id)).toList();
  }

  @Test
  void eachReadOfTheClaimWalksTheClaimIndexInItsOrderWithoutSortingTheBacklog() {
    queue(100, false, t0.minusSeconds(60), 82_000_000);
    queue(20, true, t0.minusSeconds(30), 83_000_000);
    var plan = store.read(c -> {
      if (house.kind() == TestDatabase.Kind.MARIADB) {
        try (var st = c.createStatement()) {
          st.execute("ANALYZE TABLE deliveries");
        }
      }
      try (var ps = c.prepareStatement("EXPLAIN " + DeliveryRepository.claimQuery(house.kind() == TestDatabase.Kind.H2, 2, 1, 32))) {
        ps.setBoolean(1, false);
        ps.setObject(2, Store.toDb(t0));
        ps.setString(3, "education");
        ps.setString(4, "police-cyber");
        ps.setString(5, "msg_0");
        var out = new StringBuilder();
        try (var rs = ps.executeQuery()) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              out.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
            }
            out.append('\n');
          }
        }
        return out.toString();
      }
    });
    if (house.kind() == TestDatabase.Kind.MARIADB) {
      assertTrue(plan.contains("key=ix_deliveries_claim "), plan);
      assertFalse(plan.toLowerCase().contains("filesort"), plan);
    } else {
      assertTrue(plan.toUpperCase().contains("IX_DELIVERIES_CLAIM"), plan);
      assertTrue(plan.contains("/* index sorted */"), plan);
    }
  }
}
