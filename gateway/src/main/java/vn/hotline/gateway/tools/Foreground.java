package vn.hotline.gateway.tools;

import java.util.concurrent.CountDownLatch;

/** How a developer tool that serves (test-smsc, twilio-stand-in) runs in the foreground until Ctrl-C / SIGTERM. */
final class Foreground {
  private Foreground() {}

  /** A shutdown hook that closes {@code server} and counts {@code stop} down, added to the runtime. */
  static Thread onShutdown(String name, AutoCloseable server, CountDownLatch stop) {
    var hook = new Thread(() -> {
      close(server);
      stop.countDown();
    }, name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /** Waits for {@code stop} (the hook, or a test), then closes {@code server} and removes the hook. */
  static void await(CountDownLatch stop, AutoCloseable server, Thread hook) {
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close(server);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already: the hook is what stopped us
      }
    }
  }

  private static void close(AutoCloseable server) {
    try {
      server.close();
    } catch (Exception e) {
      // stopping anyway
    }
  }
}
