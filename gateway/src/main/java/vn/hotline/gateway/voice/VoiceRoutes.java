package vn.hotline.gateway.voice;

import io.vertx.core.MultiMap;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.flow.FlowException;
import vn.hotline.gateway.flow.Input;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.StoreException;

/**
 * Twilio voice webhooks. Event-loop handlers stay thin: check the signature, parse, hand the work to the store
 * workers, reply. Whatever fails inside (store down, a flow bug, a slow database) the caller still hears TwiML
 * that dials the fallback number within the deadline: a child must never meet silence.
 */
public final class VoiceRoutes {
  private static final Logger log = LoggerFactory.getLogger(VoiceRoutes.class);
  private static final Pattern CALL_SID = Pattern.compile("CA[0-9a-fA-F]{32}");
  private static final Pattern NODE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern CONTACT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2}(-[A-Z]{2})?");
  private static final String XML = "text/xml; charset=utf-8";

  private final CallService calls;
  private final Whispers whispers;
  private final AgentLine agents;
  private final TwimlRenderer twiml;
  private final TwilioWebhookGuard guard;
  private final WorkerExecutor workers;
  private final Metrics metrics;
  private final long deadlineMs;
  private final String fallbackTwiml;
  private final java.util.function.UnaryOperator<String> pseudonyms;
  private final int callsPerMinute;

  public VoiceRoutes(CallService calls, Whispers whispers, AgentLine agents, TwimlRenderer twiml,
      TwilioWebhookGuard guard, WorkerExecutor workers, Metrics metrics, long deadlineMs,
      java.util.function.UnaryOperator<String> pseudonyms, int callsPerMinute) {
    this.agents = agents;
    this.pseudonyms = pseudonyms;
    this.callsPerMinute = callsPerMinute;
    this.calls = calls;
    this.whispers = whispers;
    this.twiml = twiml;
    this.guard = guard;
    this.workers = workers;
    this.metrics = metrics;
    this.deadlineMs = deadlineMs;
    this.fallbackTwiml = twiml.fallback();
  }

  public void mount(Router router) {
    var base = TwimlRenderer.BASE;
    guard.mount(router, base);
    router.post(base + "/incoming").handler(ctx -> {
      HttpEdge.route(ctx, base + "/incoming");
      var sid = callSid(ctx);
      if (sid != null) {
        var from = TwilioWebhookGuard.form(ctx).get("From");
        if (from != null && !guard.allow("call", pseudonyms.apply(from), callsPerMinute)) {
          // Dozens of calls a minute from one number is a machine, not a child: it must not hold operators.
          xml(ctx, TwimlRenderer.busy());
          return;
        }
        answer(ctx, sid, () -> render(calls.incoming(sid, from)));
      }
    });
    router.post(base + "/step/:node").handler(ctx -> {
      HttpEdge.route(ctx, base + "/step/:node");
      var sid = callSid(ctx);
      if (sid == null) {
        return;
      }
      var node = ctx.pathParam("node");
      var seq = ctx.queryParam("seq").stream().findFirst().orElse("");
      if (!NODE.matcher(node).matches() || !seq.matches("\\d{1,6}")) {
        bad(ctx, "step URL needs a node id and a numeric seq");
        return;
      }
      var input = input(TwilioWebhookGuard.form(ctx), ctx.queryParam("event").stream().findFirst().orElse(""));
      var from = TwilioWebhookGuard.form(ctx).get("From");
      boolean whispered = "1".equals(ctx.queryParam("whisper").stream().findFirst().orElse(""));
      answer(ctx, sid, () -> render(calls.step(sid, from, node, Integer.parseInt(seq), input, whispered)));
    });
    // A counsellor's phone, picked up: the whisper, then the key. Signed and checked like every webhook here (the
    // guard above); CallSid is the counsellor's leg, ParentCallSid the child's call.
    router.post(base + "/whisper").handler(ctx -> {
      HttpEdge.route(ctx, base + "/whisper");
      var leg = callSid(ctx);
      var w = leg == null ? null : whisperOf(ctx);
      if (w == null) {
        return;
      }
      var parent = TwilioWebhookGuard.form(ctx).get("ParentCallSid");
      var keyAction = TwimlRenderer.whisperKeyPath(w.contact(), w.seq(), w.op(), w.lang());
      workers.executeBlocking(() -> whispers.whisper(w.contact(), w.seq(), w.lang(), parent)
              .map(lines -> twiml.whisper(lines, keyAction)).orElseGet(TwimlRenderer::hangup), false)
          .timeout(deadlineMs, TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            if (ar.succeeded()) {
              xml(ctx, ar.result());
              return;
            }
            // The summary cannot be read; "press 1" still lets this counsellor take the child.
            metrics.fallback(reason(ar.cause()));
            log.atError().addKeyValue("callSid", leg).addKeyValue("contact", w.contact())
                .addKeyValue("error", describe(ar.cause())).log("whisper not read; the counsellor hears only the key");
            xml(ctx, twiml.whisper(whispers.acceptOnly(w.lang()), keyAction));
          });
    });
    router.post(base + "/whisper/key").handler(ctx -> {
      HttpEdge.route(ctx, base + "/whisper/key");
      var leg = callSid(ctx);
      var w = leg == null ? null : whisperOf(ctx);
      if (w == null) {
        return;
      }
      var form = TwilioWebhookGuard.form(ctx);
      if (!"1".equals(form.get("Digits"))) {
        xml(ctx, TwimlRenderer.hangup()); // any other key, or none: not an answer; this leg only ends
        return;
      }
      // The number that answered is the leg's To; it is kept only sealed, and only when no operator id names it.
      var who = new Whispers.Leg(leg, form.get("ParentCallSid"), w.op(), w.op() == null ? form.get("To") : null);
      workers.executeBlocking(() -> whispers.accept(w.contact(), w.seq(), who), false)
          .timeout(deadlineMs, TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            if (ar.succeeded()) {
              xml(ctx, ar.result() ? TwimlRenderer.empty() : TwimlRenderer.hangup()); // empty: Twilio bridges
              return;
            }
            // A child waits on the other end: put them through even though the answer is not recorded.
            metrics.fallback(reason(ar.cause()));
            log.atError().addKeyValue("callSid", leg).addKeyValue("contact", w.contact())
                .addKeyValue("error", describe(ar.cause())).log("counsellor's answer not recorded; connecting anyway");
            xml(ctx, TwimlRenderer.empty());
          });
    });
    // The counsellors' line (enqueue mode): a counsellor calls it from her account's phone to take the next child.
    router.post(base + "/agent").handler(ctx -> {
      HttpEdge.route(ctx, base + "/agent");
      var leg = callSid(ctx);
      if (leg == null) {
        return;
      }
      var from = TwilioWebhookGuard.form(ctx).get("From");
      workers.executeBlocking(() -> agentAnswer(leg, from), false)
          .timeout(deadlineMs, TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            if (ar.succeeded()) {
              xml(ctx, ar.result());
              return;
            }
            // No child waits on this call: the counsellor hears the line end and calls again.
            log.atError().addKeyValue("callSid", leg).addKeyValue("error", describe(ar.cause()))
                .log("counsellors' line not answered; hanging up");
            xml(ctx, TwimlRenderer.hangup());
          });
    });
    router.post(base + "/agent/key").handler(ctx -> {
      HttpEdge.route(ctx, base + "/agent/key");
      var leg = callSid(ctx);
      var w = leg == null ? null : whisperOf(ctx);
      if (w == null) {
        return;
      }
      var queue = ctx.queryParam("queue").stream().findFirst().orElse("");
      if (w.op() == null || !NODE.matcher(queue).matches()) {
        bad(ctx, "the counsellors' line key URL needs an operator id and a queue name");
        return;
      }
      var digits = TwilioWebhookGuard.form(ctx).get("Digits");
      xml(ctx, "1".equals(digits) ? TwimlRenderer.dequeue(queue, w.op()) : TwimlRenderer.hangup());
    });
    // Twilio asks this on the child's leg as it is dequeued: CallSid is the child's call, DequeingCallSid the
    // counsellor's. The child is connected whatever is answered; what matters is the record and the screen-pop.
    router.post(base + "/agent/dequeued").handler(ctx -> {
      HttpEdge.route(ctx, base + "/agent/dequeued");
      var child = callSid(ctx);
      if (child == null) {
        return;
      }
      var agent = TwilioWebhookGuard.form(ctx).get("DequeingCallSid");
      var op = ctx.queryParam("op").stream().findFirst().orElse("");
      if (agent == null || !CALL_SID.matcher(agent).matches() || !OPERATOR.matcher(op).matches()) {
        bad(ctx, "a dequeue needs DequeingCallSid (a Twilio call SID) and the operator id in the URL");
        return;
      }
      workers.executeBlocking(() -> agents.dequeued(child, agent, op), false)
          .timeout(deadlineMs, TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            if (ar.failed()) {
              metrics.fallback(reason(ar.cause()));
              log.atError().addKeyValue("callSid", child).addKeyValue("error", describe(ar.cause()))
                  .log("who took a dequeued call was not recorded; connecting anyway");
            }
            xml(ctx, TwimlRenderer.empty());
          });
    });
    router.post(base + "/wait").handler(ctx -> {
      HttpEdge.route(ctx, base + "/wait");
      var form = TwilioWebhookGuard.form(ctx);
      int queued;
      try {
        queued = Integer.parseInt(form.get("QueueTime") == null ? "0" : form.get("QueueTime"));
      } catch (NumberFormatException e) {
        bad(ctx, "QueueTime must be a number of seconds");
        return;
      }
      var node = ctx.queryParam("node").stream().findFirst().orElse("");
      var lang = ctx.queryParam("lang").stream().findFirst().orElse(null);
      xml(ctx, twiml.hold(queued, calls.holdLines(node, lang)));
    });
    router.post(base + "/status").handler(ctx -> {
      HttpEdge.route(ctx, base + "/status");
      var sid = callSid(ctx);
      if (sid == null) {
        return;
      }
      var status = TwilioWebhookGuard.form(ctx).get("CallStatus");
      if (status == null || status.isBlank()) {
        bad(ctx, "CallStatus is missing");
        return;
      }
      workers.executeBlocking(() -> {
        calls.status(sid, status);
        return null;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          // Twilio retries nothing here; the stale-session sweep closes the call later instead.
          log.atError().addKeyValue("callSid", sid).addKeyValue("error", describe(ar.cause()))
              .log("status callback not recorded");
          ctx.response().setStatusCode(503).end();
        } else {
          ctx.response().setStatusCode(204).end();
        }
      });
    });
  }

  /** What a whisper URL names: the contact, the handoff's seq, and the target's operator id and language. */
  private record WhisperParams(String contact, int seq, String op, String lang) {}

  private WhisperParams whisperOf(RoutingContext ctx) {
    var contact = ctx.queryParam("contact").stream().findFirst().orElse("");
    var seq = ctx.queryParam("seq").stream().findFirst().orElse("");
    var op = ctx.queryParam("op").stream().findFirst().orElse(null);
    var lang = ctx.queryParam("lang").stream().findFirst().orElse(null);
    if (!CONTACT.matcher(contact).matches() || !seq.matches("\\d{1,6}") || (op != null && !OPERATOR.matcher(op).matches())
        || (lang != null && !LANGUAGE.matcher(lang).matches())) {
      bad(ctx, "whisper URL needs a contact id and a numeric seq (op and lang, when given, well formed)");
      return null;
    }
    return new WhisperParams(contact, Integer.parseInt(seq), op, lang);
  }

  /** The counsellors' line picked up: who is calling, and the child she would take (blocking). */
  private String agentAnswer(String leg, String from) {
    var who = agents.counsellor(from);
    if (who.isEmpty()) {
      log.atWarn().addKeyValue("callSid", leg).log("counsellors' line called from a number that is no counsellor's");
      return TwimlRenderer.sayAndHangUp(agents.text("agent_unknown_number", null));
    }
    var c = who.get();
    var next = agents.next();
    var lines = next.flatMap(w -> agents.whisper(w, c.language()));
    if (lines.isEmpty()) {
      return TwimlRenderer.sayAndHangUp(agents.text("agent_nobody_waiting", c.language()));
    }
    var w = next.get();
    log.atInfo().addKeyValue("callSid", leg).addKeyValue("operator", c.operatorId()).addKeyValue("contact", w.contactId())
        .log("counsellors' line: offering the next waiting call");
    return twiml.whisper(lines.get(), TwimlRenderer.agentKeyPath(w.contactId(), w.seq(), c.operatorId(), c.language(), w.queue()));
  }

  private String callSid(RoutingContext ctx) {
    var sid = TwilioWebhookGuard.form(ctx).get("CallSid");
    if (sid == null || !CALL_SID.matcher(sid).matches()) {
      bad(ctx, "CallSid is missing or not a Twilio call SID (CA + 32 hex digits)");
      return null;
    }
    return sid;
  }

  /** Translates a Twilio callback into what the caller did; the node type decides whether it fits. */
  static Input input(MultiMap form, String event) {
    if (form.contains("DialCallStatus")) {
      var s = form.get("DialCallStatus");
      return new Input.HandoffEnded("completed".equals(s) || "answered".equals(s));
    }
    if (form.contains("QueueResult")) {
      return new Input.HandoffEnded("bridged".equals(form.get("QueueResult")));
    }
    if (event.equals("no-recording")) {
      return new Input.Recorded(null, 0);
    }
    if (form.contains("RecordingSid") || form.contains("RecordingDuration")) {
      int seconds;
      try {
        seconds = Integer.parseInt(form.get("RecordingDuration") == null ? "0" : form.get("RecordingDuration"));
      } catch (NumberFormatException e) {
        seconds = 0;
      }
      var sid = form.get("RecordingSid");
      return new Input.Recorded(sid != null && sid.matches("RE[0-9a-fA-F]{32}") ? sid : null, seconds);
    }
    var digits = form.get("Digits");
    var speech = form.get("SpeechResult");
    if ((digits == null || digits.isBlank()) && speech != null && !speech.isBlank()) {
      return new Input.Heard(speech, confidence(form.get("Confidence")));
    }
    return new Input.Digits(digits == null ? "" : digits.replaceAll("[^0-9*#]", ""));
  }

  /** Twilio's Confidence, 0 to 1; missing or unreadable counts as unsure (0), so the answer is confirmed. */
  static double confidence(String value) {
    try {
      double c = value == null ? 0 : Double.parseDouble(value.strip());
      return Double.isNaN(c) ? 0 : Math.max(0, Math.min(1, c));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private String render(CallService.Turn turn) {
    return twiml.render(turn.instruction(), turn.session().seq(), turn.session().reference(), turn.session().contactId());
  }

  private void answer(RoutingContext ctx, String callSid, Callable<String> work) {
    workers.executeBlocking(work, false)
        .timeout(deadlineMs, TimeUnit.MILLISECONDS)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            xml(ctx, ar.result());
            return;
          }
          var reason = reason(ar.cause());
          metrics.fallback(reason);
          // The CallSid lets an operator find the call in Twilio's console; the caller's number is never logged.
          log.atError().addKeyValue("callSid", callSid).addKeyValue("reason", reason)
              .addKeyValue("error", describe(ar.cause())).log("webhook failed; caller sent to the fallback number");
          xml(ctx, fallbackTwiml);
        });
  }

  private static String reason(Throwable t) {
    if (t instanceof TimeoutException) {
      return "timeout";
    }
    if (t instanceof StoreException) {
      return "store";
    }
    if (t instanceof FlowException) {
      return "flow";
    }
    return "other";
  }

  private static String describe(Throwable t) {
    var m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }

  private static void xml(RoutingContext ctx, String body) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader("Content-Type", XML).end(body);
    }
  }

  private static void bad(RoutingContext ctx, String reason) {
    HttpEdge.problem(ctx, 400, reason);
  }
}
