package vn.hotline.gateway.contact;

/**
 * How a contact ended (flow_sessions.outcome, contacts.outcome, reports.outcome, the webhook payload's
 * {@code outcome}), as they spell it ({@link #wire()}). The one place these words are defined.
 */
public enum Outcome {
  /** Handed to a counsellor. */
  OPERATOR("operator"),
  /** Left a voicemail (no counsellor free or out of hours). */
  VOICEMAIL("voicemail"),
  /** The flow ran to its end. */
  COMPLETED("completed"),
  /** Ended before the flow did (hung up, conversation expired, stale session). */
  ABANDONED("abandoned"),
  /** The caller cancelled on purpose (an end node marked cancel). */
  CANCELLED("cancelled"),
  /** The texter started over (a restart keyword). */
  RESTARTED("restarted"),
  /** The texter opted out (a stop keyword). */
  OPTED_OUT("opted-out");

  private final String wire;

  Outcome(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The outcome with that word; IllegalArgumentException for any other. */
  public static Outcome of(String wire) {
    var o = find(wire);
    if (o == null) {
      throw new IllegalArgumentException("unknown outcome '" + wire + "'");
    }
    return o;
  }

  /** The outcome with that word, or null (none yet, or a word of an older version). */
  public static Outcome find(String wire) {
    for (var o : values()) {
      if (o.wire.equals(wire)) {
        return o;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return wire;
  }
}
