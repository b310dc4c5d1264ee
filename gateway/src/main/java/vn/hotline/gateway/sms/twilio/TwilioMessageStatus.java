package vn.hotline.gateway.sms.twilio;

import vn.hotline.gateway.contact.OutboundStatus;

/**
 * Twilio's message status vocabulary (queued, sending, sent, delivered, read, undelivered, failed...) in our own
 * outbound statuses: delivered, failed, or sent for anything still under way. The store keeps only ours.
 */
final class TwilioMessageStatus {
  private TwilioMessageStatus() {}

  static OutboundStatus ours(String twilioStatus) {
    return switch (twilioStatus) {
      case "delivered", "read" -> OutboundStatus.DELIVERED;
      case "undelivered", "failed" -> OutboundStatus.FAILED;
      default -> OutboundStatus.SENT;
    };
  }
}
