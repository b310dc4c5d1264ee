package vn.hotline.gateway.voice;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.store.BoardRepository;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.SessionRepository;

/**
 * The counsellors' line in {@code enqueue} mode: a counsellor calls it from the phone on her account to take the
 * next child waiting in the hotline's queues. She hears the same whisper as in dial mode about the child she will
 * get (urgent first, then the longest waiting), presses 1, and the gateway dials that child's queue; when Twilio
 * dequeues the child it asks the Queue url on the child's leg, and that is when the contact records who took it
 * and her console opens the card (the screen-pop, {@link Whispers.Taken}). A number that is no active counsellor's
 * or supervisor's takes nobody: a child is never handed to whoever happens to call this line. Blocking: run on a
 * store worker.
 */
public final class AgentLine {
  private static final Logger log = LoggerFactory.getLogger(AgentLine.class);

  /** The counsellor calling in: her operator id and the language of her whisper (null: the flow's first). */
  public record Counsellor(String operatorId, String language) {}

  /** The child she would get: contact, handoff seq, queue, and the child's CallSid. */
  public record Waiting(String contactId, int seq, String queue, String callSid) {
    @Override
    public String toString() {
      return "Waiting[" + contactId + "]";
    }
  }

  private final FlowDefinition flow;
  private final OperatorRepository operators;
  private final BoardRepository board;
  private final SessionRepository sessions;
  private final Whispers whispers;

  public AgentLine(FlowDefinition flow, OperatorRepository operators, BoardRepository board, SessionRepository sessions,
      Whispers whispers) {
    this.flow = flow;
    this.operators = operators;
    this.board = board;
    this.sessions = sessions;
    this.whispers = whispers;
  }

  /** The active counsellor or supervisor whose account phone is {@code from}; empty for any other number. */
  public Optional<Counsellor> counsellor(String from) {
    if (from == null || from.isBlank()) {
      return Optional.empty();
    }
    return operators.takerByPhone(from.strip()).map(t -> new Counsellor(t.operatorId(), t.language()));
  }

  /**
   * The child the next dequeue should give her: voice contacts waiting at a handoff that nobody took yet, urgent
   * handoffs first, then the longest waiting (Twilio's queues are first in, first out).
   */
  public Optional<Waiting> next() {
    return board.live().stream()
        .filter(l -> Channel.VOICE.wire().equals(l.channel()) && l.answeredAt() == null && flow.id().equals(l.flowId()))
        .filter(l -> flow.nodes().get(l.nodeId()) instanceof Node.Handoff)
        .sorted(Comparator.<BoardRepository.Live>comparingInt(
                l -> ((Node.Handoff) flow.nodes().get(l.nodeId())).priority() == Node.Priority.URGENT ? 0 : 1)
            .thenComparing(BoardRepository.Live::nodeSince))
        .flatMap(l -> sessions.findByContact(l.contactId()).stream())
        .filter(s -> !s.state().closed() && flow.nodes().get(s.state().nodeId()) instanceof Node.Handoff)
        .map(s -> new Waiting(s.contactId(), s.seq(), ((Node.Handoff) flow.nodes().get(s.state().nodeId())).queue(),
            s.providerRef()))
        .findFirst();
  }

  /** What she hears about {@code w} (empty when it is no longer waiting). */
  public Optional<List<Instruction.Line>> whisper(Waiting w, String language) {
    return whispers.whisper(w.contactId(), w.seq(), language, w.callSid());
  }

  /** "Press 1" alone, when the summary cannot be read. */
  public List<Instruction.Line> acceptOnly(String language) {
    return whispers.acceptOnly(language);
  }

  /** One of the flow's texts said to her ({@code agent_*}), or nothing when the flow has none by that name. */
  public List<Instruction.Line> text(String key, String language) {
    if (!flow.texts().containsKey(key)) {
      return List.of();
    }
    var lang = flow.languageFor(language);
    return List.of(new Instruction.Line(flow.text(key, lang.code()), lang.code(), lang.voice()));
  }

  /**
   * Twilio dequeued the child of call {@code childCallSid} to the agent line's call {@code agentCallSid}: the
   * contact records who took it (and her console is told). False when that call is not waiting at a handoff any
   * more, or another counsellor took it first.
   */
  public boolean dequeued(String childCallSid, String agentCallSid, String operatorId) {
    var s = sessions.find(Channel.VOICE, childCallSid);
    if (s.isEmpty()) {
      log.atWarn().addKeyValue("leg", agentCallSid).log("a dequeue of a call the gateway does not know");
      return false;
    }
    return whispers.accept(s.get().contactId(), s.get().seq(),
        new Whispers.Leg(agentCallSid, childCallSid, operatorId, null));
  }
}
