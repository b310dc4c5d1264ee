package vn.hotline.gateway.casework;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.contact.DeliveryStatus;
import vn.hotline.gateway.delivery.Outbox;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.report.Assessment;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.util.OnWorker;

/**
 * A counsellor's work on a report: the contact form completed ({@link #complete}), which makes a new version of
 * the report and sends it through the outbox, and the triage queue of reports a counsellor-review rule holds
 * ({@link #awaitingReview}, {@link #releaseOverdue}). Every method blocks on the store: call it from a worker,
 * never an event loop.
 */
public final class Casework {
  /** The rule name of a delivery to an agency a counsellor added to the referral. */
  public static final String REFERRAL_RULE = "referral";
  static final int OPERATOR_ID_MAX = 64;
  private static final int RELEASE_BATCH = 500;

  /** A report waiting for a counsellor: its reference, when its review time is (was) up, and whether it is. */
  public record AwaitingReview(String reference, Instant dueAt, boolean overdue) {}

  /**
   * What a completion did: the version it made, and the agencies that get it as report.created (first time),
   * as report.updated (they may have had an earlier version), and those taken out of the referral before
   * anything was sent to them.
   */
  public record Completed(String reportId, String reference, int version, List<String> created, List<String> updated,
      List<String> withdrawn) {}

  /** No report has this reference. */
  public static final class UnknownReport extends RuntimeException {
    public UnknownReport(String reference) {
      super("no report has the reference " + reference, null, false, false);
    }
  }

  private final Store store;
  private final ReportRepository reports;
  private final CaseRepository cases;
  private final DeliveryRepository deliveries;
  private final Outbox outbox;
  private final Routing routing;
  private final Taxonomy taxonomy;
  private final Provinces provinces;
  private final AuditLog audit;
  private final Clock clock;
  private final Runnable wakeDelivery;

  public Casework(Store store, ReportRepository reports, CaseRepository cases, DeliveryRepository deliveries,
      Outbox outbox, Routing routing, Taxonomy taxonomy, Provinces provinces, AuditLog audit, Clock clock,
      Runnable wakeDelivery) {
    this.store = store;
    this.reports = reports;
    this.cases = cases;
    this.deliveries = deliveries;
    this.outbox = outbox;
    this.routing = routing;
    this.taxonomy = taxonomy;
    this.provinces = provinces;
    this.audit = audit;
    this.clock = clock;
    this.wakeDelivery = wakeDelivery;
  }

  /**
   * The counsellor {@code operatorId} completes report {@code reference} with {@code assessment}, in one
   * transaction: the assessment becomes the report's next version (the report as first made is version 1),
   * reviewed by that operator; every agency of the referral gets that version (deliveries not sent yet, held
   * ones included, now carry it and go at once; an agency that may have had an earlier version gets
   * report.updated; one the counsellor added gets report.created); agencies taken out of the referral before
   * anything was sent to them get nothing. Audited as report.reviewed, without the free text.
   *
   * @throws Assessment.Invalid naming the field at fault (nothing is changed)
   * @throws UnknownReport when no report has the reference
   */
  @OnWorker
  public Completed complete(String operatorId, String reference, Assessment assessment) {
    var operator = operatorId == null ? "" : operatorId.strip();
    if (operator.isEmpty() || operator.length() > OPERATOR_ID_MAX || !operator.chars().allMatch(ch -> ch > 0x20 && ch != 0x7f)) {
      throw new Assessment.Invalid("operator_id", "must be an operator's id: 1 to " + OPERATOR_ID_MAX
          + " characters, no spaces or control characters");
    }
    if (reference == null || !reference.matches("[0-9]{8}")) {
      throw new Assessment.Invalid("reference", "must be a report's 8-digit reference");
    }
    if (assessment == null) {
      throw new Assessment.Invalid("assessment", "is required");
    }
    var a = assessment.validated(taxonomy, provinces, routing.agencies().keySet());
    var now = clock.instant();
    var done = store.inTransaction(c -> {
      var state = cases.lockByReference(c, reference).orElseThrow(() -> new UnknownReport(reference));
      if (state.erased()) {
        throw new Assessment.Invalid("reference", "the report was erased: nothing about it may be stored again");
      }
      var report = reports.findById(c, state.reportId()).orElseThrow(() -> new UnknownReport(reference));
      int version = state.version() + 1;
      cases.insertVersion(c, new CaseRepository.Version(report.id(), version, operator, a.category(), a.subcategory(),
          a.riskLevel(), a.ageBand(), a.sex(), a.province(), a.district(), a.notes(), a.outcome(),
          a.referral().agencies(), a.referral().reason(), now));
      boolean urgent = report.urgent() || "immediate".equals(a.riskLevel());

      var byAgency = new LinkedHashMap<String, List<DeliveryRepository.OfReport>>();
      for (var d : deliveries.lockForReport(c, report.id())) {
        byAgency.computeIfAbsent(d.agencyId(), k -> new ArrayList<>()).add(d);
      }
      var created = new ArrayList<String>();
      var updated = new ArrayList<String>();
      var newCreated = new ArrayList<Routing.Target>();
      var newUpdated = new ArrayList<Routing.Target>();
      int released = 0;
      for (var agency : a.referral().agencies()) {
        var rows = byAgency.getOrDefault(agency, List.of());
        var unsent = rows.stream().filter(Casework::unsent).findFirst();
        if (unsent.isPresent() && deliveries.carryNow(c, unsent.get().id(), version, urgent, now)) {
          (DeliveryRepository.UPDATED.equals(unsent.get().eventType()) ? updated : created).add(agency);
          released += unsent.get().status() == DeliveryStatus.HELD ? 1 : 0;
        } else if (!rows.isEmpty()) {
          newUpdated.add(new Routing.Target(agency, rows.get(0).rule()));
          updated.add(agency);
        } else {
          newCreated.add(new Routing.Target(agency, REFERRAL_RULE));
          created.add(agency);
        }
      }
      var withdrawn = new ArrayList<String>();
      var referred = new LinkedHashSet<>(a.referral().agencies());
      for (var e : byAgency.entrySet()) {
        if (referred.contains(e.getKey())) {
          continue;
        }
        for (var d : e.getValue()) {
          if (unsent(d) && deliveries.withdraw(c, d.id())) {
            withdrawn.add(e.getKey());
            audit.append(c, "delivery.withdrawn", "operator:" + operator, Map.of("delivery", d.id(), "report", report.id()),
                Map.of("agency", e.getKey(), "version", version), now);
          }
        }
      }
      if (!newCreated.isEmpty()) {
        outbox.enqueue(c, report.id(), urgent, newCreated, version, DeliveryRepository.CREATED, now);
      }
      if (!newUpdated.isEmpty()) {
        outbox.enqueue(c, report.id(), urgent, newUpdated, version, DeliveryRepository.UPDATED, now);
      }
      var data = new LinkedHashMap<String, Object>();
      data.put("version", version);
      data.put("category", a.category());
      data.put("subcategory", a.subcategory());
      data.put("risk_level", a.riskLevel());
      data.put("outcome", a.outcome());
      data.put("referral", a.referral().agencies());
      data.put("created", created);
      data.put("updated", updated);
      data.put("withdrawn", withdrawn);
      data.put("released", released);
      data.put("overdue", state.reviewDueAt() != null && !now.isBefore(state.reviewDueAt()));
      audit.append(c, "report.reviewed", "operator:" + operator, Map.of("report", report.id(), "contact", report.contactId()),
          data, now);
      return new Completed(report.id(), reference, version, List.copyOf(created), List.copyOf(updated),
          List.copyOf(withdrawn));
    });
    if (!done.created().isEmpty() || !done.updated().isEmpty()) {
      wakeDelivery.run();
    }
    return done;
  }

  private static boolean unsent(DeliveryRepository.OfReport d) {
    return d.unsent() && (d.status() == DeliveryStatus.PENDING || d.status() == DeliveryStatus.HELD);
  }

  /**
   * Reports a counsellor-review rule holds that no counsellor has completed yet, the earliest review time first:
   * reference, review time, and whether it has passed (then the report went out as not reviewed). No personal
   * data: what the board may show before a contact is opened.
   */
  @OnWorker
  public List<AwaitingReview> awaitingReview() {
    return awaitingReview(200);
  }

  /** The first {@code limit} of {@link #awaitingReview()}. */
  @OnWorker
  public List<AwaitingReview> awaitingReview(int limit) {
    var now = clock.instant();
    return cases.awaitingReview(limit).stream()
        .map(w -> new AwaitingReview(w.reference(), w.dueAt(), !now.isBefore(w.dueAt()))).toList();
  }

  /**
   * The agencies report {@code reference} goes to now, to pre-fill the form's referral: those its routing chose
   * (or the last completion referred it to), in the order they were first chosen. Empty when there is no such
   * report.
   */
  @OnWorker
  public List<String> referralOf(String reference) {
    var state = cases.reviewByReference(reference);
    if (state.isEmpty()) {
      return List.of();
    }
    return deliveries.forReport(state.get().reportId()).stream()
        .sorted(java.util.Comparator.comparing(DeliveryRepository.Delivery::createdAt).thenComparing(DeliveryRepository.Delivery::id))
        .map(DeliveryRepository.Delivery::agencyId).distinct().toList();
  }

  /** The latest assessment of a report, as a counsellor completed it (free text included), and who and when. */
  public record Opened(int version, String operatorId, Instant at, Assessment assessment) {}

  /**
   * The latest assessment of report {@code reference}, to show or amend it: personal data (the case notes), so
   * the view is audited as report.viewed with the operator's id. Empty when the report has none yet (version 1).
   *
   * @throws UnknownReport when no report has the reference
   */
  @OnWorker
  public Optional<Opened> openAssessment(String operatorId, String reference) {
    var operator = operatorId == null ? "" : operatorId.strip();
    if (operator.isEmpty() || operator.length() > OPERATOR_ID_MAX) {
      throw new Assessment.Invalid("operator_id", "must be an operator's id: 1 to " + OPERATOR_ID_MAX + " characters");
    }
    var state = cases.reviewByReference(reference).orElseThrow(() -> new UnknownReport(reference));
    if (state.version() <= 1) {
      return Optional.empty();
    }
    var v = cases.find(state.reportId(), state.version()).orElseThrow(() -> new UnknownReport(reference));
    store.inTransaction(c -> {
      audit.append(c, "report.viewed", "operator:" + operator, Map.of("report", state.reportId()),
          Map.of("version", v.version(), "what", "assessment"), clock.instant());
      return null;
    });
    return Optional.of(new Opened(v.version(), v.operatorId(), v.at(), new Assessment(v.category(), v.subcategory(),
        v.riskLevel(), v.ageBand(), v.sex(), v.province(), v.district(), v.notes(), v.outcome(),
        new Assessment.Referral(v.referral(), v.reason()))));
  }

  /** Where report {@code reference} stands in review: version, review time, reviewed when and by whom. */
  @OnWorker
  public Optional<CaseRepository.ReviewState> review(String reference) {
    return cases.reviewByReference(reference);
  }

  /**
   * Sends the held deliveries whose review time is up, flagged as not reviewed (the housekeeping job, on the
   * gateway's clock); returns how many. No report waits for ever.
   */
  @OnWorker
  public int releaseOverdue() {
    int total = 0;
    List<DeliveryRepository.Released> batch;
    do {
      batch = deliveries.releaseHeld(clock.instant(), RELEASE_BATCH);
      total += batch.size();
    } while (batch.size() == RELEASE_BATCH);
    if (total > 0) {
      wakeDelivery.run();
    }
    return total;
  }
}
