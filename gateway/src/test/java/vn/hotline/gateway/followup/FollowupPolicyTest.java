package vn.hotline.gateway.followup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.contact.Followup;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.flow.FlowState;

/**
 * Which ended contacts owe what, on a small flow where the safety question comes before the handoff and the handoff
 * itself promises a callback if the call is cut: a caller abandoned while waiting after saying yes is owed one.
 */
class FollowupPolicyTest {
  static final String FLOW = """
      id: promise-test
      channel: voice
      languages: [{code: vi-VN}]
      start: menu
      retry_prompt: {vi-VN: "Xin lỗi."}
      texts:
        flagged_caller: {vi-VN: "Cuộc gọi này được ghi nhận."}
        whisper_urgent: {vi-VN: "Khẩn cấp."}
        whisper_reference: {vi-VN: "Mã số {reference}."}
        whisper_accept: {vi-VN: "Bấm 1 để nhận cuộc gọi."}
      nodes:
        menu:
          type: menu
          prompt: {vi-VN: "Nguy hiểm bấm 1, báo cáo bấm 2."}
          options:
            "1": {next: safe, set: {intent: danger, urgent: "true"}}
            "2": {next: safe, set: {intent: report}}
          timeout: safe
        safe:
          type: menu
          prompt: {vi-VN: "Nếu cuộc gọi bị ngắt, có an toàn để chúng tôi gọi lại số này không? Bấm 1 nếu có, bấm 2 nếu không."}
          options:
            "1": {next: handoff, set: {callback_safe: "yes"}}
            "2": quiet-handoff
          timeout: quiet-handoff
        handoff:
          type: handoff
          queue: reports
          promise: callback
          prompt: {vi-VN: "Xin giữ máy. Nếu cuộc gọi bị ngắt, chúng tôi sẽ gọi lại cho bạn."}
          no_answer: voicemail
        quiet-handoff:
          type: handoff
          queue: reports
          prompt: {vi-VN: "Xin giữ máy."}
          no_answer: quiet-voicemail
        voicemail: {type: record, prompt: {vi-VN: "Hãy để lại lời nhắn."}, next: bye}
        quiet-voicemail: {type: record, prompt: {vi-VN: "Hãy để lại lời nhắn."}, next: bye}
        bye: {type: end, prompt: {vi-VN: "Mã số {reference}."}}
      """;

  @TempDir Path dir;
  FlowDefinition flow;
  final FollowupPolicy policy = new FollowupPolicy();

  @BeforeEach
  void load() throws IOException {
    var file = dir.resolve("promise-test.yaml");
    Files.writeString(file, FLOW);
    flow = new FlowLoader(Map.of()).load(file);
  }

  static FlowState at(String node, Map<String, String> answers, Map<String, String> texts, String... path) {
    return new FlowState(node, "vi-VN", 0, answers, texts, List.of(path), null, false);
  }

  Optional<FollowupPolicy.Owed> owed(FlowState s, Outcome outcome, boolean numberKept) {
    return policy.owed(flow, s, outcome, numberKept);
  }

  static Optional<FollowupPolicy.Owed> of(Followup.Kind kind, Followup.Priority priority) {
    return Optional.of(new FollowupPolicy.Owed(kind, priority));
  }

  @Test
  void aCallerAbandonedWhileWaitingAfterSayingACallbackIsSafeIsOwedOne() {
    var report = at("handoff", Map.of("intent", "report", "callback_safe", "yes"), Map.of(), "menu", "safe", "handoff");
    var danger = at("handoff", Map.of("intent", "danger", "urgent", "true", "callback_safe", "yes"), Map.of(),
        "menu", "safe", "handoff");

    assertEquals(of(Followup.Kind.CALLBACK, Followup.Priority.NORMAL), owed(report, Outcome.ABANDONED, true));
    assertEquals(of(Followup.Kind.CALLBACK, Followup.Priority.URGENT), owed(danger, Outcome.ABANDONED, true));
    assertEquals(Optional.empty(), owed(report, Outcome.OPERATOR, true), "a counsellor talked with the caller");
  }

  @Test
  void withoutAYesNothingIsOwedAndAVoicemailNobodyPromisedToAnswerIsStillHeard() {
    var quiet = at("quiet-handoff", Map.of("intent", "report"), Map.of(), "menu", "safe", "quiet-handoff");
    assertEquals(Optional.empty(), owed(quiet, Outcome.ABANDONED, false));

    var message = at("bye", Map.of("intent", "danger", "urgent", "true"), Map.of("recording_id", "RE1"),
        "menu", "safe", "quiet-handoff", "quiet-voicemail", "bye");
    assertEquals(of(Followup.Kind.VOICEMAIL_REVIEW, Followup.Priority.URGENT), owed(message, Outcome.VOICEMAIL, false));
  }

  @Test
  void aYesFromAWithheldNumberCannotBeCalledBackItsVoicemailIsHeard() {
    var withheld = at("bye", Map.of("intent", "report", "callback_safe", "yes"), Map.of("recording_id", "RE1"),
        "menu", "safe", "handoff", "voicemail", "bye");
    assertEquals(of(Followup.Kind.VOICEMAIL_REVIEW, Followup.Priority.NORMAL), owed(withheld, Outcome.VOICEMAIL, false));
    assertEquals(of(Followup.Kind.CALLBACK, Followup.Priority.NORMAL), owed(withheld, Outcome.VOICEMAIL, true));
    var silent = at("handoff", Map.of("intent", "report", "callback_safe", "yes"), Map.of(), "menu", "safe", "handoff");
    assertEquals(Optional.empty(), owed(silent, Outcome.ABANDONED, false), "no number, no message: nothing to act on");
  }
}
