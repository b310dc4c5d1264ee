package vn.hotline.gateway.intake;

import vn.hotline.gateway.util.Wire;

/**
 * One piece of harmful content a submission points at: where it is (the URL as the reporter or partner gave it;
 * the gateway normalises it), on which platform, what it is, and a hash of it when the partner has one. Never the
 * content itself.
 *
 * @param platform the partner's word for it (tiktok, facebook, youtube, zalo, ...), or null: the gateway names it
 *     from the URL's host when it knows the host
 * @param kind what it is, or null when the reporter does not say
 * @param hash a hash of the content (SHA-256, a perceptual hash), or null
 */
public record ContentItem(String url, String platform, Kind kind, Hash hash) {
  /** What a content item is, as the API and the webhook payload spell it. */
  public enum Kind {
    IMAGE("image"), VIDEO("video"), TEXT("text"), ACCOUNT("account"), LIVESTREAM("livestream");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** The kind of that word; IllegalArgumentException names the words allowed. */
    public static Kind of(String wire) {
      return Wire.of(values(), Kind::wire, wire, "kind", () -> "image, video, text, account, livestream");
    }
  }

  /**
   * A hash of the content: {@code algorithm} one of {@link Intake#HASH_ALGORITHMS} (sha256, md5, pdq, phash, ...),
   * {@code value} its hex (or base64) digits.
   */
  public record Hash(String algorithm, String value) {}

  /** A URL alone (what a web form or an SMS gives). */
  public static ContentItem of(String url) {
    return new ContentItem(url, null, null, null);
  }
}
