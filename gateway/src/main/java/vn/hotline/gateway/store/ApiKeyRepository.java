package vn.hotline.gateway.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import vn.hotline.gateway.util.Ids;

/** Integrator API keys. Only the SHA-256 of a key is stored; the key itself is shown once, when made. */
public final class ApiKeyRepository {
  /** What a partner key may do: submit reports through /api/v1/intake and read back its own. */
  public static final String SCOPE_INTAKE = "intake";

  /**
   * Who a key speaks for: an agency (agencyId), a partner that submits reports (partnerId, with its scopes), or
   * everyone (admin: neither).
   */
  public record Caller(String keyId, String agencyId, String partnerId, java.util.Set<String> scopes) {
    public Caller {
      scopes = scopes == null ? java.util.Set.of() : java.util.Set.copyOf(scopes);
    }

    /** An agency's key, or an admin key when {@code agencyId} is null. */
    public Caller(String keyId, String agencyId) {
      this(keyId, agencyId, null, java.util.Set.of());
    }

    public boolean admin() {
      return agencyId == null && partnerId == null;
    }

    public boolean partner() {
      return partnerId != null;
    }

    /** The actor its API calls are audited as: agency:id, partner:id or admin:key id. */
    public String actor() {
      return partner() ? "partner:" + partnerId : admin() ? "admin:" + keyId : "agency:" + agencyId;
    }
  }

  /** A key as listed (never the key); partnerId and scopes for a partner key. */
  public record KeyInfo(String id, String agencyId, String label, Instant createdAt, Instant revokedAt, String partnerId,
      String scopes) {}

  /** A new key: its id and the secret value, which exists only here. */
  public record NewKey(String id, String key) {
    @Override
    public String toString() {
      return "NewKey[" + id + "]";
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final Store store;
  private final vn.hotline.gateway.audit.AuditLog audit;

  public ApiKeyRepository(Store store, vn.hotline.gateway.audit.AuditLog audit) {
    this.store = store;
    this.audit = audit;
  }

  public NewKey create(String agencyId, String label, Instant now) {
    return create(agencyId, null, java.util.Set.of(), label, now);
  }

  /** A partner's key ({@code scopes}: what it may do, e.g. {@link #SCOPE_INTAKE}). */
  public NewKey createForPartner(String partnerId, java.util.Set<String> scopes, String label, Instant now) {
    if (partnerId == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("a partner key needs a partner id and at least one scope");
    }
    return create(null, partnerId, scopes, label, now);
  }

  private NewKey create(String agencyId, String partnerId, java.util.Set<String> scopes, String label, Instant now) {
    var key = new StringBuilder("hgk_");
    for (int i = 0; i < 40; i++) {
      key.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    var id = Ids.uuid7().toString();
    store.inTransaction(c -> {
      try (var ps = c.prepareStatement("INSERT INTO api_keys (id, agency_id, key_hash, label, created_at, partner_id, scopes)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, id);
        ps.setString(2, agencyId);
        ps.setString(3, hash(key.toString()));
        ps.setString(4, label);
        ps.setObject(5, Store.toDb(now));
        ps.setString(6, partnerId);
        ps.setString(7, scopes.isEmpty() ? null : String.join(",", new java.util.TreeSet<>(scopes)));
        ps.executeUpdate();
      }
      var refs = new java.util.HashMap<String, Object>();
      refs.put("key", id);
      refs.put("agency", agencyId);
      refs.put("partner", partnerId);
      var data = new java.util.HashMap<String, Object>();
      data.put("admin", agencyId == null && partnerId == null);
      if (!scopes.isEmpty()) {
        data.put("scopes", String.join(",", new java.util.TreeSet<>(scopes)));
      }
      audit.append(c, "apikey.created", "cli", refs, data, now);
      return null;
    });
    return new NewKey(id, key.toString());
  }

  /** An integrator's API call, for the audit trail: who, which operation, what it answered. */
  public void recordAccess(Caller caller, String operation, int status, Instant now) {
    store.inTransaction(c -> {
      audit.append(c, "api.access", caller.actor(),
          java.util.Map.of("key", caller.keyId()), java.util.Map.of("operation", operation, "status", status), now);
      return null;
    });
  }

  /** The caller a presented key belongs to, if it is a live key. */
  public Optional<Caller> authenticate(String key) {
    if (key == null || !key.startsWith("hgk_")) {
      return Optional.empty();
    }
    return store.read(c -> {
      try (var ps = c.prepareStatement(
          "SELECT id, agency_id, partner_id, scopes FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
        ps.setString(1, hash(key));
        try (var rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          var scopes = rs.getString(4);
          return Optional.of(new Caller(rs.getString(1), rs.getString(2), rs.getString(3),
              scopes == null || scopes.isEmpty() ? java.util.Set.of() : java.util.Set.of(scopes.split(","))));
        }
      }
    });
  }

  public boolean revoke(String id, Instant now) {
    return store.inTransaction(c -> {
      try (var ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
        ps.setObject(1, Store.toDb(now));
        ps.setString(2, id);
        if (ps.executeUpdate() == 0) {
          return false;
        }
      }
      audit.append(c, "apikey.revoked", "cli", java.util.Map.of("key", id), java.util.Map.of(), now);
      return true;
    });
  }

  public List<KeyInfo> list() {
    return store.read(c -> {
      try (var st = c.createStatement(); var rs = st.executeQuery(
          "SELECT id, agency_id, label, created_at, revoked_at, partner_id, scopes FROM api_keys ORDER BY created_at")) {
        var out = new ArrayList<KeyInfo>();
        while (rs.next()) {
          out.add(new KeyInfo(rs.getString(1), rs.getString(2), rs.getString(3),
              Store.fromDb(rs.getObject(4, LocalDateTime.class)), Store.fromDb(rs.getObject(5, LocalDateTime.class)),
              rs.getString(6), rs.getString(7)));
        }
        return out;
      }
    });
  }

  /** Keys are long and random, so a plain SHA-256 is enough (no slow hash needed, unlike passwords). */
  static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
