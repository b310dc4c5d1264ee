package vn.hotline.gateway.contact;

/** A whole received SMS (sms_inbound.status), as the store spells it ({@link #wire()}). */
public enum InboundStatus {
  /** Stored, waiting for the inbox to process it. */
  PENDING("pending"),
  /** Processed once by the inbox (answered, or kept unanswered for an opted-out texter). */
  PROCESSED("processed"),
  /** No source address: nobody to answer, so no conversation; kept for a counsellor to read. */
  UNANSWERABLE("unanswerable");

  private final String wire;

  InboundStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The SQL literal, e.g. {@code 'pending'} (a fixed word, never input). */
  public String sql() {
    return "'" + wire + "'";
  }

  @Override
  public String toString() {
    return wire;
  }
}
