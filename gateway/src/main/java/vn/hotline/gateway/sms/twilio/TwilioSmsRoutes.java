package vn.hotline.gateway.sms.twilio;

import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.OutboundStatus;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.sms.SmsConversations;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;
import vn.hotline.gateway.util.Xml;

/**
 * Twilio Messaging webhooks. An inbound SMS is stored, run through the conversation and answered with TwiML
 * {@code <Message>} in one go; each reply's status callback comes back to /twilio/sms/status. If the store
 * fails, the texter is told to call 111 rather than hearing nothing. If the work outlasts http.webhook_deadline_ms
 * the texter gets that text at once; the work still commits the message and the conversation, but its replies
 * are queued for the REST sender, not recorded as sent.
 */
public final class TwilioSmsRoutes {
  public static final String BASE = "/twilio/sms";
  private static final Logger log = LoggerFactory.getLogger(TwilioSmsRoutes.class);
  private static final Pattern MESSAGE_SID = Pattern.compile("(SM|MM)[0-9a-fA-F]{32}");
  private static final int MAX_BODY_CHARACTERS = 1600;
  private static final Pattern OUTBOUND_ID = Pattern.compile("[0-9a-f-]{36}");
  private static final String FALLBACK = "111: He thong tam thoi gap su co. Hay goi 111 (mien phi, 24/7) de duoc giup ngay."
      + " / 111 is having trouble: please call 111 (free, 24/7).";

  private final SmsConversations conversations;
  private final SmsRepository sms;
  private final Store store;
  private final Pseudonyms pseudonyms;
  private final TwilioWebhookGuard guard;
  private final WorkerExecutor workers;
  private final Metrics metrics;
  private final long deadlineMs;
  private final Clock clock;
  private final int smsPerMinute;

  public TwilioSmsRoutes(SmsConversations conversations, SmsRepository sms, Store store, Pseudonyms pseudonyms,
      TwilioWebhookGuard guard, WorkerExecutor workers, Metrics metrics, long deadlineMs, Clock clock, int smsPerMinute) {
    this.smsPerMinute = smsPerMinute;
    this.conversations = conversations;
    this.sms = sms;
    this.store = store;
    this.pseudonyms = pseudonyms;
    this.guard = guard;
    this.workers = workers;
    this.metrics = metrics;
    this.deadlineMs = deadlineMs;
    this.clock = clock;
  }

  public void mount(Router router) {
    guard.mount(router, BASE);
    router.post(BASE + "/incoming").handler(this::incoming);
    router.post(BASE + "/status").handler(this::status);
  }

  private void incoming(RoutingContext ctx) {
    HttpEdge.route(ctx, BASE + "/incoming");
    var form = TwilioWebhookGuard.form(ctx);
    var sid = form.get("MessageSid");
    var from = form.get("From");
    if (sid == null || !MESSAGE_SID.matcher(sid).matches()) {
      HttpEdge.problem(ctx, 400, "MessageSid is missing or not a Twilio message SID (SM/MM + 32 hex digits)");
      return;
    }
    if (from == null || from.isBlank()) {
      HttpEdge.problem(ctx, 400, "From is missing");
      return;
    }
    if (!guard.allow("sms", pseudonyms.of(from), smsPerMinute)) {
      xml(ctx, twiml(List.of())); // a flood from one number: not stored, not answered, audited once a minute
      return;
    }
    var to = form.get("To") == null ? "" : form.get("To");
    var body = longest(form.get("Body") == null ? "" : form.get("Body"));
    // Who answers the webhook, decided once: the work (its replies as TwiML) or the deadline (the fallback text).
    // The work decides inside its transaction, before the commit, so what it records is what the texter gets.
    var answered = new AtomicBoolean();
    long timer = ctx.vertx().setTimer(deadlineMs, id -> {
      if (answered.compareAndSet(false, true)) {
        fallback(ctx, sid, "deadline");
      }
    });
    workers.executeBlocking(() -> store.inTransaction(c -> {
      var pseudonym = pseudonyms.of(from);
      var inbound = sms.insertProviderMessage(c, Channel.SMS_TWILIO, sid, pseudonym, from, to, body, clock.instant());
      if (inbound.isEmpty()) {
        answered.compareAndSet(false, true);
        return new SmsConversations.Handled(List.of(), null); // Twilio retried a message we already answered
      }
      var handled = conversations.handle(c, inbound.get(), OutboundStatus.SENT);
      var replies = handled.replies();
      sms.markProcessed(c, inbound.get(), clock.instant());
      if (!answered.compareAndSet(false, true)) {
        // The texter already has the fallback text: these replies never went out in TwiML. The message and the
        // conversation are kept; the replies wait for the REST sender instead of being recorded as sent.
        for (var r : replies) {
          if (r.outboundId() != null) {
            sms.notSentInline(c, r.outboundId(), "the webhook passed http.webhook_deadline_ms; sent by the REST API",
                clock.instant());
          }
        }
        return new SmsConversations.Handled(null, handled.takenOver());
      }
      return handled;
    }), false).onComplete(ar -> {
      ctx.vertx().cancelTimer(timer);
      if (ar.succeeded()) {
        conversations.committed(ar.result());
        if (ar.result().replies() != null) {
          xml(ctx, twiml(ar.result().replies()));
        }
      } else {
        answered.set(true);
        if (!ctx.response().ended()) {
          fallback(ctx, sid, ar.cause().getClass().getSimpleName());
        }
      }
    });
  }

  private void fallback(RoutingContext ctx, String sid, String why) {
    metrics.fallback("sms");
    log.atError().addKeyValue("messageSid", sid).addKeyValue("error", why).log("sms webhook failed; texter told to call 111");
    xml(ctx, twiml(List.of(new SmsConversations.Reply(null, FALLBACK))));
  }

  /**
   * Twilio delivers at most 1,600 characters in a text; anything longer did not come from a phone, so its first
   * 1,600 are kept (whatever the script, they fit the store) and it is answered as usual.
   */
  private String longest(String body) {
    if (body.codePointCount(0, body.length()) <= MAX_BODY_CHARACTERS) {
      return body;
    }
    log.atWarn().addKeyValue("characters", body.codePointCount(0, body.length()))
        .log("an SMS webhook carried a text longer than Twilio sends; its first 1600 characters are kept");
    return body.substring(0, body.offsetByCodePoints(0, MAX_BODY_CHARACTERS));
  }

  private void status(RoutingContext ctx) {
    HttpEdge.route(ctx, BASE + "/status");
    var out = ctx.queryParam("out").stream().findFirst().orElse("");
    var status = TwilioWebhookGuard.form(ctx).get("MessageStatus");
    var sid = TwilioWebhookGuard.form(ctx).get("MessageSid");
    if (!OUTBOUND_ID.matcher(out).matches() || status == null) {
      HttpEdge.problem(ctx, 400, "status callback needs ?out=<outbound id> and MessageStatus");
      return;
    }
    var ours = TwilioMessageStatus.ours(status);
    workers.executeBlocking(() -> sms.recordStatus(out, sid, ours, clock.instant()), false).onComplete(ar -> {
      if (ar.failed()) {
        log.atWarn().addKeyValue("messageSid", sid).log("sms status not recorded");
        ctx.response().setStatusCode(503).end();
      } else {
        ctx.response().setStatusCode(ar.result() ? 204 : 404).end();
      }
    });
  }

  /** The replies as a MessagingResponse (https://www.twilio.com/docs/messaging/twiml), written with util.Xml. */
  static String twiml(List<SmsConversations.Reply> replies) {
    var response = Xml.element("Response");
    for (var r : replies) {
      var m = Xml.element("Message");
      if (r.outboundId() != null) {
        m.attr("action", BASE + "/status?out=" + r.outboundId()).attr("method", "POST");
      }
      response.add(m.add(Xml.element("Body").text(r.text())));
    }
    return response.document();
  }

  private static void xml(RoutingContext ctx, String body) {
    if (!ctx.response().ended()) {
      ctx.response().putHeader("Content-Type", "text/xml; charset=utf-8").end(body);
    }
  }
}
