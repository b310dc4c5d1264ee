package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twilio.security.RequestValidator;
import vn.hotline.gateway.twilio.TwilioSignatures;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.TwilioSigner;
import vn.hotline.gateway.tools.CallSimulator;

/**
 * The signatures our tests and simulate-call make are Twilio's own: checked against the example published in
 * Twilio's request-validation docs and snippets, and against the Twilio SDK's validator the gateway uses.
 */
class TwilioSignatureCompatibilityTest {
  private static final String DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
  private static final Map<String, String> DOC_PARAMS = Map.of(
      "CallSid", "CA1234567890ABCDE", "Caller", "+14158675310", "Digits", "1234",
      "From", "+14158675310", "To", "+18005551212");
  private static final String DOC_SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc=";

  @Test
  void theTestSignerReproducesTwilioDocumentedSignature() {
    assertEquals(DOC_SIGNATURE, TwilioSigner.sign("12345", DOC_URL, DOC_PARAMS));
  }

  @Test
  void simulateCallSignsExactlyAsTwilioDoes() {
    assertEquals(DOC_SIGNATURE, CallSimulator.sign("12345", DOC_URL, DOC_PARAMS));
  }

  @Test
  void theSdkValidatorTheGatewayUsesAcceptsTheDocumentedSignatureAndRefusesAnyChange() {
    var validator = new RequestValidator("12345");
    assertTrue(validator.validate(DOC_URL, DOC_PARAMS, DOC_SIGNATURE));
    assertFalse(validator.validate(DOC_URL, Map.of("CallSid", "CA1234567890ABCDE"), DOC_SIGNATURE));
    assertFalse(new RequestValidator("54321").validate(DOC_URL, DOC_PARAMS, DOC_SIGNATURE));
  }

  @Test
  void theGatewayChecksAgainstItsPublicUrlNotTheAddressItListensOn() {
    var signatures = new TwilioSignatures("12345", URI.create("https://mycompany.com"));
    assertTrue(signatures.valid("/myapp.php?foo=1&bar=2", DOC_PARAMS, DOC_SIGNATURE));
    assertFalse(signatures.valid("/myapp.php?foo=1&bar=3", DOC_PARAMS, DOC_SIGNATURE));
    assertFalse(signatures.valid("/myapp.php?foo=1&bar=2", DOC_PARAMS, null));
    assertFalse(signatures.valid("/myapp.php?foo=1&bar=2", DOC_PARAMS, ""));
  }
}
