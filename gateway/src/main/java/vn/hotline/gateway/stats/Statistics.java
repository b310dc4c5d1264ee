package vn.hotline.gateway.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.DeliveryStatus;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.store.Store;

/**
 * The yearly figures provinces report (docs/statistics.md): contacts, reports, outcomes and deliveries over a
 * period of local dates, grouped by any of {@link Dimension}, with every count from 1 to 4 suppressed so no child
 * can be picked out of a table. Only codes are read from the store: never a number, a pseudonym or free text.
 * Blocking: run it on a worker thread.
 */
public final class Statistics {
  /** The hotline's time zone: periods and months are local dates here. */
  public static final ZoneId ZONE = ZoneId.of("Asia/Ho_Chi_Minh");
  /** Counts below this (and above zero) are suppressed; a median from fewer deliveries too. */
  public static final int THRESHOLD = 5;
  /** The bucket of a contact that made no report, for every report dimension (and of an unfinished contact's outcome). */
  public static final String NONE = "none";
  /** The bucket of a report whose caller did not give that answer (skipped, timed out, "don't know"). */
  public static final String UNKNOWN = "unknown";
  /** Figure names, in output order. */
  public static final List<String> FIGURES = List.of("contacts", "reports", "reports_urgent", "reports_operator",
      "reports_voicemail", "reports_completed", "reports_abandoned", "deliveries_delivered", "deliveries_dead",
      "median_delivery_seconds");

  private static final DateTimeFormatter MONTH_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM");

  /** What a table can be grouped by; {@link #key()} is the name used in --by, ?by=, CSV headers and JSON. */
  public enum Dimension {
    MONTH, CHANNEL, CATEGORY, PROVINCE, AGE_BAND, URGENCY, OUTCOME;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static String names() {
      return Arrays.stream(values()).map(Dimension::key).collect(Collectors.joining(", "));
    }

    /** "month,province" to its dimensions; empty or null means no grouping (the total alone). */
    public static List<Dimension> parseList(String csv) {
      var out = new LinkedHashSet<Dimension>();
      if (csv == null || csv.isBlank()) {
        return List.of();
      }
      for (var raw : csv.split(",", -1)) {
        var name = raw.trim().toLowerCase(Locale.ROOT);
        var d = Arrays.stream(values()).filter(v -> v.key().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("by: '" + raw.trim() + "' is not something the figures can be"
                + " grouped by (choose from: " + names() + ")"));
        if (!out.add(d)) {
          throw new IllegalArgumentException("by: '" + name + "' is given twice");
        }
      }
      return List.copyOf(out);
    }
  }

  /** A period of local dates, both inclusive, and the grouping. */
  public record Query(LocalDate from, LocalDate to, List<Dimension> by) {
    public Query {
      if (from.isAfter(to)) {
        throw new IllegalArgumentException("from " + from + " is after to " + to);
      }
      by = List.copyOf(by);
    }

    /** From the command line or the API's query string; IllegalArgumentException says what is wrong. */
    public static Query parse(String from, String to, String by) {
      return new Query(date("from", from), date("to", to), Dimension.parseList(by));
    }

    private static LocalDate date(String name, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + ": a date (yyyy-MM-dd) is required");
      }
      try {
        return LocalDate.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(name + ": '" + value + "' is not a date (yyyy-MM-dd)");
      }
    }
  }

  /** The raw figures of one group (or of everything). Never shown as they are: see {@link #cells}. */
  public static final class Counts {
    long contacts;
    long reports;
    long urgent;
    long operator;
    long voicemail;
    long completed;
    long abandoned;
    long delivered;
    long dead;
    final List<Long> latenciesMs = new ArrayList<>();

    public long contacts() {
      return contacts;
    }

    public long reports() {
      return reports;
    }

    public long delivered() {
      return delivered;
    }

    public long dead() {
      return dead;
    }

    /** Median of completed_at to delivered_at over the delivered deliveries, in ms; null when there are none. */
    public Long medianMillis() {
      if (latenciesMs.isEmpty()) {
        return null;
      }
      var sorted = latenciesMs.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : Math.round((sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0);
    }

    /** How many delivered deliveries the median is taken over. */
    public int medianBase() {
      return latenciesMs.size();
    }

    private void add(Counts o) {
      contacts += o.contacts;
      reports += o.reports;
      urgent += o.urgent;
      operator += o.operator;
      voicemail += o.voicemail;
      completed += o.completed;
      abandoned += o.abandoned;
      delivered += o.delivered;
      dead += o.dead;
      latenciesMs.addAll(o.latenciesMs);
    }

    private long[] counts() {
      return new long[] {contacts, reports, urgent, operator, voicemail, completed, abandoned, delivered, dead};
    }
  }

  /** One group: its dimension values (in the query's order) and its figures. */
  public record Group(List<String> values, Counts counts) {}

  /** A computed table: the groups (sorted) and the total over all of them. */
  public record Table(Query query, List<Group> rows, Counts total) {}

  private final Store store;
  private final Provinces provinces;

  public Statistics(Store store, Provinces provinces) {
    this.store = store;
    this.provinces = provinces;
  }

  /** Reads the period's contacts, reports and deliveries (one consistent snapshot) and groups them. */
  public Table compute(Query q) {
    var start = LocalDateTime.ofInstant(q.from().atStartOfDay(ZONE).toInstant(), ZoneOffset.UTC);
    var end = LocalDateTime.ofInstant(q.to().plusDays(1).atStartOfDay(ZONE).toInstant(), ZoneOffset.UTC);
    var groups = new HashMap<List<String>, Counts>();
    store.inTransaction(c -> {
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      // Contacts, in the period of their start; their report (if any) gives the report dimensions.
      eachInPeriod(c, "SELECT c.started_at, c.channel, c.outcome, r.id, r.category, r.province, r.age_band,"
          + " r.urgent, r.outcome FROM contacts c LEFT JOIN reports r ON r.contact_id = c.id"
          + " WHERE c.started_at >= ? AND c.started_at < ?", start, end, rs -> {
            var report = rs.getString(4) != null ? Answers.read(rs, 5) : null;
            var key = key(q, rs.getObject(1, LocalDateTime.class), Channel.of(rs.getString(2)), report,
                Outcome.find(rs.getString(3)));
            groups.computeIfAbsent(key, k -> new Counts()).contacts++;
          });
      // Reports, in the period of their receipt.
      eachInPeriod(c, "SELECT r.received_at, r.channel, r.category, r.province, r.age_band, r.urgent, r.outcome"
          + " FROM reports r WHERE r.received_at >= ? AND r.received_at < ?", start, end, rs -> {
            var answers = Answers.read(rs, 3);
            var key = key(q, rs.getObject(1, LocalDateTime.class), Channel.of(rs.getString(2)), answers, null);
            var g = groups.computeIfAbsent(key, k -> new Counts());
            g.reports++;
            if (answers.urgent()) {
              g.urgent++;
            }
            switch (answers.outcome() == null ? Outcome.CANCELLED : answers.outcome()) {
              case OPERATOR -> g.operator++;
              case VOICEMAIL -> g.voicemail++;
              case COMPLETED -> g.completed++;
              case ABANDONED -> g.abandoned++;
              default -> { } // counted in reports only
            }
          });
      // Deliveries that have settled, with their report's group; pending ones are in neither count. One per report
      // per agency: a later version sent again (report.updated) is not another delivery of the report.
      eachInPeriod(c, "SELECT r.received_at, r.channel, r.category, r.province, r.age_band, r.urgent, r.outcome,"
          + " d.status, r.completed_at, d.delivered_at FROM deliveries d JOIN reports r ON r.id = d.report_id"
          + " WHERE r.received_at >= ? AND r.received_at < ? AND d.event_type = 'report.created' AND d.status IN (" + DeliveryStatus.DELIVERED.sql() + ", " + DeliveryStatus.DEAD.sql() + ")", start, end, rs -> {
            var key = key(q, rs.getObject(1, LocalDateTime.class), Channel.of(rs.getString(2)), Answers.read(rs, 3), null);
            var g = groups.computeIfAbsent(key, k -> new Counts());
            if (DeliveryStatus.of(rs.getString(8)) == DeliveryStatus.DEAD) {
              g.dead++;
              return;
            }
            g.delivered++;
            var completed = rs.getObject(9, LocalDateTime.class);
            var delivered = rs.getObject(10, LocalDateTime.class);
            if (completed != null && delivered != null) {
              g.latenciesMs.add(Duration.between(completed, delivered).toMillis());
            }
          });
      return null;
    });
    var total = new Counts();
    var rows = new ArrayList<Group>();
    groups.forEach((k, v) -> {
      total.add(v);
      rows.add(new Group(k, v));
    });
    if (q.by().isEmpty()) {
      rows.clear(); // no grouping: the total says it all
    }
    rows.sort(Comparator.comparing(Group::values, Statistics::compareKeys));
    return new Table(q, List.copyOf(rows), total);
  }

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  /** Runs a query whose two parameters are the period's start and end (UTC), handing each row to {@code reader}. */
  private static void eachInPeriod(Connection c, String sql, LocalDateTime start, LocalDateTime end, RowReader reader)
      throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      ps.setObject(1, start);
      ps.setObject(2, end);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    }
  }

  /** The report answers a group is made of; null for a contact that made no report. */
  private record Answers(String category, String province, String ageBand, boolean urgent, Outcome outcome) {
    /** Reads category, province, age_band, urgent, outcome from {@code col} on. */
    static Answers read(ResultSet rs, int col) throws SQLException {
      return new Answers(rs.getString(col), rs.getString(col + 1), rs.getString(col + 2), rs.getBoolean(col + 3),
          Outcome.find(rs.getString(col + 4)));
    }
  }

  /** The group of a contact or report; {@code report} null: a contact without one, ended with {@code contactOutcome}. */
  private static List<String> key(Query q, LocalDateTime atUtc, Channel channel, Answers report, Outcome contactOutcome) {
    var values = new ArrayList<String>(q.by().size());
    for (var d : q.by()) {
      values.add(switch (d) {
        case MONTH -> atUtc.atOffset(ZoneOffset.UTC).atZoneSameInstant(ZONE).format(MONTH_FORMAT);
        case CHANNEL -> channel.wire();
        case CATEGORY -> report == null ? NONE : orUnknown(report.category());
        case PROVINCE -> report == null ? NONE : orUnknown(report.province());
        case AGE_BAND -> report == null ? NONE : orUnknown(report.ageBand());
        case URGENCY -> report == null ? NONE : report.urgent() ? "urgent" : "not_urgent";
        case OUTCOME -> report != null ? report.outcome() == null ? UNKNOWN : report.outcome().wire()
            : contactOutcome == null ? NONE : contactOutcome.wire();
      });
    }
    return values;
  }

  private static String orUnknown(String v) {
    return v == null || v.isBlank() ? UNKNOWN : v;
  }

  /** Real values first (by leading number: age bands, province codes, months; else by code), then unknown, none. */
  static int compareKeys(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = compareValues(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int compareValues(String a, String b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    var na = leadingNumber(a);
    var nb = leadingNumber(b);
    if (na != null && nb != null && !na.equals(nb)) {
      return na.compareTo(nb);
    }
    return a.compareTo(b);
  }

  private static int rank(String v) {
    return NONE.equals(v) ? 2 : UNKNOWN.equals(v) ? 1 : 0;
  }

  private static BigDecimal leadingNumber(String v) {
    int i = 0;
    while (i < v.length() && Character.isDigit(v.charAt(i))) {
      i++;
    }
    return i == 0 ? null : new BigDecimal(v.substring(0, i));
  }

  // --- what may be shown ------------------------------------------------------------------------------

  /**
   * Why a figure is hidden: {@code SMALL} is a count of 1 to 4 (or a median over 1 to 4 deliveries);
   * {@code COMPLEMENTARY} is any other figure hidden so that a small one cannot be worked out by subtraction.
   */
  public enum Hidden { NONE, SMALL, COMPLEMENTARY }

  /** A figure as it may be shown: its value (null when there is none or it is hidden), and whether and why hidden. */
  public record Cell(String name, Number value, Hidden hidden) {
    public boolean suppressed() {
      return hidden != Hidden.NONE;
    }
  }

  /** A table's figures as they may be published: each group's and the total's, every suppression applied. */
  public record Published(List<List<Cell>> rows, List<Cell> total) {}

  /** Indexes in {@link Counts#counts()} of reports and of its four outcomes, which add up to it. */
  private static final int[] REPORTS_AND_OUTCOMES = {1, 3, 4, 5, 6};

  /**
   * Suppression (docs/statistics.md): every count from 1 to 4 is hidden, then, until nothing changes, in every
   * sum the table shows (a figure's column adds up to the total; a row's four outcomes add up to its reports)
   * where exactly one term is hidden, the smallest other non-zero term is hidden too. A single hidden term of a
   * sum is the difference of the others: that is how a "<5" gets read back as "2".
   */
  public static Published publish(Table t) {
    int n = t.rows().size();
    int figures = FIGURES.size() - 1; // the median is not part of any sum
    var values = new long[n + 1][];
    for (int r = 0; r < n; r++) {
      values[r] = t.rows().get(r).counts().counts();
    }
    values[n] = t.total().counts();
    var hidden = new Hidden[n + 1][figures];
    for (int r = 0; r <= n; r++) {
      for (int f = 0; f < figures; f++) {
        hidden[r][f] = values[r][f] > 0 && values[r][f] < THRESHOLD ? Hidden.SMALL : Hidden.NONE;
      }
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      if (n > 0) {
        for (int f = 0; f < figures; f++) {
          var terms = new ArrayList<int[]>(n + 1);
          for (int r = 0; r <= n; r++) {
            terms.add(new int[] {r, f});
          }
          changed |= protect(terms, values, hidden);
        }
      }
      for (int r = 0; r <= n; r++) {
        var terms = new ArrayList<int[]>(REPORTS_AND_OUTCOMES.length);
        for (int f : REPORTS_AND_OUTCOMES) {
          terms.add(new int[] {r, f});
        }
        changed |= protect(terms, values, hidden);
      }
    }
    var rows = new ArrayList<List<Cell>>(n);
    for (int r = 0; r < n; r++) {
      rows.add(cells(values[r], hidden[r], t.rows().get(r).counts()));
    }
    return new Published(rows, cells(values[n], hidden[n], t.total()));
  }

  /** One sum with exactly one hidden term: hides its smallest shown non-zero term. Whether it hid one. */
  private static boolean protect(List<int[]> terms, long[][] values, Hidden[][] hidden) {
    int[] only = null;
    int count = 0;
    for (var at : terms) {
      if (hidden[at[0]][at[1]] != Hidden.NONE) {
        count++;
        only = at;
      }
    }
    if (count != 1) {
      return false;
    }
    int[] pick = null;
    for (var at : terms) {
      long v = values[at[0]][at[1]];
      if (at != only && hidden[at[0]][at[1]] == Hidden.NONE && v > 0
          && (pick == null || v < values[pick[0]][pick[1]])) {
        pick = at;
      }
    }
    if (pick == null) {
      return false; // every other term is 0: then the sum is 0 too, and the hidden term could not be non-zero
    }
    hidden[pick[0]][pick[1]] = Hidden.COMPLEMENTARY;
    return true;
  }

  private static List<Cell> cells(long[] values, Hidden[] hidden, Counts counts) {
    var out = new ArrayList<Cell>(FIGURES.size());
    for (int i = 0; i < values.length; i++) {
      out.add(new Cell(FIGURES.get(i), hidden[i] == Hidden.NONE ? values[i] : null, hidden[i]));
    }
    var median = counts.medianMillis();
    int base = counts.medianBase();
    var suppress = base > 0 && base < THRESHOLD ? Hidden.SMALL : Hidden.NONE;
    out.add(new Cell("median_delivery_seconds",
        suppress != Hidden.NONE || median == null ? null : median / 1000.0, suppress));
    return out;
  }

  /**
   * The dimension columns of a row, as the CSV and JSON name them: province is followed by its name from the
   * province list ({@code province_name}, null for a code no longer in it).
   */
  public List<Map.Entry<String, String>> labels(Query q, List<String> values) {
    var out = new ArrayList<Map.Entry<String, String>>();
    for (int i = 0; i < q.by().size(); i++) {
      var d = q.by().get(i);
      var v = values.get(i);
      out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(d.key(), v));
      if (d == Dimension.PROVINCE) {
        out.add(new java.util.AbstractMap.SimpleImmutableEntry<>("province_name", provinces.byCode().get(v)));
      }
    }
    return out;
  }

  /**
   * {"from","to","by","timezone","suppression_threshold","rows":[...],"total":{...}}; a hidden figure is null and
   * named in its row's "suppressed" list (and in "complementary" when hidden to protect another).
   */
  public JsonObject toJson(Table t) {
    var published = publish(t);
    var rows = new JsonArray();
    for (int r = 0; r < t.rows().size(); r++) {
      var row = new JsonObject();
      labels(t.query(), t.rows().get(r).values()).forEach(e -> row.put(e.getKey(), e.getValue()));
      figures(row, published.rows().get(r));
      rows.add(row);
    }
    return new JsonObject()
        .put("from", t.query().from().toString())
        .put("to", t.query().to().toString())
        .put("by", new JsonArray(t.query().by().stream().map(Dimension::key).toList()))
        .put("timezone", ZONE.getId())
        .put("suppression_threshold", THRESHOLD)
        .put("rows", rows)
        .put("total", figures(new JsonObject(), published.total()));
  }

  private static JsonObject figures(JsonObject into, List<Cell> cells) {
    var suppressed = new JsonArray();
    var complementary = new JsonArray();
    for (var c : cells) {
      into.put(c.name(), c.value());
      if (c.suppressed()) {
        suppressed.add(c.name());
      }
      if (c.hidden() == Hidden.COMPLEMENTARY) {
        complementary.add(c.name());
      }
    }
    return into.put("suppressed", suppressed).put("complementary", complementary);
  }

  /**
   * A header line, one line per group, then the TOTAL line; a small count reads "<5", a figure hidden to protect
   * one reads "x", a missing median is empty.
   */
  public String toCsv(Table t) {
    var published = publish(t);
    var header = new ArrayList<String>();
    if (t.query().by().isEmpty()) {
      header.add("group");
    }
    for (var d : t.query().by()) {
      header.add(d.key());
      if (d == Dimension.PROVINCE) {
        header.add("province_name");
      }
    }
    int labelColumns = header.size();
    header.addAll(FIGURES);
    var b = new StringBuilder();
    line(b, header);
    for (int r = 0; r < t.rows().size(); r++) {
      var fields = new ArrayList<String>();
      labels(t.query(), t.rows().get(r).values()).forEach(e -> fields.add(e.getValue() == null ? "" : e.getValue()));
      csvFigures(fields, published.rows().get(r));
      line(b, fields);
    }
    var total = new ArrayList<String>();
    total.add("TOTAL");
    for (int i = 1; i < labelColumns; i++) {
      total.add("");
    }
    csvFigures(total, published.total());
    line(b, total);
    return b.toString();
  }

  private static void csvFigures(List<String> fields, List<Cell> cells) {
    for (var c : cells) {
      fields.add(text(c));
    }
  }

  /**
   * A figure as the CSV (and the console) shows it: "<5" for a small count, "x" for one hidden to protect a small
   * one, "" for a median over no delivery, else the number.
   */
  public static String text(Cell c) {
    return c.hidden() == Hidden.SMALL ? "<" + THRESHOLD : c.hidden() == Hidden.COMPLEMENTARY ? "x"
        : c.value() == null ? ""
        : c.value() instanceof Double d ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
        : c.value().toString();
  }

  private static void line(StringBuilder b, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      var f = fields.get(i);
      if (f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r")) {
        b.append('"').append(f.replace("\"", "\"\"")).append('"');
      } else {
        b.append(f);
      }
    }
    b.append('\n');
  }
}
