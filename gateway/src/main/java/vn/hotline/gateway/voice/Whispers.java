package vn.hotline.gateway.voice;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.ContactSession;
import vn.hotline.gateway.store.HandoffRepository;
import vn.hotline.gateway.store.SessionRepository;

/**
 * A counsellor's leg of a dial-mode handoff: what they hear when they pick up (the {@link Whisper}) and what
 * pressing 1 does (the contact records who took it). Blocking; the routes run it on a store worker. A leg that
 * arrives after the call moved on (the caller hung up, another counsellor took it) is told to hang up.
 */
public final class Whispers {
  private static final Logger log = LoggerFactory.getLogger(Whispers.class);

  /** Who pressed 1: the counsellor's leg (its CallSid), the call it was dialled from, and who they are. */
  public record Leg(String callSid, String parentCallSid, String operatorId, String number) {
    @Override
    public String toString() {
      return "Leg[" + callSid + (operatorId != null ? " " + operatorId : "") + "]";
    }
  }

  /**
   * Told (on the worker, after the answer is committed) that a counsellor known by operator id took a contact: the
   * composition root tells that counsellor's console (the screen-pop). Also told again for a repeated press.
   */
  @FunctionalInterface
  public interface Taken {
    void taken(String contactId, String operatorId);
  }

  private final FlowDefinition flow;
  private final Taxonomy taxonomy;
  private final SessionRepository sessions;
  private final HandoffRepository handoffs;
  private final Clock clock;
  private final Taken taken;

  public Whispers(FlowDefinition flow, Taxonomy taxonomy, SessionRepository sessions, HandoffRepository handoffs,
      Clock clock) {
    this(flow, taxonomy, sessions, handoffs, clock, (contactId, operatorId) -> {});
  }

  public Whispers(FlowDefinition flow, Taxonomy taxonomy, SessionRepository sessions, HandoffRepository handoffs,
      Clock clock, Taken taken) {
    this.flow = flow;
    this.taxonomy = taxonomy;
    this.sessions = sessions;
    this.handoffs = handoffs;
    this.clock = clock;
    this.taken = taken;
  }

  /**
   * The whisper for a counsellor picking up the handoff of {@code contactId} at {@code seq}, in {@code language};
   * empty when that handoff is no longer ringing (the leg is hung up).
   */
  public Optional<List<Instruction.Line>> whisper(String contactId, int seq, String language, String parentCallSid) {
    var lang = lang(language);
    return ringing(contactId, seq, parentCallSid)
        .map(r -> lines(Whisper.sentences(flow, taxonomy, r.handoff(), r.session().state().answers(),
            r.session().reference(), lang), lang));
  }

  /** The whisper's last sentence alone ("press 1"), when the contact cannot be read: the key still takes the call. */
  public List<Instruction.Line> acceptOnly(String language) {
    var lang = lang(language);
    return lines(Whisper.acceptOnly(flow, lang), lang);
  }

  /**
   * A counsellor pressed 1. True when this leg takes the call (recorded on the contact, audited); false when the
   * handoff is no longer ringing or another counsellor took it first.
   */
  public boolean accept(String contactId, int seq, Leg leg) {
    var r = ringing(contactId, seq, leg.parentCallSid());
    if (r.isEmpty()) {
      return false;
    }
    var taken = handoffs.accept(contactId, seq, leg.callSid(), leg.operatorId(), leg.number(), clock.instant());
    if (taken == HandoffRepository.Accepted.TAKEN) {
      log.atInfo().addKeyValue("contact", contactId).addKeyValue("leg", leg.callSid())
          .log("a second counsellor pressed 1; the call was taken already");
      return false;
    }
    log.atInfo().addKeyValue("contact", contactId).addKeyValue("leg", leg.callSid())
        .addKeyValue("operator", leg.operatorId() == null ? "-" : leg.operatorId()).log("counsellor took the call");
    if (leg.operatorId() != null) {
      try {
        this.taken.taken(contactId, leg.operatorId());
      } catch (RuntimeException e) {
        // the screen-pop is a convenience: the child is put through whatever it does
        log.atWarn().addKeyValue("contact", contactId).addKeyValue("error", e.getClass().getSimpleName())
            .log("the counsellor's console was not told of the call");
      }
    }
    return true;
  }

  private record Ringing(ContactSession session, Node.Handoff handoff) {}

  /** The contact, while its session waits at a handoff at this seq (and the leg was dialled from its call). */
  private Optional<Ringing> ringing(String contactId, int seq, String parentCallSid) {
    var found = sessions.findByContact(contactId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    var s = found.get();
    if (parentCallSid != null && !parentCallSid.equals(s.providerRef())) {
      log.atWarn().addKeyValue("contact", contactId).log("a whisper for a contact from a call that is not its own");
      return Optional.empty();
    }
    if (s.state().closed() || s.seq() != seq || !(flow.nodes().get(s.state().nodeId()) instanceof Node.Handoff h)) {
      return Optional.empty();
    }
    return Optional.of(new Ringing(s, h));
  }

  /** The flow language a target's language names: the code itself (vi-VN) or its first part (vi); else the first. */
  private String lang(String language) {
    return flow.languageFor(language).code();
  }

  private List<Instruction.Line> lines(List<String> sentences, String lang) {
    // one <Say>: the sentences run on as one short summary, without a gap between Say verbs
    return List.of(new Instruction.Line(String.join(" ", sentences), lang, flow.language(lang).voice()));
  }
}
