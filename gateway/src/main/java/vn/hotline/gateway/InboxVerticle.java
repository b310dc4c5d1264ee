package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import vn.hotline.gateway.sms.SmsInbox;

/** The SMS inbox's loop; it looks at once when an SMS is stored. */
final class InboxVerticle extends VerticleBase { // deployed as a worker: stopping waits for the message under way
  private final SmsInbox inbox;

  InboxVerticle(SmsInbox inbox) {
    this.inbox = inbox;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().localConsumer(Addresses.SMS_STORED, m -> inbox.wake());
    inbox.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    inbox.close();
    return Future.succeededFuture();
  }
}
