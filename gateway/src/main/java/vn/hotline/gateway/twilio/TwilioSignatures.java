package vn.hotline.gateway.twilio;

import com.twilio.security.RequestValidator;
import java.net.URI;
import java.util.Map;

/**
 * Checks X-Twilio-Signature with the Twilio SDK against the public URL Twilio was told to call, since behind
 * a proxy the URL we see is not the one Twilio signed.
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
public final class TwilioSignatures {
  private final RequestValidator validator;
  private final String publicBase;

  public TwilioSignatures(String authToken, URI publicUrl) {
    this.validator = new RequestValidator(authToken);
    this.publicBase = publicUrl.toString();
  }

  /** @param pathAndQuery the request URI as received, e.g. /twilio/voice/step/menu?seq=2 */
  public boolean valid(String pathAndQuery, Map<String, String> formParams, String signature) {
    if (signature == null || signature.isBlank()) {
      return false;
    }
    return validator.validate(publicBase + pathAndQuery, formParams, signature);
  }
}
