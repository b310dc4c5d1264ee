package vn.hotline.gateway.sms.twilio;

/**
 * Twilio's message status vocabulary (queued, sending, sent, delivered, read, undelivered, failed...) in our own
 * outbound statuses: delivered, failed, or sent for anything still under way. The store keeps only ours.
 */
final class TwilioMessageStatus {
  private TwilioMessageStatus() {}

  static String ours(String twilioStatus) {
    return switch (twilioStatus) {
      case "delivered", "read" -> "delivered";
      case "undelivered", "failed" -> "failed";
      default -> "sent";
    };
  }
}
