package vn.hotline.gateway.followup;

import java.util.Optional;
import java.util.Set;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.flow.Promise;

/**
 * Which ended contacts owe a follow-up, and of what kind: a pure rule, asked by {@link Followups} in the transaction
 * that ends the contact.
 *
 * <ul>
 *   <li>A contact owes what its flow promised it: its path went through a node with {@code promise:} (the caller
 *       heard "we will call you back", "a counsellor will contact you"), and the caller answered the safety question
 *       with yes ({@code callback_safe: yes}). The flow loader makes sure no promise is reachable without that yes.
 *   <li>Not when a counsellor talked with the caller (the promise was to get back to them when nobody could), nor
 *       when the texter withdrew (cancelled, restarted, opted out).
 *   <li>A voicemail that owes no callback is still heard: a review task (a flow that records without promising, or
 *       a caller whose number was withheld, so there is nothing to call back).
 * </ul>
 */
public final class FollowupPolicy {
  /** Outcomes after which nothing is owed, whatever was promised. */
  static final Set<Outcome> NOTHING_OWED = Set.of(Outcome.OPERATOR, Outcome.CANCELLED, Outcome.RESTARTED, Outcome.OPTED_OUT);

  /** What a contact owes: the task's kind and priority. */
  public record Owed(Followup.Kind kind, Followup.Priority priority) {}

  /** The promise the contact's flow made it and that is to be kept, if any (the safety question answered yes). */
  public Optional<Promise> promised(FlowDefinition flow, FlowState state, Outcome outcome) {
    if (NOTHING_OWED.contains(outcome) || !Promise.SAFE.equals(state.answer(Promise.SAFE_ANSWER))) {
      return Optional.empty();
    }
    return state.path().stream().map(flow::promise).flatMap(Optional::stream).findFirst();
  }

  /**
   * The follow-up an ended contact owes. {@code numberKept}: the contact's number is kept sealed (a voice caller's
   * only from the moment they said a callback is safe, and only if the call came from a number that can be called).
   */
  public Optional<Owed> owed(FlowDefinition flow, FlowState state, Outcome outcome, boolean numberKept) {
    var priority = urgent(state) ? Followup.Priority.URGENT : Followup.Priority.NORMAL;
    var promise = promised(flow, state, outcome);
    if (promise.isPresent() && numberKept) {
      return Optional.of(new Owed(promise.get() == Promise.CALLBACK ? Followup.Kind.CALLBACK : Followup.Kind.SMS_REPLY,
          priority));
    }
    if (recorded(state) && !NOTHING_OWED.contains(outcome)) {
      return Optional.of(new Owed(Followup.Kind.VOICEMAIL_REVIEW, priority));
    }
    return Optional.empty();
  }

  /** A child in danger: the danger choice, or an urgent answer. */
  static boolean urgent(FlowState state) {
    return "danger".equals(state.answer("intent")) || "true".equals(state.answer("urgent"));
  }

  /** The caller left a voice message. */
  static boolean recorded(FlowState state) {
    return state.text("recording_id") != null;
  }
}
