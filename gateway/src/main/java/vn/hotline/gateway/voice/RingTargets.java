package vn.hotline.gateway.voice;

import java.util.List;
import vn.hotline.gateway.flow.Node;

/**
 * Which phones a call put through in dial mode rings: the seam between the voice webhooks and whoever knows who
 * is on duty. Today {@link #configured}: {@code operators.numbers}, or the fallback number when none is set. A
 * later step fills it from the counsellors who are Available (their phones, operator ids and languages), falling
 * back to the configured numbers. Every target gets the whisper; the operator id, when there is one, is what the
 * contact records as the counsellor who answered (else the number, sealed).
 */
@FunctionalInterface
public interface RingTargets {
  /**
   * One phone to ring.
   *
   * @param number E.164
   * @param operatorId the counsellor this phone belongs to, an opaque id ({@code [A-Za-z0-9._:-]{1,64}}); null for
   *     a configured number nobody is known by
   * @param language the language of that counsellor's whisper: a flow language code (vi-VN) or its first part (vi,
   *     as accounts keep it); null: the flow's first
   */
  record Target(String number, String operatorId, String language) {
    @Override
    public String toString() {
      return "Target[" + (operatorId != null ? operatorId : "number") + "]"; // never the number in a log line
    }
  }

  /** The handoff being put through: which contact, at which node, how urgent, for which queue. */
  record Handoff(String contactId, String nodeId, Node.Priority priority, String queue) {}

  /**
   * The phones to ring for this handoff, 1 to 10 (Twilio dials at most ten at once). Called on a store worker,
   * never on an event loop: an implementation may read the store.
   */
  List<Target> forHandoff(Handoff handoff);

  /** The configured on-duty numbers; when there are none, the fallback number (as the gateway has always done). */
  static RingTargets configured(List<String> numbers, String fallbackNumber) {
    var targets = (numbers.isEmpty() ? List.of(fallbackNumber) : numbers).stream()
        .map(n -> new Target(n, null, null)).toList();
    return handoff -> targets;
  }
}
