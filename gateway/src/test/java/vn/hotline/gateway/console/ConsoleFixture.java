package vn.hotline.gateway.console;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Accounts for the console's tests, made on the gateway's own store with its keys and its clock, as the CLI
 * would make them; and the audit events they left.
 */
final class ConsoleFixture implements AutoCloseable {
  /** Every test account's password: Vietnamese, with accents, long enough. */
  static final String PASSWORD = "Mật khẩu thật dài 2026";
  private static final AtomicInteger SEQ = new AtomicInteger();

  final RunningGateway gw;
  final MutableClock clock;
  final TestDatabase db;
  final Store store;
  final Accounts accounts;

  ConsoleFixture(RunningGateway gw, MutableClock clock, TestDatabase db) {
    this.gw = gw;
    this.clock = clock;
    this.db = db;
    this.store = Store.open(gw.config().db(), null);
    this.accounts = new Accounts(new OperatorRepository(store, gw.sealer(), new AuditLog()), clock);
  }

  /** A login no other test of the run uses. */
  static String login(String prefix) {
    return prefix + "-" + SEQ.incrementAndGet();
  }

  /** An account waiting for its setup link. */
  Accounts.SetupLink pending(String login, Role role, String phone) {
    return accounts.create(new Accounts.NewAccount(login, "Nguyễn Thị " + login, role, phone), "cli");
  }

  /** An account whose person has set {@link #PASSWORD}, no second factor. */
  Operator active(Role role) {
    return active(role, null);
  }

  /** Likewise, with a phone the gateway may ring for them (null: none). */
  Operator active(Role role, String phone) {
    return active(role, phone, null);
  }

  /** Likewise, hearing the whisper in {@code language} (vi, en; null: the flow's first). */
  Operator active(Role role, String phone, String language) {
    var login = login(role.wire());
    var link = accounts.create(new Accounts.NewAccount(login, "Nguyễn Thị " + login, role, phone, language), "cli");
    var done = accounts.completeSetup(link.token(), PASSWORD, PASSWORD, null, null);
    return ((Accounts.Setup.Done) done).operator();
  }

  int accountCount() {
    return db.count("operators");
  }

  /** The audit events of this type, oldest first: refs and data as the chain holds them (JSON text). */
  List<Map<String, String>> audit(String type) {
    try (var c = db.connect(); var ps = c.prepareStatement(
        "SELECT actor, refs, data FROM audit_events WHERE event_type = ? ORDER BY id")) {
      ps.setString(1, type);
      try (var rs = ps.executeQuery()) {
        var out = new ArrayList<Map<String, String>>();
        while (rs.next()) {
          var m = new HashMap<String, String>();
          m.put("actor", rs.getString(1));
          m.put("refs", rs.getString(2));
          m.put("data", rs.getString(3));
          out.add(m);
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every audit event's text, for "no password, no phone number" checks. */
  String allAuditText() {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT event_type, actor, refs, data FROM audit_events ORDER BY id")) {
      var b = new StringBuilder();
      while (rs.next()) {
        b.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(' ').append(rs.getString(3)).append(' ')
            .append(rs.getString(4)).append('\n');
      }
      return b.toString();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
