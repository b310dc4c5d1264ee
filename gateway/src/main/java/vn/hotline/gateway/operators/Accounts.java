package vn.hotline.gateway.operators;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.OperatorRepository.Account;
import vn.hotline.gateway.util.Ids;

/**
 * Operator accounts: made (from the CLI or by an admin) with a one-time setup link, where the person sets a
 * password and may enrol a TOTP second factor; signed in with lockout after failures in a row
 * ({@link Lockout}); disabled and reset. Blocking (the store, Argon2): run on a worker, never an event loop.
 */
public final class Accounts {
  /** How long a setup link works. */
  public static final Duration SETUP_VALID = Duration.ofHours(24);
  /** The name authenticator apps show beside the login. */
  public static final String ISSUER = "Hotline 111";
  private static final Pattern LOGIN = Pattern.compile("[a-z0-9][a-z0-9._-]{1,31}");
  /** The languages a counsellor may hear the whisper in (the console's own). */
  public static final java.util.Set<String> LANGUAGES = java.util.Set.of("vi", "en");
  private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");

  /**
   * What an account is made with; the phone (E.164) may be null; {@code language}, the whisper's (vi or en), may be
   * null: the flow's first.
   */
  public record NewAccount(String login, String name, Role role, String phone, String language) {
    public NewAccount(String login, String name, Role role, String phone) {
      this(login, name, role, phone, null);
    }

    @Override
    public String toString() {
      return "NewAccount[" + login + " " + role + "]"; // neither the name nor the phone
    }
  }

  /** A one-time setup link: the token exists only here and in the link; the store has its hash. */
  public record SetupLink(String operatorId, String login, String token, Instant expiresAt) {
    public String url(URI publicUrl) {
      var base = publicUrl.toString();
      return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/console/setup?token=" + token;
    }

    @Override
    public String toString() {
      return "SetupLink[" + login + "]";
    }
  }

  /** A request the accounts refuse, with a message key for the console and the same in English for the CLI. */
  public static final class Refused extends RuntimeException {
    private final String key;

    Refused(String key, String english) {
      super(english, null, false, false);
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /** How a sign-in went. */
  public sealed interface SignIn {
    /** Signed in: the new session's token goes into the cookie. */
    record Ok(Operator operator, String token) implements SignIn {
      @Override
      public String toString() {
        return "Ok[" + operator.id() + "]";
      }
    }

    /** Wrong login, password or code, or an account that cannot sign in: all look the same from outside. */
    record Failed() implements SignIn {}

    /** Too many failures in a row: nothing is checked until then. */
    record Locked(Instant until) implements SignIn {}
  }

  /** How using a setup link went. */
  public sealed interface Setup {
    record Done(Operator operator) implements Setup {}

    /** Something typed is not right (a message key): the form again, the link still works. */
    record Invalid(String key) implements Setup {}

    /** The link does not work (used, replaced, expired, or the account is disabled). */
    record Gone() implements Setup {}
  }

  private final OperatorRepository repo;
  private final Clock clock;

  public Accounts(OperatorRepository repo, Clock clock) {
    this.repo = repo;
    this.clock = clock;
  }

  /** The console's view of a stored account. */
  public static Operator operator(Account a) {
    var status = a.disabled() ? Operator.Status.DISABLED
        : a.setupPending() ? Operator.Status.SETUP_PENDING : Operator.Status.ACTIVE;
    return new Operator(a.id(), a.login(), a.name(), Role.of(a.role()), status, a.totpSecret() != null);
  }

  /** Makes an account and its setup link; {@link Refused} when a value is not right or the login is taken. */
  public SetupLink create(NewAccount a, String actor) {
    var login = a.login() == null ? "" : a.login().strip().toLowerCase(Locale.ROOT);
    if (!LOGIN.matcher(login).matches()) {
      throw new Refused("account.login_invalid",
          "the login must be 2-32 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    var name = a.name() == null ? "" : a.name().strip();
    if (name.isEmpty() || name.length() > 128 || name.chars().anyMatch(Character::isISOControl)) {
      throw new Refused("account.name_invalid", "the name must be 1-128 characters on one line");
    }
    if (a.role() == null) {
      throw new Refused("account.role_invalid", "the role must be counsellor, supervisor or admin");
    }
    String phone = a.phone() == null ? null : a.phone().replace(" ", "").replace("-", "").strip();
    if (phone != null && phone.isEmpty()) {
      phone = null;
    }
    if (phone != null && !E164.matcher(phone).matches()) {
      throw new Refused("account.phone_invalid", "the phone must be an E.164 number like +84912345678");
    }
    var language = a.language() == null || a.language().isBlank() ? null : a.language().strip().toLowerCase(Locale.ROOT);
    if (language != null && !LANGUAGES.contains(language)) {
      throw new Refused("account.language_invalid", "the language must be vi or en");
    }
    var token = Sessions.newToken();
    var now = clock.instant();
    var expires = now.plus(SETUP_VALID);
    var id = repo.create(login, name, a.role().wire(), phone, language, Sessions.hash(token), expires, actor, now)
        .orElseThrow(() -> new Refused("account.login_taken", "the login '" + a.login().strip() + "' is taken"));
    return new SetupLink(id, login, token, expires);
  }

  public List<Operator> list() {
    return repo.list().stream().map(Accounts::operator).toList();
  }

  public Optional<Operator> byLogin(String login) {
    return login == null ? Optional.empty() : repo.byLogin(login.strip().toLowerCase(Locale.ROOT)).map(Accounts::operator);
  }

  public Optional<Operator> byId(String id) {
    return repo.byId(id).map(Accounts::operator);
  }

  /** Switches the account off and ends its sessions; false when it was off already or does not exist. */
  public boolean disable(String id, String actor) {
    return repo.disable(id, actor, clock.instant());
  }

  /**
   * A new setup link for the account (the person sets a new password and may enrol TOTP again); the password,
   * the second factor and every session end now. Empty when there is no such account.
   */
  public Optional<SetupLink> reset(String id, String actor) {
    var account = repo.byId(id);
    if (account.isEmpty()) {
      return Optional.empty();
    }
    var token = Sessions.newToken();
    var now = clock.instant();
    var expires = now.plus(SETUP_VALID);
    return repo.reset(id, Sessions.hash(token), expires, actor, now)
        ? Optional.of(new SetupLink(id, account.get().login(), token, expires)) : Optional.empty();
  }

  /** The account a setup link is for, while the link works. */
  public Optional<Operator> setupFor(String token) {
    return setupAccount(token).map(Accounts::operator);
  }

  private Optional<Account> setupAccount(String token) {
    if (token == null || token.isEmpty() || token.length() > 100) {
      return Optional.empty();
    }
    var now = clock.instant();
    return repo.bySetupToken(Sessions.hash(token))
        .filter(a -> !a.disabled() && a.setupExpiresAt() != null && now.isBefore(a.setupExpiresAt()));
  }

  /**
   * Uses a setup link: sets the password and, when a code is given, the second factor ({@code totpSecret}, the
   * base32 secret shown on the page, which that code must match). Works once.
   */
  public Setup completeSetup(String token, String password, String repeat, String totpSecret, String code) {
    var account = setupAccount(token);
    if (account.isEmpty()) {
      return new Setup.Gone();
    }
    var problem = Passwords.problem(password, repeat);
    if (problem != null) {
      return new Setup.Invalid(problem);
    }
    String secret = null;
    Long step = null;
    if (code != null && !code.isBlank()) {
      long s;
      try {
        s = totpSecret == null ? -1 : Totp.verify(totpSecret, code, clock.instant(), null);
      } catch (IllegalArgumentException notBase32) {
        s = -1;
      }
      if (s < 0) {
        return new Setup.Invalid("totp.wrong_code");
      }
      secret = totpSecret.replace(" ", "").toUpperCase(Locale.ROOT);
      step = s;
    }
    var a = account.get();
    if (!repo.completeSetup(a.id(), Sessions.hash(token), Passwords.hash(password), secret, step, clock.instant())) {
      return new Setup.Gone();
    }
    return new Setup.Done(repo.byId(a.id()).map(Accounts::operator).orElseThrow());
  }

  /**
   * Signs in with a login, a password and, for an account with a second factor, a code. Every failure looks the
   * same ({@link SignIn.Failed}) whatever was wrong, and an unknown login takes as long as a wrong password;
   * a locked account is not checked at all until its lock runs out.
   */
  public SignIn signIn(String login, String password, String code) {
    var now = clock.instant();
    var found = login == null || login.isBlank() || login.length() > 64 ? Optional.<Account>empty()
        : repo.byLogin(login.strip().toLowerCase(Locale.ROOT));
    if (found.isEmpty()) {
      Passwords.checkNothing(password);
      repo.signInFailedUnknown(now);
      return new SignIn.Failed();
    }
    var a = found.get();
    if (a.lockedUntil() != null && now.isBefore(a.lockedUntil())) {
      repo.signInFailed(a.id(), "locked", Lockout::after, now);
      return new SignIn.Locked(a.lockedUntil());
    }
    if (a.disabled() || a.setupPending()) {
      Passwords.checkNothing(password);
      repo.signInFailed(a.id(), a.disabled() ? "disabled" : "setup_pending", Lockout::after, now);
      return new SignIn.Failed();
    }
    if (!Passwords.matches(password, a.passwordHash())) {
      return failed(a, "password", now);
    }
    Long step = null;
    if (a.totpSecret() != null) {
      long s = Totp.verify(a.totpSecret(), code, now, a.totpLastStep());
      if (s < 0) {
        return failed(a, "code", now);
      }
      step = s;
    }
    var token = Sessions.newToken();
    if (!repo.signedIn(a.id(), step, Ids.uuid7().toString(), Sessions.hash(token), now)) {
      return failed(a, "code", now); // the same code was used by another sign-in a moment ago
    }
    return new SignIn.Ok(operator(a), token);
  }

  private SignIn failed(Account a, String reason, Instant now) {
    var f = repo.signInFailed(a.id(), reason, Lockout::after, now);
    return f.lockedUntil() != null && now.isBefore(f.lockedUntil()) ? new SignIn.Locked(f.lockedUntil())
        : new SignIn.Failed();
  }
}
