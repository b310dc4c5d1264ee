package vn.hotline.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import vn.hotline.gateway.contact.AttemptOutcome;
import vn.hotline.gateway.contact.Outcome;

/** The gateway's meters, scraped as Prometheus text at /metrics. Tags never carry personal data. */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeCalls = new AtomicInteger();
  private JvmGcMetrics gc;

  public Metrics() {
    Gauge.builder("hotline.calls.active", activeCalls, AtomicInteger::get)
        .description("Calls with an open flow session, across all instances sharing the store")
        .register(registry);
    for (var reason : new String[] {"taken_back", "timeout"}) {
      possiblyDuplicated(reason).increment(0);
    }
  }

  /**
   * SMS replies sent again although the SMSC may already have had them (a submit_sm under way when its instance
   * died and was taken back, or one that timed out): {@code reason} taken_back or timeout. See docs/reliability.md.
   */
  public void smsRepliesPossiblyDuplicated(String reason, int n) {
    possiblyDuplicated(reason).increment(n);
  }

  private Counter possiblyDuplicated(String reason) {
    return Counter.builder("hotline.sms.replies.possibly.duplicated").tag("reason", reason)
        .description("SMS replies sent again although the SMSC may already have had them").register(registry);
  }

  /** The JVM's own meters (memory, threads, GC, CPU, uptime); bound once the gateway listens, off its startup path. */
  public synchronized void bindJvm() {
    if (gc != null) {
      return;
    }
    gc = new JvmGcMetrics();
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc.bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One HTTP request; {@code route} is the route template, so unknown paths cannot blow up cardinality. */
  public void request(String method, String route, int status, long nanos) {
    Timer.builder("http.server.requests")
        .tags("method", method, "route", route, "status", Integer.toString(status))
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(15))
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  /** A caller got the fallback dial instead of the flow; {@code reason} is store, timeout, flow or other. */
  public void fallback(String reason) {
    Counter.builder("hotline.webhook.fallbacks").tag("reason", reason)
        .description("Webhooks answered with the fallback dial").register(registry).increment();
  }

  /** A flow reached an outcome (operator, voicemail, completed, abandoned). */
  public void outcome(String flow, Outcome outcome) {
    Counter.builder("hotline.flow.outcomes").tags("flow", flow, "outcome", outcome.wire())
        .description("Contacts by how their flow ended").register(registry).increment();
  }

  /**
   * What became of a web report form sent to /report: {@code result} accepted, sent_again (the same form twice:
   * one report), invalid (shown again to correct),
   * honeypot or too_fast (refused quietly: a bot), expired or forged (its token), rate_limited, failed (the store).
   */
  public void webReport(String result) {
    Counter.builder("hotline.web_report.submissions").tag("result", result)
        .description("Web report forms sent, by what became of them").register(registry).increment();
  }

  /** The web form's optional proof of work: {@code result} valid, invalid or absent (no JavaScript). */
  public void webReportProofOfWork(String result) {
    Counter.builder("hotline.web_report.proof_of_work").tag("result", result)
        .description("Web report forms by their proof of work").register(registry).increment();
  }

  /** A webhook was refused: forged signature or malformed request. */
  public void refused(String reason) {
    Counter.builder("hotline.webhook.refused").tag("reason", reason).register(registry).increment();
  }

  /** An inbound SMPP part: waiting_for_parts, duplicate, message_ready, refused (store down), rejected (for good). */
  public void smppInbound(String link, String result) {
    Counter.builder("hotline.smpp.inbound.parts").tags("link", link, "result", result).register(registry).increment();
  }

  /** One commit of a link's inbound writer (a group commit): how many parts it took. */
  public void smppInboundBatch(String link, int parts) {
    io.micrometer.core.instrument.DistributionSummary.builder("hotline.smpp.inbound.batch.parts").tag("link", link)
        .register(registry).record(parts);
  }

  /** An inbound SMS stored flagged: it could not be read as sent (reason: udh_length, udh_element, no_sender ...). */
  public void smsMalformed(String link, String reason) {
    Counter.builder("hotline.sms.inbound.malformed").tags("link", link, "reason", reason).register(registry).increment();
  }

  /** A delivery receipt by the state it reports, or unmatched / unreadable. */
  public void smppReceipt(String link, String status) {
    Counter.builder("hotline.smpp.receipts").tags("link", link, "status", status).register(registry).increment();
  }

  /** A submit_sm outcome: ok, throttled, queue_full, refused, timeout, link_down. */
  public void smppSubmit(String link, String result) {
    Counter.builder("hotline.smpp.submits").tags("link", link, "result", result).register(registry).increment();
  }

  /** 1 while the link is bound, 0 otherwise. */
  public void smppLinkState(String link, java.util.function.Supplier<Boolean> bound) {
    Gauge.builder("hotline.smpp.link.bound", () -> bound.get() ? 1 : 0).tag("link", link)
        .description("1 while the SMPP link is bound").register(registry);
  }

  /** A delivery attempt's outcome for an agency: delivered, retry, gone, dead. */
  public void delivery(String agency, AttemptOutcome outcome) {
    Counter.builder("hotline.deliveries").tags("agency", agency, "outcome", outcome.wire())
        .description("Report delivery attempts by outcome").register(registry).increment();
  }

  public void deliveryLatency(String agency, long millis) {
    Timer.builder("hotline.delivery.latency").tag("agency", agency).publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry).record(Duration.ofMillis(millis));
  }

  /** 1 while the agency's circuit is closed (deliveries flow), 0 while it is open. */
  public void agencyState(String agency, java.util.function.Supplier<Boolean> closed) {
    Gauge.builder("hotline.agency.circuit.closed", () -> closed.get() ? 1 : 0).tag("agency", agency)
        .register(registry);
  }

  public void activeCalls(int n) {
    activeCalls.set(n);
  }

  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (gc != null) {
        gc.close();
      }
    }
    registry.close();
  }
}
