package vn.hotline.gateway.sms;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.OutboundStatus;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.util.Loop;

/**
 * Works through stored inbound messages (SMPP delivers them; the SMSC already has its deliver_sm_resp), each in
 * one transaction: lock it, run the conversation, queue the replies, mark it processed. A crash mid-way rolls
 * back, so the message is processed again, once. Woken when a message is stored, and every second anyway.
 */
public final class SmsInbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmsInbox.class);

  private final SmsConversations conversations;
  private final SmsRepository sms;
  private final Store store;
  private final Clock clock;
  private final Runnable afterReplies;
  private volatile boolean closed;
  private Loop loop;

  /** @param afterReplies called when replies were queued (wakes the senders) */
  public SmsInbox(SmsConversations conversations, SmsRepository sms, Store store, Clock clock, Runnable afterReplies) {
    this.conversations = conversations;
    this.sms = sms;
    this.store = store;
    this.clock = clock;
    this.afterReplies = afterReplies;
  }

  /** Starts working through the inbox on its own (every second, and when woken). */
  public synchronized void start() {
    if (loop == null && !closed) {
      loop = Loop.start("sms-inbox", Duration.ofSeconds(1), this::step);
    }
  }

  /** A message was stored: look now rather than at the next tick. */
  public void wake() {
    var l = loop;
    if (l != null) {
      l.wake();
    }
  }

  private void step() {
    try {
      int n = store.migrated() ? drain() : 0; // the schema may still be on its way (startup, a store down then)
      if (n > 0) {
        afterReplies.run();
      }
    } catch (RuntimeException e) {
      // store down: the messages wait, committed; the store logs the outage once, here it would repeat each second
      if (e instanceof vn.hotline.gateway.store.StoreException se && se.isUnavailable()) {
        log.debug("sms inbox: {}", e.toString());
      } else {
        log.warn("sms inbox: {}", e.toString());
      }
    }
  }

  /** Processes every pending message it can claim; returns how many. Also callable directly (tests, CLI). */
  public int drain() {
    int n = 0;
    while (!closed) {
      var handled = store.inTransaction(c -> {
        var m = sms.claimPending(c);
        if (m.isEmpty()) {
          return null;
        }
        var h = conversations.handle(c, m.get(), OutboundStatus.QUEUED);
        sms.markProcessed(c, m.get(), clock.instant());
        return h;
      });
      if (handled == null) {
        return n;
      }
      conversations.committed(handled);
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    closed = true; // a drain under way stops after the message it is on
    Loop l;
    synchronized (this) {
      l = loop;
    }
    if (l != null) {
      l.close();
    }
  }
}
