package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.audit.AuditLinker;

/**
 * The periodic jobs, each on its own timer that is armed again only when its run has finished (so runs of one job
 * never overlap), on pools of their own: a slow Twilio REST call or a long purge never holds a webhook's worker.
 * Every job waits while the store is not ready.
 */
final class HousekeepingVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HousekeepingVerticle.class);

  /**
   * One periodic job; {@code rest} puts it on the pool for calls to Twilio's REST API. Its lock keeps a run asked
   * for by hand ({@link #runAllNow}) from overlapping a run its timer started: the one asked for waits for it.
   */
  private record Job(String name, boolean rest, Runnable work, ReentrantLock lock) {
    Job(String name, boolean rest, Runnable work) {
      this(name, rest, work, new ReentrantLock());
    }
  }

  private static final long LINK_INTERVAL_MS = 100;

  private final Parts p;
  private final List<Job> jobs = new ArrayList<>();
  private WorkerExecutor housekeeping;
  private WorkerExecutor rest;
  /** The audit linker's own thread: linking never waits behind a purge, and a webhook never waits for it. */
  private WorkerExecutor chain;
  private Job linker;
  private volatile boolean stopped;

  HousekeepingVerticle(Parts p) {
    this.p = p;
    var staleAfter = Duration.ofSeconds(p.cfg.sessions().staleAfterSeconds());
    var concatTimeout = Duration.ofSeconds(p.cfg.sms().concatTimeoutSeconds());
    jobs.add(new Job("stale calls", false, () -> {
      int swept = p.calls.sweepStale(staleAfter);
      if (swept > 0) {
        log.info("closed {} call session(s) whose end was never reported", swept);
      }
    }));
    jobs.add(new Job("active calls gauge", false, () -> p.metrics.activeCalls(p.calls.activeCalls())));
    jobs.add(new Job("overdue sms parts", false, () -> {
      int overdue = p.sms.assembleOverdue(p.clock.instant(), concatTimeout);
      if (overdue > 0) {
        log.info("{} long SMS assembled without parts that never came", overdue);
      }
    }));
    jobs.add(new Job("sms conversations", false, p.conversations::sweep));
    jobs.add(new Job("caller flag expiry", false, () -> {
      int expired = p.callerFlags.applyDueExpiries();
      if (expired > 0) {
        log.info("{} caller flag(s) expired", expired);
      }
    }));
    jobs.add(new Job("retention", false,
        () -> p.retention.purgeIfDue(p.clock.instant()).ifPresent(counts -> log.info("retention purge: {}", counts))));
    jobs.add(new Job("overdue reviews", false, () -> {
      int released = p.casework.releaseOverdue();
      if (released > 0) {
        log.info("{} delivery(ies) held for a counsellor sent as not reviewed: their review time is up", released);
      }
    }));
    jobs.add(new Job("console sessions", false, () -> {
      int forgotten = p.consoleSessions.forgetOld();
      if (forgotten > 0) {
        log.info("{} console session(s) past their absolute timeout forgotten", forgotten);
      }
    }));
    jobs.add(new Job("twilio sms", true, p.twilioSms::sendDue));
    linker = new Job("audit chain", false, () -> {
      try {
        AuditLinker.linkPending(p.store.dataSource());
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    jobs.add(linker); // by hand (runAllNow) too; its timer is its own
    // After the retention purge: the voicemails whose reference it cleared are deleted at Twilio (a failure: next run).
    jobs.add(new Job("twilio recordings", true, p.recordingDeletions::deleteDue));
  }

  /** The jobs that only wake a loop (it also runs on its own); they need the event bus, so not in the constructor. */
  private void addWakeJobs() {
    jobs.add(new Job("smpp senders", false, Addresses.publisher(vertx, Addresses.REPLIES_QUEUED)));
    jobs.add(new Job("deliveries", false, Addresses.publisher(vertx, Addresses.DELIVERY_DUE)));
  }

  @Override
  public Future<?> start() {
    addWakeJobs();
    housekeeping = vertx.createSharedWorkerExecutor("housekeeping", 2, 10, TimeUnit.MINUTES);
    rest = vertx.createSharedWorkerExecutor("twilio-rest", 1, 2, TimeUnit.MINUTES);
    chain = vertx.createSharedWorkerExecutor("audit-chain", 1, 2, TimeUnit.MINUTES);
    jobs.stream().filter(j -> j != linker).forEach(this::arm);
    armLinker();
    // A reply queued for a Twilio texter nobody's webhook is waiting on (a counsellor's) goes now, not at the next tick.
    var twilioSms = jobs.stream().filter(j -> j.name().equals("twilio sms")).findFirst().orElseThrow();
    // Wake-ups coalesce: at most one run waits behind the one under way, and it claims whatever was queued meanwhile.
    var waiting = new java.util.concurrent.atomic.AtomicBoolean();
    vertx.eventBus().localConsumer(Addresses.REPLIES_QUEUED, m -> {
      if (!stopped && waiting.compareAndSet(false, true)) {
        rest.executeBlocking(() -> {
          waiting.set(false);
          runOnce(twilioSms);
          return null;
        }, false);
      }
    });
    return Future.succeededFuture();
  }

  private void arm(Job job) {
    if (stopped) {
      return;
    }
    vertx.setTimer(p.cfg.sessions().housekeepingIntervalMs(), id -> (job.rest() ? rest : housekeeping).executeBlocking(() -> {
      runOnce(job);
      return null;
    }, false).onComplete(done -> {
      if (done.failed()) {
        log.warn("housekeeping job '{}' failed: {}", job.name(), done.cause().toString());
      }
      arm(job);
    }));
  }

  /** Committed audit events are linked into the chain every {@link #LINK_INTERVAL_MS}, a batch per transaction. */
  private void armLinker() {
    if (stopped) {
      return;
    }
    vertx.setTimer(LINK_INTERVAL_MS, id -> chain.executeBlocking(() -> {
      runOnce(linker);
      return null;
    }, false).onComplete(done -> {
      if (done.failed()) {
        log.warn("linking the audit chain failed: {}", done.cause().toString());
      }
      armLinker();
    }));
  }

  private void runOnce(Job job) {
    job.lock().lock();
    try {
      if (p.store.ready()) {
        job.work().run();
      }
    } finally {
      job.lock().unlock();
    }
  }

  /** Every job once, in order, on the caller's thread (tests and tools); a failure stops the rest, as it is thrown. */
  void runAllNow() {
    jobs.forEach(this::runOnce);
  }

  @Override
  public Future<?> stop() {
    stopped = true; // a timer not yet fired is cancelled with the verticle; a run under way is not armed again
    return Future.all(housekeeping.close(), rest.close(), chain.close());
  }
}
