package vn.hotline.gateway.contact;

/** How one delivery attempt ended (delivery_attempts.outcome, the API's attempts and the delivery metric). */
public enum AttemptOutcome {
  /** The agency answered 2xx. */
  DELIVERED("delivered"),
  /** A failure that is tried again (the delivery stays pending). */
  RETRY("retry"),
  /** 410 Gone: the agency's endpoint is switched off; the delivery waits until it is switched on again. */
  GONE("gone"),
  /** Given up: attempts exhausted, agency removed, or report gone. */
  DEAD("dead");

  private final String wire;

  AttemptOutcome(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  @Override
  public String toString() {
    return wire;
  }
}
