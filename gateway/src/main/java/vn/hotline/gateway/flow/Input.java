package vn.hotline.gateway.flow;

/** What the caller did since the last instruction; each channel translates its own callbacks into these. */
public sealed interface Input {
  /** Keys pressed; empty means silence until the timeout. */
  record Digits(String digits) implements Input {}

  /** What the caller said (speech recognised by Twilio), and how sure the recogniser is (0 to 1). */
  record Heard(String speech, double confidence) implements Input {}

  /** A text message (SMS), as the texter wrote it. */
  record Text(String text) implements Input {}

  /** The voice message ended; {@code recordingId} is null when nothing was recorded. */
  record Recorded(String recordingId, int seconds) implements Input {}

  /** The handoff ended: a person talked with the caller, or nobody answered. */
  record HandoffEnded(boolean answered) implements Input {}
}
