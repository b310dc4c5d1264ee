package vn.hotline.gateway.report;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.util.Ids;

/**
 * The structured report a contact turns into: codes (category, age band, province code), and from SMS the
 * texter's own description and the harmful-content URLs found in what they wrote (personal data: sealed at
 * rest). Never the caller's number. A contact that only asked for advice makes none.
 *
 * @param intent danger (someone is in danger now) or report (abuse or harm to report)
 * @param outcome operator | voicemail | completed | abandoned
 */
public record Report(
    String id,
    String reference,
    String contactId,
    String channel,
    String intent,
    String category,
    String subcategory,
    String about,
    String ageBand,
    String province,
    boolean urgent,
    String outcome,
    String recordingId,
    String description,
    List<String> urls,
    Boolean consentShare,
    String callerPseudonym,
    List<String> flowPath,
    Instant receivedAt,
    Instant completedAt) {

  public Report {
    flowPath = List.copyOf(flowPath);
    urls = List.copyOf(urls);
  }

  @Override
  public String toString() {
    return "Report[" + id + " ref=" + reference + " " + channel + " " + intent + " " + category + "]"; // no free text
  }

  /** The report of a contact whose flow has finished, if the caller came to report harm or danger. */
  public static Optional<Report> of(
      String reference, String contactId, String channel, String callerPseudonym, FlowState state, String outcome,
      Instant receivedAt, Instant completedAt) {
    var intent = state.answer("intent");
    if (!"danger".equals(intent) && !"report".equals(intent)) {
      return Optional.empty();
    }
    var consent = state.answer("consent_share");
    return Optional.of(new Report(Ids.uuid7().toString(), reference, contactId, channel, intent,
        state.answer("category"), state.answer("subcategory"), state.answer("about"), state.answer("age_band"),
        state.answer("province"), "danger".equals(intent) || "true".equals(state.answer("urgent")), outcome,
        state.text("recording_id"), state.text("description"),
        Urls.extract(state.text("description"), state.text("links")),
        consent == null ? null : Boolean.valueOf(consent), callerPseudonym, state.path(), receivedAt, completedAt));
  }
}
