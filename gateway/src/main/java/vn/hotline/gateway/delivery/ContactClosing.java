package vn.hotline.gateway.delivery;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.report.ReportPolicy;
import vn.hotline.gateway.store.ContactSession;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.SessionRepository;

/**
 * The domain step when a contact gets its outcome, run by {@link SessionRepository} inside the closing
 * transaction: if {@link ReportPolicy} says the contact makes a report, the report is stored and
 * {@link Outbox#enqueue} queues it for every agency {@link Routing#route} names, all in that one transaction.
 */
public final class ContactClosing implements SessionRepository.OnClose {
  private final ReportPolicy policy;
  private final ReportRepository reports;
  private final Routing routing;
  private final Outbox outbox;

  public ContactClosing(ReportPolicy policy, ReportRepository reports, Routing routing, Outbox outbox) {
    this.policy = policy;
    this.reports = reports;
    this.routing = routing;
    this.outbox = outbox;
  }

  @Override
  public void closed(Connection tx, ContactSession s, Outcome outcome, Instant now) throws SQLException {
    var report = policy.reportOf(s.reference(), s.contactId(), s.channel(), s.callerPseudonym(), s.state(), outcome,
        s.startedAt(), now);
    if (report.isPresent() && reports.insertIfAbsent(tx, report.get())) {
      outbox.enqueue(tx, report.get(), routing.route(report.get()));
    }
  }
}
