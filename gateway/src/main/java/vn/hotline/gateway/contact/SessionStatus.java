package vn.hotline.gateway.contact;

/** A contact's flow session (flow_sessions.status), as the store spells it ({@link #wire()}). */
public enum SessionStatus {
  /** The call or conversation is under way. */
  ACTIVE("active"),
  /** The flow ended or the contact did. */
  CLOSED("closed");

  private final String wire;

  SessionStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The status of a session whose flow is closed or not. */
  public static SessionStatus of(boolean closed) {
    return closed ? CLOSED : ACTIVE;
  }

  /** The SQL literal, e.g. {@code 'active'} (a fixed word, never input). */
  public String sql() {
    return "'" + wire + "'";
  }

  @Override
  public String toString() {
    return wire;
  }
}
