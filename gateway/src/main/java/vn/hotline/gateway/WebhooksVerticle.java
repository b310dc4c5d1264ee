package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import vn.hotline.gateway.sms.twilio.TwilioSmsRoutes;
import vn.hotline.gateway.voice.CallbackBridgeRoutes;
import vn.hotline.gateway.voice.VoiceRoutes;

/** Twilio's voice and SMS webhooks (and a counsellor's callback's), mounted on the public router (the listener opens later). */
final class WebhooksVerticle extends VerticleBase {
  private final Parts p;
  private final Router router;

  WebhooksVerticle(Parts p, Router router) {
    this.p = p;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    var cfg = p.cfg;
    new VoiceRoutes(p.calls, p.whispers, p.agentLine, p.renderer, p.guard, p.workers, p.metrics, cfg.http().webhookDeadlineMs(),
        p.pseudonyms::of, cfg.limits().callsPerMinute()).mount(router);
    new TwilioSmsRoutes(p.conversations, p.sms, p.store, p.pseudonyms, p.guard, p.workers, p.metrics,
        cfg.http().webhookDeadlineMs(), p.clock, cfg.limits().smsPerMinute()).mount(router);
    new CallbackBridgeRoutes(p.callbacks, p.guard, p.workers, cfg.http().webhookDeadlineMs()).mount(router);
    return Future.succeededFuture();
  }
}
