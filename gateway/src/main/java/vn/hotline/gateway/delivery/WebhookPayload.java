package vn.hotline.gateway.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.ContentItemRepository;
import vn.hotline.gateway.store.IntakeRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.util.Json;

/**
 * The JSON an agency receives: the Standard Webhooks envelope around one version of the report
 * (docs/report.schema.json, schema_version 1.2), minimised to the fields that agency is configured to see. An
 * absent field means "not shared with you"; null means "not known". 1.1 only adds to 1.0 (the version, the review
 * and a counsellor's assessment, and the report.updated event); 1.2 to 1.1 (the web and partner channels, content_items).
 */
public final class WebhookPayload {
  public static final String SCHEMA_VERSION = "1.2";

  /** Whether a person looked at the version an agency gets, as the payload's review.status says it. */
  public enum ReviewStatus {
    /** Its routing rule sends at once (review: auto), and no counsellor has completed it. */
    AUTO("auto"),
    /** A counsellor completed this version. */
    REVIEWED("reviewed"),
    /** Held for a counsellor, and sent when its review time was up without one. */
    NOT_REVIEWED("not_reviewed");

    private final String wire;

    ReviewStatus(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /**
   * One version of a report: the report as its contact made it, and for a version after the first the
   * counsellor's assessment that made it ({@code amendment}, null for version 1).
   */
  public record Edition(Report report, int version, CaseRepository.Version amendment, ReviewStatus review,
      Instant reviewedAt) {
    /**
     * Version 1 when {@code amendment} is null, else the amendment's; reviewed when a counsellor made it, else
     * not reviewed when its delivery was held for review ({@code held}), else auto.
     */
    public static Edition of(Report report, CaseRepository.Version amendment, boolean held) {
      if (amendment != null) {
        return new Edition(report, amendment.version(), amendment, ReviewStatus.REVIEWED, amendment.at());
      }
      return new Edition(report, 1, null, held ? ReviewStatus.NOT_REVIEWED : ReviewStatus.AUTO, null);
    }
  }
  /** Always milliseconds and Z, as the schema says: Instant.toString() drops ".000". */
  private static final java.time.format.DateTimeFormatter TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  public static String time(Instant t) {
    return TIME.format(t);
  }

  private final Provinces provinces;
  private final ContentItemRepository contentItems;
  private final IntakeRepository submissions;

  /**
   * {@code contentItems}: where the content items of a report are read; {@code submissions}: where a submitted
   * report's reporter contact is (either null: none are read, content_items is empty and reporter_contact null).
   */
  public WebhookPayload(Provinces provinces, ContentItemRepository contentItems, IntakeRepository submissions) {
    this.provinces = provinces;
    this.contentItems = contentItems;
    this.submissions = submissions;
  }

  public WebhookPayload(Provinces provinces) {
    this(provinces, null, null);
  }

  /** The body of a report.created webhook of version 1, sent at once (what every report was before review). */
  public byte[] envelope(Report r, Routing.Agency agency, String rule, Instant now) {
    return envelope(DeliveryRepository.CREATED, Edition.of(r, null, false), agency, rule, now);
  }

  /** The body of a webhook of {@code type} (report.created or report.updated) carrying {@code e}. */
  public byte[] envelope(String type, Edition edition, Routing.Agency agency, String rule, Instant now) {
    var root = Json.JSON.createObjectNode();
    root.put("type", type);
    root.put("timestamp", time(now));
    root.set("data", report(edition, agency.fields(), agency.id(), rule));
    try {
      return Json.JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Version 1 of the report as {@code fields} allow. */
  public ObjectNode report(Report r, Set<String> fields, String agencyId, String rule) {
    return report(Edition.of(r, null, false), fields, agencyId, rule);
  }

  /**
   * One version of the report as {@code fields} allow; also what the integrator API returns to that agency. A
   * counsellor's codes (category, subcategory, age band, province) replace the caller's in a later version; the
   * counsellor's free text (district, case notes, the referral's reason) goes only where the caller's own words
   * (description) go.
   */
  public ObjectNode report(Edition e, Set<String> fields, String agencyId, String rule) {
    var r = e.report();
    var v = e.amendment();
    var n = Json.JSON.createObjectNode();
    n.put("schema_version", SCHEMA_VERSION);
    n.put("id", r.id());
    n.put("reference", r.reference());
    n.put("channel", r.channel().wire());
    n.put("received_at", time(r.receivedAt()));
    n.put("completed_at", time(r.completedAt()));
    n.put("category", v == null ? r.category() : v.category());
    n.put("urgent", r.urgent());
    n.put("intent", r.intent());
    n.put("version", e.version());
    var review = n.putObject("review").put("status", e.review().wire());
    if (e.reviewedAt() == null) {
      review.putNull("reviewed_at");
    } else {
      review.put("reviewed_at", time(e.reviewedAt()));
    }
    if (fields.contains("subcategory")) {
      n.put("subcategory", v == null ? r.subcategory() : v.subcategory());
    }
    if (fields.contains("about")) {
      n.put("about", r.about());
    }
    if (fields.contains("age_band")) {
      n.put("age_band", v == null ? r.ageBand() : v.ageBand());
    }
    if (fields.contains("province")) {
      var province = v == null ? r.province() : v.province();
      if (province == null) {
        n.putNull("province");
      } else {
        n.putObject("province").put("code", province).put("name", provinces.byCode().get(province));
      }
      // the former province the caller named, while the province is still theirs (a counsellor's replaces both)
      var former = province != null && province.equals(r.province()) ? r.formerProvince() : null;
      if (former == null) {
        n.putNull("former_province");
      } else {
        n.put("former_province", former);
      }
    }
    if (fields.contains("outcome")) {
      n.put("outcome", r.outcome().wire());
    }
    if (fields.contains("harmful_content_urls")) {
      var urls = n.putArray("harmful_content_urls");
      r.urls().forEach(urls::add);
      // the same URLs as content items: normalised, one per URL, with every report that named it (read when the
      // payload is made, so the count is the one at sending time)
      var items = n.putArray("content_items");
      for (var i : contentItems == null ? java.util.List.<ContentItemRepository.Item>of() : contentItems.forReport(r.id())) {
        var item = items.addObject();
        item.put("id", i.id());
        item.put("url", i.url());
        item.put("platform", i.platform());
        item.put("kind", i.kind());
        if (i.hashAlgorithm() == null) {
          item.putNull("hash");
        } else {
          item.putObject("hash").put("algorithm", i.hashAlgorithm()).put("value", i.hashValue());
        }
        item.put("count", i.count());
        var refs = item.putArray("report_references");
        i.references().forEach(refs::add);
      }
    }
    if (fields.contains("description")) {
      n.put("description", r.description());
    }
    if (fields.contains("recording")) {
      if (r.recordingId() == null) {
        n.putNull("recording");
      } else {
        n.putObject("recording").put("provider", "twilio").put("sid", r.recordingId());
      }
    }
    if (fields.contains("consent")) {
      var consent = n.putObject("consent");
      if (r.consentShare() == null) {
        consent.putNull("share_with_agencies");
      } else {
        consent.put("share_with_agencies", r.consentShare());
      }
    }
    if (fields.contains("caller_pseudonym")) {
      n.put("caller_pseudonym", r.callerPseudonym());
    }
    if (fields.contains("flow_path")) {
      var path = n.putArray("flow_path");
      r.flowPath().forEach(path::add);
    }
    if (fields.contains("routing")) {
      n.putObject("routing").put("rule", rule).put("agency", agencyId);
    }
    if (fields.contains("reporter_contact")) {
      var contact = submissions == null || !r.channel().isIntake() ? null : submissions.contactJson(r.id());
      if (contact == null) {
        n.putNull("reporter_contact");
      } else {
        try {
          var given = Json.JSON.readTree(contact);
          var c = n.putObject("reporter_contact");
          for (var key : new String[] {"name", "phone", "email"}) {
            var part = given.path(key);
            if (part.isTextual()) {
              c.put(key, part.asText());
            } else {
              c.putNull(key);
            }
          }
        } catch (JsonProcessingException notJson) {
          throw new IllegalStateException("intake_submissions.contact_sealed does not hold JSON");
        }
      }
    }
    if (fields.contains("assessment")) {
      if (v == null) {
        n.putNull("assessment");
      } else {
        boolean freeText = fields.contains("description");
        var a = n.putObject("assessment");
        a.put("risk_level", v.riskLevel());
        a.put("sex", v.sex());
        a.put("outcome", v.outcome());
        var referral = a.putObject("referral");
        var agencies = referral.putArray("agencies");
        v.referral().forEach(agencies::add);
        if (freeText) {
          referral.put("reason", v.reason());
          a.put("district", v.district());
          a.put("case_notes", v.notes());
        }
      }
    }
    return n;
  }
}
