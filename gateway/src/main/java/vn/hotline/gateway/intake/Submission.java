package vn.hotline.gateway.intake;

import java.util.List;
import vn.hotline.gateway.contact.Channel;

/**
 * A report that comes in whole, without a conversation: from the public web form ({@link Channel#WEB}) or a
 * partner's system through the intake API ({@link Channel#PARTNER}). {@link Intake#submit} checks every value and
 * names the field at fault.
 *
 * @param partnerId the partner (from its API key) for {@link Channel#PARTNER}; null for the web form
 * @param partnerRef the partner's own id for the report, or null
 * @param category a category code of config/taxonomy.yaml, or null when the reporter does not know
 * @param subcategory a subcategory code of that category, or null
 * @param contentItems the harmful content it points at (at most {@link Intake#MAX_CONTENT_ITEMS}), possibly none
 * @param description what the reporter saw or knows, in their words (personal data: sealed), or null
 * @param ageBand the child's age band as the flows spell it (0-6, 7-9, 10-12, 13-15, 16-17, unknown), or null
 * @param province a province code of config/provinces.yaml, or null when not known
 * @param urgent a child is in danger now (the report is routed as immediate danger and never held for review)
 * @param contact how to reach the reporter, only given with their consent; null otherwise
 * @param language the reporter's language, vi or en (null: vi)
 */
public record Submission(
    Channel channel,
    String partnerId,
    String partnerRef,
    String category,
    String subcategory,
    List<ContentItem> contentItems,
    String description,
    String ageBand,
    String province,
    boolean urgent,
    ReporterContact contact,
    String language) {

  public Submission {
    contentItems = contentItems == null ? List.of() : List.copyOf(contentItems);
  }

  @Override
  public String toString() {
    return "Submission[" + channel + " partner=" + partnerId + " " + category + " items=" + contentItems.size() + "]";
  }
}
