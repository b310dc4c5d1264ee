package vn.hotline.gateway.delivery;

import java.util.Optional;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.ReportRepository;

/**
 * Reads the version of a report a delivery carries, from the store at send time (so an erasure or a purge made
 * since also reaches deliveries not yet made): the report row, and for a version after the first the
 * counsellor's assessment that made it.
 */
public final class Editions {
  private final ReportRepository reports;
  private final CaseRepository cases;

  public Editions(ReportRepository reports, CaseRepository cases) {
    this.reports = reports;
    this.cases = cases;
  }

  /**
   * Version {@code version} of report {@code reportId}; empty when the report or that version does not exist.
   *
   * @param held its delivery was held for a counsellor (a version 1 sent then is not reviewed)
   */
  public Optional<WebhookPayload.Edition> find(String reportId, int version, boolean held) {
    var report = reports.findById(reportId);
    if (report.isEmpty()) {
      return Optional.empty();
    }
    if (version <= 1) {
      return Optional.of(WebhookPayload.Edition.of(report.get(), null, held));
    }
    return cases.find(reportId, version).map(v -> WebhookPayload.Edition.of(report.get(), v, held));
  }

  /**
   * The report's current version (what an admin sees): the latest assessment, or version 1, not reviewed when a
   * rule held it for a counsellor.
   */
  public WebhookPayload.Edition current(Report report) {
    var state = cases.reviewByReference(report.reference()).orElse(null);
    if (state == null || state.version() <= 1) {
      return WebhookPayload.Edition.of(report, null, state != null && state.reviewDueAt() != null);
    }
    return cases.find(report.id(), state.version()).map(v -> WebhookPayload.Edition.of(report, v, true))
        .orElse(WebhookPayload.Edition.of(report, null, true));
  }

  /** Version {@code version} of {@code report} (read before), as {@link #find} gives it; version 1 if that one is gone. */
  public WebhookPayload.Edition of(Report report, int version, boolean held) {
    if (version <= 1) {
      return WebhookPayload.Edition.of(report, null, held);
    }
    return cases.find(report.id(), version).map(v -> WebhookPayload.Edition.of(report, v, held))
        .orElse(WebhookPayload.Edition.of(report, null, held));
  }
}
