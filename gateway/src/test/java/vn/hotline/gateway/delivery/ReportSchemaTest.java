package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** docs/report.schema.json and docs/webhook.schema.json: valid schemas, in step with the guide's examples and the
 * configuration, and strict where the contract is. */
class ReportSchemaTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The report fields of the contract: those always present, and those an agency may or may not be sent. */
  private static final String[] ALWAYS = {"schema_version", "id", "reference", "channel", "received_at",
      "completed_at", "category", "urgent", "intent", "version", "review"};
  private static final String[] OPTIONAL = {"subcategory", "about", "age_band", "province", "former_province", "outcome",
      "harmful_content_urls", "content_items", "description", "recording", "consent", "caller_pseudonym", "flow_path", "routing",
      "assessment", "reporter_contact"};

  @Test
  void bothFilesAreValidDraft202012Schemas() throws Exception {
    var meta = PayloadSchemas.metaSchema();
    for (var file : List.of(PayloadSchemas.REPORT, PayloadSchemas.WEBHOOK)) {
      var schema = PayloadSchemas.parse(Files.readString(file));
      assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asText(), file.toString());
      assertEquals(List.of(), meta.errors(schema), file.toString());
      assertTrue(schema.path("description").asText().length() > 40, file + " says what it is");
    }
    // the meta-schema check can fail
    assertFalse(meta.errors("{\"type\": \"strin\", \"required\": \"reference\"}").isEmpty());
    // and both load, with the envelope's $ref to report.schema.json resolved
    PayloadSchemas.report();
    PayloadSchemas.webhook();
  }

  @Test
  void everyReportFieldIsDescribed() {
    var properties = reportSchema().path("properties");
    assertEquals(new TreeSet<>(List.of(ALWAYS)), set(reportSchema().path("required")), "always present");
    var all = new TreeSet<>(List.of(ALWAYS));
    all.addAll(List.of(OPTIONAL));
    assertEquals(all, names(properties), "the contract's fields, no more, no fewer");
    properties.fields().forEachRemaining(p -> {
      var d = p.getValue().path("description").asText();
      assertTrue(d.length() > 30, p.getKey() + " has a description saying what it is for");
      if (p.getValue().has("properties")) {
        p.getValue().path("properties").fields().forEachRemaining(q ->
            assertFalse(q.getValue().path("description").asText().isBlank(), p.getKey() + "." + q.getKey()));
      }
    });
    assertEquals(NODES.booleanNode(false), reportSchema().path("additionalProperties"));
  }

  @Test
  void theGuidesFullExampleIsValidAndUsesEveryField() {
    var full = PayloadSchemas.parse(IntegratorsDoc.example("payload-full"));
    assertEquals(List.of(), PayloadSchemas.webhook().errors(full));
    assertEquals(List.of(), PayloadSchemas.report().errors(full.path("data")));
    assertEquals(names(reportSchema().path("properties")), names(full.path("data")),
        "the full example shows every field of the schema");
    // and the guide's table names every field
    var guide = IntegratorsDoc.text();
    for (var field : names(reportSchema().path("properties"))) {
      assertTrue(guide.contains("| `" + field + "`") || guide.contains("`" + field + "` |")
          || guide.contains("`" + field + "`,"), "docs/integrators.md describes " + field);
    }
  }

  @Test
  void theGuidesMinimisedExampleIsValidAndASubsetOfTheFullOne() {
    var full = PayloadSchemas.parse(IntegratorsDoc.example("payload-full")).path("data");
    var minimised = PayloadSchemas.parse(IntegratorsDoc.example("payload-minimised"));
    assertEquals(List.of(), PayloadSchemas.webhook().errors(minimised));
    var data = minimised.path("data");
    assertTrue(data.size() < full.size());
    data.fields().forEachRemaining(f -> {
      if (!f.getKey().equals("routing")) {
        assertEquals(full.path(f.getKey()), f.getValue(), "same report: " + f.getKey());
      }
    });
    // only the always-present fields are required
    var bare = (ObjectNode) data.deepCopy();
    for (var optional : List.of("province", "harmful_content_urls", "routing")) {
      bare.remove(optional);
    }
    assertEquals(List.of(), PayloadSchemas.report().errors(bare));
  }

  @Test
  void whatTheContractForbidsIsRefused() {
    refused("an unknown field", d -> d.put("caller_number", "0912345678"), "caller_number");
    refused("a bad channel", d -> d.put("channel", "fax"), "/channel");
    refused("a missing reference", d -> d.remove("reference"), "reference");
    refused("a 7-digit reference", d -> d.put("reference", "4821390"), "/reference");
    refused("a reference as a number", d -> d.put("reference", 48213907), "/reference");
    refused("a 9-digit reference", d -> d.put("reference", "482139071"), "/reference");
    refused("another schema version", d -> d.put("schema_version", "2.0"), "/schema_version");
    refused("an id that is not a UUIDv7", d -> d.put("id", "0193a0c6-d9e4-4f3a-8b2c-4d5e6f708192"), "/id");
    refused("a category not in the taxonomy", d -> d.put("category", "cyber"), "/category");
    refused("urgent as a string", d -> d.put("urgent", "true"), "/urgent");
    refused("a missing urgent", d -> d.remove("urgent"), "urgent");
    refused("intent advice (no report)", d -> d.put("intent", "advice"), "/intent");
    refused("a date that is not one", d -> d.put("received_at", "23/11/2026 21:31"), "/received_at");
    refused("an age band of its own", d -> d.put("age_band", "11"), "/age_band");
    refused("a province code of 5 digits", d -> ((ObjectNode) d.get("province")).put("code", "79000"),
        "/province");
    refused("a province without its name", d -> ((ObjectNode) d.get("province")).remove("name"), "/province");
    refused("a null outcome", d -> d.putNull("outcome"), "/outcome");
    refused("a URL that is not a string", d -> ((ArrayNode) d.get("harmful_content_urls")).add(3),
        "/harmful_content_urls");
    refused("another recording provider", d -> d.set("recording", recording("vonage", "RE" + "a".repeat(32))),
        "/recording");
    refused("a RecordingSid of the wrong shape", d -> d.set("recording", recording("twilio", "CA" + "a".repeat(32))),
        "/recording");
    refused("a pseudonym of the wrong shape", d -> d.put("caller_pseudonym", "p2_" + "a".repeat(32)),
        "/caller_pseudonym");
    refused("consent with more in it", d -> ((ObjectNode) d.get("consent")).put("share_with_police", true),
        "share_with_police");
    refused("routing without an agency", d -> ((ObjectNode) d.get("routing")).remove("agency"), "/routing");
    refused("a version 0", d -> d.put("version", 0), "/version");
    refused("a review status of its own", d -> ((ObjectNode) d.get("review")).put("status", "skipped"), "/review");
    refused("a missing review", d -> d.remove("review"), "review");
    refused("a risk level of its own", d -> ((ObjectNode) d.get("assessment")).put("risk_level", "severe"),
        "/assessment");
    refused("an outcome of the assessment of its own", d -> ((ObjectNode) d.get("assessment")).put("outcome", "closed"),
        "/assessment");
    refused("an assessment with more in it", d -> ((ObjectNode) d.get("assessment")).put("caller_name", "Lan"),
        "/assessment");
  }

  @Test
  void nullMeansNotKnownWhereTheContractAllowsIt() {
    var data = (ObjectNode) PayloadSchemas.parse(IntegratorsDoc.example("payload-full")).path("data").deepCopy();
    for (var nullable : List.of("category", "subcategory", "about", "age_band", "province", "description",
        "recording", "caller_pseudonym", "assessment", "reporter_contact")) {
      data.putNull(nullable);
    }
    ((ObjectNode) data.get("consent")).putNull("share_with_agencies");
    data.set("harmful_content_urls", NODES.arrayNode());
    data.set("recording", recording("twilio", "RE" + "0123456789abcdef".repeat(2)));
    data.put("channel", "voice");
    data.put("urgent", true);
    data.put("intent", "danger");
    assertEquals(List.of(), PayloadSchemas.report().errors(data));
  }

  @Test
  void theEnvelopeIsStrictToo() {
    var full = PayloadSchemas.parse(IntegratorsDoc.example("payload-full"));
    var noMillis = ((ObjectNode) full.deepCopy()).put("timestamp", "2026-11-23T21:40:00Z");
    assertFalse(PayloadSchemas.webhook().errors(noMillis).isEmpty(), "the contract says UTC with millis");
    var offset = ((ObjectNode) full.deepCopy()).put("timestamp", "2026-11-24T04:40:00.123+07:00");
    assertFalse(PayloadSchemas.webhook().errors(offset).isEmpty(), "UTC");
    var updated = ((ObjectNode) full.deepCopy()).put("type", "report.updated");
    assertEquals(List.of(), PayloadSchemas.webhook().errors(updated), "a later version of a report");
    var otherType = ((ObjectNode) full.deepCopy()).put("type", "report.deleted");
    assertFalse(PayloadSchemas.webhook().errors(otherType).isEmpty());
    var badData = (ObjectNode) full.deepCopy();
    ((ObjectNode) badData.get("data")).put("reference", "1234567");
    var errors = PayloadSchemas.webhook().errors(badData);
    assertTrue(errors.stream().anyMatch(e -> e.startsWith("/data/reference")), errors.toString());
  }

  @Test
  void theSchemaAgreesWithTheConfiguration() throws Exception {
    var yaml = new YAMLMapper();
    var taxonomy = yaml.readTree(Path.of("config/taxonomy.yaml").toFile()).path("categories");
    var properties = reportSchema().path("properties");
    var categories = new TreeSet<String>();
    properties.path("category").path("enum").forEach(c -> {
      if (!c.isNull()) {
        categories.add(c.asText());
      }
    });
    assertEquals(names(taxonomy), categories, "category codes = config/taxonomy.yaml");
    var subcategoryPattern = properties.path("subcategory").path("pattern").asText();
    var described = properties.path("subcategory").path("description").asText();
    taxonomy.fields().forEachRemaining(c -> c.getValue().path("subcategories").fieldNames().forEachRemaining(s -> {
      assertTrue(s.matches(subcategoryPattern), s);
      assertTrue(described.contains(s), "subcategory description lists " + s);
    }));

    var codePattern = properties.path("province").path("oneOf").get(0).path("properties").path("code")
        .path("pattern").asText();
    var provinces = yaml.readTree(Path.of("config/provinces.yaml").toFile()).path("provinces");
    assertTrue(provinces.size() >= 34);
    var report = (ObjectNode) PayloadSchemas.parse(IntegratorsDoc.example("payload-full")).path("data").deepCopy();
    provinces.fields().forEachRemaining(p -> {
      assertTrue(p.getKey().matches(codePattern), p.getKey());
      var province = NODES.objectNode().put("code", p.getKey()).put("name", p.getValue().asText());
      report.set("province", province);
      assertEquals(List.of(), PayloadSchemas.report().errors(report), p.getKey());
    });
  }

  // ------------------------------------------------------------------ helpers

  private static JsonNode reportSchema() {
    try {
      return PayloadSchemas.parse(Files.readString(PayloadSchemas.REPORT));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The full example with {@code change} applied must be refused, with an error that names {@code where}. */
  private static void refused(String what, Consumer<ObjectNode> change, String where) {
    var report = (ObjectNode) PayloadSchemas.parse(IntegratorsDoc.example("payload-full")).path("data").deepCopy();
    change.accept(report);
    var errors = PayloadSchemas.report().errors(report);
    assertFalse(errors.isEmpty(), what + " must be refused");
    assertTrue(errors.stream().anyMatch(e -> e.contains(where)), what + ": an error about " + where + ", got " + errors);
  }

  private static TreeSet<String> set(JsonNode array) {
    var out = new TreeSet<String>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static ObjectNode recording(String provider, String sid) {
    return NODES.objectNode().put("provider", provider).put("sid", sid);
  }

  private static TreeSet<String> names(JsonNode object) {
    var out = new TreeSet<String>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
