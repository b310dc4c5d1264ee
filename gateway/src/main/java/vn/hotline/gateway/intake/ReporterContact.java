package vn.hotline.gateway.intake;

/**
 * How the person who reported can be reached, given only with their consent to be contacted about the report:
 * personal data, sealed at rest, never logged, never in an audit event. At least a phone number or an email.
 */
public record ReporterContact(String name, String phone, String email) {
  @Override
  public String toString() {
    return "ReporterContact[sealed]"; // never the values
  }
}
