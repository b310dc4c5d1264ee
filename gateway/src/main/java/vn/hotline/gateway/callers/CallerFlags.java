package vn.hotline.gateway.callers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import vn.hotline.gateway.store.CallerFlagRepository;
import vn.hotline.gateway.store.CallerFlagRepository.Flag;

/**
 * Abusive or prank callers, flagged for a while by a supervisor (or the CLI): the flagged caller's calls hear a
 * short message and go through the menu without ringing a counsellor, except a danger choice (voice decides
 * that). A flag is found by the caller's pseudonym, set from a contact's reference (the supervisor never sees a
 * number), ends at its expiry on the injected clock or when cleared, and is audited each way. SMS never asks.
 * Its pseudonym and reason are purged a while after it ended (privacy.Retention), and at once by an erasure.
 */
public final class CallerFlags {
  /** The longest a flag may last: 90 days. A caller is never flagged for ever. */
  public static final Duration LONGEST = Duration.ofDays(90);
  private static final Pattern REFERENCE = Pattern.compile("\\d{4,16}");
  private static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final int REASON_CHARS = 500;

  /** A request that cannot be carried out, said in words (the CLI prints it) and as a {@link Why} (the console's). */
  public static final class Refused extends RuntimeException {
    /** What was wrong with the request. */
    public enum Why { LENGTH, REASON, BY, REFERENCE, NO_CONTACT, NO_CALLER }

    private final Why why;

    public Refused(Why why, String message) {
      super(message);
      this.why = why;
    }

    public Why why() {
      return why;
    }
  }

  /** A flag with what it is now: active, expired, cleared, or replaced by a newer one. */
  public record Listed(Flag flag, String status) {}

  private final CallerFlagRepository flags;
  private final Clock clock;

  public CallerFlags(CallerFlagRepository flags, Clock clock) {
    this.flags = flags;
    this.clock = clock;
  }

  /**
   * The flag that counts for this caller now, if any. A flag found past its expiry is marked expired (audited)
   * on the way, once. A caller without a pseudonym (number withheld) is never flagged.
   */
  public Optional<Flag> activeFor(String pseudonym) {
    if (pseudonym == null) {
      return Optional.empty();
    }
    var open = flags.open(pseudonym);
    if (open.isEmpty()) {
      return Optional.empty();
    }
    var now = clock.instant();
    flags.applyExpiry(open.stream().filter(f -> !f.activeAt(now)).toList(), now);
    return open.stream().filter(f -> f.activeAt(now)).findFirst();
  }

  /**
   * Applies the expiry of every flag whose time is up on the injected clock (caller.flag.expired, once each),
   * without waiting for its caller to call or for a listing: the housekeeping job's work. Returns how many.
   */
  public int applyDueExpiries() {
    return flags.expireDue(clock.instant());
  }

  /**
   * Flags the caller of the contact with this reference for {@code length}; a flag the caller has already is
   * replaced. {@code by} is an opaque operator id or "cli".
   */
  public Flag set(String reference, Duration length, String reason, String by) {
    if (length.isNegative() || length.isZero() || length.compareTo(LONGEST) > 0) {
      throw new Refused(Refused.Why.LENGTH, "a flag lasts more than 0 and at most " + LONGEST.toHours() + " hours");
    }
    var why = reason == null ? "" : reason.strip();
    if (why.isEmpty() || why.length() > REASON_CHARS) {
      throw new Refused(Refused.Why.REASON, "give a reason of 1 to " + REASON_CHARS + " characters");
    }
    checkBy(by);
    var pseudonym = pseudonymOf(reference);
    var now = clock.instant();
    return flags.set(pseudonym, reference, why, by, now.plus(length), now);
  }

  /** Clears the caller's flag (found through the reference of one of their contacts); the flags cleared. */
  public List<Flag> clear(String reference, String by) {
    checkBy(by);
    return flags.clearAll(pseudonymOf(reference), by, clock.instant());
  }

  /** Every flag (newest first, at most {@code limit}) with its status now; flags run out are marked expired first. */
  public List<Listed> list(int limit) {
    var now = clock.instant();
    var all = flags.all(limit);
    var ranOut = all.stream().filter(f -> f.clearedAt() == null && f.expiredAt() == null && !f.activeAt(now)).toList();
    if (!ranOut.isEmpty()) {
      flags.applyExpiry(ranOut, now);
      all = flags.all(limit);
    }
    return all.stream().map(f -> new Listed(f, status(f, now))).toList();
  }

  /** What a flag is at {@code now}: active, expired, cleared, or replaced (a newer flag took its place). */
  public static String status(Flag f, Instant now) {
    if (f.clearedAt() != null) {
      return f.clearedBy() != null && f.clearedBy().startsWith("flag:") ? "replaced" : "cleared";
    }
    return f.activeAt(now) ? "active" : "expired";
  }

  private String pseudonymOf(String reference) {
    if (reference == null || !REFERENCE.matcher(reference).matches()) {
      throw new Refused(Refused.Why.REFERENCE, "a reference is the 4 to 16 digits the caller was given");
    }
    return flags.pseudonymOfReference(reference).orElseThrow(() -> flags.referenceExists(reference)
        ? new Refused(Refused.Why.NO_CALLER, "the contact " + reference
            + " has no caller to flag (the number was withheld, or its data was erased)")
        : new Refused(Refused.Why.NO_CONTACT, "no contact has reference " + reference));
  }

  private static void checkBy(String by) {
    if (by == null || !(by.equals("cli") || OPERATOR.matcher(by).matches()) || by.startsWith("flag:")
        || by.equals(CallerFlagRepository.ERASURE)) {
      throw new Refused(Refused.Why.BY, "who sets or clears a flag is an operator id (letters, digits, . _ : -) or cli");
    }
  }
}
