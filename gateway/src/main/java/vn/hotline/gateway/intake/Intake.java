package vn.hotline.gateway.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.delivery.Outbox;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.report.Urls;
import vn.hotline.gateway.store.ContentItemRepository;
import vn.hotline.gateway.store.IntakeRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.store.StoreException;
import vn.hotline.gateway.util.Ids;
import vn.hotline.gateway.util.Json;
import vn.hotline.gateway.util.OnWorker;

/**
 * Reports that come in whole (the web form, partners' systems): {@link #submit} checks a {@link Submission} and
 * stores, in ONE transaction, its contact (ended at once), the report (a reference like a caller's), the deliveries
 * to every agency {@link Routing} names ({@link Outbox}), the harmful-content URLs as content items (normalised,
 * one per URL however many reports name it), who submitted it and an intake.submitted audit event (codes and
 * counts, no personal data). A retry with the same Idempotency-Key in its scope within 24 hours answers with the
 * report the first made. Blocking (JDBC): call it on a worker, never on an event loop.
 */
public final class Intake {
  private static final Logger log = LoggerFactory.getLogger(Intake.class);

  /** How long an Idempotency-Key answers with the report it first made. */
  public static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);
  public static final int MAX_CONTENT_ITEMS = 20;
  public static final int MAX_DESCRIPTION = 5000;
  public static final int MAX_PARTNER_REF = 128;
  public static final int MAX_IDEMPOTENCY_KEY = 128;
  /** The child's age bands, as the flows set them. */
  public static final Set<String> AGE_BANDS = Set.of("0-6", "7-9", "10-12", "13-15", "16-17", "unknown");
  /** The hash algorithms a content item's hash may name (cryptographic and perceptual). */
  public static final Set<String> HASH_ALGORITHMS = Set.of("sha256", "sha1", "md5", "pdq", "phash", "dhash", "ahash",
      "photodna", "tmk", "videntifier");
  public static final Set<String> LANGUAGES = Set.of("vi", "en");

  private static final Pattern HASH_VALUE = Pattern.compile("[A-Za-z0-9+/=_:-]{8,256}");
  private static final Pattern PLATFORM = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 .()-]{6,22}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1," + MAX_IDEMPOTENCY_KEY + "}");
  private static final int TRIES = 4;

  /** A value a submission cannot have: {@code field} names it as the API spells it (content_items[1].url). */
  public static final class Invalid extends RuntimeException {
    private final String field;

    public Invalid(String field, String reason) {
      super(field + " " + reason, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /** The Idempotency-Key was used, within its window, for a different submission: nothing is stored. */
  public static final class KeyReused extends RuntimeException {
    public KeyReused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * What a submission made: the report's id and reference (what the reporter or partner keeps), and whether it was
   * made now ({@code created}) or by an earlier submission with the same Idempotency-Key.
   */
  public record Receipt(String reportId, String reference, boolean created) {}

  private final Store store;
  private final IntakeRepository intake;
  private final ReportRepository reports;
  private final ContentItemRepository contentItems;
  private final Routing routing;
  private final Outbox outbox;
  private final AuditLog audit;
  private final Taxonomy taxonomy;
  private final Provinces provinces;
  private final Clock clock;
  private final Runnable wakeDelivery;

  public Intake(Store store, IntakeRepository intake, ReportRepository reports, ContentItemRepository contentItems,
      Routing routing, Outbox outbox, AuditLog audit, Taxonomy taxonomy, Provinces provinces, Clock clock,
      Runnable wakeDelivery) {
    this.store = store;
    this.intake = intake;
    this.reports = reports;
    this.contentItems = contentItems;
    this.routing = routing;
    this.outbox = outbox;
    this.audit = audit;
    this.taxonomy = taxonomy;
    this.provinces = provinces;
    this.clock = clock;
    this.wakeDelivery = wakeDelivery;
  }

  /**
   * Checks and stores a submission (see the class comment). {@code idempotencyKey}: the submitter's key for this
   * submission (a partner's Idempotency-Key header, the web form's one-time form token), or null for none; its scope
   * is the partner (partner:id) or the channel (web).
   *
   * @throws Invalid naming the first field at fault (nothing is stored)
   * @throws KeyReused when the key came within 24 hours with a different submission (nothing is stored)
   */
  @OnWorker
  public Receipt submit(Submission s, String idempotencyKey) {
    check(s);
    if (idempotencyKey != null && !KEY.matcher(idempotencyKey).matches()) {
      throw new Invalid("Idempotency-Key", "must be 1 to " + MAX_IDEMPOTENCY_KEY + " visible ASCII characters");
    }
    var items = normalised(s.contentItems());
    var fingerprint = fingerprint(s);
    var scope = s.channel() == Channel.PARTNER ? "partner:" + s.partnerId() : s.channel().wire();
    for (int attempt = 1; ; attempt++) {
      try {
        var receipt = store.inTransaction(c -> store(c, s, items, idempotencyKey, scope, fingerprint));
        if (receipt.created()) {
          wakeDelivery.run();
        }
        log.atInfo().addKeyValue("channel", s.channel().wire()).addKeyValue("partner", s.partnerId())
            .addKeyValue("report", receipt.reportId()).addKeyValue("reference", receipt.reference())
            .addKeyValue("created", receipt.created()).log("report submitted");
        return receipt;
      } catch (StoreException e) {
        // the reference was taken, a URL was first seen by another submission at the same moment, or the same key
        // came twice at once (a duplicate key, or on MariaDB a deadlock between the two inserts): look again (the
        // key's row is there now) / draw another reference
        if (!(e.isDuplicateKey() || e.isConflict()) || attempt >= TRIES) {
          throw e;
        }
      }
    }
  }

  private Receipt store(Connection c, Submission s, List<ContentItemRepository.Named> items, String key, String scope,
      String fingerprint) throws SQLException {
    var now = clock.instant();
    if (key != null) {
      var before = intake.remembered(c, scope, key, now.minus(IDEMPOTENCY_WINDOW));
      if (before.isPresent()) {
        if (!before.get().fingerprint().equals(fingerprint)) {
          throw new KeyReused("Idempotency-Key was used at " + before.get().at() + " for a different submission (report "
              + before.get().reference() + "); a new submission needs a new key");
        }
        return new Receipt(before.get().reportId(), before.get().reference(), false);
      }
    }
    var reportId = Ids.uuid7().toString();
    var reference = Ids.reference();
    var contactId = intake.insertContact(c, s.channel(), reportId, reference, now);
    var urls = items.stream().map(ContentItemRepository.Named::url).toList();
    var report = new Report(reportId, reference, contactId, s.channel(), s.urgent() ? "danger" : "report", s.category(),
        s.subcategory(), null, s.ageBand(), s.province(), s.urgent(), Outcome.COMPLETED, null, blankToNull(s.description()),
        urls, null, null, List.of(), now, now);
    reports.insertIfAbsent(c, report);
    var ids = contentItems.name(c, reportId, items, now);
    intake.insertSubmission(c, reportId, s.channel(), s.partnerId(), s.partnerRef(), s.language(), contactJson(s.contact()),
        now);
    if (key != null) {
      intake.remember(c, scope, key, fingerprint, reportId, now);
    }
    var refs = new HashMap<String, Object>();
    refs.put("report", reportId);
    refs.put("contact", contactId);
    refs.put("partner", s.partnerId());
    var data = new HashMap<String, Object>();
    data.put("channel", s.channel().wire());
    data.put("category", s.category());
    data.put("urgent", s.urgent());
    data.put("content_items", ids.size());
    data.put("contact_given", s.contact() != null);
    data.put("idempotency_key", key != null);
    audit.append(c, "intake.submitted", s.channel() == Channel.PARTNER ? "partner:" + s.partnerId() : s.channel().wire(),
        refs, data, now);
    outbox.enqueue(c, report, routing.route(report));
    return new Receipt(reportId, reference, true);
  }

  /** Every value of a submission the contract or the configuration does not allow, the first one named. */
  void check(Submission s) {
    if (s.channel() == null || !s.channel().isIntake()) {
      throw new Invalid("channel", "must be web or partner");
    }
    if ((s.channel() == Channel.PARTNER) != (s.partnerId() != null)) {
      throw new Invalid("partner", s.channel() == Channel.PARTNER ? "is required for a partner's submission"
          : "is given only for a partner's submission");
    }
    if (s.partnerRef() != null && (s.partnerRef().isBlank() || s.partnerRef().length() > MAX_PARTNER_REF
        || s.partnerRef().chars().anyMatch(Character::isISOControl))) {
      throw new Invalid("partner_ref", "must be 1 to " + MAX_PARTNER_REF + " characters without control characters");
    }
    if (s.category() != null && !taxonomy.hasCategory(s.category())) {
      throw new Invalid("category", "'" + s.category() + "' is not a category of the taxonomy (one of "
          + String.join(", ", taxonomy.subcategoriesByCategory().keySet().stream().sorted().toList()) + ")");
    }
    if (s.subcategory() != null) {
      if (s.category() == null) {
        throw new Invalid("subcategory", "is given without its category");
      }
      var allowed = taxonomy.subcategoriesByCategory().get(s.category());
      if (!allowed.contains(s.subcategory())) {
        throw new Invalid("subcategory", "'" + s.subcategory() + "' is not a subcategory of " + s.category() + " (one of "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
    if (s.ageBand() != null && !AGE_BANDS.contains(s.ageBand())) {
      throw new Invalid("age_band", "'" + s.ageBand() + "' is not one of 0-6, 7-9, 10-12, 13-15, 16-17, unknown");
    }
    if (s.province() != null && !provinces.byCode().containsKey(s.province())) {
      throw new Invalid("province", "'" + s.province() + "' is not a province code of config/provinces.yaml");
    }
    if (s.description() != null && s.description().length() > MAX_DESCRIPTION) {
      throw new Invalid("description", "is longer than " + MAX_DESCRIPTION + " characters");
    }
    if (s.language() != null && !LANGUAGES.contains(s.language())) {
      throw new Invalid("language", "must be vi or en");
    }
    if (s.contentItems().size() > MAX_CONTENT_ITEMS) {
      throw new Invalid("content_items", "has more than " + MAX_CONTENT_ITEMS + " items; send the rest in another report");
    }
    for (int i = 0; i < s.contentItems().size(); i++) {
      var item = s.contentItems().get(i);
      var at = "content_items[" + i + "]";
      if (item == null || item.url() == null) {
        throw new Invalid(at + ".url", "is required");
      }
      try {
        Urls.normalise(item.url());
      } catch (IllegalArgumentException e) {
        throw new Invalid(at + ".url", e.getMessage());
      }
      if (item.platform() != null && !PLATFORM.matcher(item.platform()).matches()) {
        throw new Invalid(at + ".platform", "must be a lower-case word such as tiktok, facebook, youtube, zalo");
      }
      if (item.hash() != null) {
        if (item.hash().algorithm() == null || !HASH_ALGORITHMS.contains(item.hash().algorithm())) {
          throw new Invalid(at + ".hash.algorithm", "must be one of "
              + String.join(", ", HASH_ALGORITHMS.stream().sorted().toList()));
        }
        if (item.hash().value() == null || !HASH_VALUE.matcher(item.hash().value()).matches()) {
          throw new Invalid(at + ".hash.value", "must be 8 to 256 hex or base64 characters");
        }
      }
    }
    if (blankToNull(s.description()) == null && s.contentItems().isEmpty() && s.category() == null) {
      throw new Invalid("description", "is required when there is neither a category nor a content item: say what"
          + " happened");
    }
    var contact = s.contact();
    if (contact != null) {
      if (contact.name() != null && (contact.name().length() > 100 || contact.name().chars().anyMatch(Character::isISOControl))) {
        throw new Invalid("contact.name", "must be at most 100 characters without control characters");
      }
      if (blankToNull(contact.phone()) == null && blankToNull(contact.email()) == null) {
        throw new Invalid("contact", "needs a phone number or an email address to reach the reporter");
      }
      if (blankToNull(contact.phone()) != null && !PHONE.matcher(contact.phone().strip()).matches()) {
        throw new Invalid("contact.phone", "is not a phone number (digits, optionally a leading +)");
      }
      if (blankToNull(contact.email()) != null && (contact.email().length() > 254
          || !EMAIL.matcher(contact.email().strip()).matches())) {
        throw new Invalid("contact.email", "is not an email address");
      }
    }
  }

  /** The submission's URLs, normalised, once each, with what it says of them (the platform from the host if not). */
  private static List<ContentItemRepository.Named> normalised(List<ContentItem> items) {
    var out = new LinkedHashMap<String, ContentItemRepository.Named>();
    for (var i : items) {
      var url = Urls.normalise(i.url());
      var platform = i.platform() != null ? i.platform() : Urls.platform(url);
      out.putIfAbsent(url, new ContentItemRepository.Named(url, platform, i.kind() == null ? null : i.kind().wire(),
          i.hash() == null ? null : i.hash().algorithm(), i.hash() == null ? null : i.hash().value()));
    }
    return new ArrayList<>(out.values());
  }

  /** SHA-256 of the submission as given: the same key with the same submission is a retry, with another one not. */
  private static String fingerprint(Submission s) {
    try {
      var json = Json.CANONICAL.writeValueAsBytes(s);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String contactJson(ReporterContact contact) {
    if (contact == null) {
      return null;
    }
    var m = new LinkedHashMap<String, String>();
    m.put("name", blankToNull(contact.name()));
    m.put("phone", blankToNull(contact.phone()));
    m.put("email", blankToNull(contact.email()));
    try {
      return Json.JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /**
   * What a submitter may know of its report later (no personal data): {@code status} received (stored; its
   * agencies' deliveries wait for a counsellor's review), referred (queued for or delivered to its agencies),
   * acknowledged (an agency took it on, with its case number); and each agency's referral.
   */
  public record Status(String reference, String partnerRef, Instant receivedAt, String status,
      List<Referral> referrals) {
    public Status {
      referrals = List.copyOf(referrals);
    }
  }

  /**
   * One agency the report goes to: {@code state} held (waiting for a counsellor's review), queued (being sent),
   * delivered, or failed (given up on: the hotline's staff resend it); acknowledged with the agency's case number
   * once it took the report on.
   */
  public record Referral(String agency, String state, Instant deliveredAt, Instant acknowledgedAt, String caseNumber) {}

  /** The status of a submitted report from its referrals (its deliveries of version 1). */
  public static Status status(IntakeRepository.Submitted s, List<Referral> referrals) {
    var status = referrals.stream().anyMatch(r -> r.acknowledgedAt() != null) ? "acknowledged"
        : referrals.stream().anyMatch(r -> !r.state().equals("held")) ? "referred" : "received";
    return new Status(s.reference(), s.partnerRef(), s.receivedAt(), status, referrals);
  }

  /** A partner's own submitted report, by its reference; empty for another's (or none). */
  @OnWorker
  public Optional<IntakeRepository.Submitted> ofPartner(String partnerId, String reference) {
    return intake.ofPartner(partnerId, reference);
  }
}
