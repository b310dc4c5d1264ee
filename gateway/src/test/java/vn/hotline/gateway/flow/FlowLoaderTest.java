package vn.hotline.gateway.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.report.Provinces;

/**
 * Every validation rule of {@link FlowLoader}, each shown on "a flow like the good one but with X". The good flow
 * is built as nested maps by {@link #goodFlow()} so each test changes exactly one thing before it is written out
 * as YAML.
 */
class FlowLoaderTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  private final FlowLoader loader = new FlowLoader(Map.of("provinces", Set.of("01", "79")));

  // --- the good flow and helpers -----------------------------------------------------------------------

  /**
   * A small valid flow using every node type: welcome (say) -> menu; menu 1 -> province (ask), 2 -> handoff,
   * silence -> handoff; province -> handoff; handoff (no answer) -> voicemail (record) -> goodbye (end).
   */
  private static Map<String, Object> goodFlow() {
    var flow = new LinkedHashMap<String, Object>();
    flow.put("id", "test-flow");
    flow.put("description", "a small flow for tests");
    flow.put("channel", "voice");
    flow.put("languages", new ArrayList<>(List.of(
        map("code", "vi-VN", "voice", "Google.vi-VN-Standard-A"),
        map("code", "en-US", "voice", "Google.en-US-Standard-C"))));
    flow.put("start", "welcome");
    flow.put("retry_prompt", prompt("Xin lỗi, chúng tôi chưa nghe rõ.", "Sorry, we did not get that."));
    var nodes = new LinkedHashMap<String, Object>();
    nodes.put("welcome", map("type", "say", "prompt", prompt("Xin chào.", "Hello."), "next", "menu"));
    nodes.put("menu", map(
        "type", "menu",
        "prompt", prompt("Bấm 1 để báo cáo, bấm 2 để gặp tư vấn viên.", "Press 1 to report, 2 for a counsellor."),
        "options", map(
            "1", map("next", "province", "set", map("intent", "report")),
            "2", "handoff"),
        "timeout", "handoff"));
    nodes.put("province", map(
        "type", "ask",
        "prompt", prompt("Hãy bấm mã tỉnh.", "Enter the province code."),
        "save", "province",
        "min_digits", 2,
        "max_digits", 2,
        "allowed", "provinces",
        "skippable", true,
        "next", "handoff",
        "timeout", "handoff"));
    nodes.put("handoff", map(
        "type", "handoff",
        "prompt", prompt("Xin giữ máy.", "Please hold."),
        "queue", "counselling",
        "priority", "high",
        "no_answer", "voicemail"));
    nodes.put("voicemail", map(
        "type", "record",
        "prompt", prompt("Hãy để lại lời nhắn.", "Please leave a message."),
        "max_seconds", 120,
        "next", "goodbye"));
    nodes.put("goodbye", map(
        "type", "end",
        "prompt", prompt("Mã số của bạn là {reference}.", "Your number is {reference}.")));
    flow.put("nodes", nodes);
    flow.put("texts", map(
        "flagged_caller", prompt("Cuộc gọi này được ghi nhận.", "This call is noted."),
        "whisper_urgent", prompt("Khẩn cấp.", "Urgent."),
        "whisper_intent_report", prompt("Báo cáo.", "A report."),
        "whisper_reference", prompt("Mã số {reference}.", "Reference {reference}."),
        "whisper_accept", prompt("Bấm 1 để nhận cuộc gọi.", "Press 1 to take the call.")));
    return flow;
  }

  /** A mutable map from alternating keys and values (Map.of is immutable and unordered). */
  private static Map<String, Object> map(Object... kv) {
    var m = new LinkedHashMap<String, Object>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> prompt(String vi, String en) {
    return map("vi-VN", vi, "en-US", en);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> nodes(Map<String, Object> flow) {
    return (Map<String, Object>) flow.get("nodes");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> node(Map<String, Object> flow, String id) {
    return (Map<String, Object>) nodes(flow).get(id);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> promptOf(Map<String, Object> flow, String id) {
    return (Map<String, Object>) node(flow, id).get("prompt");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> options(Map<String, Object> flow) {
    return (Map<String, Object>) node(flow, "menu").get("options");
  }

  private Path write(String name, Map<String, Object> flow) {
    var file = dir.resolve(name);
    try {
      YAML.writeValue(file.toFile(), flow);
    } catch (IOException e) {
      throw new AssertionError("cannot write test flow " + file, e);
    }
    return file;
  }

  private Path writeText(String name, String text) {
    var file = dir.resolve(name);
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new AssertionError("cannot write test file " + file, e);
    }
    return file;
  }

  /** A flow like the good one but changed by {@code change}. */
  private Path goodFlowWith(Consumer<Map<String, Object>> change) {
    var flow = goodFlow();
    change.accept(flow);
    return write("flow.yaml", flow);
  }

  /** Loads {@code file}, expects a refusal, and checks that the message names the file and every fragment. */
  private FlowException assertRefused(Path file, String... fragments) {
    var e = assertThrows(FlowException.class, () -> loader.load(file), "the flow should have been refused");
    assertMentions(e, file.toString());
    assertMentions(e, fragments);
    return e;
  }

  private static void assertMentions(Exception e, String... fragments) {
    for (var f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "expected the message to mention \"" + f + "\" but it was: " + e.getMessage());
    }
  }

  // --- the good flows ------------------------------------------------------------------------------------

  @Test
  void goodFlowLoadsWithEveryNodeAsDeclared() {
    var file = write("flow.yaml", goodFlow());

    var flow = loader.load(file);

    assertEquals("test-flow", flow.id());
    assertEquals(file, flow.file());
    assertEquals("voice", flow.channel());
    assertEquals("welcome", flow.start());
    assertEquals("vi-VN", flow.defaultLanguage());
    assertEquals(List.of(new FlowDefinition.Language("vi-VN", "Google.vi-VN-Standard-A"),
        new FlowDefinition.Language("en-US", "Google.en-US-Standard-C")), flow.languages());
    assertEquals(Set.of("welcome", "menu", "province", "handoff", "voicemail", "goodbye"), flow.nodes().keySet());
    assertEquals("Sorry, we did not get that.", flow.retryPrompt().get("en-US"));

    var say = assertInstanceOf(Node.Say.class, flow.node("welcome"));
    assertEquals("menu", say.next());
    assertEquals("Hello.", say.prompt().in("en-US"));

    var menu = assertInstanceOf(Node.Menu.class, flow.node("menu"));
    assertEquals(new Node.Option("province", Map.of("intent", "report")), menu.options().get("1"));
    assertEquals(new Node.Option("handoff", Map.of()), menu.options().get("2"));
    assertEquals("handoff", menu.timeout());
    assertNull(menu.invalid());
    assertEquals(3, menu.attempts(), "default attempts");
    assertEquals(6, menu.timeoutSeconds(), "default menu timeout");
    assertFalse(menu.allLanguages());

    var ask = assertInstanceOf(Node.Ask.class, flow.node("province"));
    assertEquals("province", ask.save());
    assertEquals(2, ask.minDigits());
    assertEquals(2, ask.maxDigits());
    assertEquals("provinces", ask.allowedList());
    assertTrue(ask.skippable());
    assertEquals(8, ask.timeoutSeconds(), "default ask timeout");

    var handoff = assertInstanceOf(Node.Handoff.class, flow.node("handoff"));
    assertEquals("counselling", handoff.queue());
    assertEquals(Node.Priority.HIGH, handoff.priority());
    assertEquals("voicemail", handoff.noAnswer());
    assertNull(handoff.answered());

    var record = assertInstanceOf(Node.Record.class, flow.node("voicemail"));
    assertEquals(120, record.maxSeconds());
    assertEquals("goodbye", record.next());

    var end = assertInstanceOf(Node.End.class, flow.node("goodbye"));
    assertEquals("Mã số của bạn là {reference}.", end.prompt().in("vi-VN"));
  }

  @Test
  void channelDefaultsToVoiceAndPriorityToNormal() {
    var flow = loader.load(goodFlowWith(f -> {
      f.remove("channel");
      node(f, "handoff").remove("priority");
    }));

    assertEquals("voice", flow.channel());
    assertEquals(Node.Priority.NORMAL, ((Node.Handoff) flow.node("handoff")).priority());
  }

  @Test
  void flowWithoutMenuOrAskNeedsNoRetryPrompt() {
    var flow = loader.load(goodFlowWith(f -> {
      f.remove("retry_prompt");
      f.put("start", "handoff");
      nodes(f).remove("welcome");
      nodes(f).remove("menu");
      nodes(f).remove("province");
    }));

    assertEquals(Map.of(), flow.retryPrompt());
    assertEquals(Set.of("handoff", "voicemail", "goodbye"), flow.nodes().keySet());
  }

  @Test
  void shippedHotlineFlowLoadsWithTheRealProvinceList() {
    var provinces = Provinces.load(null).byCode().keySet();
    var real = new FlowLoader(Map.of("provinces", provinces));

    var flow = real.load(Path.of("ivr-flows/hotline-111.yaml"));

    assertEquals("hotline-111", flow.id());
    assertEquals("choose-language", flow.start());
    assertEquals(List.of("vi-VN", "en-US"), flow.languages().stream().map(FlowDefinition.Language::code).toList());
    var ask = assertInstanceOf(Node.Ask.class, flow.node("report-province"));
    assertEquals("provinces", ask.allowedList());
    assertInstanceOf(Node.End.class, flow.node("goodbye"));
    assertEquals(Node.Priority.URGENT, ((Node.Handoff) flow.node("danger-handoff")).priority());
  }

  @Test
  void shippedFlowsDirectoryLoads() {
    var real = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()));

    var catalog = real.loadDirectory(Path.of("ivr-flows"));

    assertTrue(catalog.find("hotline-111").isPresent(), () -> "loaded: " + catalog.flows().keySet());
    assertEquals(Path.of("ivr-flows", "hotline-111.yaml"), catalog.get("hotline-111").file());
  }

  @Test
  void shippedHotlineFlowIsRefusedWithoutTheProvincesList() {
    var withoutProvinces = new FlowLoader(Map.of());
    var file = Path.of("ivr-flows/hotline-111.yaml");

    var e = assertThrows(FlowException.class, () -> withoutProvinces.load(file));

    assertMentions(e, file.toString(), "node 'report-province'", "allowed list 'provinces' is unknown");
  }

  // --- targets and graph ---------------------------------------------------------------------------------

  @Test
  void unknownNextTargetIsRefusedNamingFileNodeAndTarget() {
    var file = goodFlowWith(f -> node(f, "voicemail").put("next", "good-bye"));

    assertRefused(file, "node 'voicemail'", "points to unknown node 'good-bye'");
  }

  @Test
  void unknownMenuOptionTargetIsRefusedNamingFileNodeOptionAndTarget() {
    var file = goodFlowWith(f -> options(f).put("3", "advice"));

    assertRefused(file, "node 'menu'", "option 3", "unknown node 'advice'");
  }

  @Test
  void unknownInvalidPathTargetIsRefused() {
    var file = goodFlowWith(f -> node(f, "menu").put("invalid", "nowhere"));

    assertRefused(file, "node 'menu'", "unknown node 'nowhere'");
  }

  @Test
  void startPointingToUnknownNodeIsRefused() {
    var file = goodFlowWith(f -> f.put("start", "hello"));

    assertRefused(file, "start points to unknown node 'hello'");
  }

  @Test
  void unreachableNodeIsRefusedNamingFileAndNode() {
    var file = goodFlowWith(f -> nodes(f).put("orphan",
        map("type", "say", "prompt", prompt("Mồ côi.", "Orphan."), "next", "goodbye")));

    assertRefused(file, "node 'orphan'", "unreachable from start 'welcome'");
  }

  @Test
  void sayLoopThatNeverWaitsIsRefusedNamingFileNodesAndLoop() {
    var file = goodFlowWith(f -> {
      options(f).put("3", "info-a");
      nodes(f).put("info-a", map("type", "say", "prompt", prompt("A.", "A."), "next", "info-b"));
      nodes(f).put("info-b", map("type", "say", "prompt", prompt("B.", "B."), "next", "info-a"));
    });

    assertRefused(file, "node 'info-a'", "loop without waiting", "info-a -> info-b -> info-a");
  }

  @Test
  void handoffLoopThatNeverWaitsOutsideOpeningHoursIsRefused() {
    // Outside opening hours a handoff goes straight to no_answer: handoff -> sorry -> handoff would talk forever.
    var file = goodFlowWith(f -> {
      node(f, "handoff").put("no_answer", "sorry");
      nodes(f).put("sorry", map("type", "say", "prompt", prompt("Xin lỗi.", "Sorry."), "next", "handoff"));
      options(f).put("3", "voicemail");
    });

    assertRefused(file, "node 'handoff'", "loop without waiting", "handoff -> sorry -> handoff");
  }

  @Test
  void loopThroughAMenuWaitsAndIsAllowed() {
    // say -> menu -> say: the menu waits for the caller each time round, so this is not a talking loop.
    var flow = loader.load(goodFlowWith(f -> {
      options(f).put("9", "welcome");
    }));

    assertEquals(new Node.Option("welcome", Map.of()), ((Node.Menu) flow.node("menu")).options().get("9"));
  }

  @Test
  void nodeFromWhichNoEndCanBeReachedIsRefusedNamingFileAndNode() {
    // A menu whose every path leads back to itself: reachable, waits, but the caller can never finish.
    var file = goodFlowWith(f -> {
      options(f).put("3", "trap");
      nodes(f).put("trap", map(
          "type", "menu",
          "prompt", prompt("Bấm 1.", "Press 1."),
          "options", map("1", "trap"),
          "timeout", "trap"));
    });

    assertRefused(file, "node 'trap'", "no path from here reaches an end node");
  }

  @Test
  void handoffThatGoesOnAfterTheOperatorIsNotAnEndByItself() {
    // With an 'answered' path the handoff no longer hangs up after the operator, so it must reach an end.
    var file = goodFlowWith(f -> {
      options(f).put("3", "trap-handoff");
      nodes(f).put("trap-handoff", map(
          "type", "handoff", "prompt", prompt("Chờ.", "Hold."), "queue", "reports",
          "no_answer", "trap-record", "answered", "trap-record"));
      nodes(f).put("trap-record", map(
          "type", "record", "prompt", prompt("Nói.", "Speak."), "next", "trap-handoff"));
    });

    assertRefused(file, "node 'trap-handoff'", "no path from here reaches an end node");
  }

  // --- prompts -------------------------------------------------------------------------------------------

  @Test
  void promptMissingInADeclaredLanguageIsRefusedNamingFileNodeAndLanguage() {
    var file = goodFlowWith(f -> promptOf(f, "menu").remove("en-US"));

    assertRefused(file, "node 'menu'", "has no prompt in en-US");
  }

  @Test
  void nodeWithoutAnyPromptIsRefused() {
    var file = goodFlowWith(f -> node(f, "welcome").remove("prompt"));

    assertRefused(file, "node 'welcome'", "prompt is missing", "vi-VN, en-US");
  }

  @Test
  void promptInAnUndeclaredLanguageIsRefused() {
    var file = goodFlowWith(f -> promptOf(f, "welcome").put("fr-FR", "Bonjour."));

    assertRefused(file, "node 'welcome'", "fr-FR", "does not declare");
  }

  @Test
  void emptyPromptTextIsRefused() {
    var file = goodFlowWith(f -> promptOf(f, "voicemail").put("vi-VN", "   "));

    assertRefused(file, "node 'voicemail'", "prompt in vi-VN is empty");
  }

  @Test
  void unknownPlaceholderInAPromptIsRefused() {
    var file = goodFlowWith(f -> promptOf(f, "welcome").put("en-US", "Hello {name}."));

    assertRefused(file, "node 'welcome'", "unknown placeholder {name}");
  }

  @Test
  void endPromptWithoutReferenceIsRefusedNamingFileNodeAndLanguage() {
    var file = goodFlowWith(f -> promptOf(f, "goodbye").put("en-US", "Goodbye."));

    assertRefused(file, "node 'goodbye'", "end prompt in en-US", "{reference}");
  }

  @Test
  void missingRetryPromptIsRefusedWhenTheFlowHasAMenu() {
    var file = goodFlowWith(f -> f.remove("retry_prompt"));

    assertRefused(file, "retry_prompt", "is missing");
  }

  @Test
  void retryPromptMissingADeclaredLanguageIsRefused() {
    var file = goodFlowWith(f -> {
      @SuppressWarnings("unchecked")
      var retry = (Map<String, Object>) f.get("retry_prompt");
      retry.remove("vi-VN");
    });

    assertRefused(file, "has no retry_prompt in vi-VN");
  }

  // --- waiting nodes need a way out ----------------------------------------------------------------------

  @Test
  void menuWithoutTimeoutPathIsRefusedNamingFileAndNode() {
    var file = goodFlowWith(f -> node(f, "menu").remove("timeout"));

    assertRefused(file, "node 'menu'", "menu has no timeout path");
  }

  @Test
  void askWithoutTimeoutPathIsRefusedNamingFileAndNode() {
    var file = goodFlowWith(f -> node(f, "province").remove("timeout"));

    assertRefused(file, "node 'province'", "ask has no timeout path");
  }

  @Test
  void handoffWithoutNoAnswerPathIsRefusedNamingFileAndNode() {
    var file = goodFlowWith(f -> node(f, "handoff").remove("no_answer"));

    assertRefused(file, "node 'handoff'", "handoff has no no_answer path");
  }

  @Test
  void menuWithoutOptionsIsRefused() {
    var file = goodFlowWith(f -> node(f, "menu").remove("options"));

    assertRefused(file, "node 'menu'", "menu needs options");
  }

  @Test
  void menuOptionThatIsNotAPhoneKeyIsRefused() {
    var file = goodFlowWith(f -> options(f).put("12", "handoff"));

    assertRefused(file, "node 'menu'", "option '12' is not a phone key");
  }

  @Test
  void menuOptionMappingWithoutNextIsRefused() {
    var file = goodFlowWith(f -> options(f).put("3", map("set", map("intent", "advice"))));

    assertRefused(file, "node 'menu'", "option 3 has no next node");
  }

  // --- keys, types and values ----------------------------------------------------------------------------

  @Test
  void unknownTopLevelKeyIsRefusedNamingTheKey() {
    var file = goodFlowWith(f -> f.put("strat", "welcome"));

    assertRefused(file, "unknown key 'strat'", "allowed:");
  }

  @Test
  void unknownNodeKeyIsRefusedNamingFileNodeAndKey() {
    var file = goodFlowWith(f -> node(f, "voicemail").put("max_secs", 60));

    assertRefused(file, "node 'voicemail'", "unknown key 'max_secs'", "max_seconds");
  }

  @Test
  void keyOfAnotherNodeTypeIsRefused() {
    // 'timeout' belongs to menu and ask; on a say node it would be silently meaningless.
    var file = goodFlowWith(f -> node(f, "welcome").put("timeout", "handoff"));

    assertRefused(file, "node 'welcome'", "unknown key 'timeout'");
  }

  @Test
  void unknownKeyInAMenuOptionIsRefused() {
    var file = goodFlowWith(f -> options(f).put("1", map("next", "province", "sett", map("intent", "report"))));

    assertRefused(file, "node 'menu'", "option '1'", "unknown key 'sett'");
  }

  @Test
  void unknownKeyInALanguageIsRefused() {
    var file = goodFlowWith(f -> {
      @SuppressWarnings("unchecked")
      var languages = (List<Map<String, Object>>) f.get("languages");
      languages.get(1).put("voise", "Polly.Joanna");
    });

    assertRefused(file, "unknown key 'voise'");
  }

  @Test
  void unknownNodeTypeIsRefusedNamingFileNodeAndType() {
    var file = goodFlowWith(f -> node(f, "welcome").put("type", "play"));

    assertRefused(file, "node 'welcome'", "unknown type 'play'");
  }

  @Test
  void nodeWithoutTypeIsRefused() {
    var file = goodFlowWith(f -> node(f, "welcome").remove("type"));

    assertRefused(file, "node 'welcome'", "'type' is missing");
  }

  @Test
  void badLanguageCodeIsRefusedNamingTheCode() {
    var file = goodFlowWith(f -> {
      @SuppressWarnings("unchecked")
      var languages = (List<Map<String, Object>>) f.get("languages");
      languages.get(0).put("code", "vi");
    });

    assertRefused(file, "language code 'vi'", "should look like vi-VN");
  }

  @Test
  void languageDeclaredTwiceIsRefused() {
    var file = goodFlowWith(f -> {
      @SuppressWarnings("unchecked")
      var languages = (List<Map<String, Object>>) f.get("languages");
      languages.add(map("code", "vi-VN"));
    });

    assertRefused(file, "language vi-VN is declared twice");
  }

  @Test
  void flowWithoutLanguagesIsRefused() {
    var file = goodFlowWith(f -> f.put("languages", List.of()));

    assertRefused(file, "'languages' must list at least one language");
  }

  @Test
  void settingAnUndeclaredLanguageIsRefused() {
    var file = goodFlowWith(f -> options(f).put("1", map("next", "province", "set", map("language", "fr-FR"))));

    assertRefused(file, "node 'menu'", "sets language fr-FR", "does not declare");
  }

  @Test
  void unknownAllowedListIsRefusedNamingFileNodeAndList() {
    var file = goodFlowWith(f -> node(f, "province").put("allowed", "districts"));

    assertRefused(file, "node 'province'", "allowed list 'districts' is unknown", "provinces");
  }

  @Test
  void theShippedProvinceQuestionListensInVietnameseAndConfirmsUnsureAnswers() {
    var flow = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()))
        .load(Path.of("ivr-flows/hotline-111.yaml"));
    var speech = ((Node.Ask) flow.node("report-province")).speech();
    assertEquals("vi-VN", speech.language());
    assertEquals(0.6, speech.confirmBelow());
    assertEquals("Bạn nói {answer}, đúng không? Đúng bấm 1, sai bấm 2.", speech.confirm().in("vi-VN"));
  }

  @Test
  void speechThatCannotBeUsedIsRefusedNamingFileAndNode() {
    var confirm = map("vi-VN", "Ban noi {answer}?", "en-US", "You said {answer}?");
    var file = goodFlowWith(f -> node(f, "province").put("speech", map("language", "vi-VN", "confirm_below", 1.5,
        "confirm", confirm)));
    assertRefused(file, "node 'province'", "confirm_below must be a number from 0 to 1");

    file = goodFlowWith(f -> {
      node(f, "province").remove("allowed");
      node(f, "province").put("speech", map("language", "vi-VN", "confirm_below", 0.6, "confirm", confirm));
    });
    assertRefused(file, "node 'province'", "speech: needs an allowed: list");

    file = goodFlowWith(f -> node(f, "province").put("speech", map("language", "vi-VN", "confirm_below", 0.6)));
    assertRefused(file, "node 'province'", "speech confirm is missing");
  }

  @Test
  void askWithMaxDigitsBelowMinDigitsIsRefused() {
    var file = goodFlowWith(f -> node(f, "province").put("max_digits", 1));

    assertRefused(file, "node 'province'", "max_digits 1 is below min_digits 2");
  }

  @Test
  void askWithInvalidAnswerNameIsRefused() {
    var file = goodFlowWith(f -> node(f, "province").put("save", "Province Code"));

    assertRefused(file, "node 'province'", "'Province Code' is not a valid answer name");
  }

  @Test
  void outOfRangeNumberIsRefusedNamingKeyAndRange() {
    var file = goodFlowWith(f -> node(f, "menu").put("attempts", 9));

    assertRefused(file, "node 'menu'", "'attempts' must be a whole number from 1 to 5");
  }

  @Test
  void nonBooleanFlagIsRefused() {
    var file = goodFlowWith(f -> node(f, "province").put("skippable", "yes please"));

    assertRefused(file, "node 'province'", "'skippable' must be true or false");
  }

  @Test
  void unknownHandoffPriorityIsRefused() {
    var file = goodFlowWith(f -> node(f, "handoff").put("priority", "critical"));

    assertRefused(file, "node 'handoff'", "priority 'critical'", "urgent, high, normal or low");
  }

  @Test
  void badQueueNameIsRefused() {
    var file = goodFlowWith(f -> node(f, "handoff").put("queue", "Counselling Team"));

    assertRefused(file, "node 'handoff'", "queue 'Counselling Team'");
  }

  @Test
  void recordNodeInAnSmsFlowIsRefused() {
    var file = goodFlowWith(f -> f.put("channel", "sms"));

    assertRefused(file, "node 'voicemail'", "record nodes exist only in voice flows");
  }

  @Test
  void unknownChannelIsRefused() {
    var file = goodFlowWith(f -> f.put("channel", "fax"));

    assertRefused(file, "channel must be voice or sms", "'fax'");
  }

  @Test
  void badFlowIdIsRefused() {
    var file = goodFlowWith(f -> f.put("id", "Hotline 111"));

    assertRefused(file, "flow id 'Hotline 111'");
  }

  @Test
  void missingFlowIdIsRefused() {
    var file = goodFlowWith(f -> f.remove("id"));

    assertRefused(file, "'id' is missing");
  }

  @Test
  void badNodeIdIsRefusedNamingTheNode() {
    var file = goodFlowWith(f -> {
      var nodes = nodes(f);
      nodes.put("Bad Node", map("type", "say", "prompt", prompt("x", "x"), "next", "goodbye"));
    });

    assertRefused(file, "node 'Bad Node'", "node ids must be lower-case");
  }

  @Test
  void emptyNodesMappingIsRefused() {
    var file = goodFlowWith(f -> f.put("nodes", map()));

    assertRefused(file, "'nodes' must be a mapping");
  }

  // --- files and directories -----------------------------------------------------------------------------

  @Test
  void fileThatIsNotYamlIsRefusedNamingTheFile() {
    var file = writeText("broken.yaml", "id: test-flow\nnodes: [unclosed\n  start: {\n");

    assertRefused(file, "not valid YAML");
  }

  @Test
  void yamlThatIsNotAMappingIsRefused() {
    var file = writeText("list.yaml", "- id: test-flow\n- start: welcome\n");

    assertRefused(file, "expected a mapping with id, languages, start and nodes");
  }

  @Test
  void emptyFileIsRefused() {
    var file = writeText("empty.yaml", "");

    assertRefused(file, "expected a mapping");
  }

  @Test
  void directoryLoadsEveryYamlAndYmlFileAndIgnoresOthers() throws IOException {
    var first = goodFlow();
    write("a.yaml", first);
    var second = goodFlow();
    second.put("id", "second-flow");
    write("b.yml", second);
    Files.writeString(dir.resolve("README.md"), "not a flow");

    var catalog = loader.loadDirectory(dir);

    assertEquals(Set.of("test-flow", "second-flow"), catalog.flows().keySet());
    assertEquals(dir.resolve("b.yml"), catalog.get("second-flow").file());
  }

  @Test
  void directoryWithTwoFlowsSharingAnIdIsRefusedNamingBothFiles() {
    var a = write("a.yaml", goodFlow());
    var b = write("b.yaml", goodFlow());

    var e = assertThrows(FlowException.class, () -> loader.loadDirectory(dir));

    assertMentions(e, a.toString(), b.toString(), "flow id 'test-flow' is already used");
  }

  @Test
  void directoryWithABrokenFlowIsRefusedNamingThatFile() {
    write("a.yaml", goodFlow());
    var broken = goodFlow();
    broken.put("id", "other");
    node(broken, "menu").remove("timeout");
    var b = write("b.yaml", broken);

    var e = assertThrows(FlowException.class, () -> loader.loadDirectory(dir));

    assertMentions(e, b.toString(), "node 'menu'", "no timeout path");
  }

  @Test
  void emptyDirectoryIsRefusedNamingTheDirectory() throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "flows go here");

    var e = assertThrows(FlowException.class, () -> loader.loadDirectory(dir));

    assertMentions(e, dir.toString(), "no flow files");
  }

  @Test
  void missingDirectoryIsRefusedNamingTheDirectory() {
    var missing = dir.resolve("no-such-flows");

    var e = assertThrows(FlowException.class, () -> loader.loadDirectory(missing));

    assertMentions(e, missing.toString(), "does not exist", "GATEWAY_FLOWS_DIR");
  }

  // --- gaps found while writing these tests, now fixed ---------------------------------------------------

  @Test
  void nodeDefinedTwiceInOneFileIsRefused() {
    var file = writeText("twice.yaml", """
        id: test-flow
        languages: [{code: vi-VN}]
        start: goodbye
        nodes:
          goodbye: {type: end, prompt: {vi-VN: "Mã số {reference}."}}
          goodbye: {type: end, prompt: {vi-VN: "Tạm biệt, mã số {reference}."}}
        """);

    assertRefused(file, "goodbye");
  }

  @Test
  void listWhereASingleTargetBelongsIsReportedAsNotASingleValue() {
    var file = goodFlowWith(f -> node(f, "voicemail").put("next", List.of("goodbye", "handoff")));

    assertRefused(file, "node 'voicemail'", "'next' must be a single value");
  }

  @Test
  void fractionalNumberIsRefusedAsNotAWholeNumber() {
    var file = goodFlowWith(f -> node(f, "menu").put("attempts", 2.7));

    assertRefused(file, "node 'menu'", "'attempts' must be a whole number");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> texts(Map<String, Object> flow) {
    return (Map<String, Object>) flow.get("texts");
  }

  @Test
  void aVoiceFlowWithAHandoffWithoutTheWhisperTextsIsRefused() {
    assertRefused(goodFlowWith(f -> f.remove("texts")), "a voice flow with a handoff needs 'texts'", "whisper_accept",
        "flagged_caller");
    assertRefused(goodFlowWith(f -> texts(f).remove("whisper_accept")), "texts: 'whisper_accept' is missing");
  }

  @Test
  void aWhisperReferenceWithoutThePlaceholderOrAnUnknownTextIsRefused() {
    assertRefused(goodFlowWith(f -> texts(f).put("whisper_reference", prompt("Mã số.", "Reference {reference}."))),
        "texts.whisper_reference in vi-VN must contain {reference}");
    assertRefused(goodFlowWith(f -> texts(f).put("whisper_mood", prompt("Vui.", "Happy."))),
        "texts: unknown text 'whisper_mood'", "whisper_intent_<intent>");
    assertRefused(goodFlowWith(f -> texts(f).put("whisper_urgent", map("vi-VN", "Khẩn cấp."))),
        "has no texts.whisper_urgent in en-US");
  }

  @Test
  void voiceTextsAreReadWithOptionalIntentTexts() {
    var flow = loader.load(write("flow.yaml", goodFlow()));

    assertEquals("Khẩn cấp.", flow.text("whisper_urgent", "vi-VN"));
    assertEquals("A report.", flow.text("whisper_intent_report", "en-US"));
    assertFalse(flow.texts().containsKey("whisper_intent_danger"));
    var shipped = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()))
        .load(Path.of("ivr-flows/hotline-111.yaml"));
    assertTrue(shipped.text("whisper_accept", "vi-VN").contains("Bấm 1"), shipped.texts().toString());
    assertTrue(shipped.text("whisper_intent_danger", "vi-VN").contains("Nguy hiểm ngay"), shipped.texts().toString());
  }

  // --- promises: what a node tells the caller we will do, and the safety question before it ---------------------

  /**
   * The good flow with the safety question between the handoff and the voicemail: handoff (no answer) -> safe
   * (menu: 1 sets callback_safe yes -> voicemail, 2 or silence -> unsafe, an end) ; voicemail and goodbye promise a
   * callback.
   */
  private static void withSafetyQuestion(Map<String, Object> f) {
    node(f, "handoff").put("no_answer", "safe");
    nodes(f).put("safe", map(
        "type", "menu",
        "prompt", prompt("Có an toàn để chúng tôi gọi lại số này không? Bấm 1 nếu có, bấm 2 nếu không.",
            "Is it safe for us to call this number back? Press 1 if yes, press 2 if no."),
        "options", map(
            "1", map("next", "voicemail", "set", map("callback_safe", "yes")),
            "2", "unsafe"),
        "timeout", "unsafe"));
    nodes(f).put("unsafe", map(
        "type", "end",
        "set", map("callback_safe", "no"),
        "prompt", prompt("Mã số {reference}. Hãy gọi lại 111 bất cứ lúc nào.", "Number {reference}. Call 111 again any time.")));
    node(f, "voicemail").put("promise", "callback");
    promptOf(f, "voicemail").put("vi-VN", "Hãy để lại lời nhắn. Chúng tôi sẽ gọi lại cho bạn.");
    promptOf(f, "voicemail").put("en-US", "Please leave a message. We will call you back.");
    node(f, "goodbye").put("promise", "callback");
  }

  @Test
  void aPromiseBehindTheSafetyQuestionLoadsAndSaysWhatItPromises() {
    var flow = loader.load(goodFlowWith(FlowLoaderTest::withSafetyQuestion));

    assertEquals(java.util.Optional.of(Promise.CALLBACK), flow.promise("voicemail"));
    assertEquals(java.util.Optional.of(Promise.CALLBACK), flow.promise("goodbye"));
    assertTrue(flow.promise("safe").isEmpty(), "asking whether a callback is safe promises nothing");
    assertTrue(flow.promise("unsafe").isEmpty(), "'call 111 again' is not a promise");
  }

  @Test
  void aPromptThatPromisesACallbackOnANodeThatCreatesNoTaskIsRefusedNamingFileAndNode() {
    var file = goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "voicemail").remove("promise");
    });

    assertRefused(file, "node 'voicemail'", "promises to get back to the caller", "\"se goi lai\"", "add promise: callback");
    // in any language, with or without diacritics
    assertRefused(goodFlowWith(f -> promptOf(f, "handoff").put("en-US", "Please hold. If we are cut off we will call you back.")),
        "node 'handoff'", "in en-US", "\"call you back\"");
    assertRefused(goodFlowWith(f -> promptOf(f, "welcome").put("vi-VN", "Xin chào. Tư vấn viên sẽ liên hệ lại với bạn.")),
        "node 'welcome'", "in vi-VN");
  }

  @Test
  void aPromiseTheCallerCanReachWithoutSayingACallbackIsSafeIsRefused() {
    // the voicemail promises, and the handoff goes there directly: nobody asked
    var direct = goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "handoff").put("no_answer", "voicemail");
      nodes(f).remove("safe");
      nodes(f).remove("unsafe");
    });
    assertRefused(direct, "node 'voicemail'", "can be reached without the caller saying it is safe", "callback_safe: yes");

    // silence at the safety question must not lead to the promise either
    assertRefused(goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "safe").put("timeout", "voicemail");
    }), "node 'voicemail'", "can be reached without the caller saying it is safe");

    // yes is the caller's answer: a node cannot set it for them
    assertRefused(goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "voicemail").put("set", map("callback_safe", "yes"));
    }), "node 'voicemail'", "callback_safe: yes can only be the caller's answer");
    assertRefused(goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "unsafe").put("set", map("callback_safe", "maybe"));
    }), "node 'unsafe'", "callback_safe must be yes or no, not 'maybe'");
  }

  @Test
  void promiseWordsAreCheckedAndBelongToTheirChannelAndNeverToFlowTexts() {
    assertRefused(goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "goodbye").put("promise", "contact");
    }), "node 'goodbye'", "promise: contact belongs to sms flows");
    assertRefused(goodFlowWith(f -> {
      withSafetyQuestion(f);
      node(f, "goodbye").put("promise", "maybe");
    }), "node 'goodbye'", "promise 'maybe' must be callback (voice) or contact (sms)");
    assertRefused(goodFlowWith(f -> texts(f).put("flagged_caller", prompt("Cuộc gọi này được ghi nhận.",
        "This call is noted. A counsellor will contact you."))), "texts.flagged_caller in en-US", "only a node can promise");
  }

  @Test
  void theShippedFlowsPromiseOnlyAfterTheSafetyQuestion() {
    var real = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()));
    var voice = real.load(Path.of("ivr-flows/hotline-111.yaml"));
    assertEquals(Set.of("danger-voicemail", "report-voicemail", "advice-voicemail", "goodbye"),
        new java.util.HashSet<>(voice.promises().keySet()));
    assertTrue(voice.promises().values().stream().allMatch(p -> p == Promise.CALLBACK));
    for (var safe : List.of("danger-safe", "report-safe", "advice-safe")) {
      var menu = assertInstanceOf(Node.Menu.class, voice.node(safe));
      assertEquals(Map.of("callback_safe", "yes"), menu.options().get("1").set());
      assertEquals("not-safe", menu.timeout(), "silence is not a yes");
    }
    var sms = real.load(Path.of("ivr-flows/sms-111.yaml"));
    assertEquals(Map.of("submitted", Promise.CONTACT), sms.promises());
    assertTrue(sms.node("contact-safe").prompt().in("vi-VN")
        .startsWith("Co an toan de tu van vien nhan tin lai cho ban khong? 1 Co 2 Khong"));
  }

  /** Guards the helper itself: the good flow must stay valid, or every refusal test proves nothing. */
  @Test
  void goodFlowHelperProducesAFlowTheLoaderAccepts() {
    try {
      loader.load(write("flow.yaml", goodFlow()));
    } catch (FlowException e) {
      fail("the good flow is refused: " + e.getMessage());
    }
  }
}
