package vn.hotline.gateway.webform;

import java.util.List;

/**
 * What a person reported through the web form, checked: a taxonomy category, the links they saw (each a line),
 * what they saw in their own words, the child's age band and province when known, and a way to reach them only
 * when they ticked the consent box. Everything but the codes is personal data: sealed by the intake, never logged.
 *
 * @param ageBand one of report.Assessment.AGE_BANDS ("unknown" when not said)
 * @param province a code of config/provinces.yaml, or null when not said
 * @param urgent the reporter ticked "a child is in danger right now" (routed as immediate danger)
 * @param contact how to reach the reporter, or null (always null without consent)
 * @param language the page's language: vi or en
 */
public record WebReport(String category, List<String> urls, String description, String ageBand, String province,
    boolean urgent, Contact contact, String language) {
  /** The reporter's own contact details, given with their consent; any of them may be empty. */
  public record Contact(String name, String phone, String email) {
    @Override
    public String toString() {
      return "Contact[<personal data>]";
    }
  }

  public WebReport {
    urls = List.copyOf(urls);
  }

  public boolean consented() {
    return contact != null;
  }

  @Override
  public String toString() {
    return "WebReport[" + category + (urgent ? " urgent " : " ") + ageBand + " " + province + " urls=" + urls.size() + "]"; // no free text
  }
}
