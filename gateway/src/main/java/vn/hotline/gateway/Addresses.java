package vn.hotline.gateway;

import io.vertx.core.Vertx;

/**
 * The event-bus addresses by which one feature wakes another (local consumers only; the message has no body,
 * except {@link #CONTACT_TAKEN}'s ids). A wake-up only makes a loop look now rather than at its next tick: losing
 * one delays, never loses, work.
 */
final class Addresses {
  /** An inbound SMS is stored (SMPP): the SMS inbox looks now. */
  static final String SMS_STORED = "gateway.sms.stored";
  /** Replies were queued in sms_outbound: the SMPP senders and the Twilio REST sender look now. */
  static final String REPLIES_QUEUED = "gateway.sms.replies-queued";
  /** A delivery is due (a replay, an agency re-enabled): the delivery worker looks now. */
  static final String DELIVERY_DUE = "gateway.delivery.due";

  /**
   * A counsellor pressed 1 and took a call (body: JSON {@code {"contact": id, "operator": id}}, ids only): their
   * open console pages go to the contact's card (the screen-pop). Lost, the next board reading still pops it.
   */
  static final String CONTACT_TAKEN = "gateway.console.contact-taken";

  /**
   * Something changed in an SMS conversation a counsellor has taken over (body: JSON {@code {"contact": id}}, the id
   * only): a message from the texter was stored, a reply queued, the takeover began or ended. The console pages
   * showing that conversation read it again. Lost, the page's own look every few seconds still shows it.
   */
  static final String SMS_CONVERSATION = "gateway.console.sms-conversation";

  private Addresses() {}

  /** A wake-up to hand to a feature: publishes to {@code address}; safe from any thread. */
  static Runnable publisher(Vertx vertx, String address) {
    return () -> vertx.eventBus().publish(address, null);
  }
}
