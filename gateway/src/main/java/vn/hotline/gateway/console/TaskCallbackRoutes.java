package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.followup.Callbacks;
import vn.hotline.gateway.followup.Followups;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.store.CallbackRepository;

/**
 * "Call back" on a callback task, for counsellors and supervisors ({@link Callbacks}):
 *
 * <ul>
 *   <li>{@code POST /console/tasks/{id}/callback} (CSRF): rings the signed-in operator's own phone; once they pick
 *       up and press 1, the child is called with the hotline's number. htmx gets the fragment
 *       ({@code console/task_callback.jte}), a plain form the page;</li>
 *   <li>{@code GET /console/tasks/{id}/callback}: the fragment on a page of its own (htmx: the fragment alone, which
 *       reloads itself every two seconds while a call is under way), so the task page can hold it.</li>
 * </ul>
 *
 * Neither shows a number: the task's reference, the call's state and what was recorded. Store and Twilio work runs
 * on the {@code store} workers.
 */
public final class TaskCallbackRoutes {
  private static final Logger log = LoggerFactory.getLogger(TaskCallbackRoutes.class);
  private static final Pattern TASK_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  static final String FRAGMENT = "console/task_callback.jte";
  static final String PAGE = "console/task_callback_page.jte";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm dd/MM");

  /**
   * What the fragment shows: the task's reference, whether "Call back" can be pressed, whether a call is under way
   * (the fragment reloads itself), the words of the call's state (callback.state.*), the attempts so far, when to
   * try again (local time, or null), and a notice (callback.refused.* or callback.asked, or null).
   */
  public record View(String taskId, String reference, boolean callable, boolean live, String stateKey, int attempts,
      int maxAttempts, String tryAgainAt, boolean closed, String noticeKey) {}

  private final ConsoleAuth auth;
  private final ConsoleViews views;
  private final Callbacks callbacks;
  private final WorkerExecutor workers;
  private final ZoneId zone;

  public TaskCallbackRoutes(Console console, Callbacks callbacks, WorkerExecutor workers, ZoneId zone) {
    this.auth = console.auth();
    this.views = console.views();
    this.callbacks = callbacks;
    this.workers = workers;
    this.zone = zone;
  }

  public void mount(Router router) {
    var door = auth.require(Role.COUNSELLOR, Role.SUPERVISOR);
    router.get(ConsoleRoutes.BASE + "/tasks/:id/callback").handler(door).handler(this::show);
    router.post(ConsoleRoutes.BASE + "/tasks/:id/callback").handler(door).handler(this::call);
  }

  /** The fragment's view of a task, read on a worker (for a task page that holds the fragment). */
  public static Optional<View> view(Callbacks callbacks, String taskId, ZoneId zone, String noticeKey) {
    return callbacks.shown(taskId).map(s -> view(s, zone, noticeKey));
  }

  static View view(Callbacks.Shown s, ZoneId zone, String noticeKey) {
    var latest = s.latest();
    boolean live = s.callUnderWay();
    String state = latest == null ? null : latest.state() != CallbackRepository.State.ENDED
        ? (live ? "callback.state." + latest.state().wire() : null) : "callback.result." + latest.result().wire();
    var again = s.tryAgainAfter() == null || !s.status().open() ? null : TIME.format(s.tryAgainAfter().atZone(zone));
    return new View(s.taskId(), s.referenceGrouped(), s.callable(), live, state, s.attempts(), Followups.MAX_ATTEMPTS,
        again, !s.status().open(), noticeKey);
  }

  private void show(RoutingContext ctx) {
    var id = taskId(ctx);
    if (id == null) {
      return;
    }
    workers.executeBlocking(() -> view(callbacks, id, zone, null), false).onComplete(ar -> answer(ctx, 200, ar.cause(),
        ar.result()));
  }

  private void call(RoutingContext ctx) {
    var id = taskId(ctx);
    if (id == null) {
      return;
    }
    var operator = ConsoleAuth.operator(ctx).id();
    boolean supervisor = ConsoleAuth.operator(ctx).is(Role.SUPERVISOR);
    var lang = views.words(ctx).lang();
    workers.executeBlocking(() -> {
      var started = callbacks.start(id, operator, supervisor, lang);
      var notice = switch (started) {
        case Callbacks.Started.Ringing r -> "callback.asked";
        case Callbacks.Started.Refused r -> "callback.refused." + r.why().wire();
      };
      int status = switch (started) {
        case Callbacks.Started.Ringing r -> 200;
        case Callbacks.Started.Refused r -> switch (r.why()) {
          case NO_SUCH_TASK -> 404;
          case NOT_OPEN, ALREADY_CALLING, NO_NUMBER_KEPT, ASSIGNED_TO_ANOTHER -> 409;
          case NOT_A_CALLBACK, NO_PHONE -> 400;
          case NOT_CONFIGURED, TWILIO_REFUSED -> 503;
        };
      };
      return java.util.Map.entry(status, view(callbacks, id, zone, notice));
    }, false).onComplete(ar -> answer(ctx, ar.succeeded() ? ar.result().getKey() : 503, ar.cause(),
        ar.succeeded() ? ar.result().getValue() : Optional.empty()));
  }

  private void answer(RoutingContext ctx, int status, Throwable failure, Optional<View> view) {
    if (failure != null) {
      log.atWarn().addKeyValue("error", HttpEdge.reason(failure)).log("callback could not be read or started");
      views.error(ctx, 503, "error.503");
      return;
    }
    if (view.isEmpty()) {
      views.error(ctx, 404, "callback.not_found");
      return;
    }
    var p = new HashMap<String, Object>();
    var page = views.page(ctx, "callback.title");
    p.put("page", new Page(page.words(), page.path(), page.query(), page.t("callback.title", view.get().reference()),
        page.signed(), page.nav(), page.csrf()));
    p.put("view", view.get());
    // htmx swaps only a 2xx answer: the fragment says what was refused itself
    boolean htmx = ctx.request().getHeader("HX-Request") != null;
    views.render(ctx, htmx ? 200 : status, htmx ? FRAGMENT : PAGE, p);
  }

  private String taskId(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    if (id == null || !TASK_ID.matcher(id).matches()) {
      views.error(ctx, 404, "callback.not_found");
      return null;
    }
    return id;
  }
}
