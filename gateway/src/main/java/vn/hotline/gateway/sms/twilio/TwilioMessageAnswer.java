package vn.hotline.gateway.sms.twilio;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;
import vn.hotline.gateway.util.Json;

/**
 * What the gateway reads from Twilio's answer to POST .../Messages.json: the Message resource
 * (https://www.twilio.com/docs/messaging/api/message-resource) on success, or Twilio's error object
 * ({@code code}, {@code message}, {@code more_info}, {@code status}) on a 4xx/5xx. The texts ({@code body},
 * {@code to}, {@code message}, {@code error_message}) are deliberately not read: they may quote the texter's
 * number or words.
 *
 * @param sid the message's SID (SM... or MM...), or null
 * @param status the message's status word ("queued", ...), or the HTTP status an error object repeats
 * @param code the error code of an error object (e.g. 21211, invalid To number), or null
 * @param errorCode the message's error_code (null while it is on its way), or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record TwilioMessageAnswer(String sid, String status, Integer code, @JsonProperty("error_code") Integer errorCode) {
  private static final Pattern MESSAGE_SID = Pattern.compile("(?:SM|MM)[0-9a-fA-F]{32}");
  static final TwilioMessageAnswer NONE = new TwilioMessageAnswer(null, null, null, null);

  /** Never throws: a body that is not Twilio's JSON (a proxy's HTML page, nothing, garbage) reads as {@link #NONE}. */
  static TwilioMessageAnswer parse(String body) {
    if (body == null || body.isBlank()) {
      return NONE;
    }
    try {
      var answer = Json.JSON.readValue(body, TwilioMessageAnswer.class);
      return answer == null ? NONE : answer;
    } catch (JsonProcessingException e) {
      return NONE;
    }
  }

  /** The SID a status callback will name, when it has the shape of a message SID; else null. */
  String messageSid() {
    return sid != null && MESSAGE_SID.matcher(sid).matches() ? sid : null;
  }
}
