package vn.hotline.gateway.voice;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.OpeningHours;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.flow.Input;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.flow.Promise;
import vn.hotline.gateway.flow.Step;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.callers.CallerFlags;
import vn.hotline.gateway.flow.StepEvent;
import vn.hotline.gateway.store.HandoffRepository;
import vn.hotline.gateway.store.ContactSession;
import vn.hotline.gateway.store.NewContact;
import vn.hotline.gateway.store.SessionRepository;
import vn.hotline.gateway.store.StoreException;
import vn.hotline.gateway.util.Ids;

/**
 * One call's life: start the flow, apply each callback, end it when Twilio says the call is over. Blocking
 * (it talks to the store); the routes run it on a worker. State lives only in the store, so any instance
 * can take any callback of any call.
 */
public final class CallService {
  private static final Logger log = LoggerFactory.getLogger(CallService.class);
  private static final Set<String> FINAL_STATUSES = Set.of("completed", "busy", "no-answer", "failed", "canceled");
  private static final int TRIES = 5;

  /** What to answer: the step and the session it belongs to (for the sequence number in URLs). */
  public record Turn(ContactSession session, Step step) {
    public Instruction instruction() {
      return step.instruction();
    }
  }

  private final FlowDefinition flow;
  private final Pseudonyms pseudonyms;
  private final FlowEngine engine;
  private final SessionRepository sessions;
  private final OpeningHours hours;
  private final Metrics metrics;
  private final Clock clock;
  private final CallerFlags flags;
  private final HandoffRepository handoffs;

  /**
   * @param flags callers flagged as abusive or prank: their handoffs ring nobody (but danger)
   * @param handoffs who pressed 1 at the whisper: a dial-mode handoff counts as answered only then
   */
  public CallService(FlowDefinition flow, FlowEngine engine, SessionRepository sessions, Pseudonyms pseudonyms,
      OpeningHours hours, Metrics metrics, Clock clock, CallerFlags flags, HandoffRepository handoffs) {
    this.flow = flow;
    this.pseudonyms = pseudonyms;
    this.engine = engine;
    this.sessions = sessions;
    this.hours = hours;
    this.metrics = metrics;
    this.clock = clock;
    this.flags = flags;
    this.handoffs = handoffs;
  }

  public FlowDefinition flow() {
    return flow;
  }

  /** A new call. A repeated first webhook for the same CallSid answers from the stored session. */
  public Turn incoming(String callSid, String from) {
    var pseudonym = from == null || from.isBlank() ? null : pseudonyms.of(from);
    for (int attempt = 1; ; attempt++) {
      var existing = sessions.find(Channel.VOICE, callSid);
      if (existing.isPresent()) {
        return repeat(existing.get());
      }
      var reference = Ids.reference();
      boolean flagged = flags.activeFor(pseudonym).isPresent();
      var step = engine.start(flow, context(reference, flagged));
      if (flagged) {
        step = flaggedFirst(step);
      }
      try {
        // Voice keeps only the pseudonym, unless the caller later says a callback is safe (callbackNumber).
        var contact = new NewContact(Channel.VOICE, callSid, reference, flow.id(), pseudonym, null, null);
        var created = sessions.create(contact, step.state(), step.events(), clock.instant());
        countOutcome(created.state().outcome(), step);
        return new Turn(created, step);
      } catch (StoreException e) {
        if (!e.isDuplicateKey() || attempt >= TRIES) {
          throw e;
        }
        // the CallSid arrived twice at once, or the reference was taken: look again / draw another
      }
    }
  }

  /**
   * {@link #incoming} without a caller, for the warm-up before the listener opens ({@link WarmUp}): the same reads,
   * engine step and inserts, the inserts in a transaction that is rolled back; no log line, no metric. The turn it
   * returns (a made-up call's, at seq 0) is for rendering only.
   */
  Turn rehearseIncoming() {
    var callSid = "CA" + "0".repeat(32); // no Twilio call has it; had one, the insert would be refused, not kept
    var pseudonym = pseudonyms.of("+84000000000");
    sessions.find(Channel.VOICE, callSid);
    var reference = Ids.reference();
    boolean flagged = flags.activeFor(pseudonym).isPresent();
    var step = engine.start(flow, context(reference, flagged));
    var contact = new NewContact(Channel.VOICE, callSid, reference, flow.id(), pseudonym, null, null);
    return new Turn(sessions.rehearseCreate(contact, step.state(), step.events(), clock.instant()), step);
  }

  /**
   * A callback at a node. Applied only when it matches where the session is ({@code node}, {@code seq});
   * anything else (a retry, a callback racing another instance) gets the current node again. {@code whispered}:
   * the callback is the end of a Dial whose numbers had the whisper, so a completed Dial counts as answered only
   * if a counsellor pressed 1 for this handoff (a leg hung up at the whisper, or a counsellor's own voicemail,
   * may still end the Dial as completed; neither is a person for the child).
   */
  public Turn step(String callSid, String from, String node, int seq, Input input, boolean whispered) {
    for (int attempt = 1; attempt <= TRIES; attempt++) {
      Optional<ContactSession> found = sessions.find(Channel.VOICE, callSid);
      if (found.isEmpty()) {
        // We never saw this call start (its first webhook got the fallback): begin it now rather than drop it.
        log.atWarn().addKeyValue("callSid", callSid).log("step callback for an unknown call; starting the flow");
        return incoming(callSid, from);
      }
      var s = found.get();
      if (s.state().closed() || s.seq() != seq || !s.state().nodeId().equals(node)) {
        return repeat(s);
      }
      var applied = input;
      if (whispered && input instanceof Input.HandoffEnded e && e.answered() && !takenAt(s, seq)) {
        log.atInfo().addKeyValue("callSid", callSid).addKeyValue("node", node)
            .log("the dial ended as completed but no counsellor pressed 1: the no-answer path");
        applied = new Input.HandoffEnded(false);
      }
      var flagged = flags.activeFor(s.callerPseudonym()).isPresent();
      var step = engine.advance(flow, s.state(), applied, context(s.reference(), flagged));
      if (sessions.advance(s, step.state(), step.events(), clock.instant(), callbackNumber(s, step, from))) {
        if (step.state().closed()) {
          countOutcome(step.state().outcome(), step);
        }
        return new Turn(s.advanced(step.state(), clock.instant()), step);
      }
    }
    throw new StoreException("call " + callSid + ": session kept changing under us; giving up after " + TRIES + " tries");
  }

  /** Twilio's status callback. A final status ends the call: session closed, outcome and report written. */
  public void status(String callSid, String callStatus) {
    if (!FINAL_STATUSES.contains(callStatus)) {
      return;
    }
    for (int attempt = 1; attempt <= TRIES; attempt++) {
      var found = sessions.find(Channel.VOICE, callSid);
      if (found.isEmpty()) {
        return; // a call we never answered from the store (fallback at the first webhook)
      }
      var s = found.get();
      boolean wasOpen = !s.state().closed();
      if (sessions.end(s, callStatus, clock.instant())) {
        if (wasOpen) {
          metrics.outcome(flow.id(), endedWith(s));
        }
        return;
      }
    }
  }

  /**
   * Ends calls whose end Twilio never told us (a lost status callback), so they stop counting as active and
   * their reports are written. Returns how many were closed.
   */
  public int sweepStale(java.time.Duration staleAfter) {
    int closed = 0;
    for (var s : sessions.idleSince(Set.of(Channel.VOICE), clock.instant().minus(staleAfter), 200)) {
      if (sessions.end(s, "stale", clock.instant())) {
        metrics.outcome(flow.id(), endedWith(s));
        closed++;
      }
    }
    return closed;
  }

  public int activeCalls() {
    return sessions.countActive();
  }

  /** The hold lines for a caller waiting at a handoff node (read from the flow; no store needed). */
  public List<Instruction.Line> holdLines(String nodeId, String language) {
    if (!(flow.nodes().get(nodeId) instanceof Node.Handoff h)) {
      return List.of();
    }
    var lang = flow.language(language == null ? flow.defaultLanguage() : language);
    return List.of(new Instruction.Line(h.prompt().in(lang.code()), lang.code(), lang.voice()));
  }

  private Turn repeat(ContactSession s) {
    return new Turn(s, engine.repeat(flow, s.state(), context(s.reference(), false)));
  }

  /**
   * Twilio's From for a caller who withheld their number (anonymous, unknown, unavailable, blocked, restricted):
   * nothing to call back.
   */
  private static final Set<String> WITHHELD = Set.of("+266696687", "+86282452253", "+8656696", "+2562533", "+7378742833");
  private static final java.util.regex.Pattern DIALABLE = java.util.regex.Pattern.compile("\\+[1-9]\\d{6,14}");

  /**
   * The number to keep sealed for a callback: the one this call came from, at the step where the caller said that
   * calling back is safe (the flow set callback_safe: yes), when it is a number that can be called; else null.
   */
  static String callbackNumber(ContactSession s, Step step, String from) {
    boolean saidYes = Promise.SAFE.equals(step.state().answer(Promise.SAFE_ANSWER))
        && !Promise.SAFE.equals(s.state().answer(Promise.SAFE_ANSWER));
    if (!saidYes || s.callerSealed() != null || from == null) {
      return null;
    }
    var number = from.strip();
    return DIALABLE.matcher(number).matches() && !WITHHELD.contains(number) ? number : null;
  }

  /** Whether a counsellor pressed 1 for the handoff the session is at (seq {@code seq}). */
  private boolean takenAt(ContactSession s, int seq) {
    return handoffs.answer(s.contactId()).filter(a -> a.seq() == seq).isPresent();
  }

  /**
   * A flagged caller hears the flow's flagged_caller text first, in every language (the language is not chosen
   * yet), then the start node as usual; the step history says so.
   */
  private Step flaggedFirst(Step step) {
    if (!flow.texts().containsKey("flagged_caller")) {
      return step;
    }
    var lines = new java.util.ArrayList<Instruction.Line>();
    for (var l : flow.languages()) {
      lines.add(new Instruction.Line(flow.text("flagged_caller", l.code()), l.code(), l.voice()));
    }
    lines.addAll(step.instruction().lines());
    var events = new java.util.ArrayList<StepEvent>();
    events.add(StepEvent.of(flow.start(), "caller-flagged"));
    events.addAll(step.events());
    return new Step(step.state(), new Instruction(lines, step.instruction().action()), events);
  }

  /** The outcome of a call ended without the flow's own (hung up, or swept as stale): the one it had, else abandoned. */
  private static Outcome endedWith(ContactSession s) {
    return s.state().outcome() != null ? s.state().outcome() : Outcome.ABANDONED;
  }

  private void countOutcome(Outcome outcome, Step step) {
    if (step.state().closed() && outcome != null) {
      metrics.outcome(flow.id(), outcome);
    }
  }

  private FlowEngine.Context context(String reference, boolean callerFlagged) {
    return new FlowEngine.Context(reference, hours.isOpen(ZonedDateTime.now(clock)), callerFlagged);
  }
}
