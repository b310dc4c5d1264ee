package vn.hotline.gateway.delivery;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.report.ReportPolicy;
import vn.hotline.gateway.report.Urls;
import vn.hotline.gateway.store.ContentItemRepository;
import vn.hotline.gateway.store.ContactSession;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.SessionRepository;

/**
 * The domain step when a contact gets its outcome, run by {@link SessionRepository} inside the closing
 * transaction: if {@link ReportPolicy} says the contact makes a report, the report is stored and
 * {@link Outbox#enqueue} queues it for every agency {@link Routing#route} names, all in that one transaction; the
 * links the texter wrote become content items (normalised: {@link Urls#normalise}), so a URL that children and
 * partners report many times is one takedown case.
 */
public final class ContactClosing implements SessionRepository.OnClose {
  private final ReportPolicy policy;
  private final ReportRepository reports;
  private final Routing routing;
  private final Outbox outbox;
  private final ContentItemRepository contentItems;

  public ContactClosing(ReportPolicy policy, ReportRepository reports, Routing routing, Outbox outbox,
      ContentItemRepository contentItems) {
    this.policy = policy;
    this.reports = reports;
    this.routing = routing;
    this.outbox = outbox;
    this.contentItems = contentItems;
  }

  @Override
  public void closed(Connection tx, ContactSession s, Outcome outcome, Instant now) throws SQLException {
    var report = policy.reportOf(s.reference(), s.contactId(), s.channel(), s.callerPseudonym(), s.state(), outcome,
        s.startedAt(), now);
    if (report.isPresent() && reports.insertIfAbsent(tx, report.get())) {
      var named = new LinkedHashMap<String, ContentItemRepository.Named>();
      for (var typed : report.get().urls()) {
        try {
          var url = Urls.normalise(typed);
          named.putIfAbsent(url, new ContentItemRepository.Named(url, Urls.platform(url), null, null, null));
        } catch (IllegalArgumentException notAWebLink) {
          // kept as typed in the report's harmful_content_urls; not a content item
        }
      }
      if (!named.isEmpty()) {
        contentItems.name(tx, report.get().id(), List.copyOf(named.values()), now);
      }
      outbox.enqueue(tx, report.get(), routing.route(report.get()));
    }
  }
}
