package vn.hotline.gateway.delivery;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.DeliveryRepository;

/**
 * The transactional outbox: one delivery per target agency, written in the transaction that stores the report
 * (or its new version), so a report is never stored without its deliveries, nor the other way round.
 * {@link DeliveryWorker} sends them later. A target of a counsellor-review rule is held until its review time.
 */
public final class Outbox {
  private final DeliveryRepository deliveries;
  private final CaseRepository cases;
  private final AuditLog audit;

  public Outbox(DeliveryRepository deliveries, CaseRepository cases, AuditLog audit) {
    this.deliveries = deliveries;
    this.cases = cases;
    this.audit = audit;
  }

  /**
   * Queues a new report (version 1, report.created) for each target, with a report.routed audit event each,
   * inside {@code tx}. Targets of counsellor-review rules are held until the report's completion plus their
   * review time, and the report waits for a counsellor until the earliest of those.
   */
  public void enqueue(Connection tx, Report report, List<Routing.Target> targets) throws SQLException {
    Instant due = null;
    for (var t : targets) {
      if (t.held()) {
        var until = heldUntil(report.completedAt(), t);
        due = due == null || until.isBefore(due) ? until : due;
      }
    }
    enqueue(tx, report.id(), report.urgent(), targets, 1, DeliveryRepository.CREATED, report.completedAt());
    if (due != null) {
      cases.holdForReview(tx, report.id(), due);
    }
  }

  /**
   * Queues version {@code version} of a report as {@code eventType} for each target, due at {@code at} (held
   * targets: at plus their review time), with a report.routed audit event each, inside {@code tx}.
   */
  public void enqueue(Connection tx, String reportId, boolean urgent, List<Routing.Target> targets, int version,
      String eventType, Instant at) throws SQLException {
    var pending = new ArrayList<DeliveryRepository.Pending>();
    for (var t : targets) {
      var deliveryId = DeliveryRepository.newDeliveryId();
      var data = new HashMap<String, Object>(Map.of("agency", t.agencyId(), "rule", t.rule()));
      if (t.held()) {
        data.put("review", Routing.Review.COUNSELLOR.word());
        data.put("review_within_minutes", t.reviewWithinMinutes());
      }
      if (version > 1) {
        data.put("version", version);
        data.put("event", eventType);
      }
      audit.append(tx, "report.routed", "gateway", Map.of("report", reportId, "delivery", deliveryId), data, at);
      pending.add(new DeliveryRepository.Pending(deliveryId, reportId, t.agencyId(), t.rule(), urgent, at, version,
          eventType, t.held() ? heldUntil(at, t) : null));
    }
    deliveries.insertPending(tx, pending);
  }

  private static Instant heldUntil(Instant from, Routing.Target t) {
    return from.plus(Duration.ofMinutes(t.reviewWithinMinutes()));
  }
}
