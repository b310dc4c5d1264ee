package vn.hotline.gateway.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.report.Provinces;

/**
 * The engine with the shipped flows and the shipped province names, no network: what a texted or spoken place
 * leaves in the state. The words themselves are never kept, only the code and the former province's name.
 */
class AnswersInWordsTest {
  static final Provinces PROVINCES = Provinces.load(null);
  static final Map<String, java.util.Set<String>> LISTS = Map.of("provinces", PROVINCES.byCode().keySet());
  static final FlowEngine ENGINE = new FlowEngine(LISTS, Map.of("provinces", PROVINCES.places()));
  static final FlowEngine.Context CTX = new FlowEngine.Context("12345678", true);

  static Step at(FlowDefinition flow, String node, Map<String, String> answers) {
    var state = new FlowState(node, "vi-VN", 0, answers, Map.of(), java.util.List.of(node), null, false);
    return ENGINE.repeat(flow, state, CTX);
  }

  @Test
  void aTextedFormerProvinceIsTodaysCodeAndTheFormerNameOnlyAndAnotherAnswerReplacesBoth() {
    var sms = new FlowLoader(LISTS).load(Path.of("ivr-flows/sms-111.yaml"));
    var step = ENGINE.advance(sms, at(sms, "province", Map.of()).state(), new Input.Text("em o Dak Nong a"), CTX);
    assertEquals("68", step.state().answer("province"));
    assertEquals("Đắk Nông", step.state().answer("former_province"));
    assertEquals("description", step.state().nodeId());
    assertFalse(step.events().toString().toLowerCase().contains("dak nong"), "the words are not in the history");

    var again = ENGINE.advance(sms, at(sms, "province", step.state().answers()).state(), new Input.Text("HN"), CTX);
    assertEquals("01", again.state().answer("province"));
    assertNull(again.state().answer("former_province"), "a later answer of today's name leaves no former province");
  }

  @Test
  void unsureSpeechWaitsForOneKeyAndIsForgottenWhenRefused() {
    var voice = new FlowLoader(LISTS).load(Path.of("ivr-flows/hotline-111.yaml"));
    var asked = at(voice, "report-province", Map.of());
    var listen = ((Instruction.CollectDigits) asked.instruction().action()).listen();
    assertEquals("vi-VN", listen.language());
    assertTrue(listen.hints().contains("Thái Bình"));

    var unsure = ENGINE.advance(voice, asked.state(), new Input.Heard("thái bình", 0.4), CTX);
    assertEquals("report-province", unsure.state().nodeId());
    assertEquals("Bạn nói Thái Bình, đúng không? Đúng bấm 1, sai bấm 2.", unsure.instruction().lines().get(0).text());
    var confirm = (Instruction.CollectDigits) unsure.instruction().action();
    assertEquals(1, confirm.maxDigits());
    assertNull(confirm.listen(), "one key, not speech");
    assertNull(unsure.state().answer("province"), "not an answer until confirmed");

    var refused = ENGINE.advance(voice, unsure.state(), new Input.Digits("2"), CTX);
    assertEquals("report-province", refused.state().nodeId());
    assertEquals(Map.of(), Map.copyOf(refused.state().answers()), "nothing of the refused answer is kept");
    assertTrue(refused.instruction().lines().get(0).text().startsWith("Việc xảy ra ở tỉnh"));

    var kept = ENGINE.advance(voice, ENGINE.advance(voice, refused.state(), new Input.Heard("thai binh", 0.3), CTX).state(),
        new Input.Digits("1"), CTX);
    assertEquals("33", kept.state().answer("province"));
    assertEquals("Thái Bình", kept.state().answer("former_province"));
    assertEquals(Map.of("province", "33", "former_province", "Thái Bình"), Map.copyOf(kept.state().answers()));
  }
}
