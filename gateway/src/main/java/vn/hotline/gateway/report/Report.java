package vn.hotline.gateway.report;

import java.time.Instant;
import java.util.List;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;

/**
 * The structured report a contact turns into: codes (category, age band, province code), and from SMS the
 * texter's own description and the harmful-content URLs found in what they wrote (personal data: sealed at
 * rest). Never the caller's number. Which contacts make one: {@link ReportPolicy}.
 *
 * @param intent danger (someone is in danger now) or report (abuse or harm to report)
 * @param province the code of today's unit (config/provinces.yaml), or null
 * @param formerProvince the name of the former province (before 1 July 2025) the caller named or keyed, inside
 *     {@code province}; null when they named today's unit or none
 * @param outcome operator, voicemail, completed or abandoned
 */
public record Report(
    String id,
    String reference,
    String contactId,
    Channel channel,
    String intent,
    String category,
    String subcategory,
    String about,
    String ageBand,
    String province,
    String formerProvince,
    boolean urgent,
    Outcome outcome,
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

  /** A report without a former province. */
  public Report(String id, String reference, String contactId, Channel channel, String intent, String category,
      String subcategory, String about, String ageBand, String province, boolean urgent, Outcome outcome,
      String recordingId, String description, List<String> urls, Boolean consentShare, String callerPseudonym,
      List<String> flowPath, Instant receivedAt, Instant completedAt) {
    this(id, reference, contactId, channel, intent, category, subcategory, about, ageBand, province, null, urgent,
        outcome, recordingId, description, urls, consentShare, callerPseudonym, flowPath, receivedAt, completedAt);
  }

  @Override
  public String toString() {
    return "Report[" + id + " ref=" + reference + " " + channel + " " + intent + " " + category + "]"; // no free text
  }
}
