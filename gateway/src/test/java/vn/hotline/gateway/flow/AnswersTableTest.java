package vn.hotline.gateway.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import vn.hotline.gateway.report.Provinces;

/**
 * Replies as children text them, one row each of flow/answers.tsv: at a node of the shipped sms-111.yaml, what the
 * child wrote, and what the conversation takes it as (the option's key, "skip" for a skipped question, the code for
 * a question, "unclear" when 111 asks again). Through the engine, as a texter's reply goes.
 */
class AnswersTableTest {
  static final FlowDefinition SMS = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()))
      .load(Path.of("ivr-flows/sms-111.yaml"));
  static final FlowEngine ENGINE = new FlowEngine(Map.of("provinces", Provinces.load(null).byCode().keySet()));

  @ParameterizedTest(name = "{0}: \"{1}\" -> {2} ({3})")
  @CsvFileSource(resources = "/flow/answers.tsv", delimiter = '\t', numLinesToSkip = 1, quoteCharacter = '\u0000')
  void aReplyIsTakenAsAChildMeantIt(String node, String input, String expected, String why) {
    assertEquals(expected, takenAs(node, input), node + ": \"" + input + "\" (" + why + ")");
  }

  /** What the conversation did with {@code input} at {@code node}, as the step history says it. */
  static String takenAs(String node, String input) {
    var state = new FlowState(node, "vi-VN", 0, Map.of("intent", "report"), Map.of(), List.of(node), null, false);
    var step = ENGINE.advance(SMS, state, new Input.Text(input), new FlowEngine.Context("12345678", true));
    for (var e : step.events()) {
      if (e.nodeId().equals(node)) {
        switch (e.event()) {
          case "option", "answer" -> {
            return e.value();
          }
          case "skipped" -> {
            return "skip";
          }
          case "invalid" -> {
            assertTrue(SmsText.of(step).startsWith("Xin loi, 111 chua hieu"), "asked again: " + SmsText.of(step));
            return "unclear";
          }
          default -> { }
        }
      }
    }
    throw new AssertionError("no answer event at " + node + ": " + step.events());
  }

  @Test
  void theTableHasAtLeast150RowsAndCoversEveryKindOfAnswer() throws Exception {
    var rows = Files.readAllLines(Path.of("gateway/src/test/resources/flow/answers.tsv")).stream().skip(1)
        .filter(l -> !l.isBlank()).map(l -> l.split("\t")).toList();
    assertTrue(rows.size() >= 150, rows.size() + " rows");
    for (var kind : List.of("skip", "unclear", "0", "1", "2", "7")) {
      assertTrue(rows.stream().anyMatch(r -> r[2].equals(kind)), "a row expecting " + kind);
    }
  }

  /** The lines of a step as one SMS. */
  static final class SmsText {
    static String of(Step step) {
      return String.join(" ", step.instruction().lines().stream().map(Instruction.Line::text).toList());
    }
  }
}
