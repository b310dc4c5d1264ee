package vn.hotline.gateway.sms.smpp;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.sms.SmsCodec;
import vn.hotline.gateway.sms.SmsRetry;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.util.Backoff;

/**
 * Sends one link's queued replies with submit_sm: GSM-7 or UCS-2, long texts split with a concatenation UDH,
 * at most the link's TPS, at most its window unanswered at once, a delivery receipt asked for every part.
 * ESME_RTHROTTLED and ESME_RMSGQFUL are waited out and retried; a link that is down leaves the messages queued.
 * Parts already accepted are not sent again when a message is retried. It works as a task on its link's executor:
 * every 500 ms, and at once when woken.
 */
final class SmppSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmppSender.class);
  private static final int THROTTLE_RETRIES = 5;
  /** The pause before the same part goes again after the SMSC asked us to slow down: 0.4 s doubling, to 3.2 s. */
  private static final Backoff THROTTLE_PAUSE = new Backoff(Duration.ofMillis(400), Duration.ofMillis(3200));

  private final SmppLink link;
  private final SmsRepository sms;
  private final Metrics metrics;
  private final Clock clock;
  private final RateLimiter rate;
  private final Semaphore window;
  /** One drain at a time; a wake during a drain makes it look again before it ends. */
  private final ReentrantLock draining = new ReentrantLock();
  private final AtomicBoolean again = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledFuture<?> tick;

  SmppSender(SmppLink link, SmsRepository sms, Metrics metrics, Clock clock) {
    this.link = link;
    this.sms = sms;
    this.metrics = metrics;
    this.clock = clock;
    this.rate = new RateLimiter(link.config().maxTps());
    this.window = new Semaphore(link.config().window());
    // every 500 ms, and at once when woken: what is due goes out
    this.tick = link.executor().scheduleWithFixedDelay(this::drain, 0, 500, TimeUnit.MILLISECONDS);
  }

  /** Replies were queued or the link was bound: look now rather than at the next tick. */
  void wake() {
    if (closed.get()) {
      return;
    }
    again.set(true);
    try {
      link.executor().execute(this::drain);
    } catch (RejectedExecutionException e) {
      // the link is closing
    }
  }

  /** Sends what is due until nothing is (a task on the link's executor). */
  private void drain() {
    if (!draining.tryLock()) {
      again.set(true); // the running drain looks again
      return;
    }
    try {
      do {
        again.set(false);
        while (!closed.get() && sendDue()) {
          // there may be more
        }
      } while (again.get() && !closed.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("link", link.name()).addKeyValue("error", e.toString()).log("SMPP sender could not claim messages");
    } finally {
      draining.unlock();
    }
  }

  /** Claims a batch of due messages and sends them; false when there was nothing to send (or the link is down). */
  private boolean sendDue() throws InterruptedException {
    if (link.transmitter() == null) {
      return false;
    }
    var due = sms.claimDue(Channel.SMS_SMPP, link.name(), link.config().window() * 2, Duration.ofMinutes(2),
        clock.instant());
    // One thread per texter, their messages in order; different texters in parallel (up to the window).
    var byTexter = new java.util.LinkedHashMap<String, java.util.List<SmsRepository.Outbound>>();
    due.forEach(o -> byTexter.computeIfAbsent(o.destination(), k -> new java.util.ArrayList<>()).add(o));
    var threads = byTexter.values().stream()
        .map(list -> Thread.ofVirtual().start(() -> list.forEach(this::send))).toList();
    for (var t : threads) {
      t.join();
    }
    return !due.isEmpty();
  }

  private void send(SmsRepository.Outbound o) {
    // The same concatenation reference every time this message is (re)sent: a retry sends only the parts the SMSC
    // has not taken, and a handset joins parts by reference, so a new one per try would leave the text in pieces.
    var encoded = SmsCodec.encode(o.body(), concatenationReference(o.id()));
    var parts = encoded.parts();
    for (int i = 0; i < parts.size(); i++) {
      int seq = i + 1;
      if (o.partsAlreadySubmitted().contains(seq)) {
        continue;
      }
      var outcome = submit(o, encoded.dataCoding(), parts.get(i), seq);
      if (outcome != null) {
        return; // rescheduled or failed; the rest of the parts go with the retry
      }
    }
    sms.sent(o.id(), null, clock.instant());
  }

  /** A message's 8-bit concatenation reference, from its id: stable across retries and restarts. */
  static int concatenationReference(String messageId) {
    return Math.floorMod(messageId.hashCode(), 256);
  }

  /** Returns null when the part was accepted; otherwise what happened (the message was rescheduled or failed). */
  private String submit(SmsRepository.Outbound o, byte dcs, SmsCodec.Part part, int seq) {
    for (int attempt = 1; ; attempt++) {
      var session = link.transmitter();
      if (session == null) {
        metrics.smppSubmit(link.name(), "link_down");
        sms.retryAt(o.id(), clock.instant().plusSeconds(5), "link " + link.name() + " is not bound");
        return "link_down";
      }
      rate.acquire();
      try {
        window.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
      try {
        sms.submitting(o.id(), seq); // before the wire: a takeover after a crash knows the SMSC may have it
        var destination = o.destination();
        var international = destination.startsWith("+");
        var esm = new ESMClass(MessageMode.DEFAULT, MessageType.DEFAULT,
            part.udhi() ? GSMSpecificFeature.UDHI : GSMSpecificFeature.DEFAULT);
        var result = session.submitShortMessage("", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN,
            link.config().source(),
            international ? TypeOfNumber.INTERNATIONAL : TypeOfNumber.UNKNOWN,
            international ? NumberingPlanIndicator.ISDN : NumberingPlanIndicator.UNKNOWN,
            international ? destination.substring(1) : destination,
            esm, (byte) 0, (byte) 1, null, null, new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE),
            (byte) 0, DataCodings.newInstance(dcs), (byte) 0, part.bytes());
        sms.partSubmitted(o.id(), seq, result.getMessageId(), clock.instant());
        metrics.smppSubmit(link.name(), "ok");
        return null;
      } catch (NegativeResponseException e) {
        int status = e.getCommandStatus();
        if (status == SMPPConstant.STAT_ESME_RTHROTTLED || status == SMPPConstant.STAT_ESME_RMSGQFUL) {
          var what = status == SMPPConstant.STAT_ESME_RTHROTTLED ? "throttled" : "queue_full";
          metrics.smppSubmit(link.name(), what);
          if (attempt < THROTTLE_RETRIES) {
            pause(THROTTLE_PAUSE.delay(attempt)); // the SMSC asked us to slow down: wait, then the same part again
            continue;
          }
          sms.retryAt(o.id(), clock.instant().plusSeconds(30), "SMSC kept answering " + what);
          return what;
        }
        metrics.smppSubmit(link.name(), "refused");
        sms.failed(o.id(), "SMSC refused submit_sm with status 0x" + Integer.toHexString(status));
        return "refused";
      } catch (ResponseTimeoutException | IOException | InvalidResponseException | PDUException e) {
        // Unknown whether the SMSC took it: sending again risks a duplicate, not sending risks silence; we resend.
        metrics.smppSubmit(link.name(), "timeout");
        metrics.smsRepliesPossiblyDuplicated("timeout", 1);
        sms.retryAt(o.id(), clock.instant().plus(SmsRetry.OUTBOUND.delay(o.attempts())), e.getClass().getSimpleName());
        return "timeout";
      } finally {
        window.release();
      }
    }
  }

  private static void pause(Duration d) {
    LockSupport.parkNanos(d.toNanos());
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      tick.cancel(false);
      // let a drain under way finish the message it is sending (its parts are recorded as they are accepted)
      try {
        if (draining.tryLock(5, TimeUnit.SECONDS)) {
          draining.unlock();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
