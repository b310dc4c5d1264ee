package vn.hotline.gateway.store;

import java.time.Instant;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.flow.FlowState;

/**
 * A contact (one call, one SMS conversation) with its flow session as stored. {@code seq} counts the inputs
 * applied; voice step URLs carry it so a repeated or stale callback is recognised. {@code version} guards
 * concurrent writers. {@code callerSealed} is the number, encrypted, kept only where replies are owed.
 */
public record ContactSession(
    String sessionId,
    String contactId,
    Channel channel,
    String providerRef,
    String reference,
    String flowId,
    int seq,
    int version,
    Instant startedAt,
    Instant updatedAt,
    Instant remindedAt,
    String callerPseudonym,
    String callerSealed,
    String smsLink,
    FlowState state) {

  /** The same session after one applied step. */
  public ContactSession advanced(FlowState next, Instant now) {
    return new ContactSession(sessionId, contactId, channel, providerRef, reference, flowId, seq + 1, version + 1,
        startedAt, now, remindedAt, callerPseudonym, callerSealed, smsLink, next);
  }

  @Override
  public String toString() {
    return "ContactSession[" + sessionId + " " + channel + " ref=" + reference + " at " + state.nodeId() + "]";
  }
}
