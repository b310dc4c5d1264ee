package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;

/** The words of a counsellor's whisper, from the shipped flow's texts and the taxonomy's labels. */
class WhisperTest {
  static final FlowDefinition FLOW = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()))
      .load(Path.of("ivr-flows/hotline-111.yaml"));
  static final Taxonomy TAXONOMY = Taxonomy.load(null);

  static Node.Handoff handoff(String id) {
    return (Node.Handoff) FLOW.node(id);
  }

  @Test
  void aReferenceIsReadDigitByDigitInGroupsOfFour() {
    assertEquals("1 2 3 4, 5 6 7 8", Whisper.grouped("12345678"));
    assertEquals("0 0 7 0, 1 2", Whisper.grouped("007012"));
    assertEquals("4 2", Whisper.grouped("42"));
    assertEquals("1 2 3 4", Whisper.grouped("1234"));
    assertEquals("1 2 3 4, 5 6 7 8, 9", Whisper.grouped("123456789"));
    assertEquals("", Whisper.grouped(""));
  }

  @Test
  void dangerIsUrgentFirstThenTheIntentTheReferenceAndTheKey() {
    var said = Whisper.sentences(FLOW, TAXONOMY, handoff("danger-handoff"), Map.of("intent", "danger", "urgent", "true"),
        "20251234", "vi-VN");

    assertEquals(List.of("Khẩn cấp.", "Nguy hiểm ngay.", "Mã số 2 0 2 5, 1 2 3 4.", "Bấm 1 để nhận cuộc gọi."), said);
  }

  @Test
  void aReportSaysItsCategoryOrMoreExactlyItsSubcategoryInTheCounsellorsLanguage() {
    var report = handoff("report-handoff");

    assertEquals(List.of("Báo cáo xâm hại.", "Xâm hại tình dục.", "Mã số 1 1 1 1, 2 2 2 2.", "Bấm 1 để nhận cuộc gọi."),
        Whisper.sentences(FLOW, TAXONOMY, report, Map.of("intent", "report", "category", "sexual_violence"), "11112222",
            "vi-VN"));
    assertEquals(List.of("Reporting abuse or harm.", "Bullying at school.", "Reference 1 1 1 1, 2 2 2 2.",
            "Press 1 to take the call."),
        Whisper.sentences(FLOW, TAXONOMY, report,
            Map.of("intent", "report", "category", "bullying", "subcategory", "school_bullying"), "11112222", "en-US"));
  }

  @Test
  void aCallerWhoChoseNothingIsWhisperedOnlyTheReferenceAndTheKey() {
    assertEquals(List.of("Mã số 1 1 1 1, 2 2 2 2.", "Bấm 1 để nhận cuộc gọi."),
        Whisper.sentences(FLOW, TAXONOMY, handoff("advice-handoff"), Map.of(), "11112222", "vi-VN"));
    assertEquals(List.of("Cần tư vấn.", "Mã số 1 1 1 1, 2 2 2 2.", "Bấm 1 để nhận cuộc gọi."),
        Whisper.sentences(FLOW, TAXONOMY, handoff("advice-handoff"), Map.of("intent", "advice"), "11112222", "vi-VN"));
  }
}
