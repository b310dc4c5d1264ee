package vn.hotline.gateway.delivery;

import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.util.Ids;

/**
 * A version after the first in the payload: the counsellor's codes replace the caller's, the review says who
 * looked, and the counsellor's words go only where the caller's words (description) go.
 */
class WebhookPayloadReviewTest {
  static final WebhookPayload PAYLOADS = new WebhookPayload(Provinces.load(null));
  static final Instant MADE = Instant.parse("2026-11-23T21:40:00.123Z");
  static final Report REPORT = new Report(Ids.uuid7().toString(), "48213907", "c1", Channel.VOICE, "report",
      "online_abuse_harmful_content", null, "other", "13-15", "79", false, Outcome.VOICEMAIL, null, null, List.of(), null,
      null, List.of("welcome"), MADE.minusSeconds(300), MADE);
  static final CaseRepository.Version V2 = new CaseRepository.Version(REPORT.id(), 2, "op_1", "sexual_violence",
      "sexual_abuse", "high", "10-12", "female", "01", "Quận Ba Đình", "ghi chú của tư vấn viên", "referred",
      List.of("child-protection"), "lý do", MADE.plusSeconds(600));

  @Test
  void theReviewStatusFollowsWhoLookedAndWhetherItWasHeld() {
    assertEquals(WebhookPayload.ReviewStatus.AUTO, WebhookPayload.Edition.of(REPORT, null, false).review());
    assertEquals(WebhookPayload.ReviewStatus.NOT_REVIEWED, WebhookPayload.Edition.of(REPORT, null, true).review());
    var reviewed = WebhookPayload.Edition.of(REPORT, V2, true);
    assertEquals(WebhookPayload.ReviewStatus.REVIEWED, reviewed.review());
    assertEquals(2, reviewed.version());
    assertEquals(V2.at(), reviewed.reviewedAt());
  }

  @Test
  void aCounsellorsVersionCarriesTheirCodesAndTheirWordsOnlyWhereDescriptionGoes() {
    var withText = PAYLOADS.report(WebhookPayload.Edition.of(REPORT, V2, false),
        Set.of("subcategory", "age_band", "province", "description", "assessment"), "a", "r");
    assertEquals(List.of(), PayloadSchemas.report().errors(withText));
    assertEquals("sexual_violence", withText.get("category").asText());
    assertEquals("sexual_abuse", withText.get("subcategory").asText());
    assertEquals("10-12", withText.get("age_band").asText());
    assertEquals("Hà Nội", withText.get("province").get("name").asText());
    assertEquals(2, withText.get("version").asInt());
    assertEquals("2026-11-23T21:50:00.123Z", withText.get("review").get("reviewed_at").asText());
    assertEquals("ghi chú của tư vấn viên", withText.get("assessment").get("case_notes").asText());
    assertEquals("Quận Ba Đình", withText.get("assessment").get("district").asText());
    assertEquals("lý do", withText.get("assessment").get("referral").get("reason").asText());

    var codesOnly = PAYLOADS.report(WebhookPayload.Edition.of(REPORT, V2, false), Set.of("assessment"), "a", "r");
    assertEquals(List.of(), PayloadSchemas.report().errors(codesOnly));
    assertEquals("high", codesOnly.get("assessment").get("risk_level").asText());
    assertEquals(List.of("child-protection"), List.of(codesOnly.get("assessment").get("referral").get("agencies").get(0).asText()));
    for (var words : List.of("ghi chú", "Ba Đình", "lý do")) {
      assertFalse(codesOnly.toString().contains(words), "no free text without description: " + codesOnly);
    }
    var none = PAYLOADS.report(WebhookPayload.Edition.of(REPORT, V2, false), Set.of(), "a", "r");
    assertFalse(none.has("assessment"), "not shared");
    assertTrue(PAYLOADS.report(WebhookPayload.Edition.of(REPORT, null, false), Set.of("assessment"), "a", "r")
        .get("assessment").isNull(), "version 1: nobody has assessed it");
  }
}
