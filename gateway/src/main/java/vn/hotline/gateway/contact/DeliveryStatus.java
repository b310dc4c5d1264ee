package vn.hotline.gateway.contact;

import vn.hotline.gateway.util.Wire;

/** A report's delivery to one agency (deliveries.status), as the store and the API spell it ({@link #wire()}). */
public enum DeliveryStatus {
  /** Waiting for its next attempt. */
  PENDING("pending"),
  /**
   * Held for a counsellor's review (a routing rule with review: counsellor): not sent until the report is
   * completed or its review time is up, then pending.
   */
  HELD("held"),
  /** The agency answered 2xx. */
  DELIVERED("delivered"),
  /** Given up: attempts exhausted, agency removed, or report gone (an operator may replay it). */
  DEAD("dead");

  private final String wire;

  DeliveryStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static DeliveryStatus of(String wire) {
    return Wire.of(values(), DeliveryStatus::wire, wire, "delivery status");
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
