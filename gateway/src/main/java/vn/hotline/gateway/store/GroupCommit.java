package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writers of {@link Store#inGroup}: the transactions of concurrent callers committed together, so that one
 * commit (one fsync on MariaDB, one chunk written on H2) carries many webhooks' steps. Each caller hands its work
 * over and waits until the commit that holds it is done; nobody is answered before their work is durable.
 *
 * <p>No lingering: a writer takes whatever has queued while it committed its last batch (up to {@link #MAX_BATCH}),
 * so a lone request waits for nothing and a crowd shares commits ({@link #WRITERS} writers take from one queue). Each piece of work runs after a savepoint of its
 * own: one that fails is rolled back to it and gets its own exception, the others still commit. When the store gives
 * the whole transaction up (a deadlock, a lock wait timed out) or a commit fails for another reason than an
 * outage, every piece of the batch is run again alone in a transaction of its own ({@link Store#inTransaction}), so
 * each gets the outcome it would have had without grouping; work must therefore touch nothing but the connection it
 * is given (as every {@link Store.TxWork} here does). When the store is unavailable, all of the batch get that.
 */
final class GroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  /** At most this many pieces of work in one transaction. */
  static final int MAX_BATCH = 64;
  /**
   * Writers taking batches from the one queue: each runs its batch's statements one after the other, so with one
   * only, the statements of every grouped caller would wait for a single thread (and, on MariaDB, for its round
   * trips); two share the commits as well as one does once both are busy.
   */
  static final int WRITERS = 2;

  private record Item<T>(Store.TxWork<T> work, CompletableFuture<T> done) {}

  /** Queued by {@link #close}, one per writer: a writer stops once it comes to one. */
  private static final Item<Object> STOP = new Item<>(c -> null, new CompletableFuture<>());

  private final Store store;
  private final LinkedBlockingQueue<Item<?>> queue = new LinkedBlockingQueue<>();
  private final LongAdder commits = new LongAdder();
  private final LongAdder committed = new LongAdder();
  private volatile List<Thread> writers = List.of();
  /** Set on a writer's own thread: work that itself groups runs alone there, never waiting for its own writer. */
  private static final ThreadLocal<Boolean> ON_WRITER = ThreadLocal.withInitial(() -> false);
  private volatile boolean closed;

  GroupCommit(Store store) {
    this.store = store;
  }

  /** Commits and the pieces of work they carried, since the start (a batch run again alone counts each). */
  record Stats(long commits, long work) {}

  Stats stats() {
    return new Stats(commits.sum(), committed.sum());
  }

  /** Work waiting for a writer (not yet taken into a batch). */
  int waiting() {
    return queue.size();
  }

  <T> T run(Store.TxWork<T> work) {
    if (closed || ON_WRITER.get()) {
      return store.inTransaction(work); // closing, or work that itself groups: on its own
    }
    var item = new Item<>(work, new CompletableFuture<T>());
    start();
    queue.add(item);
    if (closed && queue.remove(item)) {
      return store.inTransaction(work); // closed meanwhile: the writers may be gone
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return item.done.get(); // not given up on: the work may be committing
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void start() {
    if (writers.isEmpty()) {
      startWriters();
    }
  }

  private synchronized void startWriters() {
    if (writers.isEmpty() && !closed) {
      var started = new ArrayList<Thread>();
      for (int i = 1; i <= WRITERS; i++) {
        started.add(Thread.ofPlatform().name("store-group-commit-" + i).daemon().start(this::loop));
      }
      writers = List.copyOf(started);
    }
  }

  private void loop() {
    ON_WRITER.set(true);
    var batch = new ArrayList<Item<?>>(MAX_BATCH);
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - batch.size());
        stop = batch.remove(STOP);
        while (batch.remove(STOP)) {
          queue.add(STOP); // another writer's
        }
        if (!batch.isEmpty()) {
          commit(batch);
        }
      } catch (InterruptedException e) {
        stop = true;
      } catch (RuntimeException | Error e) {
        // commit() completes every item it takes; whatever escaped, nobody of this batch may wait for ever
        for (var i : batch) {
          i.done().completeExceptionally(e);
        }
        log.atError().addKeyValue("error", e.getClass().getSimpleName()).log("group commit failed on a batch");
      } finally {
        batch.clear();
      }
    }
    Item<?> left;
    while ((left = queue.poll()) != null) {
      if (left == STOP) {
        queue.add(STOP); // another writer's: it runs what is left and stops on it
        return;
      }
      alone(left);
    }
  }

  private void commit(List<Item<?>> batch) {
    if (batch.size() == 1) {
      alone(batch.getFirst());
      return;
    }
    var results = new Object[batch.size()];
    var failures = new Exception[batch.size()];
    boolean again;
    try (var c = store.groupConnection()) {
      c.setAutoCommit(false);
      try {
        again = !runAll(c, batch, results, failures);
        if (again) {
          c.rollback();
        } else {
          c.commit();
        }
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException ignored) {
          // the link is gone: the pool drops it
        }
        throw e;
      } finally {
        try {
          c.setAutoCommit(true);
        } catch (SQLException ignored) {
          // the link is gone: the pool drops it
        }
      }
    } catch (SQLException | RuntimeException e) {
      var cause = e instanceof SQLException s ? s : e.getCause() instanceof SQLException s ? s : null;
      if (cause != null && StoreException.isUnavailable(cause)) {
        var failure = e instanceof SQLException s ? new StoreException(s) : e;
        batch.forEach(i -> i.done().completeExceptionally(failure));
        return;
      }
      again = true;
    }
    if (again) {
      batch.forEach(this::alone);
      return;
    }
    store.committed();
    commits.increment();
    committed.add(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i], failures[i]);
    }
  }

  /**
   * Runs every item after a savepoint of its own; false when the transaction itself was lost (a conflict the store
   * rolled back whole, or a savepoint it no longer knows), so the batch must be run again item by item.
   */
  private static boolean runAll(Connection c, List<Item<?>> batch, Object[] results, Exception[] failures)
      throws SQLException {
    for (int i = 0; i < batch.size(); i++) {
      var savepoint = c.setSavepoint();
      try {
        results[i] = batch.get(i).work().run(c);
      } catch (SQLException | RuntimeException e) {
        if (conflict(e)) {
          return false;
        }
        try {
          c.rollback(savepoint);
        } catch (SQLException lost) {
          return false;
        }
        failures[i] = e;
      }
    }
    return true;
  }

  private static boolean conflict(Exception e) {
    var s = e instanceof SQLException q ? q : e.getCause() instanceof SQLException q ? q : null;
    return s != null && new StoreException(s).isConflict();
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Item<T> item, Object result, Exception failure) {
    if (failure == null) {
      item.done().complete((T) result);
    } else {
      item.done().completeExceptionally(failure instanceof SQLException s ? new StoreException(s) : failure);
    }
  }

  /** One item in a transaction of its own, with the outcome it would have had without grouping. */
  private <T> void alone(Item<T> item) {
    try {
      item.done().complete(store.inTransaction(item.work()));
      commits.increment();
      committed.increment();
    } catch (RuntimeException e) {
      item.done().completeExceptionally(e);
    }
  }

  /** The work still queued is run alone before the writers end; later callers run theirs alone too. */
  @Override
  public void close() {
    List<Thread> started;
    synchronized (this) {
      closed = true;
      started = writers;
    }
    started.forEach(w -> queue.add(STOP));
    try {
      for (var w : started) {
        w.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
