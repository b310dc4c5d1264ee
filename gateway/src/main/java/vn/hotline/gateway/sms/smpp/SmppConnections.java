package vn.hotline.gateway.sms.smpp;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.SmsRepository;

/**
 * Every configured SMPP link with its inbound handler ({@link SmppInbound}: persist, then ack) and outbound sender
 * ({@link SmppSender}: TPS and window); their states ({@link LinkState}) for /health/ready and the metrics.
 */
public final class SmppConnections implements AutoCloseable {
  private final List<SmppLink> links = new ArrayList<>();
  private final List<SmppSender> senders = new ArrayList<>();
  private final List<SmppInbound> inbounds = new ArrayList<>();

  public SmppConnections(List<GatewayConfig.SmppLink> configs, SmsRepository sms, Pseudonyms pseudonyms, Metrics metrics,
      Clock clock, Duration dedupeWindow, Runnable messageStored) {
    for (var cfg : configs) {
      var inbound = new SmppInbound(cfg.name(), sms, pseudonyms, metrics, clock, dedupeWindow, messageStored);
      inbounds.add(inbound);
      var holder = new SmppSender[1];
      var link = new SmppLink(cfg, inbound, () -> {
        if (holder[0] != null) {
          holder[0].wake(); // a fresh bind: send what queued up while the link was down
        }
      });
      links.add(link);
      holder[0] = new SmppSender(link, sms, metrics, clock);
      senders.add(holder[0]);
      metrics.smppLinkState(cfg.name(), () -> link.state() == LinkState.BOUND);
    }
  }

  public void start() {
    links.forEach(SmppLink::start);
  }

  /** Replies were queued: send them now rather than at the next tick. */
  public void wakeSenders() {
    senders.forEach(SmppSender::wake);
  }

  /** Link name to state (and why, when not bound). */
  public Map<String, String> states() {
    var out = new LinkedHashMap<String, String>();
    for (var l : links) {
      var state = l.state();
      out.put(l.name(), state == LinkState.BOUND || l.lastError() == null ? state.name()
          : state.name() + ": " + l.lastError());
    }
    return out;
  }

  public List<SmppLink> links() {
    return List.copyOf(links);
  }

  @Override
  public void close() {
    senders.forEach(SmppSender::close);
    links.forEach(SmppLink::close);
    inbounds.forEach(SmppInbound::close);
  }
}
