package vn.hotline.gateway.console;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.BoardRepository;

/**
 * The live board as one reader sees it: {@link Board.View} in their language, with what is theirs marked. What
 * {@code console/board_live.jte} shows, already in words; codes, times, references and staff names only, never
 * a caller's number or words. "Yours" are the contacts handed to the reader: assigned to them (they pressed 1 at
 * the whisper, or a supervisor gave it to them) and not ended; only those link to their card.
 */
public final class BoardModel {
  /** One contact in progress, in words. {@code sinceMs}: when it reached its state (epoch ms), for the ticking clock. */
  public record Row(String contactId, String reference, String channel, String state, String stateLabel, long sinceMs,
      String elapsed, boolean urgent, String intent, String category, int earlierContacts, boolean mine,
      String cardHref) {}

  /** A counsellor or supervisor, their presence in words. */
  public record Person(String name, String presence, String presenceLabel, boolean withContact, boolean me) {}

  /** A report awaiting a counsellor's review: its reference, when it is (was) due, whether it is overdue. */
  public record Review(String reference, String due, boolean overdue) {}

  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm");

  private final Board.View view;
  private final Messages.Bundle words;
  private final List<Row> rows;
  private final List<Person> people;
  private final List<Review> reviews;

  BoardModel(Board.View view, Messages.Bundle words, Taxonomy taxonomy, ZoneId zone, String me) {
    this.view = view;
    this.words = words;
    var language = "en".equals(words.lang()) ? "en-US" : "vi-VN";
    this.rows = view.items().stream().map(i -> row(i, taxonomy, language, me)).toList();
    this.people = view.counsellors().stream()
        .map(c -> new Person(c.name(), c.presence().wire(), words.t("presence." + c.presence().wire()), c.withContact(),
            c.operatorId().equals(me)))
        .toList();
    this.reviews = view.reviews().stream()
        .map(r -> new Review(r.reference(), HOUR.format(r.dueAt().atZone(zone)), r.overdue())).toList();
  }

  private Row row(Board.Item i, Taxonomy taxonomy, String language, String me) {
    boolean mine = me != null && me.equals(i.assignedTo());
    String state = switch (i.state()) {
      case WAITING -> "waiting";
      case WITH_COUNSELLOR -> "with";
      case IN_MENU -> "menu";
      case SMS -> "sms";
    };
    String label = switch (i.state()) {
      case WAITING -> words.t("board.state.waiting");
      case WITH_COUNSELLOR -> {
        var who = i.counsellor() != null && i.counsellor().equals(me) ? words.t("board.you")
            : i.counsellor() != null && view.names().containsKey(i.counsellor()) ? view.names().get(i.counsellor())
            : words.t("board.a_counsellor");
        yield words.t("board.state.with", who);
      }
      case IN_MENU -> words.t("board.state.menu", step(i.nodeId()));
      case SMS -> words.t("board.state.sms", step(i.nodeId()));
    };
    var intent = i.intent() == null ? "" : words.has("board.intent." + i.intent()) ? words.t("board.intent." + i.intent()) : "";
    var category = taxonomy.label(i.category(), language);
    return new Row(i.contactId(), i.reference(), words.t("board.channel." + (i.channel().isSms() ? "sms" : "voice")),
        state, label, i.since().toEpochMilli(), elapsed(Duration.between(i.since(), view.at())), i.urgent(), intent,
        category == null ? "" : category, i.earlierContacts(), mine, mine ? "/console/contacts/" + i.contactId() : null);
  }

  /** A step of a flow (its node id) in words: board.step.&lt;node&gt;, else the node id as it is. */
  String step(String nodeId) {
    return nodeId != null && words.has("board.step." + nodeId) ? words.t("board.step." + nodeId)
        : nodeId == null ? "" : nodeId;
  }

  /** m:ss, or h:mm:ss from an hour on (what console.js keeps ticking). */
  static String elapsed(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }

  /** When this reading was made (epoch ms): console.js counts from it, whatever the browser's clock says. */
  public long atMs() {
    return view.at().toEpochMilli();
  }

  public List<Row> rows() {
    return rows;
  }

  /** The contacts handed to the reader (see the class). */
  public List<Row> mine() {
    return rows.stream().filter(Row::mine).toList();
  }

  public long waiting() {
    return view.waiting();
  }

  public long available() {
    return view.counsellors().stream().filter(c -> c.presence() == Presence.AVAILABLE).count();
  }

  public BoardRepository.Totals today() {
    return view.today();
  }

  public List<Person> people() {
    return people;
  }

  public List<Review> reviews() {
    return reviews;
  }

  /** The follow-up tasks still to be done, and how many are overdue (the board links to /console/tasks). */
  public Board.Tasks tasks() {
    return view.tasks();
  }

  public long overdue() {
    return reviews.stream().filter(Review::overdue).count();
  }
}
