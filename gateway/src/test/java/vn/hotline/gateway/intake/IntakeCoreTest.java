package vn.hotline.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.delivery.Outbox;
import vn.hotline.gateway.delivery.RoutingLoader;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.ContentItemRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.IntakeRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.TestDatabase;

/** The intake core on both stores: a submission becomes a contact, a report, its deliveries and content items. */
@GatewayTest
class IntakeCoreTest {
  TestDatabase db;
  FakeAgencies fakes;
  Store store;
  Intake intake;
  ContentItemRepository items;
  GatewayConfig cfg;
  final AtomicInteger wakes = new AtomicInteger();

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    fakes = new FakeAgencies(house.dir());
    cfg = GatewayConfig.load(null, Map.of("GATEWAY_DB_URL", db.gatewayUrl(), "GATEWAY_DB_USER", db.user(),
        "GATEWAY_DATA_DIR", house.dir().resolve("data").toString(), "GATEWAY_ROUTING_FILE", fakes.routingFile.toString()));
    var taxonomy = Taxonomy.load(cfg.taxonomyFile());
    var provinces = Provinces.load(cfg.provincesFile());
    var routing = RoutingLoader.load(cfg, taxonomy, provinces, cfg.env().variables());
    store = Store.open(cfg.db(), null);
    var audit = new AuditLog();
    var sealer = Sealer.parse(cfg.privacy().encryptionKeys());
    var reports = new ReportRepository(store, sealer, audit);
    var outbox = new Outbox(new DeliveryRepository(store, audit), new CaseRepository(store, sealer), audit);
    items = new ContentItemRepository(store, sealer, Pseudonyms.parse(cfg.privacy().pseudonymKey()));
    intake = new Intake(store, new IntakeRepository(store, sealer), reports, items, routing, outbox, audit, taxonomy,
        provinces, Clock.systemUTC(), wakes::incrementAndGet);
  }

  @AfterEach
  void stop() {
    store.close();
    fakes.close();
  }

  /** The first column of every row {@code sql} selects. */
  List<Object> column(String sql, String... args) {
    try (var c = db.connect(); var ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      var out = new java.util.ArrayList<Object>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getObject(1));
        }
      }
      return out;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static Submission online(String partner, String... urls) {
    return new Submission(Channel.PARTNER, partner, "case-" + partner, "online_abuse_harmful_content", "harmful_content",
        java.util.Arrays.stream(urls).map(u -> new ContentItem(u, null, ContentItem.Kind.VIDEO, null)).toList(),
        "Video quay lén học sinh", "13-15", "79", false, new ReporterContact("Chị Lan", "0912345678", null), "vi");
  }

  @Test
  void aPartnerSubmissionIsAContactAReportItsDeliveriesAndItsContentItemsInOneGo() {
    var receipt = intake.submit(online("viettel", "HTTPS://WWW.TikTok.com/@ke_doa/video/1?utm_source=x&is_from_webapp=1",
        "youtu.be/abc?si=XYZ"), "k-1");
    assertTrue(receipt.created());
    assertTrue(receipt.reference().matches("[0-9]{8}"));
    var contact = db.row("SELECT c.channel, c.outcome, c.ended_at FROM contacts c JOIN reports r ON r.contact_id = c.id"
        + " WHERE r.id = ?", receipt.reportId());
    assertEquals("partner", contact.get("channel"));
    assertEquals("completed", contact.get("outcome"));
    assertEquals(Set.of("harmful-content", "police-cyber"), Set.copyOf(column(
        "SELECT agency_id FROM deliveries WHERE report_id = ?", receipt.reportId())), "routed as online harm");
    assertTrue(wakes.get() > 0, "the delivery worker is woken");
    var named = items.forReport(receipt.reportId());
    assertEquals(List.of("https://www.tiktok.com/@ke_doa/video/1", "https://youtu.be/abc?si=XYZ"),
        named.stream().map(ContentItemRepository.Item::url).sorted().toList());
    assertEquals(Set.of("tiktok", "youtube"), Set.copyOf(named.stream().map(ContentItemRepository.Item::platform).toList()));
    assertEquals(1, column("SELECT id FROM audit_events WHERE event_type = 'intake.submitted'").size());
    var audit = column("SELECT data FROM audit_events WHERE event_type = 'intake.submitted'").get(0).toString();
    assertFalse(audit.contains("0912345678") || audit.contains("Lan") || audit.contains("tiktok"), audit);
    var sealed = db.row("SELECT contact_sealed FROM intake_submissions WHERE report_id = ?", receipt.reportId());
    assertFalse(String.valueOf(sealed.get("contact_sealed")).contains("0912345678"), "the contact is sealed");
  }

  @Test
  void theSameKeyAgainIsTheSameReportAndWithAnotherSubmissionIsRefused() {
    var first = intake.submit(online("viettel", "tiktok.com/@a"), "same");
    var again = intake.submit(online("viettel", "tiktok.com/@a"), "same");
    assertEquals(first.reportId(), again.reportId());
    assertFalse(again.created());
    assertEquals(1, db.count("reports"));
    assertThrows(Intake.KeyReused.class, () -> intake.submit(online("viettel", "tiktok.com/@b"), "same"));
    var other = intake.submit(online("mobifone", "tiktok.com/@a"), "same");
    assertNotEquals(first.reportId(), other.reportId(), "a key is the partner's own");
    assertEquals(2, db.count("reports"));
  }

  @Test
  void theSameUrlFromThreePartnersIsOneContentItemCountedThreeTimes() {
    intake.submit(online("viettel", "https://www.tiktok.com/@ke_doa?utm_source=zalo"), null);
    intake.submit(online("mobifone", "https://WWW.TIKTOK.COM/@ke_doa#top"), null);
    var third = intake.submit(online("vinaphone", "www.tiktok.com:443/@ke_doa?fbclid=abc"), null);
    var item = items.forReport(third.reportId()).get(0);
    assertEquals("https://www.tiktok.com/@ke_doa", item.url());
    assertEquals(3, item.count());
    assertEquals(3, item.references().size());
    assertEquals(1, db.count("content_items"));
  }

  @Test
  void aUrlIsKeptWhileAReportThatNamedItKeepsItsFreeTextAndTheReporterContactGoesWithIt() throws Exception {
    var old = intake.submit(online("viettel", "https://www.tiktok.com/@ke_doa", "https://fb.watch/only-old/"), null);
    var recent = intake.submit(online("mobifone", "https://www.tiktok.com/@ke_doa?utm_source=zalo"), null);
    var now = java.time.Instant.now();
    try (var c = db.connect(); var st = c.createStatement()) { // both delivered; the first completed long ago
      st.executeUpdate("UPDATE deliveries SET status = 'delivered'");
    }
    try (var c = db.connect(); var ps = c.prepareStatement("UPDATE reports SET completed_at = ? WHERE id = ?")) {
      ps.setObject(1, java.time.LocalDateTime.ofInstant(now.minus(java.time.Duration.ofDays(3 * 365)),
          java.time.ZoneOffset.UTC));
      ps.setString(2, old.reportId());
      ps.executeUpdate();
    }
    var purged = new vn.hotline.gateway.privacy.Retention(store, new AuditLog(), cfg.retention()).purge(now);

    assertEquals(1, purged.get("report_free_text"), purged.toString());
    assertEquals(1, purged.get("reporter_contacts"), "the old report's reporter contact goes with its free text");
    assertEquals(2, purged.get("content_item_links"), purged.toString());
    assertEquals(1, purged.get("content_items"), "the link only the old report named is gone, sealed URL and all");
    var kept = items.forReport(recent.reportId());
    assertEquals(1, kept.size());
    assertEquals("https://www.tiktok.com/@ke_doa", kept.get(0).url(), "still named by a report that keeps its text");
    assertEquals(1, kept.get(0).count(), "counted by the reports that still name it");
    assertEquals(List.of(recent.reference()), kept.get(0).references());
    assertEquals(1, db.count("content_items"));
    assertEquals(List.of(), items.forReport(old.reportId()));
    assertEquals(null, db.row("SELECT contact_sealed FROM intake_submissions WHERE report_id = ?", old.reportId())
        .get("contact_sealed"));
    assertNotEquals(null, db.row("SELECT contact_sealed FROM intake_submissions WHERE report_id = ?", recent.reportId())
        .get("contact_sealed"), "the recent one keeps its reporter's contact");
  }

  @Test
  void badValuesAreRefusedNamingTheFieldAndNothingIsStored() {
    var bad = Map.of(
        "category", new Submission(Channel.PARTNER, "viettel", null, "no_such", null, List.of(), "x", null, null, false,
            null, null),
        "content_items[0].url", online("viettel", "javascript:alert(1)"),
        "age_band", new Submission(Channel.PARTNER, "viettel", null, null, null, List.of(), "x", "5-8", null, false, null,
            null),
        "province", new Submission(Channel.WEB, null, null, null, null, List.of(), "x", null, "999", false, null, null),
        "contact", new Submission(Channel.WEB, null, null, null, null, List.of(), "x", null, null, false,
            new ReporterContact("A", null, null), null));
    bad.forEach((field, s) -> assertEquals(field, assertThrows(Intake.Invalid.class, () -> intake.submit(s, null)).field()));
    assertEquals(0, db.count("reports"));
  }
}
