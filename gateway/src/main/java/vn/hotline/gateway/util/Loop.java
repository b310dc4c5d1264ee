package vn.hotline.gateway.util;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one way a part of the gateway works on its own: a named virtual thread that runs a step, then waits for the
 * interval or a {@link #wake()}, whichever comes first, until {@link #close()}. The step may block (JDBC, HTTP: a
 * virtual thread is made for that) and handles its own errors; one that escapes is dropped and the loop goes on.
 */
public final class Loop implements AutoCloseable {
  private final Thread thread;
  private volatile boolean running = true;

  private Loop(String name, Duration interval, Runnable step) {
    long nanos = interval.toNanos();
    this.thread = Thread.ofVirtual().name(name).unstarted(() -> {
      while (running) {
        try {
          step.run();
        } catch (RuntimeException e) {
          // the step logs what it knows; a loop that died here would silently stop the feature
        }
        if (running) {
          LockSupport.parkNanos(nanos);
        }
      }
    });
  }

  /** Starts running {@code step} every {@code interval} (and at each wake-up) on a virtual thread named {@code name}. */
  public static Loop start(String name, Duration interval, Runnable step) {
    var loop = new Loop(name, interval, step);
    loop.thread.start();
    return loop;
  }

  /** False once {@link #close()} was called: a long step may check it between its pieces of work. */
  public boolean running() {
    return running;
  }

  /** Something new to do: run the step now rather than at the end of the interval. */
  public void wake() {
    LockSupport.unpark(thread);
  }

  /** Stops after the step under way (if any) and waits up to 5 s for it. */
  @Override
  public void close() {
    running = false;
    wake();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
