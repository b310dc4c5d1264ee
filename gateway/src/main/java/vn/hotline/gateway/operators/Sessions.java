package vn.hotline.gateway.operators;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import vn.hotline.gateway.store.OperatorRepository;

/**
 * Signed-in console sessions. The browser holds a random token (in a cookie); the store holds its SHA-256 only.
 * A session ends at logout, after {@code idle} without a request, {@code absolute} after sign-in whatever
 * happens, or when its account is disabled or reset. Each session has its own CSRF token, derived from its
 * token (HMAC), so a page of one session is no use to another. Blocking: run on a worker.
 */
public final class Sessions {
  /** A session in use: who, which session, and the CSRF token its forms and htmx requests must send back. */
  public record Active(Operator operator, String sessionId, String csrfToken) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  /** The last-seen time is written at most this often, not on every request. */
  private static final Duration TOUCH_EVERY = Duration.ofSeconds(10);

  private final OperatorRepository repo;
  private final Clock clock;
  private final Duration idle;
  private final Duration absolute;

  public Sessions(OperatorRepository repo, Clock clock, Duration idle, Duration absolute) {
    this.repo = repo;
    this.clock = clock;
    this.idle = idle;
    this.absolute = absolute;
  }

  /** The session this token (from the cookie) belongs to, if it is still going; ends it if it has timed out. */
  public Optional<Active> check(String token) {
    return check(token, true);
  }

  /**
   * Like {@link #check}, but without counting as a request: what a page left open (the live board's stream) asks
   * now and then, so that an open page alone does not keep a session from its idle timeout.
   */
  public Optional<Active> stillOn(String token) {
    return check(token, false);
  }

  private Optional<Active> check(String token, boolean touch) {
    if (token == null || token.isEmpty() || token.length() > 100) {
      return Optional.empty();
    }
    var found = repo.session(hash(token));
    if (found.isEmpty() || found.get().session().endedAt() != null) {
      return Optional.empty();
    }
    var s = found.get().session();
    var account = found.get().account();
    var now = clock.instant();
    String ended = account.disabled() || account.setupPending() ? "disabled"
        : !now.isBefore(s.createdAt().plus(absolute)) ? "absolute"
        : !now.isBefore(s.lastSeenAt().plus(idle)) ? "idle" : null;
    if (ended != null) {
      repo.endSession(s.id(), account.id(), ended, "console", now);
      return Optional.empty();
    }
    if (touch && !now.isBefore(s.lastSeenAt().plus(TOUCH_EVERY))) {
      repo.touch(s.id(), now);
    }
    return Optional.of(new Active(Accounts.operator(account), s.id(), csrf(token)));
  }

  /** Logout: the session ends now (a second logout changes nothing). */
  public void logout(Active session) {
    repo.endSession(session.sessionId(), session.operator().id(), "logout", "operator:" + session.operator().id(),
        clock.instant());
  }

  /**
   * Forgets the sessions that can no longer be used by anyone: begun more than the absolute timeout and a day ago
   * (ended or not; a day's margin so that a page left open still hears why it was signed out). Sign-ins and
   * sign-outs stay in the audit chain. Returns how many rows went.
   */
  public int forgetOld() {
    return repo.forgetSessionsBegunBefore(clock.instant().minus(absolute).minus(Duration.ofDays(1)));
  }

  public Duration idle() {
    return idle;
  }

  public Duration absolute() {
    return absolute;
  }

  /** A new session token: 32 random bytes, base64url. */
  static String newToken() {
    var b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** What the store keeps of a token (session or setup link): its SHA-256, hex. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CSRF token of the session with this token: HMAC-SHA256 keyed with it, base64url. */
  public static String csrf(String token) {
    try {
      var mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal("console-csrf".getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Compares two secrets in constant time; false when either is missing. */
  public static boolean same(String a, String b) {
    return a != null && b != null && !a.isEmpty()
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
