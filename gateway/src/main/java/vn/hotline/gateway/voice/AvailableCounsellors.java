package vn.hotline.gateway.voice;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.store.PresenceRepository;

/**
 * The phones a dial-mode handoff rings: those of the counsellors who are Available on the console (set up, not
 * disabled, with a phone, not now with a contact), longest available first, at most ten (Twilio's limit), each
 * with its operator id so that the contact records who pressed 1; when nobody is Available, {@code otherwise}
 * (the configured {@code operators.numbers}, else the fallback number). A store that cannot be read here also
 * falls back to {@code otherwise}: the child still reaches someone.
 *
 * <p>Each target carries its counsellor's language (the account's vi or en; none: the flow's first), which the
 * whisper URL passes on ({@link Whispers} picks the flow language it names).
 */
public final class AvailableCounsellors implements RingTargets {
  private static final Logger log = LoggerFactory.getLogger(AvailableCounsellors.class);
  static final int MAX_TARGETS = 10;

  private final PresenceRepository presence;
  private final RingTargets otherwise;

  public AvailableCounsellors(PresenceRepository presence, RingTargets otherwise) {
    this.presence = presence;
    this.otherwise = otherwise;
  }

  @Override
  public List<Target> forHandoff(Handoff handoff) {
    List<PresenceRepository.Ringable> available;
    try {
      available = presence.ringable(Presence.AVAILABLE.wire());
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("contact", handoff.contactId()).addKeyValue("error", e.getClass().getSimpleName())
          .log("counsellors' presence not read; ringing the configured numbers");
      return otherwise.forHandoff(handoff);
    }
    if (available.isEmpty()) {
      return otherwise.forHandoff(handoff);
    }
    return available.stream().limit(MAX_TARGETS).map(r -> new Target(r.phone(), r.operatorId(), r.language())).toList();
  }
}
