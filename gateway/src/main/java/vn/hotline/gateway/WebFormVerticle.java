package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import vn.hotline.gateway.webform.WebFormRoutes;

/**
 * The public web report form (/report), mounted on the public router: its words and files are read on a worker,
 * its tokens signed with a key derived from the pseudonym key (the same on every instance), and what it takes is
 * stored by the intake as a contact of the web channel.
 */
final class WebFormVerticle extends VerticleBase {
  private final Parts p;
  private final Router router;

  WebFormVerticle(Parts p, Router router) {
    this.p = p;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> WebFormRoutes.build(p.intake, p.files.taxonomy(), p.files.provinces(),
            p.pseudonyms.derive("web-report-form-token"), p.metrics, p.workers, p.clock), false)
        .map(routes -> {
          routes.mount(router);
          return routes;
        });
  }
}
