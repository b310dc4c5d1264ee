package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import vn.hotline.gateway.sms.smpp.SmppConnections;

/** The SMPP links: bound at start, unbound at stop; their senders look at once when replies are queued. */
final class SmppVerticle extends VerticleBase { // deployed as a worker: binding and unbinding block
  private final SmppConnections smpp;

  SmppVerticle(SmppConnections smpp) {
    this.smpp = smpp;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().localConsumer(Addresses.REPLIES_QUEUED, m -> smpp.wakeSenders());
    smpp.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    smpp.close(); // unbind: the SMSC keeps what it still has for us until the next bind
    return Future.succeededFuture();
  }
}
