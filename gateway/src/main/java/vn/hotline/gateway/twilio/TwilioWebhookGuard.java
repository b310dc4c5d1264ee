package vn.hotline.gateway.twilio;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.ops.RateLimits;

/**
 * What every Twilio webhook passes before anything is parsed into the store: a capped body (413), a form body
 * (400), each parameter once (403, audited), and a valid X-Twilio-Signature for the public URL (403). Nothing
 * is stored for a refused request, and each refusal counts towards the source's failed-auth limit.
 */
public final class TwilioWebhookGuard {
  private static final Logger log = LoggerFactory.getLogger(TwilioWebhookGuard.class);

  /**
   * Per-minute limits, what to do when a source first exceeds one in a minute (audit it), and what to do when a
   * signed-looking request is refused for its shape (audit the reason code and the webhook base, never a value).
   */
  public record Limits(RateLimits buckets, int failedAuthPerMinute, java.util.function.BiConsumer<String, String> exceeded,
      java.util.function.BiConsumer<String, String> refused) {}

  private static final String FORM = "twilio.form";

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

  /**
   * The form parameters of a guarded webhook, each name once: exactly what the signature was checked on. Read
   * these, never {@code request().formAttributes()} (Vert.x does not decode Twilio bodies here).
   */
  public static MultiMap form(RoutingContext ctx) {
    MultiMap form = ctx.get(FORM);
    if (form == null) {
      throw new IllegalStateException("no Twilio form on this route: mount TwilioWebhookGuard first");
    }
    return form;
  }

  /** Seconds until {@code key} has a token of {@code kind} again (0: it has one now); for Retry-After. */
  public long waitSeconds(String kind, String key, int perMinute) {
    return limits.buckets().secondsUntilToken(kind + ":" + key, perMinute);
  }

  /** Guards every POST under {@code base} (e.g. /twilio/voice). */
  public void mount(Router router, String base) {
    router.post(base + "/*").handler(ctx -> read(ctx, base));
  }

  /** Collects the body up to the limit (413 past it) and verifies it once it is complete. */
  private void read(RoutingContext ctx, String base) {
    var request = ctx.request();
    HttpEdge.route(ctx, base + "/*");
    var declared = request.getHeader("Content-Length");
    if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxBodyBytes) {
      ctx.fail(413);
      return;
    }
    if (request.isEnded()) { // an earlier handler read the body already
      var read = ctx.body().buffer();
      verify(ctx, base, read == null ? Buffer.buffer() : read);
      return;
    }
    var body = Buffer.buffer();
    var failed = new boolean[1];
    request.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (body.length() + chunk.length() > maxBodyBytes) {
        failed[0] = true;
        ctx.fail(413);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> { // the connection went away: no one is left to answer; HttpEdge says so at DEBUG
      if (!failed[0]) {
        failed[0] = true;
        ctx.fail(e);
      }
    });
    request.endHandler(v -> {
      if (!failed[0]) {
        verify(ctx, base, body);
      }
    });
    request.resume();
  }

  private void verify(RoutingContext ctx, String base, Buffer body) {
    var ip = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    var type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      HttpEdge.problem(ctx, 400, "expected an application/x-www-form-urlencoded body, as Twilio sends");
      return;
    }
    MultiMap form;
    MultiMap query;
    try {
      form = TwilioForm.parse(body);
      query = ctx.queryParams();
    } catch (TwilioForm.MalformedException e) {
      HttpEdge.problem(ctx, 400, e.getMessage());
      return;
    } catch (RuntimeException e) { // a query string Vert.x cannot decode; its message would repeat it
      HttpEdge.problem(ctx, 400, "the query string is not valid percent-encoding");
      return;
    }
    // Twilio never repeats a parameter; a repeated one is a signed request with copies added, which the check and
    // the handler could read differently (one value signed, another acted on).
    if (repeated(form) || repeated(query)) {
      refuse(ctx, base, ip, "repeated-parameter", "refused a webhook with a repeated parameter; Twilio never sends one");
      return;
    }
    var params = new HashMap<String, String>();
    form.forEach(e -> params.put(e.getKey(), e.getValue()));
    if (!signatures.valid(ctx.request().uri(), params, ctx.request().getHeader("X-Twilio-Signature"))) {
      refuse(ctx, base, ip, "signature", "refused a webhook with a missing or wrong Twilio signature");
      return;
    }
    ctx.put(FORM, form);
    ctx.next();
  }

  /**
   * 403 (429 once the source has failed too often this minute), counted and logged with the reason code only. A
   * repeated parameter is audited too: it means someone holds a genuine signed request and altered it.
   */
  private void refuse(RoutingContext ctx, String base, String ip, String reason, String message) {
    if (!allow("auth", ip, limits.failedAuthPerMinute())) {
      ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, waitSeconds("auth", ip, limits.failedAuthPerMinute()))));
      HttpEdge.problem(ctx, 429, "too many refused webhooks from this address");
      return;
    }
    metrics.refused(reason);
    log.atWarn().addKeyValue("path", ctx.request().path()).addKeyValue("reason", reason).log(message);
    if (!"signature".equals(reason)) {
      limits.refused().accept(reason, base);
    }
    HttpEdge.problem(ctx, 403, "signature".equals(reason) ? "invalid Twilio signature"
        : "a parameter is repeated; Twilio sends each parameter once");
  }

  private static boolean repeated(MultiMap params) {
    var seen = new HashSet<String>();
    for (var e : params) {
      if (!seen.add(e.getKey().toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
