package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.util.Ids;

/**
 * The console's operator accounts and their sessions. It keeps what it is given: hashes of passwords, setup
 * tokens and session tokens (never the secrets themselves), the phone number and the TOTP secret sealed; and
 * appends the audit event of each change in its transaction. What a failed sign-in costs, whether a session has
 * timed out, which role may do what, is decided above it (operators.Accounts, operators.Sessions).
 */
public final class OperatorRepository {
  /**
   * One account as stored, the TOTP secret opened (base32; null: no second factor). The phone number is not in
   * it: {@link #phone(String)} opens it where a call is put through.
   */
  public record Account(String id, String login, String name, String role, String passwordHash, String totpSecret,
      Long totpLastStep, int failedLogins, Instant lockedUntil, String setupTokenHash, Instant setupExpiresAt,
      Instant createdAt, Instant disabledAt) {
    public boolean disabled() {
      return disabledAt != null;
    }

    public boolean setupPending() {
      return passwordHash == null;
    }

    @Override
    public String toString() {
      return "Account[" + id + " " + login + " " + role + "]";
    }
  }

  /** A session row: the absolute timeout counts from {@code createdAt}, the idle one from {@code lastSeenAt}. */
  public record Session(String id, String operatorId, Instant createdAt, Instant lastSeenAt, Instant endedAt,
      String endReason) {}

  /** A session with its account, as a request finds it by its token. */
  public record SignedIn(Session session, Account account) {}

  /** What a failed sign-in left: failures in a row now, and the lock it started (null: none). */
  public record Failure(int failures, Instant lockedUntil) {}

  private static final String COLUMNS = "id, login, name, role, password_hash, totp_secret_sealed, totp_last_step,"
      + " failed_logins, locked_until, setup_token_hash, setup_expires_at, created_at, disabled_at";

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;

  public OperatorRepository(Store store, Sealer sealer, AuditLog audit) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
  }

  /**
   * A new account waiting for its setup link ({@code setupTokenHash}, until {@code setupExpiresAt}); its id, or
   * empty when the login is taken.
   */
  public Optional<String> create(String login, String name, String role, String phone, String setupTokenHash,
      Instant setupExpiresAt, String actor, Instant now) {
    return create(login, name, role, phone, null, setupTokenHash, setupExpiresAt, actor, now);
  }

  /** Likewise, with the language the counsellor hears the whisper in (vi, en; null: the flow's first). */
  public Optional<String> create(String login, String name, String role, String phone, String language,
      String setupTokenHash, Instant setupExpiresAt, String actor, Instant now) {
    var id = Ids.uuid7().toString();
    try {
      store.inTransaction(c -> {
        Store.update(c, "INSERT INTO operators (id, login, name, role, phone_sealed, language, failed_logins,"
                + " setup_token_hash, setup_expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            id, login, name, role, sealer.seal(phone), language, setupTokenHash, setupExpiresAt, now);
        audit.append(c, "operator.created", actor, Map.of("operator", id),
            Map.of("role", role, "phone", phone != null), now);
        return null;
      });
    } catch (StoreException e) {
      if (e.isDuplicateKey()) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(id);
  }

  public Optional<Account> byLogin(String login) {
    return store.read(c -> one(c, "SELECT " + COLUMNS + " FROM operators WHERE login = ?", login));
  }

  public Optional<Account> byId(String id) {
    return store.read(c -> one(c, "SELECT " + COLUMNS + " FROM operators WHERE id = ?", id));
  }

  /** The account whose setup link has this token hash, whether or not the link is still valid. */
  public Optional<Account> bySetupToken(String tokenHash) {
    return store.read(c -> one(c, "SELECT " + COLUMNS + " FROM operators WHERE setup_token_hash = ?", tokenHash));
  }

  /** Every account, by login. */
  public List<Account> list() {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM operators ORDER BY login"); var rs = ps.executeQuery()) {
        var out = new ArrayList<Account>();
        while (rs.next()) {
          out.add(account(rs));
        }
        return out;
      }
    });
  }

  /** The operator's phone number, opened: personal data, for putting a call through only. Null when none. */
  public String phone(String id) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT phone_sealed FROM operators WHERE id = ?")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          return rs.next() ? sealer.open(rs.getString(1)) : null;
        }
      }
    });
  }

  /**
   * Uses the setup link: sets the password hash and, when given, the TOTP secret and the step of the code that
   * confirmed it. Only once: false when the link was used, replaced or has expired meanwhile, or the account is
   * disabled.
   */
  public boolean completeSetup(String id, String tokenHash, String passwordHash, String totpSecret, Long totpStep,
      Instant now) {
    return store.inTransaction(c -> {
      int n = Store.update(c, "UPDATE operators SET password_hash = ?, totp_secret_sealed = ?, totp_last_step = ?,"
              + " failed_logins = 0, locked_until = NULL, setup_token_hash = NULL, setup_expires_at = NULL"
              + " WHERE id = ? AND setup_token_hash = ? AND setup_expires_at > ? AND disabled_at IS NULL",
          passwordHash, totpSecret == null ? null : sealer.seal(totpSecret), totpStep, id, tokenHash, now);
      if (n == 0) {
        return false;
      }
      audit.append(c, "operator.setup_completed", "operator:" + id, Map.of("operator", id),
          Map.of("totp", totpSecret != null), now);
      return true;
    });
  }

  /**
   * A failed sign-in of this account ({@code reason}: password, code, locked, disabled, setup_pending): counts
   * it (except while locked, disabled or pending, which cost nothing more), locks the account for what
   * {@code lockFor} says after that many failures in a row, and audits both.
   */
  public Failure signInFailed(String id, String reason, IntFunction<Duration> lockFor, Instant now) {
    return store.inTransaction(c -> {
      int failures;
      Instant lockedUntil;
      try (var ps = c.prepareStatement("SELECT failed_logins, locked_until FROM operators WHERE id = ? FOR UPDATE")) {
        ps.setString(1, id);
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return new Failure(0, null);
          }
          failures = rs.getInt(1);
          lockedUntil = Store.fromDb(rs.getObject(2, LocalDateTime.class));
        }
      }
      boolean counts = reason.equals("password") || reason.equals("code");
      Instant lock = null;
      if (counts) {
        failures++;
        var d = lockFor.apply(failures);
        lock = d.isZero() ? null : now.plus(d);
        Store.update(c, "UPDATE operators SET failed_logins = ?, locked_until = ? WHERE id = ?",
            failures, lock == null ? lockedUntil : lock, id);
      }
      audit.append(c, "operator.login_failed", "console", Map.of("operator", id),
          Map.of("reason", reason, "failures", failures), now);
      if (lock != null) {
        audit.append(c, "operator.locked", "console", Map.of("operator", id),
            Map.of("failures", failures, "seconds", Duration.between(now, lock).toSeconds()), now);
      }
      return new Failure(failures, lock != null ? lock : lockedUntil);
    });
  }

  /** A sign-in with a login no account has (the login itself is not kept: it may be a mistyped password). */
  public void signInFailedUnknown(Instant now) {
    store.inTransaction(c -> {
      audit.append(c, "operator.login_failed", "console", Map.of(), Map.of("reason", "unknown_login"), now);
      return null;
    });
  }

  /**
   * A successful sign-in: the failures are forgotten, the code's step is recorded (only if later than the last
   * one: false, and nothing written, when another sign-in used that code meanwhile), the session starts.
   */
  public boolean signedIn(String operatorId, Long totpStep, String sessionId, String tokenHash, Instant now) {
    return store.inTransaction(c -> {
      if (totpStep != null) {
        int n = Store.update(c, "UPDATE operators SET failed_logins = 0, locked_until = NULL, totp_last_step = ?"
            + " WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)", totpStep, operatorId, totpStep);
        if (n == 0) {
          return false;
        }
      } else {
        Store.update(c, "UPDATE operators SET failed_logins = 0, locked_until = NULL WHERE id = ?", operatorId);
      }
      Store.update(c, "INSERT INTO console_sessions (id, token_hash, operator_id, created_at, last_seen_at)"
          + " VALUES (?, ?, ?, ?, ?)", sessionId, tokenHash, operatorId, now, now);
      audit.append(c, "operator.login", "operator:" + operatorId, Map.of("operator", operatorId, "session", sessionId),
          Map.of("totp", totpStep != null), now);
      return true;
    });
  }

  /** The session with this token hash and its account, ended or not. */
  public Optional<SignedIn> session(String tokenHash) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT s.id, s.operator_id, s.created_at, s.last_seen_at, s.ended_at,"
          + " s.end_reason FROM console_sessions s WHERE s.token_hash = ?")) {
        ps.setString(1, tokenHash);
        Session s;
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          s = new Session(rs.getString(1), rs.getString(2), time(rs, 3), time(rs, 4), time(rs, 5), rs.getString(6));
        }
        return one(c, "SELECT " + COLUMNS + " FROM operators WHERE id = ?", s.operatorId())
            .map(a -> new SignedIn(s, a));
      }
    });
  }

  /** Who may take a child from the queue: an active counsellor or supervisor, with her whisper's language. */
  public record Taker(String operatorId, String language) {}

  /**
   * The active (set up, not disabled) counsellor or supervisor whose phone is {@code e164}. The phones are kept
   * sealed, so each is opened and compared here; accounts number in the tens.
   */
  public Optional<Taker> takerByPhone(String e164) {
    return store.read(c -> {
      try (var ps = c.prepareStatement("SELECT id, phone_sealed, language FROM operators WHERE phone_sealed IS NOT NULL"
          + " AND disabled_at IS NULL AND password_hash IS NOT NULL AND role IN ('counsellor', 'supervisor')"
          + " ORDER BY id"); var rs = ps.executeQuery()) {
        while (rs.next()) {
          if (e164.equals(sealer.open(rs.getString(2)))) {
            return Optional.of(new Taker(rs.getString(1), rs.getString(3)));
          }
        }
        return Optional.<Taker>empty();
      }
    });
  }

  /** Deletes the console sessions begun before {@code before}, ended or not; how many. */
  public int forgetSessionsBegunBefore(Instant before) {
    return store.inTransaction(c -> Store.update(c, "DELETE FROM console_sessions WHERE created_at < ?", before));
  }

  /** The session was used now (the idle timeout starts again). */
  public void touch(String sessionId, Instant now) {
    store.inTransaction(c -> Store.update(c,
        "UPDATE console_sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL", now, sessionId));
  }

  /**
   * Ends a session ({@code reason}: logout, idle, absolute, disabled); audited as operator.logout or
   * operator.session_ended. False when it had ended already.
   */
  public boolean endSession(String sessionId, String operatorId, String reason, String actor, Instant now) {
    return store.inTransaction(c -> {
      int n = Store.update(c, "UPDATE console_sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
          now, reason, sessionId);
      if (n == 0) {
        return false;
      }
      audit.append(c, reason.equals("logout") ? "operator.logout" : "operator.session_ended", actor,
          Map.of("operator", operatorId, "session", sessionId), Map.of("reason", reason), now);
      return true;
    });
  }

  /** Switches an account off and ends its sessions. False when there is no such account or it was off already. */
  public boolean disable(String id, String actor, Instant now) {
    return store.inTransaction(c -> {
      int n = Store.update(c, "UPDATE operators SET disabled_at = ?, setup_token_hash = NULL, setup_expires_at = NULL"
          + " WHERE id = ? AND disabled_at IS NULL", now, id);
      if (n == 0) {
        return false;
      }
      int ended = endAll(c, id, "disabled", now);
      audit.append(c, "operator.disabled", actor, Map.of("operator", id), Map.of("sessions_ended", ended), now);
      return true;
    });
  }

  /**
   * A fresh start for an account: no password, no second factor, no failures, a new setup link (the old one stops
   * working), every session ended; a disabled account is enabled again. False when there is no such account.
   */
  public boolean reset(String id, String setupTokenHash, Instant setupExpiresAt, String actor, Instant now) {
    return store.inTransaction(c -> {
      int n = Store.update(c, "UPDATE operators SET password_hash = NULL, totp_secret_sealed = NULL,"
              + " totp_last_step = NULL, failed_logins = 0, locked_until = NULL, setup_token_hash = ?,"
              + " setup_expires_at = ?, disabled_at = NULL WHERE id = ?", setupTokenHash, setupExpiresAt, id);
      if (n == 0) {
        return false;
      }
      int ended = endAll(c, id, "reset", now);
      audit.append(c, "operator.reset", actor, Map.of("operator", id), Map.of("sessions_ended", ended), now);
      return true;
    });
  }

  private static int endAll(Connection c, String operatorId, String reason, Instant now) throws SQLException {
    return Store.update(c, "UPDATE console_sessions SET ended_at = ?, end_reason = ? WHERE operator_id = ? AND ended_at IS NULL",
        now, reason, operatorId);
  }

  private Optional<Account> one(Connection c, String sql, String arg) throws SQLException {
    try (var ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(account(rs)) : Optional.empty();
      }
    }
  }

  private Account account(ResultSet rs) throws SQLException {
    long step = rs.getLong(7);
    Long lastStep = rs.wasNull() ? null : step;
    return new Account(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        sealer.open(rs.getString(6)), lastStep, rs.getInt(8), time(rs, 9), rs.getString(10), time(rs, 11),
        time(rs, 12), time(rs, 13));
  }

  private static Instant time(ResultSet rs, int column) throws SQLException {
    return Store.fromDb(rs.getObject(column, LocalDateTime.class));
  }
}
