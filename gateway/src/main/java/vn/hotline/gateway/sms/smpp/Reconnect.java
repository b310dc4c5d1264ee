package vn.hotline.gateway.sms.smpp;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.util.Backoff;

/**
 * Keeps one bind bound: binds at start, again at once when the bind is lost, after {@link Backoff} (1 s doubling
 * with jitter up to {@code smpp.reconnect_max_seconds}) when a bind fails, and only after {@link #REFUSED_PAUSE}
 * when the SMSC refused our credentials, so an SMSC is never hammered. Each try is a task on the link's executor.
 */
final class Reconnect {
  private static final Logger log = LoggerFactory.getLogger(Reconnect.class);
  /** How long to wait after the SMSC refused our credentials before trying them again. */
  static final Duration REFUSED_PAUSE = Duration.ofMinutes(10);

  private final String link;
  private final SmppBind bind;
  private final ScheduledExecutorService executor;
  private final Backoff backoff;
  private final Runnable onBound;
  private int failures;

  Reconnect(String link, SmppBind bind, ScheduledExecutorService executor, Duration maxDelay, Runnable onBound) {
    this.link = link;
    this.bind = bind;
    this.executor = executor;
    this.backoff = new Backoff(Duration.ofSeconds(1), maxDelay);
    this.onBound = onBound;
    bind.onLost(() -> schedule(LinkState.DISCONNECTED, Duration.ZERO));
  }

  void start() {
    schedule(LinkState.DISCONNECTED, Duration.ZERO);
  }

  private void schedule(LinkState from, Duration delay) {
    try {
      executor.schedule(() -> attempt(from), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the link is closing
    }
  }

  private void attempt(LinkState from) {
    switch (bind.bind(from)) {
      case BOUND -> {
        failures = 0;
        onBound.run();
      }
      case FAILED -> {
        failures++;
        var delay = backoff.delay(failures);
        log.atWarn().addKeyValue("link", link).addKeyValue("attempt", failures).addKeyValue("retryInMs", delay.toMillis())
            .addKeyValue("error", bind.state.lastError()).log("SMPP bind failed");
        schedule(LinkState.BACKING_OFF, delay);
      }
      case REFUSED -> schedule(LinkState.REFUSED, REFUSED_PAUSE);
      case CLOSED -> {
        // closed meanwhile: nothing more to do
      }
    }
  }
}
