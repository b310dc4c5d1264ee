package vn.hotline.gateway.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.util.Json;

/**
 * The JSON an agency receives: the Standard Webhooks envelope around the report (docs/report.schema.json,
 * schema_version 1.0), minimised to the fields that agency is configured to see. An absent field means "not
 * shared with you"; null means "not known".
 */
public final class WebhookPayload {
  public static final String SCHEMA_VERSION = "1.0";
  /** Always milliseconds and Z, as the schema says: Instant.toString() drops ".000". */
  private static final java.time.format.DateTimeFormatter TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

  public static String time(Instant t) {
    return TIME.format(t);
  }

  private final Provinces provinces;

  public WebhookPayload(Provinces provinces) {
    this.provinces = provinces;
  }

  public byte[] envelope(Report r, Routing.Agency agency, String rule, Instant now) {
    var root = Json.JSON.createObjectNode();
    root.put("type", "report.created");
    root.put("timestamp", time(now));
    root.set("data", report(r, agency.fields(), agency.id(), rule));
    try {
      return Json.JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The report as {@code fields} allow; also what the integrator API returns to that agency. */
  public ObjectNode report(Report r, Set<String> fields, String agencyId, String rule) {
    var n = Json.JSON.createObjectNode();
    n.put("schema_version", SCHEMA_VERSION);
    n.put("id", r.id());
    n.put("reference", r.reference());
    n.put("channel", r.channel().wire());
    n.put("received_at", time(r.receivedAt()));
    n.put("completed_at", time(r.completedAt()));
    n.put("category", r.category());
    n.put("urgent", r.urgent());
    n.put("intent", r.intent());
    if (fields.contains("subcategory")) {
      n.put("subcategory", r.subcategory());
    }
    if (fields.contains("about")) {
      n.put("about", r.about());
    }
    if (fields.contains("age_band")) {
      n.put("age_band", r.ageBand());
    }
    if (fields.contains("province")) {
      if (r.province() == null) {
        n.putNull("province");
      } else {
        n.putObject("province").put("code", r.province()).put("name", provinces.byCode().get(r.province()));
      }
    }
    if (fields.contains("outcome")) {
      n.put("outcome", r.outcome().wire());
    }
    if (fields.contains("harmful_content_urls")) {
      var urls = n.putArray("harmful_content_urls");
      r.urls().forEach(urls::add);
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
    return n;
  }
}
