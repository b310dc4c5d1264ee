package vn.hotline.gateway.privacy;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.store.RecordingRepository;

/**
 * Deletes at Twilio the voicemails whose reference {@link Retention} cleared (their retention is over, or the contact
 * was erased): each is a row of {@code recording_deletions} until Twilio confirms it (204, or 404: gone already),
 * audited as recording.deleted. A DELETE that fails (Twilio down, 5xx, 401) is audited as recording.delete_failed and
 * tried again a day later, on the next retention run: never forgotten. Blocking: runs on the housekeeping's Twilio
 * REST pool.
 */
public final class RecordingDeletions {
  private static final Logger log = LoggerFactory.getLogger(RecordingDeletions.class);
  /** A failed deletion waits for the next retention run (the purge runs once a day). */
  static final Duration RETRY_AFTER = Duration.ofDays(1);

  /** Twilio's REST DELETE of a recording: its HTTP status, or 0 when it could not be reached or is not configured. */
  @FunctionalInterface
  public interface AtTwilio {
    int delete(String recordingSid) throws InterruptedException;
  }

  private final RecordingRepository recordings;
  private final AtTwilio twilio;
  private final boolean configured;
  private final Clock clock;

  /** @param configured whether Twilio's account is configured: without it the deletions stay owed, untried */
  public RecordingDeletions(RecordingRepository recordings, AtTwilio twilio, boolean configured, Clock clock) {
    this.recordings = recordings;
    this.twilio = twilio;
    this.configured = configured;
    this.clock = clock;
  }

  /** Tries every deletion whose time has come; returns how many Twilio confirmed. */
  public int deleteDue() {
    var due = recordings.due(clock.instant(), 100);
    if (due.isEmpty()) {
      return 0;
    }
    if (!configured) {
      log.atWarn().addKeyValue("owed", due.size())
          .log("recordings to delete at Twilio, but twilio.account_sid is not set: they stay owed");
      return 0;
    }
    int done = 0;
    for (var d : due) {
      int status;
      try {
        status = d.recordingSid() == null ? 404 : twilio.delete(d.recordingSid());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return done;
      }
      var now = clock.instant();
      if (status == 204 || status == 200 || status == 404) {
        recordings.deleted(d, status, now);
        done++;
      } else {
        recordings.failed(d, status, now.plus(RETRY_AFTER), now);
        log.atWarn().addKeyValue("deletion", d.id()).addKeyValue("status", status)
            .log("a recording could not be deleted at Twilio: tried again on the next retention run");
      }
    }
    if (done > 0) {
      log.atInfo().addKeyValue("deleted", done).log("recordings deleted at Twilio");
    }
    return done;
  }
}
