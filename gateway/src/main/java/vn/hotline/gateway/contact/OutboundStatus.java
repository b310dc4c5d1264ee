package vn.hotline.gateway.contact;

import vn.hotline.gateway.util.Wire;

/** An outgoing SMS (sms_outbound.status), as the store spells it ({@link #wire()}). */
public enum OutboundStatus {
  /** Waiting for a sender (the REST sender or an SMPP link). */
  QUEUED("queued"),
  /** Claimed by a sender, under way. */
  SENDING("sending"),
  /** Handed to the provider (or answered inline in the webhook). */
  SENT("sent"),
  /** The provider or SMSC reported every part delivered. */
  DELIVERED("delivered"),
  /** The provider or SMSC reported it undeliverable, or sending gave up. */
  FAILED("failed"),
  /** Not sent on purpose (e.g. too old to be useful, or its link gone). */
  SKIPPED("skipped");

  private final String wire;

  OutboundStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static OutboundStatus of(String wire) {
    return Wire.of(values(), OutboundStatus::wire, wire, "outbound SMS status");
  }

  /** The SQL literal, e.g. {@code 'queued'} (a fixed word, never input). */
  public String sql() {
    return "'" + wire + "'";
  }

  @Override
  public String toString() {
    return wire;
  }
}
