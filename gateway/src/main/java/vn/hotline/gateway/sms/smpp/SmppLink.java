package vn.hotline.gateway.sms.smpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsmpp.bean.BindType;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * One link to a telco's SMSC: its binds (transceiver, or receiver + transmitter), each kept bound by a
 * {@link Reconnect} task, an {@link EnquireLink} task keeping them alive, and its {@link SmppSender}'s ticks, all
 * on one small executor of the link's own. The link is {@link LinkState#BOUND} only when every bind is.
 */
public final class SmppLink implements AutoCloseable {
  private final GatewayConfig.SmppLink cfg;
  private final List<SmppBind> binds = new ArrayList<>();
  private final List<Reconnect> reconnects = new ArrayList<>();
  private final ScheduledExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  SmppLink(GatewayConfig.SmppLink cfg, SmppInbound inbound, Runnable onBound) {
    this.cfg = cfg;
    if (cfg.bindMode() == GatewayConfig.BindMode.TRANSCEIVER) {
      binds.add(new SmppBind(cfg, BindType.BIND_TRX, inbound));
    } else {
      binds.add(new SmppBind(cfg, BindType.BIND_RX, inbound));
      binds.add(new SmppBind(cfg, BindType.BIND_TX, inbound));
    }
    // a thread per bind attempt that may block, one for enquire_link, one for the sender; virtual, so cheap
    this.executor = Executors.newScheduledThreadPool(binds.size() + 2,
        Thread.ofVirtual().name("smpp-" + cfg.name() + "-", 0).factory());
    var reconnectMax = Duration.ofSeconds(cfg.reconnectMaxSeconds());
    binds.forEach(b -> reconnects.add(new Reconnect(cfg.name(), b, executor, reconnectMax, onBound)));
  }

  public String name() {
    return cfg.name();
  }

  public GatewayConfig.SmppLink config() {
    return cfg;
  }

  /** The link's executor, for the tasks that work on it (its sender). */
  ScheduledExecutorService executor() {
    return executor;
  }

  public void start() {
    reconnects.forEach(Reconnect::start);
    long every = cfg.enquireLinkSeconds();
    executor.scheduleWithFixedDelay(new EnquireLink(cfg.name(), binds), every, every, TimeUnit.SECONDS);
  }

  /** The session that can send (transceiver or transmitter), while it is bound; else null. */
  SmppBind.Session transmitter() {
    for (var b : binds) {
      if (b.type != BindType.BIND_RX) {
        var s = b.session();
        if (s != null) {
          return s;
        }
      }
    }
    return null;
  }

  /** The link's state: its worst bind's (BOUND only when every bind it needs is). */
  public LinkState state() {
    if (closed.get()) {
      return LinkState.CLOSED;
    }
    var worst = LinkState.BOUND;
    for (var b : binds) {
      var s = b.state.state();
      if (s.ordinal() > worst.ordinal()) {
        worst = s;
      }
    }
    return worst;
  }

  /** Why the link is not bound, for health and logs; null when it is. */
  public String lastError() {
    return binds.stream().map(b -> b.state.lastError()).filter(e -> e != null).findFirst().orElse(null);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      executor.shutdownNow(); // no more tries; a bind attempt under way finds the link closed and lets go
      binds.forEach(SmppBind::close);
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
