package vn.hotline.gateway.flow;

import java.util.List;
import java.util.Map;

/**
 * One step of a flow. A node says its prompt, then waits for the caller (menu, ask, record), hands over to a
 * person (handoff), or finishes (end). {@code set} stores codes in the session when the node is entered.
 */
public sealed interface Node {
  String id();

  Prompt prompt();

  Map<String, String> set();

  /** Every node id this node can lead to. */
  List<String> targets();

  /** Says its prompt and goes on at once. */
  record Say(String id, Prompt prompt, Map<String, String> set, String next) implements Node {
    public List<String> targets() {
      return List.of(next);
    }
  }

  /**
   * One key pressed picks an option; silence or a wrong key re-prompts, then takes the timeout path. On SMS a reply
   * is read with the flow's {@link Lexicon}; {@code answers} says which option a yes, a no or a skip means.
   */
  record Menu(
      String id,
      Prompt prompt,
      Map<String, String> set,
      boolean allLanguages,
      Map<String, Option> options,
      String timeout,
      String invalid,
      int attempts,
      int timeoutSeconds,
      Answers answers) implements Node {
    public List<String> targets() {
      var t = new java.util.ArrayList<String>();
      options.values().forEach(o -> t.add(o.next()));
      t.add(timeout);
      if (invalid != null) {
        t.add(invalid);
      }
      return t;
    }
  }

  record Option(String next, Map<String, String> set) {}

  /** The option keys a yes word ("co", "ok"), a no word ("khong", "ko") and a skip ("khong biet") mean; null: none. */
  record Answers(String yes, String no, String skip) {
    public static final Answers NONE = new Answers(null, null, null);
  }

  /**
   * Several digits (an age, a province code). A value outside {@code allowed} re-prompts; {@code *} skips
   * when the node allows it. When the allowed list has a {@link Vocabulary}, its words are answers too (a texted
   * or spoken "cao bang"); {@code speech} lets a voice caller say it.
   */
  record Ask(
      String id,
      Prompt prompt,
      Map<String, String> set,
      String save,
      int minDigits,
      int maxDigits,
      String allowedList,
      boolean skippable,
      String next,
      String timeout,
      int attempts,
      int timeoutSeconds,
      Speech speech) implements Node {
    public Ask(String id, Prompt prompt, Map<String, String> set, String save, int minDigits, int maxDigits,
        String allowedList, boolean skippable, String next, String timeout, int attempts, int timeoutSeconds) {
      this(id, prompt, set, save, minDigits, maxDigits, allowedList, skippable, next, timeout, attempts,
          timeoutSeconds, null);
    }

    public List<String> targets() {
      return List.of(next, timeout);
    }
  }

  /**
   * An {@code ask} that also listens (voice): the caller may say the answer in {@code language}; one the
   * recogniser is less sure of than {@code confirmBelow} (0 to 1) is read back with {@code confirm} ({answer}: what
   * was understood) and kept with key 1; key 2 asks again; anything else goes on without it.
   */
  record Speech(String language, double confirmBelow, Prompt confirm) {}

  /** A voice message; {@code next} is taken whether or not anything was said. */
  record Record(String id, Prompt prompt, Map<String, String> set, int maxSeconds, boolean transcribe, String next)
      implements Node {
    public List<String> targets() {
      return List.of(next);
    }
  }

  /** To a person: an operator queue at a priority. No answer (or closed hours) takes {@code noAnswer}. */
  record Handoff(
      String id,
      Prompt prompt,
      Map<String, String> set,
      String queue,
      Priority priority,
      String noAnswer,
      String answered) implements Node {
    public List<String> targets() {
      return answered == null ? List.of(noAnswer) : List.of(noAnswer, answered);
    }
  }

  /**
   * Free text (SMS): what happened, in the texter's words, possibly over several messages. With {@code multiple}
   * every message is added and answered with {@code morePrompt} until one of the {@code done} words (or
   * {@code maxChars}); otherwise one message is the answer. A done word as the first answer means "nothing".
   */
  record Text(
      String id,
      Prompt prompt,
      Map<String, String> set,
      String save,
      boolean multiple,
      Prompt morePrompt,
      List<String> done,
      int maxChars,
      String next) implements Node {
    public List<String> targets() {
      return List.of(next);
    }
  }

  /**
   * Reads the reference number back (digit by digit on voice), then hangs up or ends the conversation. A
   * {@code cancel} end (the texter withdrew) needs no reference and makes no report.
   */
  record End(String id, Prompt prompt, Map<String, String> set, boolean cancel) implements Node {
    public List<String> targets() {
      return List.of();
    }
  }

  /** Handoff priority; the number is what TaskRouter gets (higher is served first). */
  enum Priority {
    URGENT(100), HIGH(50), NORMAL(10), LOW(1);

    public final int taskPriority;

    Priority(int taskPriority) {
      this.taskPriority = taskPriority;
    }
  }
}
