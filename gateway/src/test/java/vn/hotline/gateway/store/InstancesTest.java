package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * A gateway that starts takes back at once what instances that are gone were sending (a killed process on this
 * machine, or a heartbeat gone stale), counts the replies the SMSC may already have, and leaves a live
 * instance's claims alone.
 */
@GatewayTest
class InstancesTest {
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  TestDatabase db;
  Store store;
  final AtomicInteger counted = new AtomicInteger();
  Instances instances;

  @BeforeEach
  void open(Harness house) {
    db = house.db();
    store = Store.open(new GatewayConfig.Db(db.gatewayUrl(), db.user(), "", 4, 5000), null);
    store.migrate();
    instances = new Instances(store, Clock.fixed(NOW, java.time.ZoneOffset.UTC), counted::addAndGet);
  }

  @AfterEach
  void close() {
    instances.close();
    store.close();
  }

  @Test
  void repliesOfAKilledProcessAndOfAStaleInstanceAreQueuedAtOnceAndOnlyThoseOnTheWireAreCounted() {
    long deadPid = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 100_000;
    instance("killed", instances.host(), deadPid, NOW.minusSeconds(2)); // heartbeat fresh, but its process is gone
    instance("stale", "another-host", 42, NOW.minus(Duration.ofMinutes(1)));
    instance("alive", "another-host", 42, NOW.minusSeconds(1));
    reply("r-wire", "killed", 1);   // part 1 handed to the SMSC, no submit_sm_resp recorded
    reply("r-idle", "killed", null); // claimed, nothing on the wire yet
    reply("r-stale", "stale", null);
    reply("r-alive", "alive", 1);

    instances.start();

    assertEquals("queued 2026-12-01T10:00", state("r-wire"));
    assertEquals("queued 2026-12-01T10:00", state("r-idle"));
    assertEquals("queued 2026-12-01T10:00", state("r-stale"));
    assertEquals("sending 2026-12-01T10:02", state("r-alive"), "a live instance keeps its claim");
    assertEquals(1, counted.get(), "the one reply that may be on the texter's phone already is counted");
    assertEquals(2, db.count("SELECT COUNT(*) FROM gateway_instances WHERE id IN ('alive', ?)", instances.id()));
    assertEquals(0, db.count("SELECT COUNT(*) FROM gateway_instances WHERE id = ?", "killed"));
  }

  @Test
  void aReplyWhoseSubmitSmRespWasRecordedIsNotCounted() {
    instance("stale", "another-host", 42, NOW.minus(Duration.ofMinutes(1)));
    reply("r-acked", "stale", 1);
    store.inTransaction(c -> Store.update(c, "INSERT INTO sms_outbound_parts (outbound_id, part_seq, message_id, status,"
        + " submitted_at) VALUES ('r-acked', 1, 'm1', 'submitted', ?)", NOW));

    instances.start();

    assertEquals("queued 2026-12-01T10:00", state("r-acked"));
    assertEquals(0, counted.get());
  }

  private void instance(String id, String host, long pid, Instant beat) {
    store.inTransaction(c -> Store.update(c, "INSERT INTO gateway_instances (id, host, pid, started_at, heartbeat_at)"
        + " VALUES (?, ?, ?, ?, ?)", id, host, pid, beat.minusSeconds(60), beat));
  }

  private void reply(String id, String claimedBy, Integer submitting) {
    store.inTransaction(c -> Store.update(c, "INSERT INTO sms_outbound (id, channel, link, destination_pseudonym,"
        + " destination_sealed, body, kind, status, parts, attempts, next_attempt_at, created_at, claimed_by,"
        + " submitting_part) VALUES (?, 'sms-smpp', 'smpp', 'p', 's', 'b', 'reply', 'sending', 1, 1, ?, ?, ?, ?)",
        id, NOW.plus(Duration.ofMinutes(2)), NOW.minusSeconds(5), claimedBy, submitting));
  }

  private String state(String id) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT status, next_attempt_at FROM sms_outbound WHERE id = ?")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          assertTrue(rs.next());
          return rs.getString(1) + " " + Store.fromDb(rs.getObject(2, java.time.LocalDateTime.class)).toString()
              .substring(0, 16);
        }
      }
    });
  }
}
