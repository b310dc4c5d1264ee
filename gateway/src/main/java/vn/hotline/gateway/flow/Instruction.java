package vn.hotline.gateway.flow;

import java.util.List;

/**
 * What the channel must do next, independent of TwiML or SMS: say these lines, then one action.
 * The voice renderer turns it into TwiML; an SMS renderer into text.
 */
public record Instruction(List<Line> lines, Action action) {
  public Instruction {
    lines = List.copyOf(lines);
  }

  /** One line to say, in one language, with that language's voice. */
  public record Line(String text, String language, String voice) {}

  public sealed interface Action {
    String nodeId();
  }

  /** Wait for keys: exactly {@code maxDigits} for a menu, up to it (ended by #) for a question. */
  public record CollectDigits(String nodeId, int minDigits, int maxDigits, int timeoutSeconds, Listen listen)
      implements Action {
    public CollectDigits(String nodeId, int minDigits, int maxDigits, int timeoutSeconds) {
      this(nodeId, minDigits, maxDigits, timeoutSeconds, null);
    }
  }

  /** Keys or speech: the caller may also say the answer, in {@code language}; {@code hints}: phrases to expect. */
  public record Listen(String language, List<String> hints) {
    public Listen {
      hints = List.copyOf(hints);
    }
  }

  /** Wait for free text (SMS). */
  public record CollectText(String nodeId) implements Action {}

  public record RecordMessage(String nodeId, int maxSeconds, boolean transcribe) implements Action {}

  public record ConnectOperator(String nodeId, String queue, Node.Priority priority) implements Action {}

  public record Hangup(String nodeId) implements Action {}
}
