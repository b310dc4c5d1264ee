package vn.hotline.gateway.operators;

/**
 * A person who uses the console, as the console sees them: never the password hash, the TOTP secret or the phone
 * number (that is personal data, opened only where a call is put through: store.OperatorRepository#phone).
 *
 * @param totp whether signing in needs a code from an authenticator app (RFC 6238)
 */
public record Operator(String id, String login, String name, Role role, Status status, boolean totp) {
  /** An account's state: waiting for its setup link to be used, usable, or switched off. */
  public enum Status {
    SETUP_PENDING("setup-pending"),
    ACTIVE("active"),
    DISABLED("disabled");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  public boolean is(Role... roles) {
    for (var r : roles) {
      if (r == role) {
        return true;
      }
    }
    return false;
  }
}
