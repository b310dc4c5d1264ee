package vn.hotline.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import vn.hotline.gateway.delivery.DeliveryWorker;

/** The delivery worker's loop; it looks at once when a delivery is due (a replay, an agency re-enabled). */
final class DeliveryVerticle extends VerticleBase { // deployed as a worker: stopping waits for the claim under way
  private final DeliveryWorker delivery;

  DeliveryVerticle(DeliveryWorker delivery) {
    this.delivery = delivery;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().localConsumer(Addresses.DELIVERY_DUE, m -> delivery.wake());
    delivery.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    delivery.close(); // attempts in flight finish or their lease brings them back on the next start
    return Future.succeededFuture();
  }
}
