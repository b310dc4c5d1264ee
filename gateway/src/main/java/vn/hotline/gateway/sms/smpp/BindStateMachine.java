package vn.hotline.gateway.sms.smpp;

/**
 * One bind's state and why it is not bound. Moves are checked against {@link LinkState#mayMoveTo}: a move the
 * table does not allow is a bug and throws; a move from a state the bind has already left (the link was closed
 * meanwhile, or the bind was lost twice) does nothing and says so.
 */
final class BindStateMachine {
  private LinkState state = LinkState.DISCONNECTED;
  private String lastError;

  synchronized LinkState state() {
    return state;
  }

  /** Why the bind is not bound; null while it is (or before the first try). */
  synchronized String lastError() {
    return lastError;
  }

  /** Moves from {@code from} to {@code to} (with the reason, null when there is none); false if not in {@code from}. */
  synchronized boolean move(LinkState from, LinkState to, String error) {
    if (!from.mayMoveTo(to)) {
      throw new IllegalStateException("an SMPP bind may not move from " + from + " to " + to);
    }
    if (state != from) {
      return false;
    }
    state = to;
    if (to == LinkState.BOUND) {
      lastError = null;
    } else if (error != null) {
      lastError = error;
    }
    return true;
  }

  /** Closing: BOUND moves to UNBINDING (true: the caller unbinds), anything else straight to CLOSED. */
  synchronized boolean closing() {
    if (state == LinkState.BOUND) {
      state = LinkState.UNBINDING;
      return true;
    }
    state = LinkState.CLOSED;
    return false;
  }

  synchronized void closed() {
    state = LinkState.CLOSED;
  }
}
