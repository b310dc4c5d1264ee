package vn.hotline.gateway.sms.smpp;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The states of an SMPP bind (and of a link: its worst bind), with every allowed move in one place. /health/ready
 * shows them and the {@code hotline_smpp_link_bound} gauge reads them. Declared from best to worst.
 */
public enum LinkState {
  /** Bound: submits go out, deliver_sm comes in. */
  BOUND,
  /** Connecting and sending the bind. */
  BINDING,
  /** Not started yet, or the bind was just lost (binding again at once). */
  DISCONNECTED,
  /** The bind failed (no answer, refused with a transient status); trying again after the backoff. */
  BACKING_OFF,
  /** The SMSC refused our credentials (ESME_RINVPASWD, ESME_RINVSYSID); trying again only rarely. */
  REFUSED,
  /** Closing: unbind sent. */
  UNBINDING,
  /** Closed for good. */
  CLOSED;

  private static final Map<LinkState, Set<LinkState>> NEXT = Map.of(
      DISCONNECTED, EnumSet.of(BINDING, CLOSED),
      BINDING, EnumSet.of(BOUND, BACKING_OFF, REFUSED, CLOSED),
      BOUND, EnumSet.of(DISCONNECTED, UNBINDING, CLOSED),
      BACKING_OFF, EnumSet.of(BINDING, CLOSED),
      REFUSED, EnumSet.of(BINDING, CLOSED),
      UNBINDING, EnumSet.of(CLOSED),
      CLOSED, EnumSet.noneOf(LinkState.class));

  /** Whether a bind in this state may move to {@code next}. */
  public boolean mayMoveTo(LinkState next) {
    return NEXT.get(this).contains(next);
  }
}
