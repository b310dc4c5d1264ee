package vn.hotline.gateway.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What every HTTP request shares: timing by route template, and errors as RFC 9457 problem details with a
 * reason a person can act on.
 */
public final class HttpEdge {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HttpEdge.class);
  private static final String ROUTE = "metrics.route";

  private HttpEdge() {}

  /** First handler of the router: times each request under the route template its handler declares. */
  public static void mount(Router router, Metrics metrics) {
    router.route().handler(ctx -> {
      long start = System.nanoTime();
      ctx.addEndHandler(ar -> {
        String route = ctx.get(ROUTE);
        metrics.request(ctx.request().method().name(), route == null ? "unmatched" : route,
            ctx.response().getStatusCode(), System.nanoTime() - start);
      });
      ctx.next();
    });
    // A client that hangs up mid-body (a caller's network dropping) is nobody's error and there is no one to answer.
    router.route().failureHandler(ctx -> {
      if (ctx.failure() instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed()) {
        log.atDebug().addKeyValue("route", (String) ctx.get(ROUTE)).log("client closed the connection mid-request");
        return;
      }
      ctx.next();
    });
    // Request validation (the API's OpenAPI contract) fails with 400 and says what is wrong.
    router.errorHandler(400, ctx -> problem(ctx, 400, clientReason(ctx.failure())));
    router.errorHandler(413, ctx -> problem(ctx, 413, "request body is larger than http.max_body_bytes"));
    router.errorHandler(404, ctx -> problem(ctx, 404, "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> problem(ctx, 405, "method not allowed"));
    router.errorHandler(500, ctx -> {
      // The class and first line only: an exception message must not carry a caller's data into the logs.
      log.atError().addKeyValue("route", (String) ctx.get(ROUTE)).addKeyValue("error", reason(ctx.failure()))
          .log("request failed");
      problem(ctx, 500, "internal error");
    });
  }

  /** {@link #reason}, except that a decoding failure is named without the value it could not decode. */
  static String clientReason(Throwable t) {
    for (var c = t; c != null; c = c.getCause()) {
      // Netty's form and query decoders quote what they could not decode: a caller's number or text.
      if (c.getClass().getName().startsWith("io.netty.") || c instanceof IllegalArgumentException) {
        return "the request could not be decoded (malformed percent-encoding or form data)";
      }
    }
    return reason(t);
  }

  /** The most specific message of a failure (vertx-web wraps validation errors in an HttpException). */
  public static String reason(Throwable t) {
    if (t == null) {
      return "bad request";
    }
    var cause = t instanceof io.vertx.ext.web.handler.HttpException && t.getCause() != null ? t.getCause() : t;
    var m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  /** Names the route template this request is timed under. */
  public static void route(RoutingContext ctx, String template) {
    ctx.put(ROUTE, template);
  }

  public static void problem(RoutingContext ctx, int status, String detail) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
        .end(problemBody(status, detail));
  }

  /** An RFC 9457 problem document, for answers given before a request reaches a router (the connection guard). */
  static String problemBody(int status, String detail) {
    return new JsonObject()
        .put("type", "about:blank")
        .put("title", title(status))
        .put("status", status)
        .put("detail", detail)
        .encode();
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Error";
    };
  }
}
