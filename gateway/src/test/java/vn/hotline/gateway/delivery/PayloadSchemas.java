package vn.hotline.gateway.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The published payload schemas, docs/report.schema.json and docs/webhook.schema.json (read from the repository
 * root, the tests' working directory), ready to validate payloads: {@code PayloadSchemas.webhook().errors(body)}
 * is empty for a body the contract allows. Formats (date-time, uuid) are asserted, not just annotated.
 */
public final class PayloadSchemas {
  public static final Path REPORT = Path.of("docs/report.schema.json");
  public static final Path WEBHOOK = Path.of("docs/webhook.schema.json");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
      .formatAssertionsEnabled(true)
      .pathType(PathType.JSON_POINTER)
      .build();

  private final JsonSchema schema;

  private PayloadSchemas(JsonSchema schema) {
    this.schema = schema;
  }

  /** The report: the "data" of a webhook, an item of GET /api/v1/reports. */
  public static PayloadSchemas report() {
    return load(REPORT);
  }

  /** A whole webhook body (envelope), whose "data" is checked against the report schema. */
  public static PayloadSchemas webhook() {
    return load(WEBHOOK);
  }

  /** The draft 2020-12 meta-schema (shipped inside the validator: nothing is fetched). */
  static PayloadSchemas metaSchema() {
    return new PayloadSchemas(FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012), CONFIG));
  }

  private static PayloadSchemas load(Path file) {
    var schema = FACTORY.getSchema(SchemaLocation.of(file.toAbsolutePath().normalize().toUri().toString()), CONFIG);
    schema.initializeValidators(); // resolve $refs now: a broken reference fails here, not in the middle of a test
    return new PayloadSchemas(schema);
  }

  /** Why {@code payload} does not conform (empty when it does), one line per violation. */
  public List<String> errors(JsonNode payload) {
    Set<ValidationMessage> messages = schema.validate(payload);
    return messages.stream().map(m -> m.getInstanceLocation() + ": " + m.getMessage()).sorted().toList();
  }

  public List<String> errors(String json) {
    return errors(parse(json));
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
