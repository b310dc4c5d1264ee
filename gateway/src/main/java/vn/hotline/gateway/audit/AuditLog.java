package vn.hotline.gateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import vn.hotline.gateway.util.Json;

/**
 * Appends audit events to the hash chain, inside the caller's transaction: an event exists exactly when the
 * change it records was committed. Each event's hash covers the previous one's, so changing or removing any
 * row breaks the chain from there on ({@link AuditChain#verify}). Events carry ids, codes and counts only.
 */
public final class AuditLog {
  public static final String GENESIS = "0".repeat(64);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Appends one event; locks the chain head until the transaction ends. */
  public void append(Connection c, String type, String actor, Map<String, ?> refs, Map<String, ?> data, Instant at)
      throws SQLException {
    long seq;
    String prev;
    try (var ps = c.prepareStatement("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE");
        var rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("audit_head is missing: the schema was not migrated");
      }
      seq = rs.getLong(1) + 1;
      prev = rs.getString(2);
    }
    var when = at.truncatedTo(ChronoUnit.MILLIS);
    var refsJson = json(refs);
    var dataJson = json(data);
    var hash = hash(prev, seq, when, type, actor, refsJson, dataJson);
    try (var ps = c.prepareStatement("INSERT INTO audit_events (seq, at, event_type, actor, refs, data, prev_hash, hash)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, seq);
      ps.setObject(2, LocalDateTime.ofInstant(when, ZoneOffset.UTC));
      ps.setString(3, type);
      ps.setString(4, actor);
      ps.setString(5, refsJson);
      ps.setString(6, dataJson);
      ps.setString(7, prev);
      ps.setString(8, hash);
      ps.executeUpdate();
    }
    try (var ps = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
      ps.setLong(1, seq);
      ps.setString(2, hash);
      ps.executeUpdate();
    }
  }

  /** SHA-256 over the previous hash and the event's fields, each on its own line. */
  static String hash(String prev, long seq, Instant at, String type, String actor, String refs, String data) {
    var content = prev + "\n" + seq + "\n" + TIME.format(at) + "\n" + type + "\n" + actor + "\n" + refs + "\n" + data;
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Canonical JSON: keys sorted, nulls dropped, so the same event always hashes the same. */
  static String json(Map<String, ?> m) {
    var sorted = new TreeMap<String, Object>();
    if (m != null) {
      m.forEach((k, v) -> {
        if (v != null) {
          sorted.put(k, v);
        }
      });
    }
    try {
      return Json.CANONICAL.writeValueAsString(sorted);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
