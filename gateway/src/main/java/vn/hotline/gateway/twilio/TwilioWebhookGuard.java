package vn.hotline.gateway.twilio;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.ops.RateLimits;

/**
 * What every Twilio webhook passes before anything is parsed into the store: a capped body (413), a form body
 * (400), and a valid X-Twilio-Signature for the public URL (403, with nothing stored).
 */
public final class TwilioWebhookGuard {
  private static final Logger log = LoggerFactory.getLogger(TwilioWebhookGuard.class);

  /** Per-minute limits, and what to do when a source first exceeds one in a minute (audit it). */
  public record Limits(RateLimits buckets, int failedAuthPerMinute, java.util.function.BiConsumer<String, String> exceeded) {}

  private final TwilioSignatures signatures;
  private final Metrics metrics;
  private final int maxBodyBytes;
  private final Limits limits;

  public TwilioWebhookGuard(TwilioSignatures signatures, Metrics metrics, int maxBodyBytes, Limits limits) {
    this.signatures = signatures;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
    this.limits = limits;
  }

  /**
   * Whether a source may go on: {@code kind} is what is limited (sms, call, auth), {@code key} a pseudonym or an
   * IP. A refusal is counted, and audited once a minute per source.
   */
  public boolean allow(String kind, String key, int perMinute) {
    var verdict = limits.buckets().take(kind + ":" + key, perMinute);
    if (verdict == RateLimits.Verdict.ALLOWED) {
      return true;
    }
    metrics.refused("rate-" + kind);
    if (verdict == RateLimits.Verdict.REFUSED_FIRST) {
      log.atWarn().addKeyValue("kind", kind).log("rate limit reached by one source; its requests are refused this minute");
      limits.exceeded().accept(kind, key);
    }
    return false;
  }

  /** Seconds until {@code key} has a token of {@code kind} again (0: it has one now); for Retry-After. */
  public long waitSeconds(String kind, String key, int perMinute) {
    return limits.buckets().secondsUntilToken(kind + ":" + key, perMinute);
  }

  /** Guards every POST under {@code base} (e.g. /twilio/voice). */
  public void mount(Router router, String base) {
    router.post(base + "/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    router.post(base + "/*").handler(ctx -> verify(ctx, base));
  }

  private void verify(RoutingContext ctx, String base) {
    var ip = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    var type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      HttpEdge.route(ctx, base + "/*");
      HttpEdge.problem(ctx, 400, "expected an application/x-www-form-urlencoded body, as Twilio sends");
      return;
    }
    var params = new HashMap<String, String>();
    ctx.request().formAttributes().forEach(e -> params.put(e.getKey(), e.getValue()));
    if (!signatures.valid(ctx.request().uri(), params, ctx.request().getHeader("X-Twilio-Signature"))) {
      HttpEdge.route(ctx, base + "/*");
      if (!allow("auth", ip, limits.failedAuthPerMinute())) {
        ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, waitSeconds("auth", ip, limits.failedAuthPerMinute()))));
        HttpEdge.problem(ctx, 429, "too many requests with bad signatures from this address");
        return;
      }
      metrics.refused("signature");
      log.atWarn().addKeyValue("path", ctx.request().path()).log("refused a webhook with a missing or wrong Twilio signature");
      ctx.response().setStatusCode(403).putHeader("Content-Type", "text/plain").end("invalid Twilio signature\n");
      return;
    }
    ctx.next();
  }
}
