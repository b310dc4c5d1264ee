package vn.hotline.gateway.followup;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.store.CallbackRepository;
import vn.hotline.gateway.store.CallbackRepository.Result;
import vn.hotline.gateway.store.CallbackRepository.State;
import vn.hotline.gateway.store.FollowupRepository;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.util.Xml;

/**
 * "Call back" on a callback task, without the counsellor ever seeing or being shown the child's number:
 *
 * <ol>
 *   <li>{@link #start}: the gateway asks Twilio (REST Calls.create, {@link TwilioCalls}) to ring the counsellor's own
 *       phone (their account's number) from the hotline's number ({@code operators.caller_id});
 *   <li>{@link #bridge}: they pick up and hear "Gọi lại cho mã số 1234 5678", the task's reference, and press 1 (a
 *       counsellor's voicemail presses nothing, so it is never connected to a child);
 *   <li>{@link #key}: the TwiML dials the number kept sealed on the contact, opened here for Twilio only, with the
 *       hotline's number as caller ID, {@code answerOnBridge}, a short ring ({@code followup.callback_ring_seconds})
 *       and answering-machine detection on the child's leg; no voicemail fallback, no SMS, ever;
 *   <li>{@link #child}: a machine that answers (AnsweredBy machine_* or fax) is hung up on before its beep;
 *   <li>{@link #dialed}: the Dial's end records the attempt (reached, or no answer: try again later, the third
 *       closes the task: {@link Followups#recordAttempt}), once per call however often Twilio retries;
 *   <li>{@link #status}: the counsellor's call ending before they pressed 1 records nothing on the task (it stays
 *       open).
 * </ol>
 *
 * The number is in the REST request's To (the counsellor's) and the Dial's Number (the child's) only: never a page,
 * a log line or an audit event (ids and codes). Every method blocks on the store: call it from a worker.
 */
public final class Callbacks {
  private static final Logger log = LoggerFactory.getLogger(Callbacks.class);

  /** Where Twilio asks about a callback call (each path takes {@code ?call=<id>}); signed like every webhook. */
  public static final String BASE = "/twilio/callback";
  /** A call that has not ended this long after it started no longer blocks a new one (Twilio never told its end). */
  static final Duration STALE = Duration.ofMinutes(15);
  private static final Set<String> REACHED = Set.of("completed", "answered");
  private static final Set<String> COUNSELLOR_GONE = Set.of("completed", "busy", "no-answer", "failed", "canceled");
  private static final Pattern ANSWERED_BY = Pattern.compile("[a-z_]{1,24}");

  /** The settings a callback needs. */
  public record Settings(URI publicUrl, String hotlineNumber, int counsellorRingSeconds, int whisperSeconds,
      int childRingSeconds) {}

  /** What pressing "Call back" came to. */
  public sealed interface Started {
    /** The counsellor's phone is being rung. */
    record Ringing(String callId) implements Started {}

    /** Nothing was called, and why (a code the console words: callback.refused.<code>). */
    record Refused(Why why) implements Started {}
  }

  /** Why a callback was not started. */
  public enum Why {
    NO_SUCH_TASK("no_such_task"),
    NOT_OPEN("not_open"),
    NOT_A_CALLBACK("not_a_callback"),
    NO_NUMBER_KEPT("no_number_kept"),
    NO_PHONE("no_phone"),
    NOT_CONFIGURED("not_configured"),
    ALREADY_CALLING("already_calling"),
    /** Another counsellor has the task (a supervisor may still call; a counsellor takes it over by reassigning). */
    ASSIGNED_TO_ANOTHER("assigned_to_another"),
    TWILIO_REFUSED("twilio_refused");

    private final String wire;

    Why(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** What the console shows of a task's callbacks: the task's state and its latest call (null: none yet). */
  public record Shown(String taskId, String reference, Followup.Kind kind, Followup.Status status, int attempts,
      java.time.Instant tryAgainAfter, boolean numberKept, CallbackRepository.Call latest, boolean callUnderWay) {
    /** Whether "Call back" can be pressed now. */
    public boolean callable() {
      return kind == Followup.Kind.CALLBACK && status.open() && numberKept && !callUnderWay;
    }

    /** The reference as read out: 1234 5678. */
    public String referenceGrouped() {
      return grouped(reference);
    }
  }

  private final Store store;
  private final FollowupRepository tasks;
  private final Followups followups;
  private final CallbackRepository calls;
  private final OperatorRepository operators;
  private final TwilioCalls twilio;
  private final Settings settings;
  private final Clock clock;

  public Callbacks(Store store, FollowupRepository tasks, Followups followups, CallbackRepository calls,
      OperatorRepository operators, TwilioCalls twilio, Settings settings, Clock clock) {
    this.store = store;
    this.tasks = tasks;
    this.followups = followups;
    this.calls = calls;
    this.operators = operators;
    this.twilio = twilio;
    this.settings = settings;
    this.clock = clock;
  }

  // --- the console ------------------------------------------------------------------------------------------

  /** The task and its latest call, for the console. */
  public Optional<Shown> shown(String taskId) {
    var since = clock.instant().minus(STALE);
    return tasks.find(taskId).map(t -> {
      var latest = calls.latest(taskId).orElse(null);
      boolean underWay = latest != null && latest.state() != State.ENDED && latest.createdAt().isAfter(since);
      return new Shown(t.id(), t.reference(), t.kind(), t.status(), t.attempts(), t.nextAttemptAt(), t.numberKept(),
          latest, underWay);
    });
  }

  /** One call, for the console's live status. */
  public Optional<CallbackRepository.Call> call(String callId) {
    return calls.find(callId);
  }

  /**
   * "Call back" pressed by {@code operatorId} on {@code taskId}: checks the task (open, a callback, its number still
   * kept, no call of it under way), the counsellor's phone and the settings, then asks Twilio to ring the
   * counsellor. {@code lang} (vi, en) is what they will hear on the phone.
   */
  public Started start(String taskId, String operatorId, boolean supervisor, String lang) {
    if (!twilio.configured() || settings.hotlineNumber().isEmpty()) {
      log.atWarn().addKeyValue("task", taskId)
          .log("callback refused: twilio.account_sid and operators.caller_id (the hotline's number) must be set");
      return new Started.Refused(Why.NOT_CONFIGURED);
    }
    var phone = operators.phone(operatorId);
    if (phone == null) {
      return new Started.Refused(Why.NO_PHONE);
    }
    var now = clock.instant();
    var opened = store.inTransaction(c -> {
      var t = tasks.lock(c, taskId);
      if (t.isEmpty()) {
        return (Object) Why.NO_SUCH_TASK;
      }
      if (!t.get().status().open()) {
        return Why.NOT_OPEN;
      }
      if (t.get().kind() != Followup.Kind.CALLBACK) {
        return Why.NOT_A_CALLBACK;
      }
      if (!t.get().numberKept()) {
        return Why.NO_NUMBER_KEPT;
      }
      var holder = t.get().assignedOperator();
      if (holder != null && !holder.equals(operatorId) && !supervisor) {
        return Why.ASSIGNED_TO_ANOTHER;
      }
      if (calls.inProgress(c, taskId, now.minus(STALE))) {
        return Why.ALREADY_CALLING;
      }
      return calls.insert(c, taskId, operatorId, "en".equals(lang) ? "en" : "vi", now);
    });
    if (opened instanceof Why why) {
      return new Started.Refused(why);
    }
    var callId = (String) opened;
    var params = new ArrayList<Map.Entry<String, String>>();
    params.add(Map.entry("To", phone));
    params.add(Map.entry("From", settings.hotlineNumber()));
    params.add(Map.entry("Url", settings.publicUrl() + path("bridge", callId)));
    params.add(Map.entry("Method", "POST"));
    params.add(Map.entry("StatusCallback", settings.publicUrl() + path("status", callId)));
    params.add(Map.entry("StatusCallbackMethod", "POST"));
    params.add(Map.entry("StatusCallbackEvent", "answered"));
    params.add(Map.entry("StatusCallbackEvent", "completed"));
    params.add(Map.entry("Timeout", Integer.toString(settings.counsellorRingSeconds())));
    var answer = twilio.create(params);
    if (!answer.created()) {
      store.inTransaction(c -> {
        var call = calls.lock(c, callId);
        return call.isPresent() && end(c, call.get(), Result.NOT_STARTED);
      });
      log.atWarn().addKeyValue("task", taskId).addKeyValue("call", callId).addKeyValue("problem", answer.problem())
          .log("callback not started: Twilio did not take the call");
      return new Started.Refused(Why.TWILIO_REFUSED);
    }
    calls.started(callId, answer.callSid());
    log.atInfo().addKeyValue("task", taskId).addKeyValue("call", callId).addKeyValue("callSid", answer.callSid())
        .log("callback started: ringing the counsellor's phone");
    return new Started.Ringing(callId);
  }

  // --- Twilio's webhooks --------------------------------------------------------------------------------------

  /** The counsellor picked up (Url of Calls.create): the whisper, press 1 to call. */
  public String bridge(String callId, String callSid) {
    return store.inTransaction(c -> {
      var call = mine(c, callId, callSid);
      if (call == null) {
        return hangup();
      }
      var task = tasks.lock(c, call.taskId()).orElseThrow();
      if (call.state() == State.ENDED || !task.status().open() || !task.numberKept()) {
        end(c, call, Result.TASK_CLOSED);
        return saidThenHangup(call.lang(), "closed");
      }
      if (call.state() == State.CALLING) {
        calls.state(c, call, State.COUNSELLOR_ANSWERED, callSid);
      }
      return whisper(call.lang(), task.reference(), callId, settings.whisperSeconds());
    });
  }

  /** The key the counsellor pressed at the whisper: 1 dials the child. */
  public String key(String callId, String callSid, String digits) {
    return store.inTransaction(c -> {
      var call = mine(c, callId, callSid);
      if (call == null || call.state() == State.ENDED) {
        return hangup();
      }
      if (!"1".equals(digits)) {
        end(c, call, Result.COUNSELLOR_MISSED);
        return hangup();
      }
      var task = tasks.lock(c, call.taskId()).orElseThrow();
      var number = task.status().open() ? calls.callerNumber(c, task.contactId()) : null;
      if (number == null) {
        end(c, call, Result.TASK_CLOSED);
        return saidThenHangup(call.lang(), "closed");
      }
      calls.state(c, call, State.DIALLING, callSid);
      return dialChild(callId, number, settings.hotlineNumber(), settings.childRingSeconds());
    });
  }

  /**
   * The child's leg answered (the Number's url, after answering-machine detection): a person is put through (an
   * empty answer), a machine or a fax is hung up on before its beep, so no message is left.
   */
  public String child(String callId, String parentSid, String answeredBy) {
    return store.inTransaction(c -> {
      var call = mine(c, callId, parentSid);
      if (call == null || call.state() != State.DIALLING) {
        return hangup();
      }
      var code = answeredBy == null || !ANSWERED_BY.matcher(answeredBy).matches() ? "unknown" : answeredBy;
      calls.answeredBy(c, call, code);
      return machine(code) ? hangup() : EMPTY;
    });
  }

  /**
   * The Dial ended (its action): reached when the child's leg was answered by a person, else no answer. Records the
   * attempt once, then tells the counsellor what was recorded and hangs up.
   */
  public String dialed(String callId, String callSid, String dialCallStatus) {
    return store.inTransaction(c -> {
      var call = mine(c, callId, callSid);
      if (call == null) {
        return hangup();
      }
      if (call.state() == State.ENDED) { // Twilio asked again: what was recorded the first time
        var again = call.result() == Result.REACHED ? "reached" : call.result() == Result.NO_ANSWER ? "no_answer" : null;
        return again == null ? hangup() : saidThenHangup(call.lang(), again);
      }
      if (call.state() != State.DIALLING) { // no Dial of ours was under way: nothing to record
        return hangup();
      }
      boolean machine = call.answeredBy() != null && machine(call.answeredBy());
      boolean reached = REACHED.contains(dialCallStatus) && !machine;
      var result = reached ? Result.REACHED : Result.NO_ANSWER;
      FollowupRepository.Task after;
      try {
        after = followups.recordAttempt(c, call.taskId(), call.operatorId(),
            reached ? Followup.Result.REACHED : Followup.Result.NO_ANSWER, clock.instant());
      } catch (Followups.Refused e) { // closed meanwhile (by hand, by retention): this call is no attempt
        end(c, call, Result.TASK_CLOSED);
        return saidThenHangup(call.lang(), "closed");
      }
      end(c, call, result);
      log.atInfo().addKeyValue("task", call.taskId()).addKeyValue("call", call.id()).addKeyValue("result", result.wire())
          .addKeyValue("dialCallStatus", dialCallStatus).addKeyValue("answeredBy", call.answeredBy())
          .log("callback attempt recorded");
      if (reached) {
        return saidThenHangup(call.lang(), "reached");
      }
      var words = new ArrayList<String>();
      if (machine) {
        words.add("machine");
      }
      words.add(after.status().open() ? "no_answer" : "no_answer_closed");
      return saidThenHangup(call.lang(), words.toArray(String[]::new));
    });
  }

  /**
   * The counsellor's call changed (StatusCallback: answered, completed, or why it never was). Ended before they
   * pressed 1: the child was not called, nothing is recorded on the task. Once dialling, the Dial's end decides.
   */
  public void status(String callId, String callSid, String callStatus) {
    store.inTransaction(c -> {
      var call = mine(c, callId, callSid);
      if (call == null || call.state() == State.ENDED) {
        return null;
      }
      if ("answered".equals(callStatus) || "in-progress".equals(callStatus)) {
        if (call.state() == State.CALLING) {
          calls.state(c, call, State.COUNSELLOR_ANSWERED, callSid);
        }
      } else if (COUNSELLOR_GONE.contains(callStatus) && call.state() != State.DIALLING) {
        end(c, call, Result.COUNSELLOR_MISSED);
        log.atInfo().addKeyValue("task", call.taskId()).addKeyValue("call", call.id())
            .addKeyValue("callStatus", callStatus).log("callback ended before the child was called: nothing recorded");
      }
      return null;
    });
  }

  // --- shared -------------------------------------------------------------------------------------------------

  /** The path of one of a call's webhooks. */
  public static String path(String what, String callId) {
    return BASE + "/" + what + "?call=" + URLEncoder.encode(callId, StandardCharsets.UTF_8);
  }

  /** The call of a webhook, locked, when the call SID Twilio sent is its own (or not known yet); else null. */
  private CallbackRepository.Call mine(Connection c, String callId, String callSid) throws SQLException {
    var call = calls.lock(c, callId);
    if (call.isEmpty() || (call.get().callSid() != null && !call.get().callSid().equals(callSid))) {
      log.atWarn().addKeyValue("call", callId).addKeyValue("callSid", callSid)
          .log("callback webhook for no call of ours: ignored");
      return null;
    }
    return call.get();
  }

  private boolean end(Connection c, CallbackRepository.Call call, Result result) throws SQLException {
    return calls.end(c, call, result, clock.instant());
  }

  static boolean machine(String answeredBy) {
    return answeredBy.startsWith("machine") || answeredBy.equals("fax");
  }

  static String grouped(String reference) {
    return reference == null || reference.length() != 8 ? String.valueOf(reference)
        : reference.substring(0, 4) + " " + reference.substring(4);
  }

  /** What the counsellor hears on the phone, in their console's language (Vietnamese unless English). */
  private static final Map<String, Map<String, String>> WORDS = Map.of(
      "vi", Map.of(
          "whisper", "Gọi lại cho mã số {0}. Bấm phím 1 để gọi, hoặc gác máy để huỷ.",
          "closed", "Việc này đã xong hoặc đã đóng. Không gọi.",
          "reached", "Đã ghi: đã liên lạc được. Cảm ơn bạn.",
          "machine", "Máy trả lời tự động đã nhấc máy: cuộc gọi đã dừng, không để lại lời nhắn.",
          "no_answer", "Không ai nghe máy. Đã ghi một lần gọi không được, hãy thử lại sau.",
          "no_answer_closed", "Không ai nghe máy. Đây là lần thứ ba: việc này đã đóng."),
      "en", Map.of(
          "whisper", "Call back for reference {0}. Press 1 to call, or hang up to cancel.",
          "closed", "This task is done or closed. No call is made.",
          "reached", "Recorded: reached. Thank you.",
          "machine", "An answering machine picked up: the call was stopped, no message was left.",
          "no_answer", "Nobody answered. One attempt with no answer is recorded; try again later.",
          "no_answer_closed", "Nobody answered. That was the third attempt: the task is closed."));

  // --- the TwiML (https://www.twilio.com/docs/voice/twiml), written with util.Xml ---------------------------------

  private static final String EMPTY = Xml.element("Response").document();
  private static final String HANGUP = Xml.element("Response").add(Xml.element("Hangup")).document();

  /** The whisper on the counsellor's phone: the reference, press 1; no key: the Hangup (status: child not called). */
  static String whisper(String lang, String reference, String callId, int seconds) {
    var gather = Xml.element("Gather").attr("input", "dtmf").attr("numDigits", 1).attr("timeout", seconds)
        .attr("action", path("key", callId)).attr("method", "POST")
        .add(Xml.element("Pause").attr("length", 1)) // the counsellor's "hello?" before the first word
        .add(say(lang, "whisper", grouped(reference)));
    return Xml.element("Response").add(gather).add(Xml.element("Hangup")).document();
  }

  /** The child sees the hotline's number; a machine is hung up on (child); no answer in time ends the Dial. */
  static String dialChild(String callId, String number, String hotlineNumber, int ringSeconds) {
    var dial = Xml.element("Dial").attr("callerId", hotlineNumber).attr("timeout", ringSeconds)
        .attr("answerOnBridge", true).attr("action", path("dialed", callId)).attr("method", "POST")
        .add(Xml.element("Number").attr("machineDetection", "Enable").attr("url", path("child", callId))
            .attr("method", "POST").text(number));
    return Xml.element("Response").add(dial).document();
  }

  /** An empty answer: Twilio puts the child through. */
  static String empty() {
    return EMPTY;
  }

  /** One of the sentences the counsellor hears, in "vi" or "en". */
  static String words(String lang, String key) {
    return WORDS.get(lang).get(key);
  }

  private static Xml say(String callLang, String key, String... args) {
    var lang = "en".equals(callLang) ? "en" : "vi";
    var text = words(lang, key);
    for (int i = 0; i < args.length; i++) {
      text = text.replace("{" + i + "}", args[i]);
    }
    return Xml.element("Say").attr("language", "en".equals(lang) ? "en-US" : "vi-VN").text(text);
  }

  static String saidThenHangup(String lang, String... keys) {
    var response = Xml.element("Response");
    for (var k : keys) {
      response.add(say(lang, k));
    }
    return response.add(Xml.element("Hangup")).document();
  }

  static String hangup() {
    return HANGUP;
  }
}
