package vn.hotline.gateway.sms;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.followup.Followups;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.store.FollowupRepository;
import vn.hotline.gateway.store.SessionRepository;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.store.TakeoverRepository;

/**
 * A counsellor answering an SMS conversation in person (issue 13, "SMS answered by a person").
 *
 * <ul>
 *   <li>{@link #takeOver}: an SMS contact whose flow session is active, or whose contact owes an open sms_reply task
 *       (the flow said "a counsellor will contact you"), and whose number is still kept. An active flow session ends
 *       then as handed to a counsellor (outcome operator, as a call put through: its report, if its answers make one,
 *       is made then; nothing is owed after it since a counsellor has the texter). An open sms_reply task is given to
 *       the counsellor. Until the takeover ends, the texter's messages go to the counsellor, never to the flow
 *       (SmsConversations); STOP and the flow's other opt-out words still work as always.</li>
 *   <li>{@link #reply}: queued in sms_outbound like every reply (same channel and SMPP link as the conversation, the
 *       short code, the senders' retries and GSM-7/UCS-2 encoding), its text sealed. Refused to a texter who opted
 *       out. The first reply on a contact with an open sms_reply task records the attempt as reached (the promise is
 *       kept: a person wrote to the child), which closes the task as done.</li>
 *   <li>{@link #handBack}: the texter is back with the flow, which starts afresh: their next text is answered as a
 *       text outside any conversation is (a keyword starts a new conversation, anything else gets the short menu).
 *       {@link #close}: the same for the texter; it says the counsellor finished, rather than passed it back.</li>
 * </ul>
 *
 * Every change is audited by the store with ids only (sms.taken_over, sms.reply_sent, sms.handed_back, sms.closed).
 * Methods block on the store: call them from a worker.
 */
public final class SmsTakeovers {
  private static final Logger log = LoggerFactory.getLogger(SmsTakeovers.class);
  /** The longest reply a counsellor may send, in characters (about 15 UCS-2 parts). */
  public static final int MAX_REPLY = 1000;

  /** Why a request was refused; nothing changed. */
  public static final class Refused extends RuntimeException {
    public enum Why {
      /** No such contact (404). */
      NO_SUCH_CONTACT,
      /** Not an SMS contact, erased, or its number is no longer kept: nobody to write to (409). */
      NOT_ANSWERABLE,
      /** Neither an active conversation nor an open sms_reply task (409). */
      NOTHING_OPEN,
      /** Another counsellor has it (409). */
      TAKEN_BY_ANOTHER,
      /** Not taken over by this operator, or not at all (409). */
      NOT_TAKEN_OVER,
      /** The texter opted out: nothing more may be sent to that number (409). */
      OPTED_OUT,
      /** An empty reply, or one longer than {@value SmsTakeovers#MAX_REPLY} characters (400). */
      BAD_TEXT
    }

    private final Why why;

    Refused(Why why) {
      super(why.name());
      this.why = why;
    }

    public Why why() {
      return why;
    }
  }

  private final Store store;
  private final TakeoverRepository takeovers;
  private final SmsRepository sms;
  private final SessionRepository sessions;
  private final Followups followups;
  private final Metrics metrics;
  private final Clock clock;
  private final Runnable repliesQueued;
  private final Consumer<String> changed;

  /**
   * @param repliesQueued wakes the senders (SMPP and Twilio REST)
   * @param changed told a contact id after each committed change, for the console pages watching it
   */
  public SmsTakeovers(Store store, TakeoverRepository takeovers, SmsRepository sms, SessionRepository sessions,
      Followups followups, Metrics metrics, Clock clock, Runnable repliesQueued, Consumer<String> changed) {
    this.store = store;
    this.takeovers = takeovers;
    this.sms = sms;
    this.sessions = sessions;
    this.followups = followups;
    this.metrics = metrics;
    this.clock = clock;
    this.repliesQueued = repliesQueued;
    this.changed = changed;
  }

  /** What the conversation page offers: may it be taken over now, and is it. No texts. */
  public record State(TakeoverRepository.Conversation conversation, Optional<TakeoverRepository.Takeover> open,
      boolean takeable, Optional<FollowupRepository.Task> task) {}

  /** The contact's state, or empty when there is no such contact. */
  public Optional<State> state(String contactId) {
    var conv = takeovers.conversation(contactId);
    if (conv.isEmpty()) {
      return Optional.empty();
    }
    var task = followups.taskOfContact(contactId);
    var open = takeovers.openOf(contactId);
    return Optional.of(new State(conv.get(), open, open.isEmpty() && answerable(conv.get()) && (conv.get().activeSessionId() != null
        || openReplyTask(task)), task));
  }

  /** Takes the conversation over for {@code operatorId}; the same operator again changes nothing. */
  public TakeoverRepository.Takeover takeOver(String contactId, String operatorId) {
    var now = clock.instant();
    var taken = store.inTransaction(c -> {
      var conv = takeovers.lock(c, contactId).orElseThrow(() -> new Refused(Refused.Why.NO_SUCH_CONTACT));
      var open = takeovers.openOf(c, contactId);
      if (open.isPresent()) {
        if (open.get().operatorId().equals(operatorId)) {
          return open.get();
        }
        throw new Refused(Refused.Why.TAKEN_BY_ANOTHER);
      }
      if (!answerable(conv)) {
        throw new Refused(Refused.Why.NOT_ANSWERABLE);
      }
      var task = followups.taskOfContact(contactId);
      if (conv.activeSessionId() == null && !openReplyTask(task)) {
        throw new Refused(Refused.Why.NOTHING_OPEN);
      }
      // The texter's conversation with the flow (this contact's, or a newer one of theirs) cannot go on while their
      // texts go to the counsellor: it ends as handed to a counsellor.
      var active = sessions.findActive(c, conv.channel(), conv.pseudonym());
      if (active.isPresent() && !active.get().state().closed()) {
        sessions.end(c, active.get(), null, Outcome.OPERATOR, now);
        metrics.outcome(active.get().flowId(), Outcome.OPERATOR);
      }
      var id = takeovers.start(c, contactId, operatorId, now);
      return new TakeoverRepository.Takeover(id, contactId, operatorId, now, null, null, null);
    });
    // Given to the counsellor who took it, so the board says whose it is (not part of the takeover: a task closed
    // meanwhile changes nothing here).
    followups.taskOfContact(contactId).filter(t -> t.kind() == Followup.Kind.SMS_REPLY && t.status().open()
        && !operatorId.equals(t.assignedOperator())).ifPresent(t -> {
          try {
            followups.assign(t.id(), operatorId, operatorId, now);
          } catch (Followups.Refused e) {
            log.atInfo().addKeyValue("task", t.id()).addKeyValue("why", e.why()).log("sms reply task not assigned");
          }
        });
    log.atInfo().addKeyValue("contact", contactId).addKeyValue("operator", operatorId).addKeyValue("takeover", taken.id())
        .log("sms conversation taken over");
    changed.accept(contactId);
    return taken;
  }

  /**
   * Queues the counsellor's reply to the texter. Returns the outbound id. Refused when this operator has not taken
   * the conversation over, when the texter opted out, or for an empty or too long text.
   */
  public String reply(String contactId, String operatorId, String text) {
    var body = text == null ? "" : text.strip();
    if (body.isEmpty() || body.codePointCount(0, body.length()) > MAX_REPLY) {
      throw new Refused(Refused.Why.BAD_TEXT);
    }
    var now = clock.instant();
    var outbound = store.inTransaction(c -> {
      var conv = takeovers.lock(c, contactId).orElseThrow(() -> new Refused(Refused.Why.NO_SUCH_CONTACT));
      var open = takeovers.openOf(c, contactId).filter(t -> t.operatorId().equals(operatorId))
          .orElseThrow(() -> new Refused(Refused.Why.NOT_TAKEN_OVER));
      if (!answerable(conv)) {
        throw new Refused(Refused.Why.NOT_ANSWERABLE);
      }
      // Read in this transaction, after the contact's lock: a STOP committed before it is seen here.
      if (TakeoverRepository.optedOut(c, conv.pseudonym())) {
        throw new Refused(Refused.Why.OPTED_OUT);
      }
      int parts = SmsCodec.encode(body, 0).parts().size();
      var id = sms.queueCounsellorReply(c, conv.channel(), conv.link(), contactId, conv.pseudonym(), conv.sealedNumber(),
          body, parts, operatorId, now);
      takeovers.replyQueued(c, open, id, parts, operatorId, now);
      return id;
    });
    repliesQueued.run();
    var task = followups.taskOfContact(contactId);
    if (openReplyTask(task)) {
      try {
        followups.recordAttempt(task.get().id(), operatorId, Followup.Result.REACHED, now);
      } catch (Followups.Refused e) {
        log.atInfo().addKeyValue("task", task.get().id()).addKeyValue("why", e.why()).log("sms reply task not updated");
      }
    }
    log.atInfo().addKeyValue("contact", contactId).addKeyValue("operator", operatorId).addKeyValue("outbound", outbound)
        .log("counsellor's sms reply queued");
    changed.accept(contactId);
    return outbound;
  }

  /** Hands the conversation back to the flow. {@code anyone}: a supervisor may end another's takeover. */
  public void handBack(String contactId, String operatorId, boolean anyone) {
    end(contactId, operatorId, anyone, TakeoverRepository.HANDED_BACK);
  }

  /** Closes the conversation: the counsellor is done; the texter's next text goes to the flow. */
  public void close(String contactId, String operatorId, boolean anyone) {
    end(contactId, operatorId, anyone, TakeoverRepository.CLOSED);
  }

  private void end(String contactId, String operatorId, boolean anyone, String reason) {
    var now = clock.instant();
    store.inTransaction(c -> {
      takeovers.lock(c, contactId).orElseThrow(() -> new Refused(Refused.Why.NO_SUCH_CONTACT));
      var open = takeovers.openOf(c, contactId).filter(t -> anyone || t.operatorId().equals(operatorId))
          .orElseThrow(() -> new Refused(Refused.Why.NOT_TAKEN_OVER));
      takeovers.end(c, open, reason, operatorId, now);
      return null;
    });
    log.atInfo().addKeyValue("contact", contactId).addKeyValue("operator", operatorId).addKeyValue("reason", reason)
        .log("sms conversation taken over ended");
    changed.accept(contactId);
  }

  private static boolean answerable(TakeoverRepository.Conversation conv) {
    return conv.channel().isSms() && !conv.erased() && conv.sealedNumber() != null && conv.pseudonym() != null;
  }

  private static boolean openReplyTask(Optional<FollowupRepository.Task> task) {
    return task.isPresent() && task.get().kind() == Followup.Kind.SMS_REPLY && task.get().status().open();
  }

  /** The clock's now (for the pages' times). */
  public Instant now() {
    return clock.instant();
  }
}
