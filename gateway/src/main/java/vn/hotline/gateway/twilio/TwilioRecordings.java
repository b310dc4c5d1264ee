package vn.hotline.gateway.twilio;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.util.Outgoing;

/**
 * Voicemail recordings at Twilio, through its REST API with the account's credentials (HTTP Basic, account SID and
 * auth token): the audio fetched for a counsellor ({@code GET /2010-04-01/Accounts/{sid}/Recordings/{id}.mp3},
 * https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file) and the recording deleted when its
 * retention is over ({@code DELETE .../Recordings/{id}.json}). No URL of Twilio's ever reaches a page or a log: the
 * console streams the bytes itself. Blocking: call from a worker.
 */
public final class TwilioRecordings {
  /** What Twilio calls a RecordingSid: RE and 32 hex digits. Anything else is never put in a URL. */
  private static final Pattern SID = Pattern.compile("RE[0-9a-fA-F]{32}");
  /** The longest voicemail kept in memory while it is sent on (a 10-minute MP3 is about 2.4 MB). */
  static final int MAX_BYTES = 32 * 1024 * 1024;

  /** A recording's audio: its type as Twilio gave it (audio/mpeg, audio/wav) and its bytes. */
  public record Media(String contentType, byte[] bytes) {}

  /** Why a recording could not be fetched: not configured, not found at Twilio (gone), or Twilio failed. */
  public static final class Unavailable extends Exception {
    public enum Why { NOT_CONFIGURED, GONE, FAILED }

    private final Why why;

    Unavailable(Why why, String message) {
      super(message);
      this.why = why;
    }

    public Why why() {
      return why;
    }
  }

  private final GatewayConfig.Twilio twilio;

  public TwilioRecordings(GatewayConfig.Twilio twilio) {
    this.twilio = twilio;
  }

  /** Whether the account is known (twilio.account_sid): without it nothing can be fetched or deleted. */
  public boolean configured() {
    return !twilio.accountSid().isEmpty();
  }

  /** Whether {@code sid} looks like a RecordingSid. */
  public static boolean isSid(String sid) {
    return sid != null && SID.matcher(sid).matches();
  }

  /** The recording's audio as MP3. Twilio may answer with a redirect to its media store: followed once, server-side. */
  public Media fetch(String recordingSid) throws Unavailable, InterruptedException {
    if (!configured()) {
      throw new Unavailable(Unavailable.Why.NOT_CONFIGURED, "twilio.account_sid is not set: recordings cannot be fetched");
    }
    if (!isSid(recordingSid)) {
      throw new Unavailable(Unavailable.Why.GONE, "the recording reference is not a RecordingSid");
    }
    var uri = recording(recordingSid, ".mp3");
    try {
      var response = send(HttpRequest.newBuilder(uri).GET().header("Authorization", basic()));
      if (response.statusCode() / 100 == 3) {
        var location = response.headers().firstValue("Location").orElse(null);
        response.body().close();
        if (location == null) {
          throw new Unavailable(Unavailable.Why.FAILED, "Twilio redirected without a Location");
        }
        var next = uri.resolve(location);
        var again = HttpRequest.newBuilder(next).GET();
        if (sameOrigin(next, uri)) {
          again.header("Authorization", basic()); // credentials never go to another host (a pre-signed media URL)
        }
        response = send(again);
      }
      try (var body = response.body()) {
        int status = response.statusCode();
        if (status == 404) {
          throw new Unavailable(Unavailable.Why.GONE, "Twilio has no such recording (HTTP 404)");
        }
        if (status / 100 != 2) {
          throw new Unavailable(Unavailable.Why.FAILED, "Twilio answered HTTP " + status);
        }
        var bytes = read(body);
        var type = response.headers().firstValue("Content-Type").orElse("audio/mpeg");
        return new Media(type.startsWith("audio/") ? type : "audio/mpeg", bytes);
      }
    } catch (IOException e) {
      throw new Unavailable(Unavailable.Why.FAILED, "Twilio could not be reached: " + e.getClass().getSimpleName());
    }
  }

  /**
   * Deletes the recording at Twilio; returns Twilio's HTTP status (204 deleted, 404 gone already), or 0 when Twilio
   * could not be reached or nothing is configured.
   */
  public int delete(String recordingSid) throws InterruptedException {
    if (!configured() || !isSid(recordingSid)) {
      return 0;
    }
    try {
      var response = Outgoing.http().send(HttpRequest.newBuilder(recording(recordingSid, ".json"))
          .timeout(Duration.ofSeconds(15)).DELETE().header("Authorization", basic()).build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode();
    } catch (IOException e) {
      return 0;
    }
  }

  private URI recording(String sid, String extension) {
    return URI.create(twilio.apiBaseUrl() + "/2010-04-01/Accounts/" + twilio.accountSid() + "/Recordings/" + sid + extension);
  }

  private HttpResponse<InputStream> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return Outgoing.http().send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private String basic() {
    return "Basic " + Base64.getEncoder().encodeToString(
        (twilio.accountSid() + ":" + twilio.authToken()).getBytes(StandardCharsets.UTF_8));
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
        && a.getPort() == b.getPort();
  }

  private static byte[] read(InputStream in) throws IOException, Unavailable {
    var bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new Unavailable(Unavailable.Why.FAILED, "the recording is larger than " + MAX_BYTES + " bytes");
    }
    return bytes;
  }
}
