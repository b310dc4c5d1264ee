package vn.hotline.gateway.console.supervisor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.callers.CallerFlags;
import vn.hotline.gateway.casework.Casework;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.stats.Statistics;
import vn.hotline.gateway.store.BoardRepository;
import vn.hotline.gateway.store.PresenceRepository;
import vn.hotline.gateway.store.SupervisorRepository;
import vn.hotline.gateway.util.OnWorker;

/**
 * What the supervisor view shows and does, ready for the templates: every counsellor with their presence and
 * current contacts, the contacts waiting (longest first) and in progress, today's calls abandoned before reaching
 * anyone, overdue reviews; reassigning a contact; flagging a caller; the yearly figures with their suppression.
 * References, codes, names of operators and times only: never a caller's number, pseudonym or words. Every
 * method blocks on the store: call it on a worker.
 */
public final class Supervision {
  /** At most this many abandoned calls of the day are read (the count says so when there were more). */
  static final int ABANDONED_READ = 1000;
  /** The abandoned calls listed on the page, newest first. */
  static final int ABANDONED_LISTED = 50;
  static final int FLAGS_READ = 1000;
  /** The earliest reporting year the figures page offers. */
  static final int FIRST_YEAR = 2000;
  private static final Pattern REFERENCE = Pattern.compile("\\d{4,16}");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,6}");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy");

  /** A request the view refuses: the HTTP status and the message key that says why. */
  public static final class Refused extends RuntimeException {
    private final int status;
    private final String key;

    Refused(int status, String key) {
      super(key, null, false, false);
      this.status = status;
      this.key = key;
    }

    public int status() {
      return status;
    }

    public String key() {
      return key;
    }
  }

  /** One contact a counsellor has now: reference, where it is (a message key), since when, urgent. */
  public record Current(String contactId, String reference, String stateKey, String since, boolean urgent) {}

  /** A counsellor (or another operator with a presence or a contact) and their state now. */
  public record Person(String id, String name, String login, Role role, Presence presence, String since,
      String sinceFor, List<Current> contacts) {}

  /**
   * A contact in progress: where it is ({@code stateKey}), since when ({@code since}, local time), for how long
   * ({@code waited}), who has it ({@code with}: an operator's name, or null).
   */
  public record Row(String contactId, String reference, Board.State state, String stateKey, boolean urgent,
      String intent, String channel, String since, String waited, String with) {}

  /** A call abandoned before reaching anyone: started, reached the handoff, hung up, how long it waited. */
  public record Gone(String reference, String started, String reached, String ended, String waited) {}

  /** A report waiting for a counsellor's review past its time: due at, late by. */
  public record Review(String reference, String due, String late) {}

  /** An operator a contact can be given to: id and the label of the choice (name, login, presence key). */
  public record Choice(String id, String name, String login, Presence presence) {}

  /** The live part of the page. */
  public record Live(String at, BoardRepository.Totals today, List<Person> people, List<Row> waiting,
      List<Row> others, int abandonedCount, boolean abandonedMore, List<Gone> abandoned, List<Review> overdue,
      int awaitingNotDue, List<Choice> choices) {}

  /** A reassignment done: the contact's reference and the name of whom it is with now. */
  public record Reassigned(String reference, String name) {}

  /** An active flag as listed: reference, until (local time), reason (the supervisor's words), who set it. */
  public record FlagRow(String reference, String until, String reason, String setBy, boolean byCli) {}

  /** The figures of one reporting year: the columns as the CSV names them, the rows' and the total's texts. */
  public record Figures(int year, String from, String to, List<Integer> years, List<Statistics.Dimension> by,
      List<String> columns, int labelColumns, List<List<String>> rows, List<String> total) {}

  private final Board board;
  private final PresenceRepository presence;
  private final Accounts accounts;
  private final SupervisorRepository repository;
  private final Casework casework;
  private final CallerFlags flags;
  private final Statistics statistics;
  private final Map<String, Set<String>> handoffs;
  private final ZoneId zone;
  private final Clock clock;

  public Supervision(Board board, PresenceRepository presence, Accounts accounts, SupervisorRepository repository,
      Casework casework, CallerFlags flags, Statistics statistics, FlowCatalog flows, ZoneId zone, Clock clock) {
    this.board = board;
    this.presence = presence;
    this.accounts = accounts;
    this.repository = repository;
    this.casework = casework;
    this.flags = flags;
    this.statistics = statistics;
    this.handoffs = handoffs(flows);
    this.zone = zone;
    this.clock = clock;
  }

  /** Every flow's handoff nodes: where a contact waits for a person. */
  static Map<String, Set<String>> handoffs(FlowCatalog flows) {
    var out = new LinkedHashMap<String, Set<String>>();
    for (var f : flows.all()) {
      var ids = f.nodes().values().stream().filter(n -> n instanceof Node.Handoff).map(Node::id)
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
      if (!ids.isEmpty()) {
        out.put(f.id(), Set.copyOf(ids));
      }
    }
    return Map.copyOf(out);
  }

  // ---- the live view

  /** Reads everything the live part shows, now. */
  @OnWorker
  public Live live() {
    var view = board.read();
    var now = view.at();
    var operators = accounts.list();
    var states = new HashMap<String, PresenceRepository.State>();
    for (var s : presence.all()) {
      states.put(s.operatorId(), s);
    }
    var names = new HashMap<String, String>();
    operators.forEach(o -> names.put(o.id(), o.name()));
    var assigned = repository.assignedOpen();
    var assignedTo = new HashMap<String, String>();
    assigned.forEach(a -> assignedTo.put(a.contactId(), a.operatorId()));
    var live = new HashMap<String, Board.Item>();
    view.items().forEach(i -> live.put(i.contactId(), i));

    // every active counsellor; other operators when they set a presence or have a contact
    var people = new ArrayList<Person>();
    var choices = new ArrayList<Choice>();
    for (var o : operators) {
      if (o.status() != Operator.Status.ACTIVE) {
        continue;
      }
      var st = states.get(o.id());
      var p = st == null || st.presence() == null ? Presence.AWAY : Presence.of(st.presence());
      Instant since = st == null ? null : st.since();
      var contacts = new ArrayList<Current>();
      var seen = new HashSet<String>();
      for (var a : assigned) {
        if (a.operatorId().equals(o.id()) && seen.add(a.contactId())) {
          var item = live.get(a.contactId());
          contacts.add(item != null ? current(item)
              : new Current(a.contactId(), a.reference(), "supervisor.state.assigned",
                  time(a.assignedAt() != null ? a.assignedAt() : a.startedAt()), false));
        }
      }
      for (var i : view.items()) {
        if (o.id().equals(i.counsellor()) && !assignedTo.containsKey(i.contactId()) && seen.add(i.contactId())) {
          contacts.add(current(i));
        }
      }
      if (o.role() == Role.COUNSELLOR || st != null && st.presence() != null || !contacts.isEmpty()) {
        people.add(new Person(o.id(), o.name(), o.login(), o.role(), p, since == null ? null : time(since),
            since == null ? null : clockText(Duration.between(since, now)), List.copyOf(contacts)));
      }
      if (o.role() == Role.COUNSELLOR || o.role() == Role.SUPERVISOR) {
        choices.add(new Choice(o.id(), o.name(), o.login(), p));
      }
    }

    var waiting = new ArrayList<Row>();
    var others = new ArrayList<Row>();
    var byWait = view.items().stream().sorted(Comparator.comparing(Board.Item::since)
        .thenComparing(Board.Item::contactId)).toList();
    for (var i : byWait) {
      var whose = assignedTo.getOrDefault(i.contactId(), i.counsellor());
      var row = new Row(i.contactId(), i.reference(), i.state(), stateKey(i.state()), i.urgent(), i.intent(),
          i.channel().wire(), time(i.since()), clockText(Duration.between(i.since(), now)),
          whose == null ? null : names.getOrDefault(whose, whose));
      (i.state() == Board.State.WAITING ? waiting : others).add(row);
    }
    others.sort(Comparator.comparing((Row r) -> !r.urgent()).thenComparing(r -> r.state().ordinal()));

    var midnight = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
    var gone = repository.abandonedBeforeAnyone(midnight, handoffs, ABANDONED_READ);
    var abandoned = gone.stream().limit(ABANDONED_LISTED).map(g -> new Gone(g.reference(), time(g.startedAt()),
        time(g.reachedHandoffAt()), time(g.endedAt()), clockText(Duration.between(g.reachedHandoffAt(), g.endedAt()))))
        .toList();

    var reviews = casework.awaitingReview();
    var overdue = reviews.stream().filter(Casework.AwaitingReview::overdue)
        .map(r -> new Review(r.reference(), dayTime(r.dueAt()), clockText(Duration.between(r.dueAt(), now)))).toList();
    int notDue = (int) reviews.stream().filter(r -> !r.overdue()).count();
    return new Live(time(now), view.today(), List.copyOf(people), List.copyOf(waiting), List.copyOf(others),
        gone.size(), gone.size() >= ABANDONED_READ, abandoned, overdue, notDue, List.copyOf(choices));
  }

  private Current current(Board.Item i) {
    return new Current(i.contactId(), i.reference(), stateKey(i.state()), time(i.since()), i.urgent());
  }

  static String stateKey(Board.State s) {
    return "supervisor.state." + s.name().toLowerCase(java.util.Locale.ROOT);
  }

  // ---- reassigning

  /** Gives a contact not ended to another counsellor (audited {@code contact.assigned} by {@code actor}). */
  @OnWorker
  public Reassigned reassign(String contactId, String operatorId, String actor) {
    if (operatorId == null || operatorId.isBlank()) {
      throw new Refused(400, "supervisor.assign.choose");
    }
    var to = accounts.byId(operatorId.strip())
        .filter(o -> o.status() == Operator.Status.ACTIVE && (o.role() == Role.COUNSELLOR || o.role() == Role.SUPERVISOR))
        .orElseThrow(() -> new Refused(400, "supervisor.assign.no_operator"));
    var done = repository.reassign(presence, contactId, to.id(), actor, clock.instant());
    return switch (done.result()) {
      case DONE -> new Reassigned(done.reference(), to.name());
      case NO_CONTACT -> throw new Refused(404, "supervisor.assign.no_contact");
      case ENDED -> throw new Refused(409, "supervisor.assign.ended");
      case NO_OPERATOR -> throw new Refused(400, "supervisor.assign.no_operator");
    };
  }

  // ---- flagged callers

  /** The flags active now, newest first; who set each is named by the operator's name (or the command line). */
  @OnWorker
  public List<FlagRow> activeFlags() {
    var names = new HashMap<String, String>();
    accounts.list().forEach(o -> names.put(o.id(), o.name() + " (" + o.login() + ")"));
    return flags.list(FLAGS_READ).stream().filter(l -> l.status().equals("active")).map(l -> {
      var f = l.flag();
      boolean cli = "cli".equals(f.setBy());
      return new FlagRow(f.reference(), dayTime(f.expiresAt()), f.reason(),
          cli ? null : names.getOrDefault(f.setBy(), f.setBy()), cli);
    }).toList();
  }

  /** A flag set: the reference it was set from, for how many hours. */
  public record Flagged(String reference, int hours) {}

  /** Flags the caller of {@code reference} for {@code hours} (1 to 2160) with {@code reason}, by the operator. */
  @OnWorker
  public Flagged flag(String reference, String hours, String reason, String operatorId) {
    var ref = reference == null ? "" : reference.replace(" ", "").strip();
    if (!REFERENCE.matcher(ref).matches()) {
      throw new Refused(400, "supervisor.flag.reference_invalid");
    }
    var h = hours == null ? "" : hours.strip();
    long longest = CallerFlags.LONGEST.toHours();
    if (!DIGITS.matcher(h).matches() || Integer.parseInt(h) < 1 || Integer.parseInt(h) > longest) {
      throw new Refused(400, "supervisor.flag.hours_invalid");
    }
    try {
      flags.set(ref, Duration.ofHours(Integer.parseInt(h)), reason, operatorId);
      return new Flagged(ref, Integer.parseInt(h));
    } catch (CallerFlags.Refused e) {
      throw new Refused(switch (e.why()) {
        case NO_CONTACT -> 404;
        case NO_CALLER -> 409;
        default -> 400;
      }, switch (e.why()) {
        case REASON -> "supervisor.flag.reason_invalid";
        case LENGTH -> "supervisor.flag.hours_invalid";
        case REFERENCE -> "supervisor.flag.reference_invalid";
        case NO_CONTACT -> "supervisor.flag.no_contact";
        case NO_CALLER -> "supervisor.flag.no_caller";
        case BY -> "error.400";
      });
    }
  }

  /** Clears the flag of the caller of {@code reference}; false when there was none active. */
  @OnWorker
  public boolean unflag(String reference, String operatorId) {
    var ref = reference == null ? "" : reference.strip();
    if (!REFERENCE.matcher(ref).matches()) {
      throw new Refused(400, "supervisor.flag.reference_invalid");
    }
    try {
      return !flags.clear(ref, operatorId).isEmpty();
    } catch (CallerFlags.Refused e) {
      throw new Refused(e.why() == CallerFlags.Refused.Why.NO_CONTACT ? 404 : 400,
          e.why() == CallerFlags.Refused.Why.NO_CONTACT ? "supervisor.flag.no_contact" : "supervisor.flag.reference_invalid");
    }
  }

  // ---- the yearly figures

  /** The reporting year (1 November to 31 October) that today is in. */
  public int currentYear() {
    var today = LocalDate.now(clock.withZone(Statistics.ZONE));
    return today.getMonthValue() >= 11 ? today.getYear() : today.getYear() - 1;
  }

  /** The reporting year asked for ({@code null} or empty: the current one); 400 when it is not one. */
  public int year(String asked) {
    int current = currentYear();
    if (asked == null || asked.isBlank()) {
      return current;
    }
    var y = asked.strip();
    if (!y.matches("\\d{4}") || Integer.parseInt(y) < FIRST_YEAR || Integer.parseInt(y) > current) {
      throw new Refused(400, "stats.year_invalid");
    }
    return Integer.parseInt(y);
  }

  /** The groupings asked for, in the order given; 400 naming none of them when one is unknown or twice. */
  public static List<Statistics.Dimension> by(List<String> asked) {
    var joined = String.join(",", asked.stream().flatMap(a -> java.util.Arrays.stream(a.split(",")))
        .map(String::strip).filter(a -> !a.isEmpty()).toList());
    try {
      return Statistics.Dimension.parseList(joined);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "stats.by_invalid");
    }
  }

  /** The query of a reporting year: 1 November of {@code year} to 31 October of the next. */
  public static Statistics.Query query(int year, List<Statistics.Dimension> by) {
    return new Statistics.Query(LocalDate.of(year, 11, 1), LocalDate.of(year + 1, 10, 31), by);
  }

  /** The figures of a reporting year, every suppression applied, as the stats command prints them. */
  @OnWorker
  public Figures figures(int year, List<Statistics.Dimension> by) {
    var q = query(year, by);
    var table = statistics.compute(q);
    var published = Statistics.publish(table);
    var columns = new ArrayList<String>();
    if (by.isEmpty()) {
      columns.add("group");
    }
    for (var d : by) {
      columns.add(d.key());
      if (d == Statistics.Dimension.PROVINCE) {
        columns.add("province_name");
      }
    }
    int labelColumns = columns.size();
    columns.addAll(Statistics.FIGURES);
    var rows = new ArrayList<List<String>>();
    for (int r = 0; r < table.rows().size(); r++) {
      var fields = new ArrayList<String>();
      statistics.labels(q, table.rows().get(r).values()).forEach(e -> fields.add(e.getValue() == null ? "" : e.getValue()));
      published.rows().get(r).forEach(c -> fields.add(Statistics.text(c)));
      rows.add(List.copyOf(fields));
    }
    var total = new ArrayList<String>();
    total.add("TOTAL");
    for (int i = 1; i < labelColumns; i++) {
      total.add("");
    }
    published.total().forEach(c -> total.add(Statistics.text(c)));
    var years = new ArrayList<Integer>();
    for (int y = currentYear(); y >= Math.max(FIRST_YEAR, currentYear() - 5); y--) {
      years.add(y);
    }
    if (!years.contains(year)) {
      years.add(year);
    }
    return new Figures(year, q.from().format(DATE), q.to().format(DATE), List.copyOf(years), by,
        List.copyOf(columns), labelColumns, List.copyOf(rows), List.copyOf(total));
  }

  /** The same figures as the stats command's CSV. */
  @OnWorker
  public String csv(int year, List<Statistics.Dimension> by) {
    return statistics.toCsv(statistics.compute(query(year, by)));
  }

  // ---- words for times

  private String time(Instant t) {
    return t == null ? "" : TIME.format(t.atZone(zone));
  }

  private String dayTime(Instant t) {
    return t == null ? "" : DAY_TIME.format(t.atZone(zone));
  }

  /** A duration as a clock reads it: m:ss, or h:mm:ss from an hour on; never negative. */
  static String clockText(Duration d) {
    long s = Math.max(0, d.toSeconds());
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return h > 0 ? String.format("%d:%02d:%02d", h, m, sec) : String.format("%d:%02d", m, sec);
  }
}
