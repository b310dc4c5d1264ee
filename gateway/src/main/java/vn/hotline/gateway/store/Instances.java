package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.OutboundStatus;

/**
 * The running gateways sharing a store, each with a heartbeat row (gateway_instances), and the claims they hold
 * (deliveries and SMS replies carry the id of the instance sending them). A starting instance takes back at once
 * the claims of the instances it knows are gone (same machine, process no longer running), and every instance
 * takes back those of an instance whose heartbeat went stale; the claim lease stays as the last resort.
 * See docs/reliability.md.
 */
public final class Instances implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Instances.class);
  /** How often an instance renews its heartbeat. */
  static final Duration BEAT = Duration.ofSeconds(3);
  /** A heartbeat this old belongs to an instance that is gone (or cut off from the store: its claims go anyway). */
  static final Duration STALE = Duration.ofSeconds(15);

  /** What was taken back from instances that are gone. */
  public record TakenBack(int instances, int replies, int repliesPossiblyOnTheWire, int deliveries) {}

  private final Store store;
  private final Clock clock;
  private final IntConsumer possiblyDuplicated;
  private final String host;
  private final long pid = ProcessHandle.current().pid();
  private final Instant processStarted =
      ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH);
  private volatile ScheduledExecutorService beats;

  /** @param possiblyDuplicated told how many replies taken back may already have reached the SMSC */
  public Instances(Store store, Clock clock, IntConsumer possiblyDuplicated) {
    this.store = store;
    this.clock = clock;
    this.possiblyDuplicated = possiblyDuplicated;
    this.host = hostName();
  }

  String host() {
    return host;
  }

  public String id() {
    return store.instanceId();
  }

  /**
   * Registers this instance, takes back what gone instances held and starts the heartbeat. Blocks on the store;
   * call it once the schema is current. A second call does nothing.
   */
  public synchronized void start() {
    if (beats != null) {
      return;
    }
    var now = clock.instant();
    store.inTransaction(c -> Store.update(c, "INSERT INTO gateway_instances (id, host, pid, started_at, heartbeat_at)"
        + " VALUES (?, ?, ?, ?, ?)", id(), host, pid, now, now));
    takeBack();
    beats = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("instance-heartbeat").daemon()
        .unstarted(r));
    beats.scheduleWithFixedDelay(this::beat, BEAT.toMillis(), BEAT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void beat() {
    try {
      var now = clock.instant();
      int n = store.inTransaction(c -> Store.update(c, "UPDATE gateway_instances SET heartbeat_at = ? WHERE id = ?",
          now, id()));
      if (n == 0) { // taken for gone by another instance (cut off too long): back in the list
        store.inTransaction(c -> Store.update(c, "INSERT INTO gateway_instances (id, host, pid, started_at,"
            + " heartbeat_at) VALUES (?, ?, ?, ?, ?)", id(), host, pid, now, now));
      }
      takeBack();
      failing = false;
    } catch (RuntimeException e) {
      // Once per run of failures, and not for an outage, which the store logs itself once when it starts and ends.
      boolean unavailable = e instanceof StoreException se && se.isUnavailable();
      if (!failing && !unavailable) {
        log.atWarn().addKeyValue("error", e.toString()).log("instance heartbeat failed");
      }
      failing = true;
    }
  }

  /** Whether the last heartbeat failed (so the next failure is not logged again). */
  private volatile boolean failing;

  /**
   * Takes back the claims of every instance that is gone: its replies queued again at once (counted when a part
   * was on its way to the SMSC), its deliveries due at once (same webhook-id). Safe to run on several instances
   * at the same time: whoever removes a gone instance's row takes back its claims.
   */
  public TakenBack takeBack() {
    var now = clock.instant();
    var taken = store.inTransaction(c -> {
      var gone = gone(c, now);
      int instances = 0;
      int replies = 0;
      int onTheWire = 0;
      int deliveries = 0;
      for (var g : gone) {
        if (Store.update(c, "DELETE FROM gateway_instances WHERE id = ?", g) == 0) {
          continue; // another instance took it back first
        }
        instances++;
        onTheWire += count(c, "SELECT COUNT(*) FROM sms_outbound o WHERE o.claimed_by = ? AND o.status = "
            + OutboundStatus.SENDING.sql() + " AND o.submitting_part IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
            + " sms_outbound_parts p WHERE p.outbound_id = o.id AND p.part_seq = o.submitting_part)", g);
        replies += Store.update(c, "UPDATE sms_outbound SET status = " + OutboundStatus.QUEUED.sql()
            + ", next_attempt_at = ?, claimed_by = NULL, submitting_part = NULL WHERE claimed_by = ? AND status = "
            + OutboundStatus.SENDING.sql(), now, g);
        Store.update(c, "UPDATE sms_outbound SET claimed_by = NULL WHERE claimed_by = ?", g);
        deliveries += Store.update(c, "UPDATE deliveries SET next_attempt_at = ?, claimed_by = NULL"
            + " WHERE claimed_by = ? AND status = 'pending'", now, g);
        Store.update(c, "UPDATE deliveries SET claimed_by = NULL WHERE claimed_by = ?", g);
      }
      return new TakenBack(instances, replies, onTheWire, deliveries);
    });
    if (taken.instances() > 0) {
      log.atInfo().addKeyValue("instances", taken.instances()).addKeyValue("replies", taken.replies())
          .addKeyValue("repliesPossiblyOnTheWire", taken.repliesPossiblyOnTheWire())
          .addKeyValue("deliveries", taken.deliveries())
          .log("took back the claims of {} instance(s) that are gone: {} SMS reply(ies) ({} perhaps already at the"
              + " SMSC, sent again and counted), {} delivery(ies)", taken.instances(), taken.replies(),
              taken.repliesPossiblyOnTheWire(), taken.deliveries());
    }
    if (taken.repliesPossiblyOnTheWire() > 0) {
      possiblyDuplicated.accept(taken.repliesPossiblyOnTheWire());
    }
    return taken;
  }

  /**
   * Instances that are gone: a stale heartbeat, or on this machine a process that no longer runs (or one with
   * our pid that registered before this process started: a container restarted with the same pid).
   */
  private List<String> gone(Connection c, Instant now) throws SQLException {
    var out = new ArrayList<String>();
    try (var ps = c.prepareStatement("SELECT id, host, pid, heartbeat_at, started_at FROM gateway_instances WHERE id <> ?")) {
      ps.setString(1, id());
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var beat = Store.fromDb(rs.getObject(4, LocalDateTime.class));
          var started = Store.fromDb(rs.getObject(5, LocalDateTime.class));
          long otherPid = rs.getLong(3);
          boolean here = host.equals(rs.getString(2));
          boolean dead = beat.isBefore(now.minus(STALE))
              || here && otherPid != pid && ProcessHandle.of(otherPid).map(p -> !p.isAlive()).orElse(true)
              || here && otherPid == pid && started.isBefore(processStarted);
          if (dead) {
            out.add(rs.getString(1));
          }
        }
      }
    }
    return out;
  }

  /** Stops the heartbeat and leaves the list; what this instance still holds is taken back by the next one. */
  @Override
  public synchronized void close() {
    var b = beats;
    if (b == null) {
      return;
    }
    beats = null;
    b.shutdownNow();
    try {
      var now = clock.instant();
      store.inTransaction(c -> {
        Store.update(c, "UPDATE sms_outbound SET status = " + OutboundStatus.QUEUED.sql() + ", next_attempt_at = ?,"
            + " claimed_by = NULL WHERE claimed_by = ? AND status = " + OutboundStatus.SENDING.sql()
            + " AND submitting_part IS NULL", now, id());
        Store.update(c, "UPDATE deliveries SET next_attempt_at = ?, claimed_by = NULL WHERE claimed_by = ?"
            + " AND status = 'pending'", now, id());
        // a reply with a part on the wire keeps its claim: its heartbeat row goes, so the next instance counts it
        return Store.update(c, "DELETE FROM gateway_instances WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sms_outbound"
            + " WHERE claimed_by = ?)", id(), id());
      });
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("error", e.toString()).log("could not leave the list of instances; the next start"
          + " takes back what this one held");
    }
  }

  private static int count(Connection c, String sql, String arg) throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
