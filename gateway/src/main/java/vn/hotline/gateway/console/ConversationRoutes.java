package vn.hotline.gateway.console;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.sms.SmsTakeovers;
import vn.hotline.gateway.store.TakeoverRepository;
import vn.hotline.gateway.util.OnWorker;

/**
 * An SMS conversation answered by a counsellor, for counsellors and supervisors:
 *
 * <ul>
 *   <li>{@code GET /console/conversations/{contactId}}: the transcript (the texts opened for the operator: audited as
 *       personal_data.viewed, view sms_transcript), who has the conversation, and the buttons and reply box that
 *       apply: take over, reply, hand back, close.</li>
 *   <li>{@code POST .../take}, {@code .../reply} ({@code text}), {@code .../hand-back}, {@code .../close}: CSRF token
 *       required; each answers 303 back to the page, or the page with what was refused (400, 404, 409).</li>
 *   <li>{@code GET .../events}: Server-Sent Events for the open page (the htmx SSE extension, {@code sse-swap}):
 *       event {@code transcript}, the transcript's HTML again (opened and audited again), whenever something changed
 *       in it: at once when this instance stored a message for it or queued a reply (the event bus), otherwise within
 *       {@value #CHECK_MS} ms (a cheap fingerprint, nothing opened, compared every so often: another instance, a
 *       delivery receipt). A comment every {@value EventStream#HEARTBEAT_MS} ms keeps it open; the session is looked at every
 *       {@value EventStream#RECHECK_MS} ms.</li>
 * </ul>
 */
public final class ConversationRoutes {
  public static final String BASE = "/console/conversations/";
  static final String TEMPLATE = "console/conversation.jte";
  static final String TRANSCRIPT_TEMPLATE = "console/conversation_transcript.jte";
  static final long CHECK_MS = 3_000;
  private static final Logger log = LoggerFactory.getLogger(ConversationRoutes.class);
  private static final Pattern CONTACT_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Vertx vertx;
  private final Console console;
  private final ConsoleViews views;
  private final SmsTakeovers takeovers;
  private final TakeoverRepository repository;
  private final Accounts accounts;
  private final Clock clock;
  private final ZoneId zone;
  private final Map<String, Set<Watch>> watching = new ConcurrentHashMap<>();

  public ConversationRoutes(Vertx vertx, Console console, SmsTakeovers takeovers, TakeoverRepository repository,
      Accounts accounts, Clock clock, ZoneId zone) {
    this.vertx = vertx;
    this.console = console;
    this.views = console.views();
    this.takeovers = takeovers;
    this.repository = repository;
    this.accounts = accounts;
    this.clock = clock;
    this.zone = zone;
  }

  public void mount(Router router) {
    var door = console.auth().require(Role.COUNSELLOR, Role.SUPERVISOR);
    router.get(BASE + ":id").handler(door).handler(this::page);
    router.get(BASE + ":id/events").handler(door).handler(this::events);
    router.post(BASE + ":id/take").handler(door).handler(ctx -> act(ctx, Action.TAKE));
    router.post(BASE + ":id/reply").handler(door).handler(ctx -> act(ctx, Action.REPLY));
    router.post(BASE + ":id/hand-back").handler(door).handler(ctx -> act(ctx, Action.HAND_BACK));
    router.post(BASE + ":id/close").handler(door).handler(ctx -> act(ctx, Action.CLOSE));
  }

  /** Something changed in this contact's conversation (any thread): its open pages read it again. */
  public void changed(String contactId) {
    if (contactId == null) {
      return;
    }
    for (var w : watching.getOrDefault(contactId, Set.of())) {
      w.context.runOnContext(v -> w.refresh());
    }
  }

  /** Ends every stream (the gateway stops). */
  public void close() {
    watching.values().forEach(set -> set.forEach(w -> w.context.runOnContext(v -> w.end())));
  }

  // ---- the page

  /** One line of the transcript as shown. */
  public record LineView(String from, String who, String text, String at, String status) {}

  /**
   * What the page shows: the conversation, who has it and since when, what this operator may do, the opt-out, the
   * follow-up task's state, the lines. {@code stamp} fingerprints it for the event stream.
   */
  public record View(String contactId, String reference, String channel, String started, boolean flowActive,
      String heldBy, String heldSince, boolean mine, boolean takeable, boolean canReply, boolean canEnd,
      boolean optedOut, String optedOutAt, String lastEndKey, String lastEndBy, String lastEndAt, String taskStatus,
      boolean answerable, List<LineView> lines, String stamp, int maxReply) {
    public String eventsUrl() {
      return BASE + contactId + "/events?since=" + URLEncoder.encode(stamp, StandardCharsets.UTF_8);
    }
  }

  private void page(RoutingContext ctx) {
    var id = contactId(ctx);
    if (id == null) {
      return;
    }
    var me = ConsoleAuth.operator(ctx);
    var words = views.words(ctx);
    console.workers().executeBlocking(() -> load(id, me, words), false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("sms conversation could not be read");
        views.error(ctx, 503, "error.503");
      } else if (ar.result().isEmpty()) {
        views.error(ctx, 404, "conversation.not_found");
      } else {
        render(ctx, 200, ar.result().get(), null);
      }
    });
  }

  private void render(RoutingContext ctx, int status, View view, String problem) {
    var base = views.page(ctx, "conversation.title");
    var page = new Page(base.words(), base.path(), base.query(), base.words().t("conversation.title", view.reference()),
        base.signed(), base.nav(), base.csrf());
    var p = new HashMap<String, Object>();
    p.put("page", page);
    p.put("view", view);
    p.put("problem", problem);
    views.render(ctx, status, TEMPLATE, p);
  }

  /**
   * The conversation with its transcript opened for {@code me} (audited), or empty when there is no such contact or
   * it is not an SMS one.
   */
  @OnWorker
  private Optional<View> load(String id, Operator me, Messages.Bundle words) {
    var state = takeovers.state(id);
    if (state.isEmpty() || !state.get().conversation().channel().isSms()) {
      return Optional.empty();
    }
    var stamp = repository.stamp(id); // before the texts: a change after it is seen by the stream
    var transcript = repository.transcript(id, me.id(), clock.instant());
    if (transcript.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(view(state.get(), transcript.get(), me, words, stamp));
  }

  private View view(SmsTakeovers.State state, TakeoverRepository.Transcript t, Operator me, Messages.Bundle words,
      String stamp) {
    var conv = t.conversation();
    var open = t.open();
    var names = new HashMap<String, String>();
    java.util.function.Function<String, String> name = opId -> opId == null ? null
        : names.computeIfAbsent(opId, k -> accounts.byId(k).map(Operator::name).orElse(words.t("conversation.someone")));
    var lines = new ArrayList<LineView>();
    for (var l : t.lines()) {
      var from = switch (l.from()) {
        case TEXTER -> "texter";
        case HOTLINE -> "hotline";
        case COUNSELLOR -> "counsellor";
      };
      var who = switch (l.from()) {
        case TEXTER -> words.t("conversation.from_texter");
        case HOTLINE -> words.t("conversation.from_flow");
        case COUNSELLOR -> name.apply(l.operatorId());
      };
      lines.add(new LineView(from, who, l.text() == null ? words.t("conversation.text_gone") : l.text(),
          ContactCard.format(ContactCard.TIME, l.at(), zone),
          l.status() == null ? null : words.t("conversation.status." + l.status().wire())));
    }
    boolean mine = open.isPresent() && open.get().operatorId().equals(me.id());
    boolean answerable = conv.channel().isSms() && !conv.erased() && conv.sealedNumber() != null;
    var last = t.takeovers().stream().filter(x -> !x.open()).findFirst();
    var task = state.task().filter(x -> x.kind() == Followup.Kind.SMS_REPLY)
        .map(x -> words.t("conversation.task." + x.status().wire())).orElse(null);
    return new View(conv.contactId(), ContactCard.grouped(conv.reference()), conv.channel().wire(),
        ContactCard.format(ContactCard.TIME, conv.startedAt(), zone), conv.activeSessionId() != null,
        open.map(x -> name.apply(x.operatorId())).orElse(null),
        open.map(x -> ContactCard.format(ContactCard.TIME, x.startedAt(), zone)).orElse(null), mine,
        state.takeable(), mine && answerable && !t.optedOut(),
        open.isPresent() && (mine || me.is(Role.SUPERVISOR)), t.optedOut(),
        t.optOutChangedAt() == null ? null : ContactCard.format(ContactCard.TIME, t.optOutChangedAt(), zone),
        last.map(x -> TakeoverRepository.HANDED_BACK.equals(x.endReason()) ? "conversation.handed_back_by"
            : "conversation.closed_by").orElse(null),
        last.map(x -> name.apply(x.endedBy())).orElse(null),
        last.map(x -> ContactCard.format(ContactCard.TIME, x.endedAt(), zone)).orElse(null), task, answerable,
        List.copyOf(lines), stamp, SmsTakeovers.MAX_REPLY);
  }

  // ---- the changes

  private enum Action { TAKE, REPLY, HAND_BACK, CLOSE }

  private void act(RoutingContext ctx, Action action) {
    var id = contactId(ctx);
    if (id == null) {
      return;
    }
    var me = ConsoleAuth.operator(ctx);
    var words = views.words(ctx);
    var text = action == Action.REPLY ? ctx.request().getFormAttribute("text") : null;
    console.workers().executeBlocking(() -> {
      try {
        switch (action) {
          case TAKE -> takeovers.takeOver(id, me.id());
          case REPLY -> takeovers.reply(id, me.id(), text);
          case HAND_BACK -> takeovers.handBack(id, me.id(), me.is(Role.SUPERVISOR));
          case CLOSE -> takeovers.close(id, me.id(), me.is(Role.SUPERVISOR));
        }
        return new Outcome(null, null, null);
      } catch (SmsTakeovers.Refused e) {
        return new Outcome(e.why(), load(id, me, words).orElse(null), text);
      }
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("sms conversation could not be changed");
        views.error(ctx, 503, "error.503");
        return;
      }
      var o = ar.result();
      if (o.refused() == null) {
        ctx.response().setStatusCode(303).putHeader("Location", BASE + id).end();
        return;
      }
      if (o.refused() == SmsTakeovers.Refused.Why.NO_SUCH_CONTACT || o.view() == null) {
        views.error(ctx, 404, "conversation.not_found");
        return;
      }
      int status = o.refused() == SmsTakeovers.Refused.Why.BAD_TEXT ? 400 : 409;
      render(ctx, status, o.view(), "conversation.refused." + o.refused().name().toLowerCase());
    });
  }

  /** What a change came to: refused (with the page to show again) or done. */
  private record Outcome(SmsTakeovers.Refused.Why refused, View view, String text) {}

  // ---- the event stream

  private void events(RoutingContext ctx) {
    var id = contactId(ctx);
    if (id == null) {
      return;
    }
    var page = views.page(ctx, "conversation.title");
    var since = ctx.request().getParam("since");
    var w = new Watch(EventStream.open(vertx, console, ctx), id, page, since == null ? "" : since);
    watching.compute(id, (k, set) -> {
      var s = set == null ? ConcurrentHashMap.<Watch>newKeySet() : set;
      s.add(w);
      return s;
    });
    w.start();
  }

  /** One open conversation page's stream; its state is touched on its own context only. */
  private final class Watch {
    final EventStream events;
    final Context context;
    final String contactId;
    final Page page;
    String stamp;
    boolean reading;
    boolean again;
    long check = -1;

    Watch(EventStream events, String contactId, Page page, String since) {
      this.events = events;
      this.context = events.context;
      this.contactId = contactId;
      this.page = page;
      this.stamp = since;
      events.onClose(() -> {
        vertx.cancelTimer(check);
        watching.computeIfPresent(contactId, (k, set) -> {
          set.remove(this);
          return set.isEmpty() ? null : set;
        });
      });
    }

    void start() {
      check = vertx.setPeriodic(CHECK_MS, x -> look());
      look(); // what changed between the page and this stream is sent now
    }

    /** Compares the fingerprint (nothing opened); reads the transcript again only when it changed. */
    void look() {
      if (events.closed() || reading) {
        return;
      }
      console.workers().executeBlocking(() -> repository.stamp(contactId), false).onComplete(ar -> {
        if (ar.succeeded() && !ar.result().equals(stamp)) {
          refresh();
        }
      });
    }

    void refresh() {
      if (events.closed()) {
        return;
      }
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      var me = events.signed.operator();
      console.workers().executeBlocking(() -> load(contactId, me, page.words()), false).onComplete(ar -> {
        reading = false;
        if (ar.succeeded() && ar.result().isPresent() && !events.closed()) {
          var view = ar.result().get();
          stamp = view.stamp();
          events.write(EventStream.event("transcript", views.renderToString(TRANSCRIPT_TEMPLATE,
              Map.of("page", page, "view", view))));
        } else if (ar.failed()) {
          log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("sms conversation could not be read");
        }
        if (again) {
          again = false;
          refresh();
        }
      });
    }

    void end() {
      events.end();
    }
  }

  /** The contact id of the path, or null after answering 404 when it cannot be one. */
  private String contactId(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    if (id == null || !CONTACT_ID.matcher(id).matches()) {
      views.error(ctx, 404, "conversation.not_found");
      return null;
    }
    return id;
  }
}
