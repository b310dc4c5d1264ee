package vn.hotline.gateway.report;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.util.Ids;

/**
 * Which finished contacts make a report: a caller who came to report harm or danger (intent danger or report),
 * unless the contact ended without a case (cancelled, restarted or opted out). A contact that only asked for
 * advice makes none. A pure rule: the closing step (delivery.ContactClosing) asks it and writes the result.
 */
public final class ReportPolicy {
  /** Outcomes that never make a report, whatever was answered before. */
  static final Set<Outcome> NO_REPORT_OUTCOMES = Set.of(Outcome.CANCELLED, Outcome.RESTARTED, Outcome.OPTED_OUT);
  /** Intents that make a report. */
  static final Set<String> REPORT_INTENTS = Set.of("danger", "report");

  /** The report of a contact whose flow has finished with {@code outcome}, if it makes one. */
  public Optional<Report> reportOf(
      String reference, String contactId, Channel channel, String callerPseudonym, FlowState state, Outcome outcome,
      Instant receivedAt, Instant completedAt) {
    if (NO_REPORT_OUTCOMES.contains(outcome)) {
      return Optional.empty();
    }
    var intent = state.answer("intent");
    if (!REPORT_INTENTS.contains(intent == null ? "" : intent)) {
      return Optional.empty();
    }
    var consent = state.answer("consent_share");
    return Optional.of(new Report(Ids.uuid7().toString(), reference, contactId, channel, intent,
        state.answer("category"), state.answer("subcategory"), state.answer("about"), state.answer("age_band"),
        state.answer("province"), state.answer("province") == null ? null : state.answer("former_province"),
        "danger".equals(intent) || "true".equals(state.answer("urgent")), outcome,
        state.text("recording_id"), state.text("description"),
        Urls.extract(state.text("description"), state.text("links")),
        consent == null ? null : Boolean.valueOf(consent), callerPseudonym, state.path(), receivedAt, completedAt));
  }
}
