package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.RecordingRepository;
import vn.hotline.gateway.twilio.TwilioRecordings;

/**
 * {@code GET /console/recordings/{contactId}}: a contact's voicemail, for a counsellor or supervisor, played by the
 * task page's and the contact card's {@code <audio>}. The gateway fetches it from Twilio's REST API with the
 * account's credentials and sends the bytes on as Twilio gave them (audio/mpeg); the page never holds a URL of
 * Twilio's. Each playing is audited (recording.played: the contact, the operator; no URL, no RecordingSid). Twilio
 * is waited for on a pool of its own, never on the store workers. A contact without a voicemail (or whose voicemail's
 * retention is over) is 404; Twilio unreachable or not configured, 503.
 */
public final class RecordingRoutes {
  public static final String BASE = "/console/recordings/";
  private static final Logger log = LoggerFactory.getLogger(RecordingRoutes.class);
  private static final Pattern CONTACT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Console console;
  private final ConsoleViews views;
  private final RecordingRepository recordings;
  private final TwilioRecordings twilio;
  private final WorkerExecutor rest;
  private final Clock clock;

  /** @param rest the pool that waits for Twilio (the store workers are the webhooks') */
  public RecordingRoutes(Console console, RecordingRepository recordings, TwilioRecordings twilio, WorkerExecutor rest,
      Clock clock) {
    this.console = console;
    this.views = console.views();
    this.recordings = recordings;
    this.twilio = twilio;
    this.rest = rest;
    this.clock = clock;
  }

  public void mount(Router router) {
    router.get(BASE + ":id").handler(console.auth().require(Role.COUNSELLOR, Role.SUPERVISOR)).handler(this::play);
  }

  /** What fetching came to. */
  private sealed interface Fetched {
    record Audio(TwilioRecordings.Media media) implements Fetched {}
    record None() implements Fetched {}
    record Failed(TwilioRecordings.Unavailable.Why why) implements Fetched {}
  }

  private void play(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    if (id == null || !CONTACT.matcher(id).matches()) {
      views.error(ctx, 404, "recording.none");
      return;
    }
    var operator = ConsoleAuth.operator(ctx).id();
    rest.executeBlocking(() -> {
      var sid = recordings.recordingSid(id);
      if (sid.isEmpty()) {
        return (Fetched) new Fetched.None();
      }
      try {
        var media = twilio.fetch(sid.get());
        recordings.played(id, operator, clock.instant());
        return (Fetched) new Fetched.Audio(media);
      } catch (TwilioRecordings.Unavailable e) {
        log.atWarn().addKeyValue("contact", id).addKeyValue("why", e.why().name()).addKeyValue("error", e.getMessage())
            .log("a voicemail could not be fetched from Twilio");
        return (Fetched) new Fetched.Failed(e.why());
      }
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", String.valueOf(ar.cause())).log("a voicemail could not be read");
        views.error(ctx, 503, "error.503");
        return;
      }
      switch (ar.result()) {
        case Fetched.None none -> views.error(ctx, 404, "recording.none");
        case Fetched.Failed f -> views.error(ctx, f.why() == TwilioRecordings.Unavailable.Why.GONE ? 404 : 503,
            f.why() == TwilioRecordings.Unavailable.Why.GONE ? "recording.none" : "recording.unavailable");
        case Fetched.Audio a -> {
          if (!ctx.response().ended()) {
            ctx.response().setStatusCode(200).putHeader("Content-Type", a.media().contentType())
                .putHeader("Content-Disposition", "inline")
                .end(Buffer.buffer(a.media().bytes()));
          }
        }
      }
    });
  }
}
