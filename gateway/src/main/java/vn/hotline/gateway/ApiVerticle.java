package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.concurrent.TimeUnit;
import vn.hotline.gateway.api.ApiRoutes;
import vn.hotline.gateway.stats.Statistics;

/** The integrator API, mounted on the public router once its OpenAPI contract (read meanwhile) is in. */
final class ApiVerticle extends VerticleBase {
  private final Parts p;
  private final Router router;
  private final Future<OpenAPIContract> contract;

  ApiVerticle(Parts p, Router router, Future<OpenAPIContract> contract) {
    this.p = p;
    this.router = router;
    this.contract = contract;
  }

  @Override
  public Future<?> start() {
    var api = new ApiRoutes(p.apiKeys, p.reports, p.deliveries, p.files.routing(), p.payloads, p.editions, p.workers, p.clock,
        Addresses.publisher(vertx, Addresses.DELIVERY_DUE), new Statistics(p.store, p.files.provinces()), p.guard,
        p.cfg.limits().failedAuthPerMinute())
        .withIntake(p.intake, p.cfg.limits().intakePerMinute(), p.cfg.publicUrl().toString());
    return contract.timeout(30, TimeUnit.SECONDS)
        .recover(e -> Future.failedFuture(new IllegalStateException("the API's OpenAPI contract does not load: " + e, e)))
        .map(c -> {
          api.mount(vertx, router, c);
          return c;
        });
  }
}
