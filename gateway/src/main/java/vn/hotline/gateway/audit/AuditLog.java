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
 * Records audit events inside the caller's transaction: an event exists exactly when the change it records was
 * committed. The event is written unlinked (no seq, no hashes) and without touching the chain head, so writers do
 * not queue behind one row; {@link AuditLinker} gives the committed events their place in the hash chain within a
 * fraction of a second, in the order they were inserted. Each linked event's hash covers the previous one's, so
 * changing or removing any linked row breaks the chain from there on ({@link AuditChain#verify}). Events carry
 * ids, codes and counts only.
 */
public final class AuditLog {
  public static final String GENESIS = "0".repeat(64);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Appends one event, to be linked into the chain once the transaction has committed. */
  public void append(Connection c, String type, String actor, Map<String, ?> refs, Map<String, ?> data, Instant at)
      throws SQLException {
    var when = at.truncatedTo(ChronoUnit.MILLIS);
    try (var ps = c.prepareStatement("INSERT INTO audit_events (at, event_type, actor, refs, data) VALUES (?, ?, ?, ?, ?)")) {
      ps.setObject(1, LocalDateTime.ofInstant(when, ZoneOffset.UTC));
      ps.setString(2, type);
      ps.setString(3, actor);
      ps.setString(4, json(refs));
      ps.setString(5, json(data));
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
