package vn.hotline.gateway.util;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Collection;
import java.util.Map;

/**
 * The one place the gateway's Jackson mappers are set up (every package may use it; it uses none). Mappers are
 * thread-safe once built: use these, do not build others.
 *
 * <ul>
 *   <li>{@link #JSON}: JSON read and written by the gateway (payloads, stored JSON columns, Twilio's REST
 *       answers, the audit commands' output). java.time values are ISO-8601 strings.
 *   <li>{@link #CANONICAL}: {@link #JSON} with map keys sorted, for the audit chain's hashed JSON (the same
 *       event must always give the same bytes).
 *   <li>{@link #YAML}: the configuration and flow files. A key given twice in one mapping is an error (a node
 *       or an agency defined twice must not silently replace the first).
 * </ul>
 *
 * Unknown properties fail binding (Jackson's default): a record read from a provider's answer that may grow
 * says so itself with {@code @JsonIgnoreProperties(ignoreUnknown = true)}.
 */
public final class Json {
  public static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  public static final ObjectMapper CANONICAL = JSON.copy().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  public static final ObjectMapper YAML = YAMLMapper.builder()
      .addModule(new JavaTimeModule())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private Json() {}

  /**
   * Where in a file binding failed and why, in the file's words, e.g. {@code categories.neglect.subcategories:
   * expected a mapping (line 12)}: Jackson's own message names Java types, which mean nothing to whoever edits
   * the file.
   */
  public static String problem(JsonMappingException e) {
    var path = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex() + 1).append(']');
      }
    }
    var line = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? "" : " (line " + e.getLocation().getLineNr() + ")";
    return (path.isEmpty() ? "the top" : path) + ": expected " + expected(e) + line;
  }

  private static String expected(JsonMappingException e) {
    Class<?> t = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    if (t == null) {
      return "another kind of value";
    } else if (Map.class.isAssignableFrom(t) || t.isRecord()) {
      return "a mapping";
    } else if (Collection.class.isAssignableFrom(t) || t.isArray()) {
      return "a list";
    } else if (t == String.class) {
      return "a text";
    } else if (t == Boolean.class || t == boolean.class) {
      return "true or false";
    } else if (Number.class.isAssignableFrom(t) || t.isPrimitive()) {
      return "a number";
    }
    return "another kind of value";
  }
}
