package vn.hotline.gateway.sms;

import java.time.Duration;
import vn.hotline.gateway.util.Backoff;

/**
 * How long an outgoing SMS that did not go out waits before it is tried again, whichever sender tried it (the
 * Twilio REST sender: Twilio busy or unreachable; an SMPP link: no answer to submit_sm): 5 s, doubling with each
 * attempt, up to 5 minutes, jittered ({@link Backoff}).
 */
public final class SmsRetry {
  /** The wait after the message's {@code n}th failed attempt ({@code Backoff.delay(n)}). */
  public static final Backoff OUTBOUND = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

  private SmsRetry() {}
}
