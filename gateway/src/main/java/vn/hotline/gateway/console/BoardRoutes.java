package vn.hotline.gateway.console;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.board.BoardFeed;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.operators.Sessions;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.PresenceRepository;
import vn.hotline.gateway.util.OnWorker;

/**
 * The live board and what goes with it, for counsellors and supervisors:
 *
 * <ul>
 *   <li>{@code GET /console/board}: the board (contacts in progress, urgent first; today's totals; the counsellors;
 *       the reports awaiting review), read once on a store worker. It is the page /console sends them to.
 *   <li>{@code GET /console/board/events}: Server-Sent Events. Every console page of a counsellor or supervisor
 *       opens it (console.js); with {@code ?board=1} (the board page) each new reading of the {@link BoardFeed}
 *       comes as event {@code board}, the board's HTML fragment; for every page, event {@code pop} (data: the
 *       contact card's path) when a call is put through to this operator (they pressed 1 at the whisper), and
 *       {@code ended} when the session is over. A comment every {@value EventStream#HEARTBEAT_MS} ms keeps the connection
 *       open; the session is looked at every {@value EventStream#RECHECK_MS} ms without counting as a request. The feed is
 *       watched while the stream is open and unwatched when the browser goes away.
 *   <li>{@code GET /console/presence} (the header's control, loaded by htmx) and {@code POST /console/presence}
 *       ({@code presence=available|busy|away}, CSRF token): the operator's presence, audited
 *       ({@code operator.presence}); signing out sets away.
 * </ul>
 *
 * A pop comes from {@link #pop} (the event bus, when this instance recorded the press of 1) or, when another
 * instance recorded it, from the next board reading that shows the contact with this operator.
 */
public final class BoardRoutes {
  public static final String BOARD = "/console/board";
  public static final String EVENTS = "/console/board/events";
  public static final String PRESENCE = "/console/presence";
  public static final String CARD = "/console/contacts/";
  private static final Logger log = LoggerFactory.getLogger(BoardRoutes.class);
  private static final Pattern CONTACT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Vertx vertx;
  private final Console console;
  private final ConsoleViews views;
  private final Board board;
  private final BoardFeed feed;
  private final PresenceRepository presence;
  private final Taxonomy taxonomy;
  private final ZoneId zone;
  private final Clock clock;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

  public BoardRoutes(Vertx vertx, Console console, Board board, BoardFeed feed, PresenceRepository presence,
      Taxonomy taxonomy, ZoneId zone, Clock clock) {
    this.vertx = vertx;
    this.console = console;
    this.views = console.views();
    this.board = board;
    this.feed = feed;
    this.presence = presence;
    this.taxonomy = taxonomy;
    this.zone = zone;
    this.clock = clock;
  }

  /** Mounts the pages (after {@link Console#mount}); /console now sends counsellors and supervisors to the board. */
  public void mount(Router router) {
    var who = console.auth().require(Role.COUNSELLOR, Role.SUPERVISOR);
    router.get(BOARD).handler(who).handler(this::page);
    router.get(EVENTS).handler(who).handler(this::events);
    router.get(PRESENCE).handler(who).handler(this::presenceControl);
    router.post(PRESENCE).handler(who).handler(this::setPresence);
    console.landing(BOARD, Role.COUNSELLOR, Role.SUPERVISOR);
    console.onSignOut(this::signedOut);
  }

  /** A call was put through to {@code operatorId}: their open console pages go to the contact's card. Any thread. */
  public void pop(String operatorId, String contactId) {
    if (operatorId == null || contactId == null || !CONTACT.matcher(contactId).matches()) {
      return;
    }
    for (var s : streams) {
      if (s.operatorId().equals(operatorId)) {
        s.context.runOnContext(v -> s.pop(contactId));
      }
    }
  }

  /** How many event streams are open (browser pages of counsellors and supervisors). */
  public int open() {
    return streams.size();
  }

  /** Ends every stream (the gateway stops). */
  public void close() {
    for (var s : streams) {
      s.context.runOnContext(v -> s.end());
    }
  }

  // ---- the board page

  private void page(RoutingContext ctx) {
    var me = ConsoleAuth.operator(ctx);
    console.workers().executeBlocking(board::read, false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("the live board could not be read");
        views.error(ctx, 503, "error.503");
        return;
      }
      var page = views.page(ctx, "board.title");
      views.render(ctx, 200, "console/board.jte", Map.of("page", page, "board", model(ar.result(), page, me.id())));
    });
  }

  private BoardModel model(Board.View view, Page page, String me) {
    return new BoardModel(view, page.words(), taxonomy, zone, me);
  }

  // ---- the event stream

  private void events(RoutingContext ctx) {
    var withBoard = "1".equals(ctx.request().getParam("board"));
    var page = views.page(ctx, "board.title");
    var s = new Stream(EventStream.open(vertx, console, ctx), withBoard, page);
    streams.add(s);
    s.start();
    feed.watch(s);
  }

  /** One browser page's event stream: the board (on the board page) and the pops. Touched on its own context only. */
  private final class Stream implements Consumer<Board.View> {
    final EventStream events;
    final Context context;
    final boolean withBoard;
    final Page page;
    /** Contacts put through to this operator already popped (or already theirs when the stream opened). */
    final Set<String> popped = new HashSet<>();
    boolean seeded;
    Board.View skipped;

    Stream(EventStream events, boolean withBoard, Page page) {
      this.events = events;
      this.context = events.context;
      this.withBoard = withBoard;
      this.page = page;
      events.onClose(() -> {
        feed.unwatch(this);
        streams.remove(this);
      });
    }

    String operatorId() {
      return events.signed.operator().id();
    }

    void start() {
      events.res.drainHandler(v -> {
        var view = skipped;
        skipped = null;
        if (view != null) {
          onView(view);
        }
      });
    }

    /** A new reading of the board (on the feed's thread): handled on this stream's context. */
    @Override
    public void accept(Board.View view) {
      context.runOnContext(v -> onView(view));
    }

    private void onView(Board.View view) {
      if (events.closed()) {
        return;
      }
      var me = operatorId();
      for (var i : view.items()) {
        if (i.state() == Board.State.WITH_COUNSELLOR && me.equals(i.counsellor())) {
          if (!seeded) {
            popped.add(i.contactId()); // theirs before this page opened: no pop
          } else {
            pop(i.contactId()); // recorded by another instance: the event bus did not tell this one
          }
        }
      }
      seeded = true;
      if (!withBoard) {
        return;
      }
      if (events.res.writeQueueFull()) {
        skipped = view; // a slow browser gets the latest reading when it has caught up
        return;
      }
      var html = views.renderToString("console/board_live.jte", Map.of("page", page, "board", model(view, page, me)));
      events.write(event("board", html));
    }

    void pop(String contactId) {
      if (!events.closed() && popped.add(contactId)) {
        events.write(event("pop", CARD + contactId));
      }
    }

    void ended() {
      events.ended();
    }

    void end() {
      events.end();
    }
  }

  /** One Server-Sent Event: its name, then the data line by line. */
  static String event(String name, String data) {
    return EventStream.event(name, data);
  }

  // ---- presence

  private void presenceControl(RoutingContext ctx) {
    var me = ConsoleAuth.operator(ctx);
    console.workers().executeBlocking(() -> presence.of(me.id()).map(Presence::of).orElse(Presence.AWAY), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            views.error(ctx, 503, "error.503");
          } else {
            control(ctx, ar.result());
          }
        });
  }

  private void control(RoutingContext ctx, Presence current) {
    views.render(ctx, 200, "console/presence.jte", Map.of("page", views.page(ctx, "presence.label"), "current", current));
  }

  private void setPresence(RoutingContext ctx) {
    Presence chosen;
    try {
      chosen = Presence.of(ctx.request().getFormAttribute("presence"));
    } catch (IllegalArgumentException e) {
      views.error(ctx, 400, "presence.invalid");
      return;
    }
    var me = ConsoleAuth.operator(ctx);
    var actor = ConsoleAuth.actor(ctx);
    console.workers().executeBlocking(() -> presence.set(me.id(), chosen.wire(), actor, clock.instant()), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            views.error(ctx, 503, "error.503");
          } else if (!ar.result()) {
            views.error(ctx, 403, "error.403");
          } else {
            feed.changed();
            if (ctx.request().getHeader("HX-Request") != null) {
              control(ctx, chosen);
            } else {
              ctx.response().setStatusCode(303).putHeader("Location", BOARD).end();
            }
          }
        });
  }

  /** On a worker, before the session ends: a counsellor who signs out is away (and their other pages close). */
  @OnWorker
  private void signedOut(Sessions.Active s) {
    var op = s.operator();
    if (!op.is(Role.COUNSELLOR, Role.SUPERVISOR)) {
      return;
    }
    var now = presence.of(op.id());
    if (now.isPresent() && !Presence.AWAY.wire().equals(now.get())) {
      presence.set(op.id(), Presence.AWAY.wire(), "operator:" + op.id(), clock.instant());
      feed.changed();
    }
    // the session ends right after this step: the pages still open on it are told a moment later
    vertx.setTimer(1_000, id -> {
      for (var stream : streams) {
        if (stream.events.signed.sessionId().equals(s.sessionId())) {
          stream.context.runOnContext(v -> stream.ended());
        }
      }
    });
  }
}
