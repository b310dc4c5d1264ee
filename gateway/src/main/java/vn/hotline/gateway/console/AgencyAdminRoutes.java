package vn.hotline.gateway.console;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.store.DeliveryRepository;

/**
 * The admin's agency endpoints page (/console/admin/agencies): each agency of the routing file with its webhook's
 * host, whether it is switched off at run time (and why), and its deliveries by status; an admin switches an
 * endpoint off (with a reason: deliveries wait) or on again (they go out at once). Audited as agency.disabled /
 * agency.enabled with the operator as actor, like the API's switch.
 */
public final class AgencyAdminRoutes {
  static final String PATH = ConsoleRoutes.BASE + "/admin/agencies";
  private static final int REASON_MAX = 200;

  /** One row of the page. */
  public record Row(String id, String name, String host, boolean configuredOn, DeliveryRepository.AgencyState state) {
    public int count(String status) {
      return state.deliveries().getOrDefault(status, 0);
    }
  }

  private final Routing routing;
  private final DeliveryRepository deliveries;
  private final ConsoleAuth auth;
  private final ConsoleViews views;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final Runnable deliveryDue;

  public AgencyAdminRoutes(Routing routing, DeliveryRepository deliveries, ConsoleAuth auth, ConsoleViews views,
      WorkerExecutor workers, Clock clock, Runnable deliveryDue) {
    this.routing = routing;
    this.deliveries = deliveries;
    this.auth = auth;
    this.views = views;
    this.workers = workers;
    this.clock = clock;
    this.deliveryDue = deliveryDue;
  }

  public void mount(Router router) {
    router.get(PATH).handler(auth.require(Role.ADMIN)).handler(this::page);
    router.post(PATH + "/:id").handler(auth.require(Role.ADMIN)).handler(this::change);
  }

  private void page(RoutingContext ctx) {
    var ids = new ArrayList<>(routing.agencies().keySet());
    ids.sort(null);
    var notice = ctx.request().getParam("changed");
    workers.executeBlocking(() -> deliveries.agencyStates(ids), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      var rows = new ArrayList<Row>();
      for (var state : ar.result()) {
        var a = routing.agency(state.agencyId());
        rows.add(new Row(a.id(), a.name(), a.webhookUrl().getScheme() + "://" + a.webhookUrl().getHost(),
            a.enabled(), state));
      }
      var params = new HashMap<String, Object>();
      params.put("page", views.page(ctx, "agencies.title"));
      params.put("rows", List.copyOf(rows));
      params.put("notice", notice != null && routing.agencies().containsKey(notice)
          ? views.words(ctx).t("agencies.changed", notice) : null);
      params.put("error", null);
      views.render(ctx, 200, "console/admin_agencies.jte", params);
    });
  }

  private void change(RoutingContext ctx) {
    var id = ctx.pathParam("id");
    if (!routing.agencies().containsKey(id)) {
      views.error(ctx, 404, "error.404");
      return;
    }
    var action = ctx.request().getFormAttribute("action");
    var reason = ctx.request().getFormAttribute("reason");
    reason = reason == null ? "" : reason.strip();
    boolean on;
    if ("on".equals(action)) {
      on = true;
    } else if ("off".equals(action)) {
      on = false;
      if (reason.isEmpty() || reason.length() > REASON_MAX || reason.chars().anyMatch(Character::isISOControl)) {
        views.error(ctx, 400, "agencies.reason_needed");
        return;
      }
    } else {
      views.error(ctx, 400, "error.400");
      return;
    }
    var why = on ? (reason.isEmpty() ? "switched on in the console" : reason) : reason;
    var actor = ConsoleAuth.actor(ctx);
    workers.executeBlocking(() -> {
      deliveries.setEnabled(id, on, why, actor, clock.instant());
      return null;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      if (on) {
        deliveryDue.run();
      }
      ctx.response().setStatusCode(303).putHeader("Location", PATH + "?changed=" + id).end();
    });
  }
}
