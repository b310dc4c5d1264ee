package vn.hotline.gateway.followup;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.store.ContactSession;
import vn.hotline.gateway.store.FollowupRepository;
import vn.hotline.gateway.store.Store;

/**
 * Keeps the promises made to callers: a contact that ends owing a callback, an SMS reply or a voicemail to hear
 * ({@link FollowupPolicy}) gets a task in the transaction that ends it ({@link #closed}, the store's OnClose after
 * delivery.ContactClosing); the counsellors' board lists the open tasks ({@link #openTasks}), a supervisor assigns
 * them ({@link #assign}), each attempt is recorded ({@link #recordAttempt}) until the promise is kept or cannot be.
 *
 * <p>A voice caller's number is kept (sealed, on the contact) only for a callback task: from the moment they said a
 * callback is safe until the task is done or closed, or retention.caller_number_days pass (privacy.Retention), or
 * the contact is erased, whichever comes first. The audit chain says why it was kept (caller.number_kept, reason
 * callback_owed, the task) and when it went. Every change is audited, with ids and codes only.
 *
 * <p>The methods other than {@link #closed} block on the store: call them from a worker.
 */
public final class Followups {
  private static final Logger log = LoggerFactory.getLogger(Followups.class);

  /** Failed attempts (no answer) that close a callback. */
  public static final int MAX_ATTEMPTS = 3;
  /** Why a voice caller's number is kept (audit data). */
  public static final String CALLBACK_OWED = "callback_owed";

  /**
   * One open task as the board shows it: what to do, how urgent, when it is due and whether it is overdue, how old
   * it is, whose contact (the reference the caller was given; no number, no pseudonym, no words), who has it, the
   * attempts so far and when to try again, and whether a number to call or text back is still kept.
   */
  public record BoardTask(String id, Followup.Kind kind, Followup.Priority priority, Followup.Status status,
      Instant dueAt, boolean overdue, Duration age, String reference, Channel channel, String contactId, String reportId,
      String assignedOperator, int attempts, Instant tryAgainAfter, boolean numberKept) {}

  /** Why a change to a task was refused; the console answers 404, 409 or 400. */
  public static final class Refused extends RuntimeException {
    public enum Why {
      /** No task has this id (404). */
      NO_SUCH_TASK,
      /** The task is done, closed or cancelled already (409). */
      NOT_OPEN,
      /** No active operator account has this id (400). */
      NO_SUCH_OPERATOR,
      /** Not something this kind of task takes, e.g. a call attempt on a voicemail review (400). */
      WRONG_KIND
    }

    private final Why why;

    Refused(Why why, String message) {
      super(message);
      this.why = why;
    }

    public Why why() {
      return why;
    }
  }

  private final Store store;
  private final FollowupRepository tasks;
  private final AuditLog audit;
  private final FlowCatalog flows;
  private final FollowupPolicy policy = new FollowupPolicy();
  private final GatewayConfig.Followup cfg;
  private final Clock clock;

  public Followups(Store store, FollowupRepository tasks, AuditLog audit, FlowCatalog flows, GatewayConfig.Followup cfg,
      Clock clock) {
    this.store = store;
    this.tasks = tasks;
    this.audit = audit;
    this.flows = flows;
    this.cfg = cfg;
    this.clock = clock;
  }

  // --- the contact's end ------------------------------------------------------------------------------------

  /**
   * Runs in the transaction that ends a contact (SessionRepository.OnClose, after the report is written): makes the
   * task the contact owes, once (a call's end runs again on Twilio's status callback). A voice contact keeps its
   * sealed number only when a callback task is made; otherwise a number kept at the safety question goes now.
   */
  public void closed(Connection c, ContactSession s, Outcome outcome, Instant now) throws SQLException {
    if (tasks.exists(c, s.contactId())) {
      return;
    }
    var flow = flows.find(s.flowId());
    if (flow.isEmpty()) {
      return; // the flow is no longer loaded: nothing says what it promised
    }
    boolean voice = s.channel() == Channel.VOICE;
    boolean numberKept = tasks.callerNumberKept(c, s.contactId());
    var owed = policy.owed(flow.get(), s.state(), outcome, numberKept);
    if (owed.isPresent()) {
      var o = owed.get();
      var due = now.plus(o.priority() == Followup.Priority.URGENT ? Duration.ofMinutes(cfg.dangerDueMinutes())
          : Duration.ofHours(cfg.otherDueHours()));
      var id = tasks.insert(c, new FollowupRepository.NewTask(s.contactId(), tasks.reportOf(c, s.contactId()).orElse(null),
          o.kind(), o.priority(), due), now);
      if (o.kind() == Followup.Kind.CALLBACK) {
        audit.append(c, "caller.number_kept", FollowupRepository.GATEWAY, Map.of("contact", s.contactId(), "task", id),
            Map.of("reason", CALLBACK_OWED, "task", id), now);
      }
      log.atInfo().addKeyValue("contact", s.contactId()).addKeyValue("task", id).addKeyValue("kind", o.kind().wire())
          .addKeyValue("priority", o.priority().wire()).log("follow-up task created");
    } else if (policy.promised(flow.get(), s.state(), outcome).isPresent()) {
      log.atWarn().addKeyValue("contact", s.contactId())
          .log("a callback was promised but the caller's number was withheld: nothing to call back");
    }
    if (voice && numberKept && (owed.isEmpty() || owed.get().kind() != Followup.Kind.CALLBACK)) {
      tasks.releaseCallerNumber(c, s.contactId(), "no_callback_owed", FollowupRepository.GATEWAY, now);
    }
  }

  // --- the board ----------------------------------------------------------------------------------------------

  /** The open tasks (open or in progress): urgent first, then the soonest due. */
  public List<BoardTask> openTasks() {
    var now = clock.instant();
    return tasks.open().stream().map(t -> board(t, now)).toList();
  }

  /** One task, open or not. */
  public Optional<FollowupRepository.Task> task(String id) {
    return tasks.find(id);
  }

  /** The task a contact has, if any. */
  public Optional<FollowupRepository.Task> taskOfContact(String contactId) {
    return tasks.ofContact(contactId);
  }

  /** A task's attempts, oldest first. */
  public List<FollowupRepository.Attempt> attempts(String taskId) {
    return tasks.attempts(taskId);
  }

  // --- changes ------------------------------------------------------------------------------------------------

  /**
   * Gives an open task to {@code operatorId} (a counsellor taking it, a supervisor reassigning it); audited as
   * followup.assigned with {@code actor} (the operator id of who did it). Returns the task after.
   */
  public FollowupRepository.Task assign(String taskId, String operatorId, String actor, Instant now) {
    return store.inTransaction(c -> {
      var t = openTask(c, taskId);
      operator(c, operatorId);
      tasks.assign(c, t, operatorId, actor, now);
      return tasks.lock(c, taskId).orElseThrow();
    });
  }

  /**
   * Records one attempt by {@code operatorId} to keep a callback or SMS reply task: reached closes it as done; no
   * answer leaves it in progress, to try again from followup.retry_minutes later, and the {@value #MAX_ATTEMPTS}rd
   * closes it (closed_failed, no_answer); a wrong number closes it at once (someone else has the phone: calling again
   * could put the child at risk); the caller asking not to be contacted cancels it. A closed callback's number goes
   * with it, and so does any number on do_not_contact. Audited (followup.attempt, followup.closed). Returns the task
   * after.
   */
  public FollowupRepository.Task recordAttempt(String taskId, String operatorId, Followup.Result result, Instant now) {
    return store.inTransaction(c -> recordAttempt(c, taskId, operatorId, result, now));
  }

  /** {@link #recordAttempt(String, String, Followup.Result, Instant)} in the caller's transaction (a call's end). */
  FollowupRepository.Task recordAttempt(Connection c, String taskId, String operatorId, Followup.Result result,
      Instant now) throws SQLException {
    var t = openTask(c, taskId);
    if (t.kind() == Followup.Kind.VOICEMAIL_REVIEW) {
      throw new Refused(Refused.Why.WRONG_KIND, "task " + taskId + " is a voicemail review: nobody is called back");
    }
    operator(c, operatorId);
    int attempts = t.attempts() + 1;
    boolean again = result == Followup.Result.NO_ANSWER && attempts < MAX_ATTEMPTS;
    tasks.attempt(c, t, operatorId, result, again ? now.plus(Duration.ofMinutes(cfg.retryMinutes())) : null, now);
    if (!again) {
      var status = switch (result) {
        case REACHED -> Followup.Status.DONE;
        case NO_ANSWER, WRONG_NUMBER -> Followup.Status.CLOSED_FAILED;
        case DO_NOT_CONTACT -> Followup.Status.CANCELLED;
      };
      // A callback's number was kept for it alone; an SMS texter's stays under the SMS rules unless they said no.
      boolean release = t.kind() == Followup.Kind.CALLBACK || result == Followup.Result.DO_NOT_CONTACT;
      tasks.close(c, t, status, Followup.Outcome.of(result), release, operatorId, now);
    }
    return tasks.lock(c, taskId).orElseThrow();
  }

  /** A voicemail review done: the message was heard (done, reviewed). Audited. Returns the task after. */
  public FollowupRepository.Task reviewed(String taskId, String operatorId, Instant now) {
    return store.inTransaction(c -> {
      var t = openTask(c, taskId);
      if (t.kind() != Followup.Kind.VOICEMAIL_REVIEW) {
        throw new Refused(Refused.Why.WRONG_KIND, "task " + taskId + " is a " + t.kind() + ": record its attempts");
      }
      operator(c, operatorId);
      tasks.close(c, t, Followup.Status.DONE, Followup.Outcome.REVIEWED, false, operatorId, now);
      return tasks.lock(c, taskId).orElseThrow();
    });
  }

  private FollowupRepository.Task openTask(Connection c, String taskId) throws SQLException {
    var t = tasks.lock(c, taskId).orElseThrow(() -> new Refused(Refused.Why.NO_SUCH_TASK, "no task " + taskId));
    if (!t.status().open()) {
      throw new Refused(Refused.Why.NOT_OPEN, "task " + taskId + " is " + t.status() + " already");
    }
    return t;
  }

  private void operator(Connection c, String operatorId) throws SQLException {
    if (operatorId == null || !tasks.operatorActive(c, operatorId)) {
      throw new Refused(Refused.Why.NO_SUCH_OPERATOR, "no active operator " + operatorId);
    }
  }

  static BoardTask board(FollowupRepository.Task t, Instant now) {
    return new BoardTask(t.id(), t.kind(), t.priority(), t.status(), t.dueAt(), now.isAfter(t.dueAt()),
        Duration.between(t.createdAt(), now), t.reference(), t.channel(), t.contactId(), t.reportId(),
        t.assignedOperator(), t.attempts(), t.nextAttemptAt(), t.numberKept());
  }
}
