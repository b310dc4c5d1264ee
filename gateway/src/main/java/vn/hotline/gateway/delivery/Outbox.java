package vn.hotline.gateway.delivery;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.store.DeliveryRepository;

/**
 * The transactional outbox: one pending delivery per target agency, written in the transaction that stores the
 * report, so a report is never stored without its deliveries, nor the other way round. {@link DeliveryWorker}
 * sends them later.
 */
public final class Outbox {
  private final DeliveryRepository deliveries;
  private final AuditLog audit;

  public Outbox(DeliveryRepository deliveries, AuditLog audit) {
    this.deliveries = deliveries;
    this.audit = audit;
  }

  /** Queues {@code report} for each target, with a report.routed audit event each, inside {@code tx}. */
  public void enqueue(Connection tx, Report report, List<Routing.Target> targets) throws SQLException {
    var pending = new ArrayList<DeliveryRepository.Pending>();
    for (var t : targets) {
      var deliveryId = DeliveryRepository.newDeliveryId();
      audit.append(tx, "report.routed", "gateway", Map.of("report", report.id(), "delivery", deliveryId),
          Map.of("agency", t.agencyId(), "rule", t.rule()), report.completedAt());
      pending.add(new DeliveryRepository.Pending(deliveryId, report.id(), t.agencyId(), t.rule(), report.urgent(),
          report.completedAt()));
    }
    deliveries.insertPending(tx, pending);
  }
}
