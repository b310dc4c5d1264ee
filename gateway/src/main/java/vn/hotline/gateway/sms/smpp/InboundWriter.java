package vn.hotline.gateway.sms.smpp;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.StoreException;

/**
 * The one writer of a link's inbound parts: a group commit. jSMPP's PDU threads hand each part over
 * ({@link #store}) and wait; the writer takes whatever has arrived, waiting up to {@link #LINGER} for more (up to
 * {@link #MAX_BATCH}), commits it all in one transaction ({@link SmsRepository#storeParts}), and only then lets
 * each waiting thread answer its deliver_sm_resp. One writer per link also means the parts of one message are
 * stored one after the other, never at once, so they cannot deadlock (MariaDB) or both miss each other (H2).
 *
 * <p>When a batch fails, its parts are tried again one by one, each getting its own outcome (a part the store
 * refuses for its data does not make the others wait for a redelivery); when the store is unavailable every part
 * of it gets that failure at once. Nothing is acknowledged that is not committed. Texts stored whole are
 * announced ({@code stored}) once per batch. Runs on a virtual thread of its own: never on an event loop.
 */
final class InboundWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InboundWriter.class);

  /** At most this many parts in one transaction (more than any SMSC's window we know of). */
  static final int MAX_BATCH = 100;
  /** How long a batch waits for more parts once the first is there: the rest of a window come within it. */
  static final Duration LINGER = Duration.ofMillis(2);

  private record Pending(SmsRepository.PartIn part, CompletableFuture<SmsRepository.PartResult> done) {}

  /** Queued by {@link #close}: the writer stops once it comes to it (never interrupted mid-commit). */
  private static final Pending STOP = new Pending(null, new CompletableFuture<>());

  private final String link;
  private final SmsRepository sms;
  private final Clock clock;
  private final Duration dedupeWindow;
  private final Runnable stored;
  private final Metrics metrics;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  InboundWriter(String link, SmsRepository sms, Clock clock, Duration dedupeWindow, Runnable stored,
      Metrics metrics) {
    this.link = link;
    this.metrics = metrics;
    this.sms = sms;
    this.clock = clock;
    this.dedupeWindow = dedupeWindow;
    this.stored = stored;
    this.thread = Thread.ofVirtual().name("smpp-" + link + "-inbound").start(this::run);
  }

  /**
   * Hands a part over and waits until it is committed (or not): its result, or the store's exception as thrown by
   * {@link SmsRepository#storeParts}. A part still waiting after {@code timeout} is withdrawn (not stored) and an
   * {@link IllegalStateException} thrown.
   */
  SmsRepository.PartResult store(SmsRepository.PartIn part, Duration timeout) {
    var p = new Pending(part, new CompletableFuture<>());
    if (closed) {
      throw new IllegalStateException("the link is closing");
    }
    queue.add(p);
    if (closed && queue.remove(p)) {
      throw new IllegalStateException("the link is closing"); // closed meanwhile: the writer may be gone
    }
    try {
      return p.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      // still queued: withdrawn, the writer skips it; being committed: the SMSC delivers it again on this bind
      p.done.cancel(false);
      throw new IllegalStateException("not committed within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      p.done.cancel(false);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private void run() {
    var batch = new ArrayList<Pending>(MAX_BATCH);
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - batch.size());
        long until = System.nanoTime() + LINGER.toNanos();
        while (batch.size() < MAX_BATCH && !batch.contains(STOP)) {
          long left = until - System.nanoTime();
          var next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
          if (next == null) {
            break;
          }
          batch.add(next);
          queue.drainTo(batch, MAX_BATCH - batch.size());
        }
        stop = batch.remove(STOP);
        batch.removeIf(p -> p.done.isDone()); // withdrawn by a thread that gave up waiting
        if (!batch.isEmpty()) {
          commit(batch);
        }
      } catch (InterruptedException e) {
        stop = true;
      } catch (RuntimeException e) {
        // commit() completes every part it takes; whatever escaped, nothing of this batch may wait for ever
        batch.forEach(p -> p.done.completeExceptionally(e));
        log.atError().addKeyValue("link", link).addKeyValue("error", e.getClass().getSimpleName())
            .log("inbound writer failed on a batch; its parts are answered with a temporary error");
      } finally {
        batch.clear();
      }
    }
    failQueued();
  }

  private void commit(List<Pending> batch) {
    var parts = batch.stream().map(Pending::part).toList();
    boolean ready = false;
    try {
      var results = sms.storeParts(parts, clock.instant(), dedupeWindow);
      metrics.smppInboundBatch(link, batch.size());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).done.complete(results.get(i));
        ready |= results.get(i) == SmsRepository.PartResult.MESSAGE_READY;
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1 || (e instanceof StoreException se && se.isUnavailable())) {
        batch.forEach(p -> p.done.completeExceptionally(e));
        return;
      }
      // one part may be what the store refused: each on its own, so only that one is refused
      log.atWarn().addKeyValue("link", link).addKeyValue("parts", batch.size())
          .addKeyValue("error", e.getClass().getSimpleName()).log("inbound batch not committed; storing its parts one by one");
      for (var p : batch) {
        try {
          var r = sms.storeParts(List.of(p.part()), clock.instant(), dedupeWindow).getFirst();
          p.done.complete(r);
          ready |= r == SmsRepository.PartResult.MESSAGE_READY;
        } catch (RuntimeException one) {
          p.done.completeExceptionally(one);
        }
      }
    }
    if (ready) {
      stored.run();
    }
  }

  private void failQueued() {
    Pending p;
    while ((p = queue.poll()) != null) {
      if (p != STOP) {
        p.done.completeExceptionally(new IllegalStateException("the link is closing"));
      }
    }
  }

  /** Stops taking parts; those still queued get a temporary error (the SMSC delivers them again). */
  @Override
  public void close() {
    closed = true;
    queue.add(STOP); // not an interrupt: one could close the embedded store's file under a commit
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failQueued();
  }
}
