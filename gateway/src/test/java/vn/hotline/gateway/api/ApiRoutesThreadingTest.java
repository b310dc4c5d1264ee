package vn.hotline.gateway.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The API's handlers run on worker threads; a RoutingContext belongs to its event loop. Every method that makes
 * an {@link ApiRoutes.Answer} (what runs on a worker) must get what it needs as plain values, never the context.
 * Checked on the compiled class: a lambda's captured variables are parameters of its synthetic method, so a
 * worker lambda capturing the context shows up here too.
 */
class ApiRoutesThreadingTest {
  @Test
  void nothingThatRunsOnAWorkerGetsTheRoutingContext() {
    var offending = Arrays.stream(ApiRoutes.class.getDeclaredMethods())
        .filter(m -> m.getReturnType() == ApiRoutes.Answer.class || takes(m, ApiRoutes.Request.class))
        .filter(m -> takes(m, RoutingContext.class))
        .map(Method::getName).toList();
    assertTrue(offending.isEmpty(), "worker-side methods reading the RoutingContext: " + offending);
    assertTrue(Arrays.stream(ApiRoutes.class.getDeclaredMethods()).anyMatch(m -> m.getReturnType() == ApiRoutes.Answer.class),
        "the check found the handlers it is about");
  }

  private static boolean takes(Method m, Class<?> type) {
    return Arrays.asList(m.getParameterTypes()).contains(type);
  }
}
