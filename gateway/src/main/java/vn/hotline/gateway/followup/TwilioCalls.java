package vn.hotline.gateway.followup;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.util.Outgoing;

/**
 * Twilio's REST {@code Calls.create}: POST /2010-04-01/Accounts/{AccountSid}/Calls.json, a form with HTTP Basic auth
 * (the account SID and the auth token), the same plain HTTPS POST as sms.twilio.TwilioSmsSender, so
 * {@code twilio.api_base_url} can point a deployment or a test elsewhere.
 * https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource
 */
public final class TwilioCalls {
  private static final Pattern SID = Pattern.compile("\"sid\"\\s*:\\s*\"(CA[0-9a-fA-F]{32})\"");

  /** What Twilio answered: the new call's SID, or why there is none (an HTTP status or an exception's name). */
  public record Answer(String callSid, String problem) {
    public boolean created() {
      return callSid != null;
    }
  }

  private final GatewayConfig.Twilio twilio;

  public TwilioCalls(GatewayConfig.Twilio twilio) {
    this.twilio = twilio;
  }

  /** Whether calls can be asked for at all (an account SID is set). */
  public boolean configured() {
    return !twilio.accountSid().isEmpty();
  }

  /**
   * Asks Twilio to place a call; blocking. {@code params} are the form's parameters in order, a name repeated for a
   * list (StatusCallbackEvent).
   */
  public Answer create(List<Map.Entry<String, String>> params) {
    var body = new StringBuilder();
    for (var p : params) {
      body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    var auth = Base64.getEncoder().encodeToString(
        (twilio.accountSid() + ":" + twilio.authToken()).getBytes(StandardCharsets.UTF_8));
    var request = HttpRequest.newBuilder(URI.create(twilio.apiBaseUrl() + "/2010-04-01/Accounts/"
            + URLEncoder.encode(twilio.accountSid(), StandardCharsets.UTF_8) + "/Calls.json"))
        .timeout(Duration.ofSeconds(15))
        .header("Authorization", "Basic " + auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try {
      var response = Outgoing.http().send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        return new Answer(null, "HTTP " + response.statusCode()); // Twilio's error body may repeat the numbers
      }
      var m = SID.matcher(response.body());
      return m.find() ? new Answer(m.group(1), null) : new Answer(null, "no call SID in Twilio's answer");
    } catch (IOException e) {
      return new Answer(null, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(null, "interrupted");
    }
  }
}
