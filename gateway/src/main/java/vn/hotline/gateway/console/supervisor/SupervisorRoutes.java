package vn.hotline.gateway.console.supervisor;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.console.Console;
import vn.hotline.gateway.console.ConsoleAuth;
import vn.hotline.gateway.console.ConsoleViews;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.stats.Statistics;

/**
 * The supervisor view under /console/supervisor (supervisors only): the live part (every counsellor, the
 * contacts waiting and in progress, today's calls abandoned before reaching anyone, overdue reviews), which the
 * page refreshes every {@value #POLL_SECONDS} s by asking for {@code /console/supervisor/live} (htmx polling: one
 * small set of queries per supervisor's page, not per counsellor); reassigning a contact; flagging a caller and
 * clearing a flag. The yearly figures at /console/supervisor/stats (supervisors and admins), with the CSV the
 * stats command prints. Every store call runs on the {@code store} workers.
 */
public final class SupervisorRoutes {
  public static final String BASE = "/console/supervisor";
  /** How often the page asks for its live part. */
  public static final int POLL_SECONDS = 5;
  private static final Logger log = LoggerFactory.getLogger(SupervisorRoutes.class);

  private final Console console;
  private final ConsoleViews views;
  private final Supervision supervision;
  private final WorkerExecutor workers;

  public SupervisorRoutes(Console console, Supervision supervision, WorkerExecutor workers) {
    this.console = console;
    this.views = console.views();
    this.supervision = supervision;
    this.workers = workers;
  }

  /** Mounts the pages; after {@link Console#mount}, behind its door. */
  public void mount(Router router) {
    var supervisors = console.auth().require(Role.SUPERVISOR);
    var figures = console.auth().require(Role.SUPERVISOR, Role.ADMIN);
    router.get(BASE).handler(supervisors).handler(ctx -> show(ctx, 200, null, null, Map.of()));
    router.get(BASE + "/live").handler(supervisors).handler(this::live);
    router.post(BASE + "/contacts/:id/assign").handler(supervisors).handler(this::reassign);
    router.post(BASE + "/flags").handler(supervisors).handler(this::flag);
    router.post(BASE + "/flags/clear").handler(supervisors).handler(this::unflag);
    // the page a form answered, asked for again (its language link, a reload after the back button): the view
    for (var posted : List.of(BASE + "/contacts/:id/assign", BASE + "/flags", BASE + "/flags/clear")) {
      router.get(posted).handler(supervisors).handler(ctx -> ctx.response().setStatusCode(303)
          .putHeader("Location", BASE).end());
    }
    router.get(BASE + "/stats").handler(figures).handler(this::stats);
    router.get(BASE + "/stats.csv").handler(figures).handler(this::statsCsv);
  }

  /** What the whole page shows: the live part and the active flags. */
  private record Content(Supervision.Live live, List<Supervision.FlagRow> flags) {}

  private void show(RoutingContext ctx, int status, String notice, String error, Map<String, String> typed) {
    workers.executeBlocking(() -> new Content(supervision.live(), supervision.activeFlags()), false).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      var p = new HashMap<String, Object>();
      p.put("page", views.page(ctx, "supervisor.title"));
      p.put("live", ar.result().live());
      p.put("flags", ar.result().flags());
      p.put("notice", notice);
      p.put("error", error);
      p.put("typed", typed);
      p.put("poll", POLL_SECONDS);
      views.render(ctx, status, "console/supervisor.jte", p);
    });
  }

  private void live(RoutingContext ctx) {
    workers.executeBlocking(supervision::live, false).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      views.render(ctx, 200, "console/supervisor_live.jte",
          Map.of("page", views.page(ctx, "supervisor.title"), "live", ar.result(), "poll", POLL_SECONDS));
    });
  }

  private void reassign(RoutingContext ctx) {
    var contact = ctx.pathParam("id");
    var operator = ctx.request().getFormAttribute("operator");
    var actor = ConsoleAuth.actor(ctx);
    workers.executeBlocking(() -> supervision.reassign(contact, operator, actor), false).onComplete(ar -> {
      if (ar.succeeded()) {
        show(ctx, 200, views.words(ctx).t("supervisor.assign.done", ar.result().reference(), ar.result().name()), null,
            Map.of());
      } else {
        refused(ctx, ar.cause(), Map.of());
      }
    });
  }

  private void flag(RoutingContext ctx) {
    var reference = ctx.request().getFormAttribute("reference");
    var hours = ctx.request().getFormAttribute("hours");
    var reason = ctx.request().getFormAttribute("reason");
    var typed = new HashMap<String, String>();
    typed.put("reference", reference == null ? "" : reference);
    typed.put("hours", hours == null ? "" : hours);
    typed.put("reason", reason == null ? "" : reason);
    var by = ConsoleAuth.operator(ctx).id();
    workers.executeBlocking(() -> supervision.flag(reference, hours, reason, by), false).onComplete(ar -> {
      if (ar.succeeded()) {
        show(ctx, 201, views.words(ctx).t("supervisor.flag.done", ar.result().reference(), ar.result().hours()), null,
            Map.of());
      } else {
        refused(ctx, ar.cause(), typed);
      }
    });
  }

  private void unflag(RoutingContext ctx) {
    var reference = ctx.request().getFormAttribute("reference");
    var by = ConsoleAuth.operator(ctx).id();
    workers.executeBlocking(() -> supervision.unflag(reference, by), false).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        show(ctx, 200, views.words(ctx).t("supervisor.unflag.done", reference.strip()), null, Map.of());
      } else if (ar.succeeded()) {
        show(ctx, 404, null, views.words(ctx).t("supervisor.unflag.none", reference.strip()), Map.of());
      } else {
        refused(ctx, ar.cause(), Map.of());
      }
    });
  }

  /** The reporting year and groupings asked for, or null after answering with what is wrong in them. */
  private Asked asked(RoutingContext ctx) {
    try {
      return new Asked(supervision.year(ctx.request().getParam("year")), Supervision.by(ctx.queryParam("by")));
    } catch (Supervision.Refused e) {
      views.error(ctx, e.status(), e.key());
      return null;
    }
  }

  /** A figures request: the reporting year asked for and its groupings, in the order asked. */
  private record Asked(int year, List<Statistics.Dimension> by) {}

  private void stats(RoutingContext ctx) {
    var asked = asked(ctx);
    if (asked == null) {
      return;
    }
    int year = asked.year();
    var by = asked.by();
    workers.executeBlocking(() -> supervision.figures(year, by), false).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      var p = new HashMap<String, Object>();
      p.put("page", views.page(ctx, "stats.title"));
      p.put("figures", ar.result());
      p.put("dimensions", Arrays.asList(Statistics.Dimension.values()));
      p.put("csv", BASE + "/stats.csv?year=" + year
          + (by.isEmpty() ? "" : "&by=" + by.stream().map(Statistics.Dimension::key).collect(Collectors.joining(","))));
      views.render(ctx, 200, "console/supervisor_stats.jte", p);
    });
  }

  private void statsCsv(RoutingContext ctx) {
    var asked = asked(ctx);
    if (asked == null) {
      return;
    }
    int year = asked.year();
    var by = asked.by();
    workers.executeBlocking(() -> supervision.csv(year, by), false).onComplete(ar -> {
      if (ar.failed()) {
        unavailable(ctx, ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
          .putHeader("Content-Disposition", "attachment; filename=\"111-figures-" + year + "-" + (year + 1) + ".csv\"")
          .end(ar.result());
    });
  }

  /** A refusal as the page with its message (and the flag form as typed); anything else: the store is not answering. */
  private void refused(RoutingContext ctx, Throwable cause, Map<String, String> typed) {
    if (cause instanceof Supervision.Refused r) {
      show(ctx, r.status(), null, views.words(ctx).t(r.key()), typed);
    } else {
      unavailable(ctx, cause);
    }
  }

  private void unavailable(RoutingContext ctx, Throwable cause) {
    log.atWarn().addKeyValue("error", HttpEdge.reason(cause)).log("supervisor view: the store did not answer");
    views.error(ctx, 503, "error.503");
  }
}
