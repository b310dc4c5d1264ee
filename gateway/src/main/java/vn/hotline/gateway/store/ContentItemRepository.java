package vn.hotline.gateway.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.util.Ids;

/**
 * Harmful-content URLs, each once however many reports name it: a content item is found by a keyed digest of its
 * normalised URL (report.Urls#normalise, done above the store), holds the URL sealed, and counts the reports that
 * named it. Written in the transaction that stores the report.
 */
public final class ContentItemRepository {
  /** A URL a report names, already normalised, with what the report says of it (each may be null). */
  public record Named(String url, String platform, String kind, String hashAlgorithm, String hashValue) {}

  /**
   * A content item as the harmful-content team gets it: its URL (normalised), platform, kind and hash as first
   * given (completed by later reports), how many reports named it and their references, oldest first.
   */
  public record Item(String id, String url, String platform, String kind, String hashAlgorithm, String hashValue,
      int count, List<String> references) {
    public Item {
      references = List.copyOf(references);
    }
  }

  private final Store store;
  private final Sealer sealer;
  private final Pseudonyms digests;

  public ContentItemRepository(Store store, Sealer sealer, Pseudonyms digests) {
    this.store = store;
    this.sealer = sealer;
    this.digests = digests;
  }

  /**
   * Records, inside {@code c}, that report {@code reportId} names these URLs: a new content item for a URL not seen
   * before, else one more report on the one there is (once per report). Rows are locked in digest order, so two
   * reports naming the same URLs never wait on each other in a circle. A URL first seen by two transactions at once
   * makes the second fail with a duplicate key; it is to be run again.
   *
   * @return the content items' ids, in the order the URLs were given (a URL given twice once)
   */
  public List<String> name(Connection c, String reportId, List<Named> named, Instant now) throws SQLException {
    var byDigest = new LinkedHashMap<String, Named>();
    for (var n : named) {
      byDigest.putIfAbsent(digests.digest(n.url()), n);
    }
    var ids = new LinkedHashMap<String, String>();
    byDigest.keySet().forEach(d -> ids.put(d, null));
    for (var digest : byDigest.keySet().stream().sorted(Comparator.naturalOrder()).toList()) {
      var n = byDigest.get(digest);
      String id = null;
      try (var ps = c.prepareStatement("SELECT id FROM content_items WHERE url_digest = ? FOR UPDATE")) {
        ps.setString(1, digest);
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            id = rs.getString(1);
          }
        }
      }
      if (id == null) {
        id = Ids.uuid7().toString();
        Store.update(c, "INSERT INTO content_items (id, url_digest, url_sealed, platform, kind, hash_algorithm, hash_value,"
            + " report_count, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)", id, digest,
            sealer.seal(n.url()), n.platform(), n.kind(), n.hashAlgorithm(), n.hashValue(), now, now);
      } else {
        // what an earlier report did not say, a later one may
        Store.update(c, "UPDATE content_items SET platform = COALESCE(platform, ?), kind = COALESCE(kind, ?),"
            + " hash_algorithm = COALESCE(hash_algorithm, ?), hash_value = CASE WHEN hash_algorithm IS NULL THEN ?"
            + " ELSE hash_value END WHERE id = ?", n.platform(), n.kind(), n.hashAlgorithm(), n.hashValue(), id);
      }
      boolean linked;
      try (var ps = c.prepareStatement("SELECT 1 FROM content_item_reports WHERE content_item_id = ? AND report_id = ?")) {
        ps.setString(1, id);
        ps.setString(2, reportId);
        try (var rs = ps.executeQuery()) {
          linked = rs.next();
        }
      }
      if (!linked) {
        Store.update(c, "INSERT INTO content_item_reports (content_item_id, report_id, named_at) VALUES (?, ?, ?)", id,
            reportId, now);
        Store.update(c, "UPDATE content_items SET report_count = report_count + 1, last_seen_at = ? WHERE id = ?", now, id);
      }
      ids.put(digest, id);
    }
    return new ArrayList<>(ids.values());
  }

  /** The content items a report names (the first seen first), each with the references of every report that named it. */
  public List<Item> forReport(String reportId) {
    return store.read(c -> forReport(c, reportId));
  }

  public List<Item> forReport(Connection c, String reportId) throws SQLException {
    var out = new ArrayList<Item>();
    try (var ps = c.prepareStatement("SELECT i.id, i.url_sealed, i.platform, i.kind, i.hash_algorithm, i.hash_value,"
        + " i.report_count FROM content_item_reports n JOIN content_items i ON i.id = n.content_item_id"
        + " WHERE n.report_id = ? ORDER BY n.named_at, i.first_seen_at, i.id")) {
      ps.setString(1, reportId);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Item(rs.getString(1), sealer.open(rs.getString(2)), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getInt(7), List.of()));
        }
      }
    }
    var withReferences = new ArrayList<Item>();
    for (var i : out) {
      var refs = new ArrayList<String>();
      try (var ps = c.prepareStatement("SELECT r.reference FROM content_item_reports n JOIN reports r ON r.id = n.report_id"
          + " WHERE n.content_item_id = ? ORDER BY n.named_at, r.id")) {
        ps.setString(1, i.id());
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            refs.add(rs.getString(1));
          }
        }
      }
      withReferences.add(new Item(i.id(), i.url(), i.platform(), i.kind(), i.hashAlgorithm(), i.hashValue(), i.count(),
          refs));
    }
    return withReferences;
  }
}
