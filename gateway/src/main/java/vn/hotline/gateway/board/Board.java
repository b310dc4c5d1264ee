package vn.hotline.gateway.board;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.casework.Casework;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.followup.Followups;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.BoardRepository;
import vn.hotline.gateway.store.PresenceRepository;

/**
 * The live board's content: every contact in progress, urgent first, then those waiting longest for a counsellor,
 * and today's totals (local day of the hotline's time zone); with the counsellors' presence and the reports
 * awaiting a counsellor's review when it is given them. Codes, times and staff names only: no number, no
 * pseudonym, no caller's words.
 */
public final class Board {
  /** Where a contact in progress is. */
  public enum State { WAITING, WITH_COUNSELLOR, IN_MENU, SMS }

  /**
   * One contact on the board. {@code since} is when it reached its state (waiting since, in this step since, with a
   * counsellor since); {@code counsellor} is the operator id of who took it, when known; {@code assignedTo} the
   * operator whose contact it is now (who took it, or to whom a supervisor gave it), when anyone's.
   */
  public record Item(String contactId, String reference, Channel channel, State state, String nodeId, Instant since,
      Instant startedAt, boolean urgent, String intent, String category, int earlierContacts, String counsellor,
      String assignedTo) {}

  /**
   * A counsellor or supervisor (an account that can take calls, not disabled): their presence ({@link Presence#AWAY}
   * when they never set one) since when, and whether a contact in progress is theirs.
   */
  public record Counsellor(String operatorId, String name, Role role, Presence presence, Instant since,
      boolean withContact) {}

  /**
   * The whole board at one moment: the contacts, today's totals, the counsellors, every operator's name by id (for
   * "with counsellor X"), and the reports awaiting a counsellor's review (overdue ones flagged).
   */
  public record View(Instant at, List<Item> items, BoardRepository.Totals today, List<Counsellor> counsellors,
      Map<String, String> names, List<Casework.AwaitingReview> reviews, Tasks tasks) {
    public View(Instant at, List<Item> items, BoardRepository.Totals today) {
      this(at, items, today, List.of(), Map.of(), List.of());
    }

    public View(Instant at, List<Item> items, BoardRepository.Totals today, List<Counsellor> counsellors,
        Map<String, String> names, List<Casework.AwaitingReview> reviews) {
      this(at, items, today, counsellors, names, reviews, Tasks.NONE);
    }

    public long waiting() {
      return items.stream().filter(i -> i.state() == State.WAITING).count();
    }

    public long available() {
      return counsellors.stream().filter(c -> c.presence() == Presence.AVAILABLE).count();
    }
  }

  /** The follow-up tasks still to be done (promises to keep) and how many of them are past their due time. */
  public record Tasks(int open, int overdue) {
    public static final Tasks NONE = new Tasks(0, 0);
  }

  private static final Comparator<Item> ORDER = Comparator.comparing((Item i) -> !i.urgent())
      .thenComparing(i -> i.state().ordinal())
      .thenComparing(Item::since)
      .thenComparing(Item::contactId);

  private final BoardRepository repository;
  private final FlowCatalog flows;
  private final ZoneId zone;
  private final Clock clock;
  private final PresenceRepository presence;
  private final Casework casework;
  private final Followups followups;

  /** A board of the contacts and totals only (no counsellors, no reviews). */
  public Board(BoardRepository repository, FlowCatalog flows, ZoneId zone, Clock clock) {
    this(repository, flows, zone, clock, null, null, null);
  }

  /** The whole board: also the counsellors' presence ({@code presence}) and the reports awaiting review. */
  public Board(BoardRepository repository, FlowCatalog flows, ZoneId zone, Clock clock, PresenceRepository presence,
      Casework casework) {
    this(repository, flows, zone, clock, presence, casework, null);
  }

  /** The whole board with the count of open and overdue follow-up tasks ({@code followups}). */
  public Board(BoardRepository repository, FlowCatalog flows, ZoneId zone, Clock clock, PresenceRepository presence,
      Casework casework, Followups followups) {
    this.repository = repository;
    this.flows = flows;
    this.zone = zone;
    this.clock = clock;
    this.presence = presence;
    this.casework = casework;
    this.followups = followups;
  }

  /** Reads the board now (blocking: two queries, two more with the counsellors and the reviews). */
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
          intent, codes.get("category"), l.earlierContacts(), counsellor, l.assignedTo()));
    }
    items.sort(ORDER);
    var midnight = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
    var today = repository.since(midnight);
    if (presence == null) {
      return new View(now, List.copyOf(items), today);
    }
    var busy = new HashSet<String>();
    for (var i : items) {
      if (i.assignedTo() != null) {
        busy.add(i.assignedTo());
      }
      if (i.counsellor() != null && i.state() == State.WITH_COUNSELLOR) {
        busy.add(i.counsellor());
      }
    }
    var counsellors = new ArrayList<Counsellor>();
    var names = new HashMap<String, String>();
    for (var s : presence.all()) {
      names.put(s.operatorId(), s.name());
      Role role;
      try {
        role = Role.of(s.role());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (s.disabled() || role == Role.ADMIN) {
        continue;
      }
      var p = s.presence() == null ? Presence.AWAY : Presence.of(s.presence());
      counsellors.add(new Counsellor(s.operatorId(), s.name(), role, p, s.since(), busy.contains(s.operatorId())));
    }
    var reviews = casework == null ? List.<Casework.AwaitingReview>of() : casework.awaitingReview(50);
    var tasks = Tasks.NONE;
    if (followups != null) {
      var open = followups.openTasks();
      tasks = new Tasks(open.size(), (int) open.stream().filter(Followups.BoardTask::overdue).count());
    }
    return new View(now, List.copyOf(items), today, List.copyOf(counsellors), Map.copyOf(names), reviews, tasks);
  }

  private boolean isHandoff(String flowId, String nodeId) {
    return flows.find(flowId).filter(f -> f.has(nodeId)).map(f -> f.node(nodeId) instanceof Node.Handoff).orElse(false);
  }
}
