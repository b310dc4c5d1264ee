package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.board.BoardFeed;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.followup.Callbacks;
import vn.hotline.gateway.followup.Followups;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.store.RecordingRepository;
import vn.hotline.gateway.util.OnWorker;

/**
 * The follow-up tasks (the promises made to callers) on the console, for counsellors and supervisors:
 *
 * <ul>
 *   <li>{@code GET /console/tasks}: the open tasks, urgent first then soonest due: what to do, age, due time
 *       (overdue in red), the reference, attempts and "try again after", who has it. No personal data.</li>
 *   <li>{@code GET /console/tasks/{id}}: one task, its attempts, and what can be done: take it, record an attempt,
 *       "voicemail heard" (a voicemail review), reassign (supervisors), and the voicemail's player (the audio comes
 *       from {@link RecordingRoutes}, audited when played). The page itself shows no personal data.</li>
 *   <li>{@code POST /console/tasks/{id}/take}, {@code .../attempt} ({@code result}), {@code .../reviewed},
 *       {@code .../assign} ({@code operator}; supervisors only): each with the session's CSRF token, through
 *       {@link Followups} (which audits it with the operator); the task page again with what was done. A refusal
 *       changes nothing: 404 (no such task), 409 (closed already), 400 (no such counsellor, not this kind of task, an
 *       unknown result).</li>
 * </ul>
 */
public final class TaskRoutes {
  public static final String TASKS = "/console/tasks";
  static final String LIST = "console/tasks.jte";
  static final String PAGE = "console/task.jte";
  private static final Logger log = LoggerFactory.getLogger(TaskRoutes.class);
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Console console;
  private final ConsoleViews views;
  private final Followups followups;
  private final Accounts accounts;
  private final RecordingRepository recordings;
  private final BoardFeed feed;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final ZoneId zone;
  private final Callbacks callbacks;

  /** {@code callbacks}: the "Call back" of a callback task, on its page. */
  public TaskRoutes(Console console, Followups followups, Accounts accounts, RecordingRepository recordings,
      Callbacks callbacks, BoardFeed feed, WorkerExecutor workers, Clock clock, ZoneId zone) {
    this.callbacks = callbacks;
    this.console = console;
    this.views = console.views();
    this.followups = followups;
    this.accounts = accounts;
    this.recordings = recordings;
    this.feed = feed;
    this.workers = workers;
    this.clock = clock;
    this.zone = zone;
  }

  /** A task as its page shows it: the task, and the call-back control of a callback task (else null). */
  private record Shown(TaskModel.Detail detail, TaskCallbackRoutes.View callback) {}

  public void mount(Router router) {
    var who = console.auth().require(Role.COUNSELLOR, Role.SUPERVISOR);
    router.get(TASKS).handler(who).handler(this::list);
    router.get(TASKS + "/:id").handler(who).handler(this::page);
    router.post(TASKS + "/:id/take").handler(who).handler(this::take);
    router.post(TASKS + "/:id/attempt").handler(who).handler(this::attempt);
    router.post(TASKS + "/:id/reviewed").handler(who).handler(this::reviewed);
    router.post(TASKS + "/:id/assign").handler(console.auth().require(Role.SUPERVISOR)).handler(this::assign);
  }

  // ---- the list

  private void list(RoutingContext ctx) {
    var me = ConsoleAuth.operator(ctx).id();
    var words = views.words(ctx);
    workers.executeBlocking(() -> {
      var names = names();
      var now = clock.instant();
      return followups.openTasks().stream().map(t -> TaskModel.row(t, words, zone, now, names, me)).toList();
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("the follow-up tasks could not be read");
        views.error(ctx, 503, "error.503");
        return;
      }
      var p = new HashMap<String, Object>();
      p.put("page", views.page(ctx, "tasks.title"));
      p.put("tasks", ar.result());
      views.render(ctx, 200, LIST, p);
    });
  }

  // ---- one task

  private void page(RoutingContext ctx) {
    var id = taskId(ctx);
    if (id != null) {
      show(ctx, id, 200, null);
    }
  }

  /** The task page with {@code doneKey} (what was just done), or 404 when there is no such task. */
  private void show(RoutingContext ctx, String id, int status, String doneKey) {
    var me = ConsoleAuth.operator(ctx);
    var words = views.words(ctx);
    workers.executeBlocking(() -> {
      var d = detail(id, me, words);
      var callback = d == null || !Followup.Kind.CALLBACK.wire().equals(d.row().kind()) ? null
          : TaskCallbackRoutes.view(callbacks, id, zone, null).orElse(null);
      return d == null ? null : new Shown(d, callback);
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("a follow-up task could not be read");
        views.error(ctx, 503, "error.503");
        return;
      }
      if (ar.result() == null) {
        views.error(ctx, 404, "task.refused.no_such_task");
        return;
      }
      var base = views.page(ctx, "task.title");
      var d = ar.result().detail();
      var page = new Page(base.words(), base.path(), base.query(), words.t("task.title_of",
          d.row().kindLabel(), d.row().reference()), base.signed(), base.nav(), base.csrf());
      var p = new HashMap<String, Object>();
      p.put("page", page);
      p.put("task", d);
      p.put("callback", ar.result().callback());
      p.put("done", doneKey);
      views.render(ctx, status, PAGE, p);
    });
  }

  @OnWorker
  private TaskModel.Detail detail(String id, Operator me, Messages.Bundle words) {
    var t = followups.task(id);
    if (t.isEmpty()) {
      return null;
    }
    var task = t.get();
    var everyone = accounts.list();
    var names = everyone.stream().collect(Collectors.toMap(Operator::id, Operator::name, (a, b) -> a));
    boolean supervisor = me.is(Role.SUPERVISOR);
    var choices = !supervisor ? List.<TaskModel.Choice>of() : everyone.stream()
        .filter(o -> o.status() == Operator.Status.ACTIVE && o.is(Role.COUNSELLOR, Role.SUPERVISOR))
        .map(o -> new TaskModel.Choice(o.id(), o.name(), o.id().equals(task.assignedOperator()))).toList();
    // whether there is a voicemail to play: the reference is opened here to know it, never shown
    boolean recording = recordings.recordingSid(task.contactId()).isPresent();
    return TaskModel.detail(task, followups.attempts(id), recording, words, zone, clock.instant(), names, me.id(),
        supervisor, choices);
  }

  // ---- changes

  private void take(RoutingContext ctx) {
    var me = ConsoleAuth.operator(ctx).id();
    change(ctx, "task.done.taken", id -> followups.assign(id, me, me, clock.instant()));
  }

  private void attempt(RoutingContext ctx) {
    Followup.Result result;
    try {
      result = Followup.Result.of(ctx.request().getFormAttribute("result"));
    } catch (IllegalArgumentException e) {
      views.error(ctx, 400, "task.refused.invalid_result");
      return;
    }
    var me = ConsoleAuth.operator(ctx).id();
    change(ctx, "task.done.attempt", id -> followups.recordAttempt(id, me, result, clock.instant()));
  }

  private void reviewed(RoutingContext ctx) {
    var me = ConsoleAuth.operator(ctx).id();
    change(ctx, "task.done.reviewed", id -> followups.reviewed(id, me, clock.instant()));
  }

  private void assign(RoutingContext ctx) {
    var to = ctx.request().getFormAttribute("operator");
    if (to == null || !ID.matcher(to).matches()) {
      views.error(ctx, 400, "task.refused.no_such_operator");
      return;
    }
    var me = ConsoleAuth.operator(ctx).id();
    change(ctx, "task.done.assigned", id -> followups.assign(id, to, me, clock.instant()));
  }

  /** Runs one change on a worker; the task page with what was done, or the refusal in words (nothing changed). */
  private void change(RoutingContext ctx, String doneKey, java.util.function.Consumer<String> work) {
    var id = taskId(ctx);
    if (id == null) {
      return;
    }
    workers.executeBlocking(() -> {
      work.accept(id);
      return null;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof Followups.Refused r) {
          var status = switch (r.why()) {
            case NO_SUCH_TASK -> 404;
            case NOT_OPEN -> 409;
            case NO_SUCH_OPERATOR, WRONG_KIND -> 400;
          };
          views.error(ctx, status, "task.refused." + r.why().name().toLowerCase(java.util.Locale.ROOT));
          return;
        }
        log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("a follow-up task could not be changed");
        views.error(ctx, 503, "error.503");
        return;
      }
      feed.changed();
      show(ctx, id, 200, doneKey);
    });
  }

  @OnWorker
  private Map<String, String> names() {
    return accounts.list().stream().collect(Collectors.toMap(Operator::id, Operator::name, (a, b) -> a));
  }

  /** The task id of the path, or null after answering 404 when it cannot be one. */
  private String taskId(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    if (id == null || !ID.matcher(id).matches()) {
      views.error(ctx, 404, "task.refused.no_such_task");
      return null;
    }
    return id;
  }
}
