package vn.hotline.gateway.sms.twilio;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.sms.SmsRetry;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.util.Outgoing;

/**
 * Sends the Twilio-channel SMS nobody is waiting on a webhook for (reminders, expiry notices) through Twilio's
 * REST API: POST /2010-04-01/Accounts/{sid}/Messages.json. A plain HTTPS form POST, so a deployment (or a
 * test) can point {@code twilio.api_base_url} elsewhere.
 */
public final class TwilioSmsSender {
  private static final Logger log = LoggerFactory.getLogger(TwilioSmsSender.class);

  private final GatewayConfig.Twilio twilio;
  private final URI publicUrl;
  private final SmsRepository sms;
  private final Clock clock;

  public TwilioSmsSender(GatewayConfig.Twilio twilio, URI publicUrl, SmsRepository sms, Clock clock) {
    this.twilio = twilio;
    this.publicUrl = publicUrl;
    this.sms = sms;
    this.clock = clock;
  }

  /** Sends what is due; blocking. Returns how many were handed to Twilio. */
  public int sendDue() {
    int sent = 0;
    for (var o : sms.claimDue(Channel.SMS_TWILIO, null, 20, Duration.ofMinutes(2), clock.instant())) {
      if (!twilio.canSendSms()) {
        sms.skipped(o.id(), "twilio.account_sid and twilio.sms_from are not set: reminders cannot be sent");
        continue;
      }
      try {
        var params = new LinkedHashMap<String, String>();
        params.put("To", o.destination());
        params.put(twilio.smsFrom().startsWith("MG") ? "MessagingServiceSid" : "From", twilio.smsFrom());
        params.put("Body", o.body());
        params.put("StatusCallback", publicUrl + TwilioSmsRoutes.BASE + "/status?out=" + o.id());
        var response = post(params);
        if (response.statusCode() / 100 == 2) {
          sms.sent(o.id(), TwilioMessageAnswer.parse(response.body()).messageSid(), clock.instant());
          sent++;
        } else if (response.statusCode() == 429 || response.statusCode() >= 500) {
          sms.retryAt(o.id(), clock.instant().plus(SmsRetry.OUTBOUND.delay(o.attempts())), "Twilio answered " + response.statusCode());
        } else {
          sms.failed(o.id(), "Twilio refused the message: HTTP " + response.statusCode());
        }
      } catch (IOException e) {
        sms.retryAt(o.id(), clock.instant().plus(SmsRetry.OUTBOUND.delay(o.attempts())), e.getClass().getSimpleName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return sent;
      }
    }
    return sent;
  }

  private HttpResponse<String> post(Map<String, String> params) throws IOException, InterruptedException {
    var body = new StringBuilder();
    params.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
        .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    var auth = Base64.getEncoder().encodeToString(
        (twilio.accountSid() + ":" + twilio.authToken()).getBytes(StandardCharsets.UTF_8));
    var request = HttpRequest.newBuilder(URI.create(twilio.apiBaseUrl() + "/2010-04-01/Accounts/"
            + twilio.accountSid() + "/Messages.json"))
        .timeout(Duration.ofSeconds(15))
        .header("Authorization", "Basic " + auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    return Outgoing.http().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
