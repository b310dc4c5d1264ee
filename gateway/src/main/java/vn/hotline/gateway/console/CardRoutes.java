package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.casework.Casework;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.report.Assessment;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.CardRepository;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.util.OnWorker;

/**
 * The contact card and its form, for counsellors and supervisors:
 *
 * <ul>
 *   <li>{@code GET /console/contacts/{contactId}}: the card (codes, labels, the path, deliveries, earlier contacts of
 *       the same caller, the review) and, for a contact that made a report, the contact form pre-filled with the
 *       latest assessment (opening it is audited as report.viewed) or the caller's answers and the routing's
 *       agencies. Nothing the caller said or wrote.</li>
 *   <li>{@code POST /console/contacts/{contactId}/personal} (CSRF): what the caller said or wrote, each opening a
 *       personal_data.viewed audit event with the operator; htmx gets the fragment, a plain form the whole card.</li>
 *   <li>{@code POST /console/contacts/{contactId}/assessment} (CSRF): "Save and refer" ({@link Casework#complete}):
 *       the card again with the version made and where it goes; a field at fault comes back marked with what was
 *       typed (400, nothing saved); a form shown at an older version than the report's is not saved (409).</li>
 * </ul>
 *
 * Store work runs on the {@code store} workers; a contact id that is not a UUID is a 404 without a query.
 */
public final class CardRoutes {
  private static final Logger log = LoggerFactory.getLogger(CardRoutes.class);
  private static final Pattern CONTACT_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  static final String TEMPLATE = "console/card.jte";
  static final String PERSONAL_TEMPLATE = "console/card_personal.jte";

  private final ConsoleAuth auth;
  private final ConsoleViews views;
  private final CardRepository cards;
  private final Casework casework;
  private final Accounts accounts;
  private final Taxonomy taxonomy;
  private final Provinces provinces;
  private final Routing routing;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final ZoneId zone;
  private final Map<String, ContactForm.Options> options = new ConcurrentHashMap<>();

  public CardRoutes(Console console, CardRepository cards, Casework casework, Accounts accounts, Taxonomy taxonomy,
      Provinces provinces, Routing routing, WorkerExecutor workers, Clock clock, ZoneId zone) {
    this.auth = console.auth();
    this.views = console.views();
    this.cards = cards;
    this.casework = casework;
    this.accounts = accounts;
    this.taxonomy = taxonomy;
    this.provinces = provinces;
    this.routing = routing;
    this.workers = workers;
    this.clock = clock;
    this.zone = zone;
  }

  /** Mounts the card's three routes behind the door (counsellors and supervisors). */
  public void mount(Router router) {
    var door = auth.require(Role.COUNSELLOR, Role.SUPERVISOR);
    router.get(ConsoleRoutes.BASE + "/contacts/:id").handler(door).handler(this::card);
    router.post(ConsoleRoutes.BASE + "/contacts/:id/personal").handler(door).handler(this::personal);
    router.post(ConsoleRoutes.BASE + "/contacts/:id/assessment").handler(door).handler(this::assess);
  }

  /** What the card shows, read on a worker; {@code form} is null when the contact made no report or it was erased. */
  record Loaded(CardRepository.Card card, Optional<CaseRepository.ReviewState> review, String reviewer,
      ContactForm form) {}

  /** A saved form: the version made and the agencies (by name) it goes to. */
  public record Saved(int version, List<String> created, List<String> updated, List<String> withdrawn) {}

  // ---- GET the card

  private void card(RoutingContext ctx) {
    var id = contactId(ctx);
    if (id == null) {
      return;
    }
    var operator = ConsoleAuth.operator(ctx).id();
    workers.executeBlocking(() -> load(id, operator, true), false).onComplete(ar -> {
      if (failed(ctx, ar.cause())) {
        return;
      }
      if (ar.result() == null) {
        views.error(ctx, 404, "card.not_found");
        return;
      }
      render(ctx, 200, ar.result(), ar.result().form(), null, null, null);
    });
  }

  // ---- POST: show what the caller said or wrote

  private void personal(RoutingContext ctx) {
    var id = contactId(ctx);
    if (id == null) {
      return;
    }
    var operator = ConsoleAuth.operator(ctx).id();
    boolean htmx = ctx.request().getHeader("HX-Request") != null;
    workers.executeBlocking(() -> {
      var opened = cards.personal(id, operator, clock.instant());
      if (opened.isEmpty()) {
        return null;
      }
      return Map.entry(ContactCard.opened(opened.get(), zone), htmx ? Optional.<Loaded>empty()
          : Optional.ofNullable(load(id, operator, true)));
    }, false).onComplete(ar -> {
      if (failed(ctx, ar.cause())) {
        return;
      }
      if (ar.result() == null) {
        views.error(ctx, 404, "card.not_found");
        return;
      }
      var opened = ar.result().getKey();
      if (htmx) {
        var p = new HashMap<String, Object>();
        p.put("page", views.page(ctx, "card.personal_heading"));
        p.put("opened", opened);
        views.render(ctx, 200, PERSONAL_TEMPLATE, p);
        return;
      }
      var loaded = ar.result().getValue();
      if (loaded.isEmpty()) {
        views.error(ctx, 404, "card.not_found");
        return;
      }
      render(ctx, 200, loaded.get(), loaded.get().form(), opened, null, null);
    });
  }

  // ---- POST: save and refer

  /** What saving came to. */
  private sealed interface Result {
    record Done(Casework.Completed completed, Loaded loaded) implements Result {}
    record Invalid(String field, Loaded loaded) implements Result {}
    record Stale(int version, Loaded loaded) implements Result {}
    record Erased(Loaded loaded) implements Result {}
    record NoReport() implements Result {}
  }

  private void assess(RoutingContext ctx) {
    var id = contactId(ctx);
    if (id == null) {
      return;
    }
    var operator = ConsoleAuth.operator(ctx).id();
    var form = ContactForm.fromRequest(ctx.request().formAttributes());
    workers.executeBlocking(() -> save(id, operator, form), false).onComplete(ar -> {
      if (failed(ctx, ar.cause())) {
        return;
      }
      switch (ar.result()) {
        case Result.NoReport none -> views.error(ctx, 404, "card.not_found");
        case Result.Done done -> {
          var c = done.completed();
          var saved = new Saved(c.version(), names(c.created()), names(c.updated()), names(c.withdrawn()));
          var assessment = form.assessment().validated(taxonomy, provinces, routing.agencies().keySet());
          render(ctx, 200, done.loaded(), ContactForm.fromAssessment(assessment, c.version()), null, saved, null);
        }
        case Result.Invalid invalid -> render(ctx, 400, invalid.loaded(), form.marked(invalid.field())
            .basedOn(invalid.loaded().review().map(CaseRepository.ReviewState::version).orElse(form.basedOn())),
            null, null, "form.error." + form.marked(invalid.field()).errorField());
        case Result.Stale stale -> render(ctx, 409, stale.loaded(), form.basedOn(stale.version()), null, null,
            "card.stale");
        case Result.Erased erased -> render(ctx, 409, erased.loaded(), null, null, null, "card.erased_refused");
      }
    });
  }

  @OnWorker
  private Result save(String id, String operator, ContactForm form) {
    var card = cards.card(id);
    if (card.isEmpty() || card.get().report().isEmpty()) {
      return new Result.NoReport();
    }
    var reference = card.get().report().get().reference();
    var state = casework.review(reference);
    if (state.isEmpty()) {
      return new Result.NoReport();
    }
    if (state.get().erased() || card.get().erased()) {
      return new Result.Erased(load(id, operator, false));
    }
    if (form.basedOn() < 1) {
      return new Result.Invalid("based_on", load(id, operator, false)); // not a form this page made
    }
    if (state.get().version() != form.basedOn()) {
      return new Result.Stale(state.get().version(), load(id, operator, false));
    }
    try {
      var done = casework.complete(operator, reference, form.assessment());
      return new Result.Done(done, load(id, operator, false));
    } catch (Assessment.Invalid e) {
      if ("reference".equals(e.field())) {
        return new Result.Erased(load(id, operator, false));
      }
      return new Result.Invalid(e.field(), load(id, operator, false));
    }
  }

  // ---- shared

  /**
   * The card of {@code id}, or null when there is none. With {@code prefill}, the form as the card first shows it:
   * the latest assessment (opened for {@code operator}: audited) or the caller's answers and the routing's agencies.
   */
  @OnWorker
  private Loaded load(String id, String operator, boolean prefill) {
    var card = cards.card(id);
    if (card.isEmpty()) {
      return null;
    }
    var c = card.get();
    if (c.report().isEmpty()) {
      return new Loaded(c, Optional.empty(), null, null);
    }
    var line = c.report().get();
    var review = casework.review(line.reference());
    var reviewer = review.map(CaseRepository.ReviewState::reviewedBy).flatMap(accounts::byId).map(Operator::name)
        .orElse(null);
    ContactForm form = null;
    if (prefill && review.isPresent() && !review.get().erased() && !c.erased()) {
      int version = review.get().version();
      form = casework.openAssessment(operator, line.reference())
          .map(o -> ContactForm.fromAssessment(o.assessment(), version))
          .orElseGet(() -> ContactForm.fromReport(line, casework.referralOf(line.reference()), version));
    }
    return new Loaded(c, review, reviewer, form);
  }

  private void render(RoutingContext ctx, int status, Loaded l, ContactForm form, ContactCard.Opened opened,
      Saved saved, String problemKey) {
    var words = views.words(ctx);
    var card = ContactCard.of(l.card(), l.review(), l.reviewer(), taxonomy, provinces, routing, words, zone,
        clock.instant());
    var base = views.page(ctx, "card.title");
    var page = new Page(base.words(), base.path(), base.query(), words.t("card.title", card.referenceGrouped()),
        base.signed(), base.nav(), base.csrf());
    boolean formShown = card.report() && !card.erased() && l.review().map(r -> !r.erased()).orElse(false);
    var p = new HashMap<String, Object>();
    p.put("page", page);
    p.put("card", card);
    p.put("form", formShown ? form : null);
    p.put("options", options.computeIfAbsent(words.lang(), lang -> ContactForm.Options.of(taxonomy, provinces, routing,
        words)));
    p.put("opened", opened);
    p.put("saved", saved);
    p.put("problem", problemKey == null || words.has(problemKey) ? problemKey : "form.error.other");
    // a voicemail to play (through /console/recordings: fetched from Twilio only when played, audited then)
    p.put("voicemail", l.card().report().map(CardRepository.ReportLine::hasRecording).orElse(false));
    // an SMS contact's conversation, where a counsellor takes it over and answers (ConversationRoutes)
    p.put("conversation", vn.hotline.gateway.contact.Channel.of(l.card().channel()).isSms() && !card.erased()
        ? ConversationRoutes.BASE + card.contactId() : null);
    views.render(ctx, status, TEMPLATE, p);
  }

  private List<String> names(List<String> agencies) {
    return agencies.stream().map(a -> ContactCard.agencyName(routing, a)).toList();
  }

  /** The contact id of the path, or null after answering 404 when it cannot be one. */
  private String contactId(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    if (id == null || !CONTACT_ID.matcher(id).matches()) {
      views.error(ctx, 404, "card.not_found");
      return null;
    }
    return id;
  }

  /** Answers a failed worker job (404 for a report gone meanwhile, else 503) and says so; false when it did not fail. */
  private boolean failed(RoutingContext ctx, Throwable cause) {
    if (cause == null) {
      return false;
    }
    if (cause instanceof Casework.UnknownReport) {
      views.error(ctx, 404, "card.not_found");
    } else {
      log.atWarn().addKeyValue("error", HttpEdge.reason(cause)).log("contact card could not be read or saved");
      views.error(ctx, 503, "error.503");
    }
    return true;
  }
}
