package vn.hotline.gateway.board;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the board read once for every browser watching it: a contact that changes (a webhook answered, an SMS
 * processed) asks for a new reading, which happens at most every {@value #COALESCE_MS} ms however many changes
 * came, plus one every {@value #REFRESH_MS} ms while someone watches (today's totals, sessions swept). Each
 * reading that differs from the last goes to every watcher. The store is read by the feed, never per browser.
 */
public final class BoardFeed {
  private static final Logger log = LoggerFactory.getLogger(BoardFeed.class);
  static final long COALESCE_MS = 150;
  static final long REFRESH_MS = 5_000;

  private final Vertx vertx;
  private final Board board;
  private final WorkerExecutor pool;
  private final Set<Consumer<Board.View>> watchers = new CopyOnWriteArraySet<>();
  private boolean scheduled; // guarded by this: a reading is due on a timer
  private boolean reading; // guarded by this: a reading is under way
  private boolean dirty; // guarded by this: a change came during the reading under way
  private volatile Board.View last;
  private volatile long refreshTimer = -1;

  public BoardFeed(Vertx vertx, Board board) {
    this.vertx = vertx;
    this.board = board;
    this.pool = vertx.createSharedWorkerExecutor("board", 1, 30, TimeUnit.SECONDS);
  }

  /** Something on the board may have changed; safe from any thread. */
  public void changed() {
    if (watchers.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (scheduled) {
        return;
      }
      if (reading) {
        dirty = true;
        return;
      }
      scheduled = true;
    }
    vertx.setTimer(COALESCE_MS, id -> read());
  }

  /** How many watchers there are now (each open board in a browser is one). */
  public int watching() {
    return watchers.size();
  }

  /** The last reading, or null before the first one. */
  public Board.View last() {
    return last;
  }

  /** {@code watcher} gets every new reading (on a Vert.x thread) until {@link #unwatch}; a reading is made now. */
  public void watch(Consumer<Board.View> watcher) {
    watchers.add(watcher);
    synchronized (this) {
      if (refreshTimer < 0) {
        refreshTimer = vertx.setPeriodic(REFRESH_MS, id -> changed());
      }
    }
    pool.executeBlocking(board::read, false).onSuccess(view -> {
      last = view;
      watcher.accept(view);
    });
  }

  public void unwatch(Consumer<Board.View> watcher) {
    watchers.remove(watcher);
    synchronized (this) {
      if (watchers.isEmpty() && refreshTimer >= 0) {
        vertx.cancelTimer(refreshTimer);
        refreshTimer = -1;
      }
    }
  }

  private void read() {
    synchronized (this) {
      scheduled = false;
      reading = true;
    }
    pool.executeBlocking(board::read, false).onComplete(done -> {
      boolean again;
      synchronized (this) {
        reading = false;
        again = dirty;
        dirty = false;
      }
      if (again) {
        changed();
      }
      if (done.failed()) {
        log.warn("the live board could not be read: {}", done.cause().toString());
        return;
      }
      var view = done.result();
      var before = last;
      last = view;
      if (before == null || !same(before, view)) {
        watchers.forEach(w -> w.accept(view));
      }
    });
  }

  private static boolean same(Board.View a, Board.View b) {
    return Objects.equals(a.items(), b.items()) && Objects.equals(a.today(), b.today())
        && Objects.equals(a.counsellors(), b.counsellors()) && Objects.equals(a.names(), b.names())
        && Objects.equals(a.reviews(), b.reviews());
  }

  public void close() {
    watchers.clear();
    synchronized (this) {
      if (refreshTimer >= 0) {
        vertx.cancelTimer(refreshTimer);
        refreshTimer = -1;
      }
    }
    pool.close();
  }
}
