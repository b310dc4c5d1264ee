package vn.hotline.gateway.contact;

import vn.hotline.gateway.util.Wire;

/**
 * The words of a follow-up task (followup_tasks, followup_attempts, their audit data): a promise made to a caller
 * that a person keeps. Each is stored and shown as its {@code wire()} word.
 */
public final class Followup {
  private Followup() {}

  /** What keeping the promise takes. */
  public enum Kind {
    /** Call the caller back (voice; the number is kept sealed for it). */
    CALLBACK("callback"),
    /** Answer the texter by SMS (the number is kept sealed as for every SMS conversation). */
    SMS_REPLY("sms_reply"),
    /** Listen to a voicemail that owes no callback (the caller's number was not kept). */
    VOICEMAIL_REVIEW("voicemail_review");

    private final String wire;

    Kind(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Kind of(String wire) {
      return Wire.of(values(), Kind::wire, wire, "follow-up kind");
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  /** Urgent (a child in danger: due within followup.danger_due_minutes) or normal (followup.other_due_hours). */
  public enum Priority {
    URGENT("urgent"), NORMAL("normal");

    private final String wire;

    Priority(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Priority of(String wire) {
      return Wire.of(values(), Priority::wire, wire, "follow-up priority");
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  /** Where a task is: open and in progress are on the board; the others are over. */
  public enum Status {
    /** Nobody has it yet. */
    OPEN("open"),
    /** Assigned, or tried at least once. */
    IN_PROGRESS("in_progress"),
    /** The promise was kept (reached, or the voicemail heard). */
    DONE("done"),
    /** Tried and could not be kept (no answer three times, a wrong number, the number's retention over). */
    CLOSED_FAILED("closed_failed"),
    /** Not wanted any more (the caller asked not to be contacted, or the contact was erased). */
    CANCELLED("cancelled");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** Whether the task is still to be done (on the board). */
    public boolean open() {
      return this == OPEN || this == IN_PROGRESS;
    }

    /** The SQL literal, e.g. {@code 'open'} (a fixed word, never input). */
    public String sql() {
      return "'" + wire + "'";
    }

    public static Status of(String wire) {
      return Wire.of(values(), Status::wire, wire, "follow-up status");
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  /** What one attempt to keep the promise found (followup_attempts.result). */
  public enum Result {
    /** The caller was reached: the promise is kept. */
    REACHED("reached"),
    /** Nobody answered: try again later; the third closes the task. */
    NO_ANSWER("no_answer"),
    /** Someone else has the number: closes the task at once (calling again could put the child at risk). */
    WRONG_NUMBER("wrong_number"),
    /** The caller asked not to be contacted: closes the task, the number goes. */
    DO_NOT_CONTACT("do_not_contact");

    private final String wire;

    Result(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Result of(String wire) {
      return Wire.of(values(), Result::wire, wire, "follow-up result");
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  /**
   * Why a task is over (followup_tasks.outcome): the result of the attempt that closed it, or what else did.
   */
  public enum Outcome {
    REACHED("reached"), NO_ANSWER("no_answer"), WRONG_NUMBER("wrong_number"), DO_NOT_CONTACT("do_not_contact"),
    /** A voicemail review was done. */
    REVIEWED("reviewed"),
    /** retention.caller_number_days passed before anyone reached the caller: the number is gone. */
    NUMBER_PURGED("number_purged"),
    /** The contact was erased. */
    ERASED("erased");

    private final String wire;

    Outcome(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Outcome of(Result r) {
      return valueOf(r.name());
    }

    /** The outcome with that word, or null. */
    public static Outcome find(String wire) {
      for (var o : values()) {
        if (o.wire.equals(wire)) {
          return o;
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return wire;
    }
  }
}
