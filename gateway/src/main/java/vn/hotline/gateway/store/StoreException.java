package vn.hotline.gateway.store;

import java.sql.SQLException;

/** The store could not do what was asked: unreachable, timed out, or refused. */
public final class StoreException extends RuntimeException {
  public StoreException(SQLException cause) {
    super(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
  }

  public StoreException(String message) {
    super(message);
  }

  /** A unique key already held the value (a duplicate webhook, a reference collision). */
  public boolean isDuplicateKey() {
    return getCause() instanceof SQLException s && isDuplicateKey(s);
  }

  /**
   * Two transactions wanted the same rows at once and the store gave one of them up (a deadlock, a lock wait
   * timed out): the same work again may well pass. MariaDB 1213/1205 (SQLSTATE 40001), H2 40001 and 50200.
   */
  public boolean isConflict() {
    return getCause() instanceof SQLException s && ("40001".equals(s.getSQLState()) || s.getErrorCode() == 1213
        || s.getErrorCode() == 1205 || s.getErrorCode() == 40001 || s.getErrorCode() == 50200);
  }

  /** The store could not be reached (no connection, a broken link): an outage, not a bad statement. */
  public boolean isUnavailable() {
    return getCause() instanceof SQLException s && isUnavailable(s);
  }

  static boolean isUnavailable(SQLException e) {
    // 08xxx connection exceptions; H2 90067 connection broken, 90098 database closed, 90121 closed at shutdown
    return e instanceof java.sql.SQLTransientConnectionException || e instanceof java.sql.SQLNonTransientConnectionException
        || e.getSQLState() != null && e.getSQLState().startsWith("08")
        || e.getErrorCode() == 90067 || e.getErrorCode() == 90098 || e.getErrorCode() == 90121
        // HikariCP's stand-in for a connection the pool already closed (evicted once its link broke): no SQLState
        || e.getSQLState() == null && "Connection is closed".equals(e.getMessage());
  }

  static boolean isDuplicateKey(SQLException e) {
    // 23505 (H2, standard), 23000 with MariaDB error 1062
    return "23505".equals(e.getSQLState()) || e.getErrorCode() == 1062
        || e instanceof java.sql.SQLIntegrityConstraintViolationException;
  }
}
