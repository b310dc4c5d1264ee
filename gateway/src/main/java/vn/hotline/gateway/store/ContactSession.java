package vn.hotline.gateway.store;

import java.time.Instant;
import vn.hotline.gateway.flow.FlowState;

/**
 * A contact (one call) with its flow session as stored. {@code seq} counts the inputs applied; step URLs
 * carry it so a repeated or stale callback is recognised. {@code version} guards concurrent writers.
 */
public record ContactSession(
    String sessionId,
    String contactId,
    String channel,
    String providerRef,
    String reference,
    String flowId,
    int seq,
    int version,
    Instant startedAt,
    FlowState state) {}
