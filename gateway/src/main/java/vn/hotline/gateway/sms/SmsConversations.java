package vn.hotline.gateway.sms;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.OutboundStatus;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.flow.Input;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.flow.Step;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.ContactSession;
import vn.hotline.gateway.store.NewContact;
import vn.hotline.gateway.store.SessionRepository;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.store.TakeoverRepository;
import vn.hotline.gateway.util.Ids;

/**
 * An SMS conversation, whatever carried it (Twilio Messaging or an SMPP link): keywords (report, help, stop,
 * start) from the flow file, a first text that reads as a cry for help starting the report at once, the same flow engine as voice, one session per texter and channel, replies
 * queued in the store in the same transaction as the step that caused them. Also reminds and then expires
 * conversations that went quiet.
 */
public final class SmsConversations {
  private static final Logger log = LoggerFactory.getLogger(SmsConversations.class);

  /** A reply that was queued for the texter. */
  public record Reply(String outboundId, String text) {}

  /**
   * What one message came to: the replies queued for the texter, and {@code takenOver}, the contact a counsellor has
   * taken over that the message went to (null when the flow had it). Once committed, hand it to {@link #committed}.
   */
  public record Handled(List<Reply> replies, String takenOver) {
    static Handled flow(List<Reply> replies) {
      return new Handled(replies, null);
    }
  }

  private final FlowDefinition flow;
  private final FlowEngine engine;
  private final SessionRepository sessions;
  private final SmsRepository sms;
  private final Store store;
  private final Metrics metrics;
  private final Clock clock;
  private final Duration remindAfter;
  private final Duration expireAfter;
  private final TakeoverRepository takeovers;
  private final Consumer<String> takenOverChanged;

  /**
   * @param takenOverChanged told the contact id when a message that went to a counsellor has been committed (the
   *     console pages watching that conversation show it)
   */
  public SmsConversations(FlowDefinition flow, FlowEngine engine, SessionRepository sessions, SmsRepository sms,
      Store store, Metrics metrics, Clock clock, Duration remindAfter, Duration expireAfter, TakeoverRepository takeovers,
      Consumer<String> takenOverChanged) {
    this.takeovers = takeovers;
    this.takenOverChanged = takenOverChanged;
    this.flow = flow;
    this.engine = engine;
    this.sessions = sessions;
    this.sms = sms;
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.remindAfter = remindAfter;
    this.expireAfter = expireAfter;
  }

  public FlowDefinition flow() {
    return flow;
  }

  /**
   * Applies one inbound message in the caller's transaction and records the replies with {@code replyStatus}
   * (queued: a sender will send them; sent: the webhook answers them inline). While a counsellor has taken the
   * texter's conversation over, the message goes to them instead ({@link #toCounsellor}).
   */
  public Handled handle(Connection c, SmsRepository.Inbound m, OutboundStatus replyStatus) throws SQLException {
    var now = clock.instant();
    var texter = new Texter(m.channel(), m.link(), m.senderPseudonym(), m.senderSealed());
    boolean optedOut = sms.optedOut(c, m.senderPseudonym());
    var keyword = flow.keyword(m.text());
    var active = sessions.findActive(c, m.channel(), m.senderPseudonym());
    // After the session's lock: a counsellor taking this conversation over meanwhile has ended it and is seen here.
    var takenOver = takeovers.takenOverFrom(c, m.channel(), m.senderPseudonym());
    if (takenOver.isPresent()) {
      return toCounsellor(c, m, takenOver.get(), keyword, optedOut, texter, replyStatus, now);
    }
    // Only a first text (no conversation, not a keyword) can be a cry for help; nothing of it is logged.
    var cry = keyword.isEmpty() && active.isEmpty() ? flow.cryForHelp(m.text()) : Optional.<FlowDefinition.CryForHelp.Start>empty();
    var language = active.map(s -> s.state().language())
        .orElse(keyword.map(FlowDefinition.Keyword::language).filter(l -> l != null).orElse(flow.defaultLanguage()));
    var replies = new ArrayList<String>();
    String contactId = active.map(ContactSession::contactId).orElse(null);

    if (keyword.isPresent()) {
      switch (keyword.get().action()) {
        case OPT_OUT -> {
          sms.setOptOut(c, m.senderPseudonym(), true, now);
          if (active.isPresent()) {
            end(c, active.get(), Outcome.OPTED_OUT, now);
          }
          replies.add(flow.text("opted_out", language)); // the one message a STOP still gets: its confirmation
        }
        case OPT_IN -> {
          sms.setOptOut(c, m.senderPseudonym(), false, now);
          replies.add(flow.text("opted_in", language));
        }
        case HELP -> {
          if (optedOut) {
            sms.setOptOut(c, m.senderPseudonym(), false, now); // asking for help is asking to be answered
          }
          replies.add(flow.text("help", language));
          active.ifPresent(s -> replies.add(text(engine.repeat(flow, s.state(), context(s.reference())))));
        }
        case REPORT -> {
          if (optedOut) {
            sms.setOptOut(c, m.senderPseudonym(), false, now);
          }
          if (active.isPresent()) {
            end(c, active.get(), Outcome.RESTARTED, now);
            replies.add(flow.text("restarted", keyword.get().language() != null ? keyword.get().language() : language));
          }
          var started = start(c, m, keyword.get().language() != null ? keyword.get().language() : language, now);
          contactId = started.session().contactId();
          replies.add(text(started.step()));
        }
      }
    } else if (cry.isPresent()) {
      if (optedOut) {
        sms.setOptOut(c, m.senderPseudonym(), false, now); // a cry for help is asking to be answered, as BAOCAO is
      }
      var started = startCry(c, m, cry.get(), now);
      contactId = started.session().contactId();
      replies.add(text(started.step()));
    } else if (optedOut) {
      // Kept (a child may still be telling us something) but not answered: they asked for no messages.
      attach(c, m, contactId);
      return Handled.flow(List.of());
    } else if (active.isPresent()) {
      var s = active.get();
      var step = engine.advance(flow, s.state(), new Input.Text(m.text()), context(s.reference()));
      sessions.advance(c, s, step.state(), step.events(), now);
      if (step.state().closed()) {
        metrics.outcome(flow.id(), step.state().outcome());
      }
      replies.add(text(step));
    } else {
      replies.add(flow.text("menu", language));
    }

    attach(c, m, contactId);
    if (replies.isEmpty()) {
      return Handled.flow(List.of());
    }
    // One SMS per message received: cheaper, and a texter can never get the parts of an answer out of order.
    var body = String.join(" ", replies);
    return Handled.flow(List.of(new Reply(queue(c, texter, contactId, body, "reply", replyStatus, now), body)));
  }

  /**
   * A message from a texter whose conversation a counsellor has taken over: it is the counsellor's to read (stored
   * with that contact, shown on their screen), and the flow does not answer it. The opt-out words work as always:
   * STOP (and the flow's other opt-out words) opts out and gets its confirmation, START opts in again; asking for
   * help or to report lifts an opt-out, as it does with the flow, so that the counsellor may answer.
   */
  private Handled toCounsellor(Connection c, SmsRepository.Inbound m, TakeoverRepository.Conversation conv,
      Optional<FlowDefinition.Keyword> keyword, boolean optedOut, Texter texter, OutboundStatus replyStatus, Instant now)
      throws SQLException {
    // The contact's lock, as a counsellor's reply takes it: a STOP and a reply are one after the other, so a reply
    // written after the STOP is refused.
    takeovers.lock(c, conv.contactId());
    sms.attach(c, m.id(), conv.contactId());
    var language = conv.language() != null ? conv.language()
        : keyword.map(FlowDefinition.Keyword::language).filter(l -> l != null).orElse(flow.defaultLanguage());
    String reply = null;
    if (keyword.isPresent()) {
      switch (keyword.get().action()) {
        case OPT_OUT -> {
          sms.setOptOut(c, m.senderPseudonym(), true, now);
          var active = sessions.findActive(c, m.channel(), m.senderPseudonym());
          if (active.isPresent()) {
            end(c, active.get(), Outcome.OPTED_OUT, now);
          }
          reply = flow.text("opted_out", language);
        }
        case OPT_IN -> {
          sms.setOptOut(c, m.senderPseudonym(), false, now);
          reply = flow.text("opted_in", language);
        }
        case HELP, REPORT -> {
          if (optedOut) {
            sms.setOptOut(c, m.senderPseudonym(), false, now);
          }
        }
      }
    }
    if (reply == null) {
      return new Handled(List.of(), conv.contactId());
    }
    return new Handled(List.of(new Reply(queue(c, texter, conv.contactId(), reply, "reply", replyStatus, now), reply)),
        conv.contactId());
  }

  /** After the transaction that handled a message committed: the counsellor's pages are told, if it went to one. */
  public void committed(Handled handled) {
    if (handled != null && handled.takenOver() != null) {
      takenOverChanged.accept(handled.takenOver());
    }
  }

  private void attach(Connection c, SmsRepository.Inbound m, String contactId) throws SQLException {
    if (contactId != null) {
      sms.attach(c, m.id(), contactId);
    }
  }

  private record Started(ContactSession session, Step step) {}

  private Started start(Connection c, SmsRepository.Inbound m, String language, Instant now) throws SQLException {
    var reference = Ids.reference();
    var step = engine.start(flow, context(reference), language);
    var contact = new NewContact(m.channel(), m.id(), reference, flow.id(), m.senderPseudonym(), m.senderSealed(), m.link());
    return new Started(sessions.create(c, contact, step.state(), step.events(), now), step);
  }

  /** A report started by a first text that read as a cry for help: that text begins its description (sealed). */
  private Started startCry(Connection c, SmsRepository.Inbound m, FlowDefinition.CryForHelp.Start at, Instant now)
      throws SQLException {
    var reference = Ids.reference();
    var step = engine.startCry(flow, context(reference), at, m.text());
    var contact = new NewContact(m.channel(), m.id(), reference, flow.id(), m.senderPseudonym(), m.senderSealed(), m.link());
    return new Started(sessions.create(c, contact, step.state(), step.events(), now), step);
  }

  private void end(Connection c, ContactSession s, Outcome outcome, Instant now) throws SQLException {
    sessions.end(c, s, null, outcome, now);
    metrics.outcome(flow.id(), outcome);
  }

  /**
   * Reminds texters who went quiet and expires conversations silent for the idle time; what they sent is kept
   * (an expired report is stored as abandoned, with its reference). Returns how many were touched.
   */
  public int sweep() {
    var now = clock.instant();
    int touched = 0;
    for (var idle : sessions.idleSince(Channel.SMS, now.minus(remindAfter), 200)) {
      touched += store.inTransaction(c -> {
        Optional<ContactSession> locked = sessions.lock(c, idle.sessionId());
        if (locked.isEmpty() || locked.get().state().closed() || locked.get().version() != idle.version()) {
          return 0; // a message arrived meanwhile
        }
        var s = locked.get();
        var texter = new Texter(s.channel(), s.smsLink(), s.callerPseudonym(), s.callerSealed());
        boolean quiet = sms.optedOut(c, s.callerPseudonym()) || s.callerSealed() == null;
        if (s.updatedAt().isBefore(now.minus(expireAfter))) {
          end(c, s, Outcome.ABANDONED, now);
          if (!quiet) {
            queue(c, texter, s.contactId(),
                flow.text("expired", s.state().language()).replace("{reference}", s.reference()), "expiry", OutboundStatus.QUEUED, now);
          }
          return 1;
        }
        if (s.remindedAt() == null) {
          sessions.markReminded(c, s, now);
          if (!quiet) {
            queue(c, texter, s.contactId(), flow.text("reminder", s.state().language()), "reminder", OutboundStatus.QUEUED, now);
          }
          return 1;
        }
        return 0;
      });
    }
    if (touched > 0) {
      log.info("sms conversations reminded or expired: {}", touched);
    }
    return touched;
  }

  private record Texter(Channel channel, String link, String pseudonym, String sealed) {}

  private String queue(Connection c, Texter t, String contactId, String body, String kind, OutboundStatus status, Instant now)
      throws SQLException {
    int parts = SmsCodec.encode(body, 0).parts().size();
    return sms.queue(c, t.channel(), t.link(), contactId, t.pseudonym(), t.sealed(), body, kind, parts, status, now);
  }

  private FlowEngine.Context context(String reference) {
    return new FlowEngine.Context(reference, true);
  }

  /** The lines of a step as one SMS text. */
  static String text(Step step) {
    return String.join(" ", step.instruction().lines().stream().map(Instruction.Line::text).toList());
  }
}
