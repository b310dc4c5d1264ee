package vn.hotline.gateway.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.contact.AttemptOutcome;
import vn.hotline.gateway.contact.DeliveryStatus;
import vn.hotline.gateway.util.Loop;
import vn.hotline.gateway.util.Outgoing;

/**
 * Sends reports to agency inboxes, at least once: claims due deliveries, signs and POSTs them, and records every
 * attempt. 2xx within the timeout is delivered; 410 switches the agency off and alerts; 429/502/503/504 honour
 * Retry-After; everything else (redirects included: they are not followed) is retried on the schedule, then
 * dead-lettered. Each agency has a concurrency cap and a circuit breaker, so a dead inbox never slows the others.
 */
public final class DeliveryWorker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

  /** Waits after each failed attempt (Standard Webhooks' suggested schedule); then the delivery is dead. */
  public static final List<Duration> SCHEDULE = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
      Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10),
      Duration.ofHours(14), Duration.ofHours(20), Duration.ofHours(24));
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);
  /** How often the worker looks for due deliveries when nothing woke it. */
  private static final Duration TICK = Duration.ofMillis(500);

  private final Routing routing;
  private final DeliveryRepository deliveries;
  private final Editions editions;
  private final WebhookPayload payloads;
  private final GatewayConfig.Delivery cfg;
  private final Metrics metrics;
  private final Clock clock;
  private final Semaphore slots;
  private final ReentrantLock passes = new ReentrantLock();
  private final Map<String, Semaphore> perAgency = new ConcurrentHashMap<>();
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();
  private final Duration tick;
  private Loop loop;
  private volatile boolean closed;

  public DeliveryWorker(Routing routing, DeliveryRepository deliveries, Editions editions, WebhookPayload payloads,
      GatewayConfig.Delivery cfg, Metrics metrics, Clock clock) {
    this(routing, deliveries, editions, payloads, cfg, metrics, clock, TICK);
  }

  /** For tests: with its own interval between looks when nothing wakes it. */
  DeliveryWorker(Routing routing, DeliveryRepository deliveries, Editions editions, WebhookPayload payloads,
      GatewayConfig.Delivery cfg, Metrics metrics, Clock clock, Duration tick) {
    this.tick = tick;
    this.routing = routing;
    this.deliveries = deliveries;
    this.editions = editions;
    this.payloads = payloads;
    this.cfg = cfg;
    this.metrics = metrics;
    this.clock = clock;
    this.slots = new Semaphore(cfg.workers());
    routing.agencies().values().forEach(a -> {
      perAgency.put(a.id(), new Semaphore(a.maxConcurrency()));
      breakers.put(a.id(), new Breaker());
      metrics.agencyState(a.id(), () -> breakers.get(a.id()).openUntil == null);
    });
  }

  /** Starts claiming and sending on its own (every 500 ms, when woken, and whenever an attempt ends). */
  public synchronized void start() {
    if (loop == null && !closed) {
      loop = Loop.start("delivery", tick, this::step);
    }
  }

  /** Something new to send: look now rather than at the next tick. */
  public void wake() {
    var l = loop;
    if (l != null) {
      l.wake();
    }
  }

  private void step() {
    try {
      sendDue();
    } catch (RuntimeException e) {
      // A store outage is logged by the store, once; here it would repeat twice a second.
      log.atLevel(e instanceof vn.hotline.gateway.store.StoreException se && se.isUnavailable()
          ? org.slf4j.event.Level.DEBUG : org.slf4j.event.Level.WARN)
          .addKeyValue("error", e.toString()).log("delivery worker could not claim deliveries");
    }
  }

  /**
   * Claims what is due and can be sent now, and sends it; returns how many were started. It claims for every free
   * slot at once, and of each agency no more than its free slots: an agency at its cap is skipped in the claim, so
   * its backlog never holds up the others' deliveries. One pass at a time (the loop's, or a caller's).
   */
  public int sendDue() {
    passes.lock();
    try {
      return claimAndStart();
    } finally {
      passes.unlock();
    }
  }

  private int claimAndStart() {
    var now = clock.instant();
    var skip = new ArrayList<String>();
    var room = new HashMap<String, Integer>();
    routing.agencies().values().forEach(a -> {
      if (!a.enabled() || !breakers.get(a.id()).allows(now)) {
        skip.add(a.id());
      } else {
        room.put(a.id(), perAgency.get(a.id()).availablePermits()); // 0: skipped by the claim
      }
    });
    var claimed = deliveries.claim(slots.availablePermits(), room, LEASE, now, skip);
    for (var d : claimed) {
      var agencySlot = perAgency.get(d.agencyId());
      if (agencySlot == null) {
        deliveries.finish(d, now, 0, null, AttemptOutcome.DEAD, "agency '" + d.agencyId() + "' is no longer configured", DeliveryStatus.DEAD, now);
        continue;
      }
      if (!slots.tryAcquire()) {
        break; // the lease brings it back
      }
      agencySlot.acquireUninterruptibly(); // never waits: the claim took no more than its free slots, only passes take them
      Thread.ofVirtual().name("delivery-" + d.id()).start(() -> {
        try {
          send(d);
        } catch (RuntimeException e) {
          log.atWarn().addKeyValue("delivery", d.id()).addKeyValue("error", e.toString()).log("delivery attempt failed");
        } finally {
          agencySlot.release();
          slots.release();
          if (slots.availablePermits() * 2 >= cfg.workers()) {
            wake(); // half the slots are free: claim for them all now, not at the next tick (a backlog drains at
                    // the rate the agencies answer, with one claim per half a round of attempts, not one each)
          }
        }
      });
    }
    return claimed.size();
  }

  private void send(DeliveryRepository.Claimed d) {
    var agency = routing.agency(d.agencyId());
    var started = clock.instant();
    long t0 = System.nanoTime();
    var edition = editions.find(d.reportId(), d.version(), d.reviewDueAt() != null);
    if (edition.isEmpty()) {
      deliveries.finish(d, started, 0, null, AttemptOutcome.DEAD, "report " + d.reportId() + " version " + d.version()
          + " no longer exists", DeliveryStatus.DEAD, started);
      return;
    }
    var body = payloads.envelope(d.eventType(), edition.get(), agency, d.rule(), started);
    long ts = started.getEpochSecond();
    var request = HttpRequest.newBuilder(agency.webhookUrl())
        .timeout(Duration.ofSeconds(cfg.timeoutSeconds()))
        .header("Content-Type", "application/json")
        .header("User-Agent", "hotline-gateway/0.1")
        .header("webhook-id", d.id())
        .header("webhook-timestamp", Long.toString(ts))
        .header("webhook-signature", WebhookSignature.header(agency.secrets(), d.id(), ts, body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    Integer status = null;
    String error = null;
    HttpResponse<Void> response = null;
    try {
      response = Outgoing.http().send(request, HttpResponse.BodyHandlers.discarding());
      status = response.statusCode();
    } catch (HttpTimeoutException e) {
      error = "no answer within " + cfg.timeoutSeconds() + " s";
    } catch (IOException e) {
      error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    }
    int latency = (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    metrics.deliveryLatency(agency.id(), latency);
    var now = clock.instant();
    var breaker = breakers.get(agency.id());
    if (status != null && status / 100 == 2) {
      breaker.success();
      metrics.delivery(agency.id(), AttemptOutcome.DELIVERED);
      deliveries.finish(d, started, latency, status, AttemptOutcome.DELIVERED, null, DeliveryStatus.DELIVERED, now);
      return;
    }
    if (status != null && status == 410) {
      // The agency says this endpoint is gone: stop sending there until an operator re-enables it.
      deliveries.setEnabled(agency.id(), false, "endpoint answered 410 Gone", "gateway", now);
      metrics.delivery(agency.id(), AttemptOutcome.GONE);
      log.atError().addKeyValue("agency", agency.id()).addKeyValue("delivery", d.id())
          .log("agency endpoint answered 410 Gone: disabled; its reports wait until it is re-enabled (API or admin)");
      deliveries.finish(d, started, latency, status, AttemptOutcome.GONE, "410 Gone: endpoint disabled", DeliveryStatus.PENDING, now);
      return;
    }
    breaker.failure(now, cfg.breakerFailures(), Duration.ofSeconds(cfg.breakerCooldownSeconds()));
    if (error == null) {
      error = "HTTP " + status + (status / 100 == 3 ? " (redirects are not followed)" : "");
    }
    var retryAfter = status != null && (status == 429 || status == 502 || status == 503 || status == 504)
        ? retryAfter(response, now) : null;
    var wait = retryDelay(d.attempt(), retryAfter);
    if (wait == null) {
      metrics.delivery(agency.id(), AttemptOutcome.DEAD);
      log.atError().addKeyValue("agency", agency.id()).addKeyValue("delivery", d.id()).addKeyValue("error", error)
          .log("delivery dead-lettered after the whole retry schedule; replay it through the API");
      deliveries.finish(d, started, latency, status, AttemptOutcome.DEAD, error, DeliveryStatus.DEAD, now);
      return;
    }
    metrics.delivery(agency.id(), AttemptOutcome.RETRY);
    deliveries.finish(d, started, latency, status, AttemptOutcome.RETRY, error, DeliveryStatus.PENDING, now.plus(wait));
  }

  /**
   * How long to wait after failed attempt number {@code attempt} (1 = the first): the agency's Retry-After when it
   * gave one, else the schedule's step, jittered; null when the whole schedule is used up (the delivery is dead).
   */
  static Duration retryDelay(int attempt, Duration retryAfter) {
    if (attempt > SCHEDULE.size()) {
      return null;
    }
    return retryAfter != null ? retryAfter : jitter(SCHEDULE.get(Math.min(attempt, SCHEDULE.size()) - 1));
  }

  /** Retry-After as seconds or an HTTP date (RFC 9110 section 10.2.3); null when absent or unreadable. */
  static Duration retryAfter(HttpResponse<?> response, Instant now) {
    return retryAfter(response == null ? null : response.headers().firstValue("Retry-After").orElse(null), now);
  }

  /** A Retry-After header value read as {@link #retryAfter(HttpResponse, Instant)} does, capped at 24 h. */
  static Duration retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      try {
        d = Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  /** Spreads retries by up to 10 % either way, so agencies coming back are not hit all at once. */
  static Duration jitter(Duration d) {
    long ms = d.toMillis();
    long spread = ms / 10;
    return Duration.ofMillis(ms - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1));
  }

  /** Consecutive failures open the circuit for a cooldown; then one delivery may try (half-open). */
  static final class Breaker {
    private int failures;
    private volatile Instant openUntil;

    synchronized boolean allows(Instant now) {
      return openUntil == null || !now.isBefore(openUntil);
    }

    synchronized void success() {
      failures = 0;
      openUntil = null;
    }

    synchronized void failure(Instant now, int threshold, Duration cooldown) {
      failures++;
      if (failures >= threshold) {
        openUntil = now.plus(cooldown);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    Loop l;
    synchronized (this) {
      l = loop;
    }
    if (l != null) {
      l.close(); // attempts in flight finish; a claim not started yet comes back when its lease ends
    }
  }
}
