package vn.hotline.gateway.voice;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.followup.Callbacks;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;

/**
 * Twilio's webhooks of a counsellor's callback ({@link Callbacks}), under /twilio/callback, each with
 * {@code ?call=<id>}: {@code bridge} (the counsellor picked up), {@code key} (what they pressed), {@code child} (the
 * child's leg answered, with AnsweredBy), {@code dialed} (the Dial's end), {@code status} (the counsellor's call's
 * StatusCallback). Every request passes the {@link TwilioWebhookGuard} first (body cap, form, each parameter once, a
 * valid X-Twilio-Signature): a forged one is a 403 and changes nothing. The work runs on the store workers.
 */
public final class CallbackBridgeRoutes {
  private static final Logger log = LoggerFactory.getLogger(CallbackBridgeRoutes.class);
  private static final Pattern CALL_SID = Pattern.compile("CA[0-9a-fA-F]{32}");
  private static final Pattern CALL_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final String XML = "text/xml; charset=utf-8";

  private final Callbacks callbacks;
  private final TwilioWebhookGuard guard;
  private final WorkerExecutor workers;
  private final long deadlineMs;

  public CallbackBridgeRoutes(Callbacks callbacks, TwilioWebhookGuard guard, WorkerExecutor workers, long deadlineMs) {
    this.callbacks = callbacks;
    this.guard = guard;
    this.workers = workers;
    this.deadlineMs = deadlineMs;
  }

  public void mount(Router router) {
    var base = Callbacks.BASE;
    guard.mount(router, base);
    router.post(base + "/bridge").handler(ctx -> twiml(ctx, "/bridge", "CallSid",
        (call, sid) -> () -> callbacks.bridge(call, sid)));
    router.post(base + "/key").handler(ctx -> twiml(ctx, "/key", "CallSid",
        (call, sid) -> () -> callbacks.key(call, sid, TwilioWebhookGuard.form(ctx).get("Digits"))));
    // the child's leg: its own CallSid, the counsellor's call as ParentCallSid
    router.post(base + "/child").handler(ctx -> twiml(ctx, "/child", "ParentCallSid",
        (call, sid) -> () -> callbacks.child(call, sid, TwilioWebhookGuard.form(ctx).get("AnsweredBy"))));
    router.post(base + "/dialed").handler(ctx -> twiml(ctx, "/dialed", "CallSid",
        (call, sid) -> () -> callbacks.dialed(call, sid, TwilioWebhookGuard.form(ctx).get("DialCallStatus"))));
    router.post(base + "/status").handler(ctx -> {
      HttpEdge.route(ctx, base + "/status");
      var call = callId(ctx);
      var sid = call == null ? null : sid(ctx, "CallSid");
      if (sid == null) {
        return;
      }
      var status = TwilioWebhookGuard.form(ctx).get("CallStatus");
      if (status == null || status.isBlank()) {
        HttpEdge.problem(ctx, 400, "CallStatus is missing");
        return;
      }
      workers.executeBlocking(() -> {
        callbacks.status(call, sid, status);
        return null;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          log.atError().addKeyValue("call", call).addKeyValue("callSid", sid)
              .addKeyValue("error", HttpEdge.reason(ar.cause())).log("callback status not recorded");
          ctx.response().setStatusCode(503).end(); // Twilio tries again
        } else {
          ctx.response().setStatusCode(204).end();
        }
      });
    });
  }

  private interface Work {
    Callable<String> of(String callId, String callSid);
  }

  private void twiml(RoutingContext ctx, String what, String sidParam, Work work) {
    HttpEdge.route(ctx, Callbacks.BASE + what);
    var call = callId(ctx);
    var sid = call == null ? null : sid(ctx, sidParam);
    if (sid == null) {
      return;
    }
    workers.executeBlocking(work.of(call, sid), false)
        .timeout(deadlineMs, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            xml(ctx, ar.result());
            return;
          }
          // Nobody is dialled on a failure: the counsellor's leg ends, the task stays as it was.
          log.atError().addKeyValue("call", call).addKeyValue("callSid", sid)
              .addKeyValue("error", HttpEdge.reason(ar.cause())).log("callback webhook failed; the call is hung up");
          xml(ctx, TwimlRenderer.hangup());
        });
  }

  private static String callId(RoutingContext ctx) {
    var id = ctx.queryParam("call").stream().findFirst().orElse("");
    if (!CALL_ID.matcher(id).matches()) {
      HttpEdge.problem(ctx, 400, "a callback webhook URL needs call=<id>");
      return null;
    }
    return id;
  }

  private static String sid(RoutingContext ctx, String param) {
    var sid = TwilioWebhookGuard.form(ctx).get(param);
    if (sid == null || !CALL_SID.matcher(sid).matches()) {
      HttpEdge.problem(ctx, 400, param + " is missing or not a Twilio call SID (CA + 32 hex digits)");
      return null;
    }
    return sid;
  }

  private static void xml(RoutingContext ctx, String body) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader("Content-Type", XML).end(body);
    }
  }
}
