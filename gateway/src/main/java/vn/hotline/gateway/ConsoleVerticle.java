package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import vn.hotline.gateway.console.AgencyAdminRoutes;
import vn.hotline.gateway.console.CardRoutes;
import vn.hotline.gateway.console.BoardRoutes;
import vn.hotline.gateway.console.Console;
import vn.hotline.gateway.console.ConversationRoutes;
import vn.hotline.gateway.console.RecordingRoutes;
import vn.hotline.gateway.console.TaskRoutes;
import vn.hotline.gateway.console.TaskCallbackRoutes;
import vn.hotline.gateway.console.supervisor.Supervision;
import vn.hotline.gateway.console.supervisor.SupervisorRoutes;
import vn.hotline.gateway.stats.Statistics;
import vn.hotline.gateway.store.SupervisorRepository;

/**
 * The counsellors' console (/console), mounted on the public router: its words and files are read on a worker,
 * then its pages mounted. Further console pages mount here, after {@code console.mount}, with
 * {@code console.auth()} and {@code console.views()}.
 */
final class ConsoleVerticle extends VerticleBase {
  private final Parts p;
  private final Router router;
  private volatile BoardRoutes board;
  private volatile ConversationRoutes conversations;

  ConsoleVerticle(Parts p, Router router) {
    this.p = p;
    this.router = router;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> Console.build(p.cfg, p.accounts, p.consoleSessions, p.workers, p.clock, p.guard), false)
        .map(console -> {
          console.mount(router);
          new AgencyAdminRoutes(p.files.routing(), p.deliveries, console.auth(), console.views(), p.workers, p.clock,
              Addresses.publisher(vertx, Addresses.DELIVERY_DUE)).mount(router);
          new CardRoutes(console, p.cards, p.casework, p.accounts, p.files.taxonomy(), p.files.provinces(),
              p.files.routing(), p.workers, p.clock, p.cfg.operators().hours().zone()).mount(router);
          new SupervisorRoutes(console, new Supervision(p.board, p.presence, p.accounts, new SupervisorRepository(p.store),
              p.casework, p.callerFlags, new Statistics(p.store, p.files.provinces()), p.files.flows(),
              p.cfg.operators().hours().zone(), p.clock), p.workers).mount(router);
          // the follow-up tasks (/console/tasks) and the voicemails played through the gateway (/console/recordings)
          new TaskRoutes(console, p.followups, p.accounts, p.recordings, p.callbacks, p.boardFeed, p.workers, p.clock,
              p.cfg.operators().hours().zone()).mount(router);
          new RecordingRoutes(console, p.recordings, p.twilioRecordings,
              vertx.createSharedWorkerExecutor("console-recordings", 2, 60, java.util.concurrent.TimeUnit.SECONDS), p.clock)
              .mount(router);
          // "Call back" on a callback task (/console/tasks/{id}/callback)
          new TaskCallbackRoutes(console, p.callbacks, p.workers, p.cfg.operators().hours().zone()).mount(router);
          // the live board, presence and the screen-pop (/console/board, /console/board/events, /console/presence)
          var b = board = new BoardRoutes(vertx, console, p.board, p.boardFeed, p.presence, p.files.taxonomy(),
              p.cfg.operators().hours().zone(), p.clock);
          b.mount(router);
          vertx.eventBus().<JsonObject>localConsumer(Addresses.CONTACT_TAKEN,
              m -> b.pop(m.body().getString("operator"), m.body().getString("contact")));
          // SMS conversations a counsellor takes over and answers (/console/conversations/{id}, its event stream)
          var c = conversations = new ConversationRoutes(vertx, console, p.takeovers, p.takeoverRepository, p.accounts,
              p.clock, p.cfg.operators().hours().zone());
          c.mount(router);
          vertx.eventBus().<JsonObject>localConsumer(Addresses.SMS_CONVERSATION, m -> c.changed(m.body().getString("contact")));
          return console;
        });
  }

  @Override
  public Future<?> stop() {
    var b = board;
    if (b != null) {
      b.close();
    }
    var c = conversations;
    if (c != null) {
      c.close();
    }
    return Future.succeededFuture();
  }
}
