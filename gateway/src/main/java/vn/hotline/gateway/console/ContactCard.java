package vn.hotline.gateway.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CardRepository;
import vn.hotline.gateway.store.CaseRepository;

/**
 * A contact's card as the counsellor reads it, in her language: labels instead of codes, the province by name,
 * times in the hotline's zone, the menu path with the time spent at each step. Codes and references only: what
 * the caller said or wrote is {@link Opened}, made only when she asks (and audited by the store).
 *
 * @param urgent the flow marked the contact urgent (the danger key)
 * @param report whether the contact made a report (only then is there a form)
 * @param review where the report stands in review, or null without a report
 */
public record ContactCard(String contactId, String reference, String referenceGrouped, String channel, String language,
    String intent, boolean urgent, String category, String subcategory, String about, String ageBand,
    String province, String started, String ended, boolean active, String outcome, List<PathStep> path,
    String total, List<DeliveryRow> deliveries, List<EarlierRow> earlier, boolean report, Review review,
    boolean erased) {

  /** One node of the menu path: what happened there and how long the caller spent in it. */
  public record PathStep(String node, List<String> what, String spent) {}

  /** One delivery of the report: agency (by name), its status, the version it carries and whether an update. */
  public record DeliveryRow(String agency, String status, String statusWord, int version, boolean update) {}

  /** An earlier contact of the same caller: a link to its card. */
  public record EarlierRow(String contactId, String reference, String date, String channel, String category) {}

  /**
   * The report's review: its current version, whether a counsellor completed it (when, by whom), and when a
   * review was due if a rule held it.
   */
  public record Review(int version, String reviewedAt, String reviewedBy, String dueAt, boolean overdue) {
    public boolean reviewed() {
      return reviewedAt != null;
    }
  }

  /** What the caller said or wrote, opened by a counsellor (the opening is an audit event). */
  public record Opened(String description, List<String> urls, String recording, List<Text> texts,
      List<Message> messages) {
    public boolean empty() {
      return description == null && urls.isEmpty() && recording == null && texts.isEmpty() && messages.isEmpty();
    }
  }

  /** A free-text answer of the flow, by the name the flow saved it under. */
  public record Text(String node, String text) {}

  /** One SMS of the conversation. */
  public record Message(boolean fromCaller, String at, String body) {}

  /** How the card shows times: the hotline's zone, day first. */
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss");
  static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm");

  /** The labels of the taxonomy are per flow language: the console's vi and en read vi-VN and en-US. */
  static String taxonomyLanguage(String consoleLang) {
    return "en".equals(consoleLang) ? "en-US" : "vi-VN";
  }

  /** "1234 5678": a reference as it is read to the caller, in groups of four. */
  static String grouped(String reference) {
    if (reference == null) {
      return "";
    }
    var b = new StringBuilder();
    for (int i = 0; i < reference.length(); i++) {
      if (i > 0 && i % 4 == 0) {
        b.append(' ');
      }
      b.append(reference.charAt(i));
    }
    return b.toString();
  }

  /** Builds the card; {@code now} ends the time of a contact still in progress. */
  static ContactCard of(CardRepository.Card card, Optional<CaseRepository.ReviewState> state, String reviewerName,
      Taxonomy taxonomy, Provinces provinces, Routing routing, Messages.Bundle words, ZoneId zone, Instant now) {
    var lang = taxonomyLanguage(words.lang());
    var line = card.report();
    var codes = card.codes();
    String intent = line.map(CardRepository.ReportLine::intent).orElse(codes.get("intent"));
    boolean urgent = line.map(CardRepository.ReportLine::urgent).orElse(false) || "true".equals(codes.get("urgent"))
        || "danger".equals(intent);
    String category = line.map(CardRepository.ReportLine::category).orElse(codes.get("category"));
    String subcategory = line.map(CardRepository.ReportLine::subcategory).orElse(codes.get("subcategory"));
    String about = line.map(CardRepository.ReportLine::about).orElse(codes.get("about"));
    String age = line.map(CardRepository.ReportLine::ageBand).orElse(codes.get("age_band"));
    String province = line.map(CardRepository.ReportLine::province).orElse(codes.get("province"));
    String former = line.isPresent() ? line.get().formerProvince() : codes.get("former_province");
    var language = card.language() == null ? codes.get("language") : card.language();

    var deliveries = new ArrayList<DeliveryRow>();
    for (var d : card.deliveries()) {
      deliveries.add(new DeliveryRow(agencyName(routing, d.agency()), word(words, "delivery.status.", d.status()),
          d.status(), d.version(), "report.updated".equals(d.event())));
    }
    var earlier = new ArrayList<EarlierRow>();
    for (var e : card.earlier()) {
      earlier.add(new EarlierRow(e.contactId(), grouped(e.reference()), format(DATE, e.startedAt(), zone),
          word(words, "channel.", e.channel()), e.category() == null ? null : label(taxonomy, e.category(), lang)));
    }
    Review review = null;
    if (state.isPresent()) {
      var s = state.get();
      review = new Review(s.version(), format(TIME, s.reviewedAt(), zone),
          s.reviewedAt() == null ? null : reviewerName == null ? s.reviewedBy() : reviewerName,
          format(TIME, s.reviewDueAt(), zone), s.reviewDueAt() != null && !now.isBefore(s.reviewDueAt()));
    }
    Instant end = card.endedAt() != null ? card.endedAt() : card.active() ? now : lastStep(card).orElse(card.startedAt());
    return new ContactCard(card.contactId(), card.reference(), grouped(card.reference()),
        word(words, "channel.", card.channel()), language == null ? null : word(words, "language.", language),
        intent == null ? null : word(words, "intent.", intent), urgent,
        category == null ? null : label(taxonomy, category, lang),
        subcategory == null ? null : label(taxonomy, subcategory, lang),
        about == null ? null : word(words, "about.", about), age == null ? null : word(words, "age.", age),
        province == null ? null : provinceName(provinces.byCode().getOrDefault(province, province), former, words),
        format(TIME, card.startedAt(), zone), format(TIME, card.endedAt(), zone), card.active(),
        card.outcome() == null ? null : word(words, "outcome.", card.outcome()), path(card, words, end),
        spent(Duration.between(card.startedAt(), end), words), List.copyOf(deliveries), List.copyOf(earlier),
        line.isPresent(), review, card.erased());
  }

  /** What the caller said or wrote, for the page: times in the hotline's zone. */
  static Opened opened(CardRepository.Personal p, ZoneId zone) {
    // the flow's free-text answers that the report does not already show (its description, links, recording)
    var urls = p.urls() == null ? List.<String>of() : p.urls();
    var texts = new ArrayList<Text>();
    p.texts().forEach((name, text) -> {
      if (text != null && !text.isBlank() && !"recording_id".equals(name) && !text.strip().equals(
          p.description() == null ? null : p.description().strip()) && !text.strip().equals(p.recordingSid())
          && !urls.contains(text.strip()) && !text.strip().equals(String.join(" ", urls))) {
        texts.add(new Text(name, text));
      }
    });
    texts.sort(java.util.Comparator.comparing(Text::node));
    var messages = p.messages().stream()
        .map(m -> new Message(m.fromCaller(), format(TIME, m.at(), zone), m.body() == null ? "" : m.body())).toList();
    return new Opened(blankToNull(p.description()), p.urls() == null ? List.of() : List.copyOf(p.urls()),
        blankToNull(p.recordingSid()), List.copyOf(texts), messages);
  }

  private static Optional<Instant> lastStep(CardRepository.Card card) {
    return card.steps().isEmpty() ? Optional.empty() : Optional.of(card.steps().getLast().at());
  }

  /**
   * The menu path: consecutive steps at one node are one line, with what the caller did there (a key, an answer,
   * silence...) and the time from reaching it to reaching the next node (the last one: to {@code end}).
   */
  static List<PathStep> path(CardRepository.Card card, Messages.Bundle words, Instant end) {
    var out = new ArrayList<PathStep>();
    var steps = card.steps();
    int i = 0;
    while (i < steps.size()) {
      var node = steps.get(i).nodeId();
      var from = steps.get(i).at();
      var what = new ArrayList<String>();
      int j = i;
      while (j < steps.size() && steps.get(j).nodeId().equals(node)) {
        var s = steps.get(j);
        if (!"enter".equals(s.event())) {
          what.add(step(words, s));
        }
        j++;
      }
      var to = j < steps.size() ? steps.get(j).at() : end;
      out.add(new PathStep(node, List.copyOf(what), spent(from == null || to == null || to.isBefore(from)
          ? Duration.ZERO : Duration.between(from, to), words)));
      i = j;
    }
    return List.copyOf(out);
  }

  private static String step(Messages.Bundle words, CardRepository.Step s) {
    var key = "step." + s.event();
    if (!words.has(key)) {
      return s.value() == null ? s.event() : s.event() + " " + s.value();
    }
    return words.t(key, s.value() == null ? "" : s.value());
  }

  /** A duration as people say it: "45 s", "2 min 05 s", "1 h 02 min". */
  static String spent(Duration d, Messages.Bundle words) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return words.t("time.seconds", s);
    }
    if (s < 3600) {
      return words.t("time.minutes", s / 60, String.format("%02d", s % 60));
    }
    return words.t("time.hours", s / 3600, String.format("%02d", (s % 3600) / 60));
  }

  static String label(Taxonomy taxonomy, String code, String lang) {
    var l = taxonomy.label(code, lang);
    return l == null ? code : l;
  }

  static String agencyName(Routing routing, String id) {
    var a = routing.agencies().get(id);
    return a == null || a.name() == null || a.name().isBlank() ? id : a.name();
  }

  /** The message of {@code prefix + word}, or the word itself when the bundles have no such key. */
  /** "Lâm Đồng (trước đây Đắk Nông)": today's unit, and the former province the caller named. */
  static String provinceName(String name, String former, Messages.Bundle words) {
    return former == null ? name : words.t("card.province.former", name, former);
  }

  static String word(Messages.Bundle words, String prefix, String word) {
    return word != null && words.has(prefix + word) ? words.t(prefix + word) : word;
  }

  static String format(DateTimeFormatter f, Instant at, ZoneId zone) {
    return at == null ? null : f.format(at.atZone(zone));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
