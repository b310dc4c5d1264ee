package vn.hotline.gateway.board;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.store.BoardRepository;

/**
 * The live board's content: every contact in progress, urgent first, then those waiting longest for a counsellor,
 * and today's totals (local day of the hotline's time zone). Codes and times only: no number, no pseudonym, no
 * caller's words.
 */
public final class Board {
  /** Where a contact in progress is. */
  public enum State { WAITING, WITH_COUNSELLOR, IN_MENU, SMS }

  /**
   * One contact on the board. {@code since} is when it reached its state (waiting since, in this step since, with a
   * counsellor since); {@code counsellor} is the operator id of who took it, when known.
   */
  public record Item(String contactId, String reference, Channel channel, State state, String nodeId, Instant since,
      Instant startedAt, boolean urgent, String intent, String category, int earlierContacts, String counsellor) {}

  /** The whole board at one moment. */
  public record View(Instant at, List<Item> items, BoardRepository.Totals today) {
    public long waiting() {
      return items.stream().filter(i -> i.state() == State.WAITING).count();
    }
  }

  private static final Comparator<Item> ORDER = Comparator.comparing((Item i) -> !i.urgent())
      .thenComparing(i -> i.state().ordinal())
      .thenComparing(Item::since)
      .thenComparing(Item::contactId);

  private final BoardRepository repository;
  private final FlowCatalog flows;
  private final ZoneId zone;
  private final Clock clock;

  public Board(BoardRepository repository, FlowCatalog flows, ZoneId zone, Clock clock) {
    this.repository = repository;
    this.flows = flows;
    this.zone = zone;
    this.clock = clock;
  }

  /** Reads the board now (blocking: two queries). */
  public View read() {
    var now = clock.instant();
    var items = new ArrayList<Item>();
    for (var l : repository.live()) {
      var channel = Channel.of(l.channel());
      var codes = l.codes();
      var intent = codes.get("intent");
      boolean urgent = "danger".equals(intent) || "true".equals(codes.get("urgent"));
      var counsellor = l.answeredBy();
      var since = l.nodeSince();
      State state;
      if (channel.isSms()) {
        state = State.SMS;
      } else if (l.answeredAt() != null) {
        state = State.WITH_COUNSELLOR;
        since = l.answeredAt();
      } else if (isHandoff(l.flowId(), l.nodeId())) {
        state = State.WAITING;
      } else {
        state = State.IN_MENU;
      }
      items.add(new Item(l.contactId(), l.reference(), channel, state, l.nodeId(), since, l.startedAt(), urgent,
          intent, codes.get("category"), l.earlierContacts(), counsellor));
    }
    items.sort(ORDER);
    var midnight = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
    return new View(now, List.copyOf(items), repository.since(midnight));
  }

  private boolean isHandoff(String flowId, String nodeId) {
    return flows.find(flowId).filter(f -> f.has(nodeId)).map(f -> f.node(nodeId) instanceof Node.Handoff).orElse(false);
  }
}
