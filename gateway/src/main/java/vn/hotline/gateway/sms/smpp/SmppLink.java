package vn.hotline.gateway.sms.smpp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.util.Backoff;

/**
 * One link to a telco's SMSC: binds (transceiver, or receiver + transmitter), keeps the bind alive with
 * enquire_link, and when it drops binds again with exponential backoff and jitter. A bind the SMSC refuses for
 * good (wrong password or system id) is reported and retried only rarely, so an SMSC is never hammered.
 */
public final class SmppLink implements AutoCloseable {
  public enum State { CONNECTING, BOUND, DISCONNECTED, REJECTED, CLOSED }

  private static final Logger log = LoggerFactory.getLogger(SmppLink.class);
  /** How long to wait after the SMSC refused our credentials before trying them again. */
  static final Duration REJECTED_PAUSE = Duration.ofMinutes(10);

  private final GatewayConfig.SmppLink cfg;
  private final List<Bind> binds = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Runnable onBound;

  public SmppLink(GatewayConfig.SmppLink cfg, MessageReceiverListener inbound, Runnable onBound) {
    this.cfg = cfg;
    this.onBound = onBound;
    if (cfg.bindMode() == GatewayConfig.BindMode.TRANSCEIVER) {
      binds.add(new Bind(BindType.BIND_TRX, inbound));
    } else {
      binds.add(new Bind(BindType.BIND_RX, inbound));
      binds.add(new Bind(BindType.BIND_TX, inbound));
    }
  }

  public String name() {
    return cfg.name();
  }

  public GatewayConfig.SmppLink config() {
    return cfg;
  }

  public void start() {
    binds.forEach(b -> Thread.ofVirtual().name("smpp-" + cfg.name() + "-" + b.type).start(b::run));
  }

  /** The session that can send (transceiver or transmitter), while it is bound; else null. */
  SMPPSession transmitter() {
    for (var b : binds) {
      if (b.type != BindType.BIND_RX && b.state == State.BOUND) {
        return b.session;
      }
    }
    return null;
  }

  /** The link's state: BOUND only when every bind it needs is. */
  public State state() {
    if (closed.get()) {
      return State.CLOSED;
    }
    State worst = State.BOUND;
    for (var b : binds) {
      if (b.state.ordinal() > worst.ordinal() || b.state == State.CONNECTING) {
        worst = b.state;
      }
    }
    return worst;
  }

  /** Why the link is not bound, for health and logs; null when it is. */
  public String lastError() {
    return binds.stream().map(b -> b.lastError).filter(e -> e != null).findFirst().orElse(null);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (var b : binds) {
        b.wake.countDown();
        var s = b.session;
        if (s != null && s.getSessionState().isBound()) {
          s.unbindAndClose();
        } else if (s != null) {
          s.close();
        }
      }
    }
  }

  /** One bind with its own reconnect loop. */
  private final class Bind {
    final BindType type;
    final MessageReceiverListener inbound;
    final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(cfg.reconnectMaxSeconds()));
    volatile SMPPSession session;
    volatile State state = State.CONNECTING;
    volatile String lastError;
    volatile CountDownLatch wake = new CountDownLatch(1);

    Bind(BindType type, MessageReceiverListener inbound) {
      this.type = type;
      this.inbound = inbound;
    }

    void run() {
      int failures = 0;
      while (!closed.get()) {
        state = State.CONNECTING;
        var s = new SMPPSession();
        s.setEnquireLinkTimer(cfg.enquireLinkSeconds() * 1000);
        s.setTransactionTimer(10_000);
        if (type != BindType.BIND_TX) {
          s.setMessageReceiverListener(inbound);
          if (inbound instanceof SmppInbound in) {
            in.binding(java.util.UUID.randomUUID().toString());
          }
        }
        var lost = new CountDownLatch(1);
        s.addSessionStateListener((now, before, src) -> {
          if (now == SessionState.CLOSED || now == SessionState.UNBOUND) {
            lost.countDown();
          }
        });
        try {
          s.connectAndBind(cfg.host(), cfg.port(), new BindParameter(type, cfg.systemId(), cfg.password(),
              cfg.systemType(), TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN,
              cfg.addressRange().isEmpty() ? null : cfg.addressRange()), 10_000);
          session = s;
          state = State.BOUND;
          lastError = null;
          failures = 0;
          log.atInfo().addKeyValue("link", cfg.name()).addKeyValue("bind", type.name()).log("SMPP link bound");
          onBound.run();
          await(lost, null);
          session = null;
          if (!closed.get()) {
            state = State.DISCONNECTED;
            lastError = "connection lost";
            log.atWarn().addKeyValue("link", cfg.name()).addKeyValue("bind", type.name()).log("SMPP link lost its bind; binding again");
          }
        } catch (IOException e) {
          s.close();
          session = null;
          int status = e.getCause() instanceof NegativeResponseException n ? n.getCommandStatus() : -1;
          if (status == SMPPConstant.STAT_ESME_RINVPASWD || status == SMPPConstant.STAT_ESME_RINVSYSID) {
            state = State.REJECTED;
            lastError = "the SMSC refused the bind: " + (status == SMPPConstant.STAT_ESME_RINVPASWD
                ? "ESME_RINVPASWD (wrong password)" : "ESME_RINVSYSID (unknown system_id)")
                + "; check the link's credentials; next try in " + REJECTED_PAUSE.toMinutes() + " min";
            log.atError().addKeyValue("link", cfg.name()).log(lastError);
            await(wake, REJECTED_PAUSE);
          } else {
            failures++;
            state = State.DISCONNECTED;
            lastError = status >= 0 ? "bind refused with status 0x" + Integer.toHexString(status)
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            var delay = backoff.delay(failures);
            log.atWarn().addKeyValue("link", cfg.name()).addKeyValue("attempt", failures)
                .addKeyValue("retryInMs", delay.toMillis()).addKeyValue("error", lastError).log("SMPP bind failed");
            await(wake, delay);
          }
        }
      }
      state = State.CLOSED;
    }

    private void await(CountDownLatch latch, Duration max) {
      try {
        if (max == null) {
          while (!closed.get() && !latch.await(1, TimeUnit.SECONDS)) {
            // the session state listener counts down when the bind is lost
          }
        } else {
          latch.await(max.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
