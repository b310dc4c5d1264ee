package vn.hotline.gateway.ops;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.store.Store;

/**
 * /health/live (the process answers), /health/ready (the store answers, its schema is current, flows are
 * loaded: take traffic) and /metrics (Prometheus text). The public listener gets the health routes with a status
 * per component and nothing else ({@link #mount}); the management listener gets them with details (store,
 * flow ids, SMPP link states, last error) and the metrics ({@link #mountManagement}).
 */
public final class OpsRoutes {
  private final Store store;
  private final FlowCatalog flows;
  private final Metrics metrics;
  private final WorkerExecutor workers;
  private final java.util.function.Supplier<java.util.Map<String, String>> smppLinks;

  /** @param smppLinks each SMPP link's state; a link that is down degrades SMS but does not stop voice traffic */
  public OpsRoutes(Store store, FlowCatalog flows, Metrics metrics, WorkerExecutor workers,
      java.util.function.Supplier<java.util.Map<String, String>> smppLinks) {
    this.store = store;
    this.flows = flows;
    this.metrics = metrics;
    this.workers = workers;
    this.smppLinks = smppLinks;
  }

  /** The public listener's health: up or down per component, nothing internal. */
  public void mount(Router router) {
    mountHealth(router, false);
  }

  /** The management listener's: detailed health and metrics. */
  public void mountManagement(Router router) {
    mountHealth(router, true);
    router.get("/metrics").handler(ctx -> {
      HttpEdge.route(ctx, "/metrics");
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
    });
  }

  private void mountHealth(Router router, boolean details) {
    router.get("/health/live").handler(ctx -> {
      HttpEdge.route(ctx, "/health/live");
      ctx.json(new JsonObject().put("status", "UP"));
    });
    router.get("/health/ready").handler(ctx -> {
      HttpEdge.route(ctx, "/health/ready");
      workers.executeBlocking(store::ready, false)
          .timeout(2, TimeUnit.SECONDS)
          .otherwise(false)
          .onComplete(ar -> {
            boolean storeUp = ar.result();
            boolean flowsUp = !flows.all().isEmpty();
            var checks = new JsonObject()
                .put("store", new JsonObject().put("status", storeUp ? "UP" : "DOWN")
                    .put("detail", store.description() + (store.migrated() ? "" : ", schema not migrated yet")
                        + (store.lastError() == null ? "" : ", " + store.lastError())))
                .put("flows", new JsonObject().put("status", flowsUp ? "UP" : "DOWN")
                    .put("detail", String.join(", ", flows.flows().keySet())));
            var links = new JsonObject();
            boolean linksUp = true;
            for (var e : smppLinks.get().entrySet()) {
              boolean bound = e.getValue().equals("BOUND");
              linksUp &= bound;
              links.put(e.getKey(), new JsonObject().put("status", bound ? "UP" : "DOWN").put("detail", e.getValue()));
            }
            if (details) {
              checks.put("smpp", links);
            } else {
              checks.getJsonObject("store").remove("detail");
              checks.getJsonObject("flows").remove("detail");
              if (!links.isEmpty()) {
                checks.put("smpp", new JsonObject().put("status", linksUp ? "UP" : "DOWN"));
              }
            }
            boolean up = storeUp && flowsUp;
            ctx.response().setStatusCode(up ? 200 : 503);
            ctx.json(new JsonObject().put("status", !up ? "DOWN" : linksUp ? "UP" : "DEGRADED").put("checks", checks));
          });
    });
  }
}
