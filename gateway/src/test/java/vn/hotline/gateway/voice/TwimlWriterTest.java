package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static vn.hotline.gateway.testing.XmlTrees.assertSameXml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.config.GatewayConfig.HandoffMode;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.flow.Input;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.report.Provinces;

/**
 * The TwiML the gateway writes (util.Xml) reads, to an XML parser, exactly as what the Twilio SDK's builders and
 * {@code toXml} wrote ({@link SdkTwimlRenderer}): every node of every shipped voice flow (ivr-flows/), in every
 * language, in every handoff setting, and every other answer of the voice webhooks.
 */
class TwimlWriterTest {
  private static final Map<String, Set<String>> LISTS = Map.of("provinces", Provinces.load(null).byCode().keySet());
  private static final FlowCatalog FLOWS = new FlowLoader(LISTS).loadDirectory(Path.of("ivr-flows"));
  private static final FlowEngine ENGINE = new FlowEngine(LISTS);
  private static final String CONTACT = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  private static final String FALLBACK = "+84111000111";

  /** The handoff settings that change the TwiML: enqueue (plain, TaskRouter) and dial (with and without callerId). */
  private static final List<GatewayConfig.Operators> SETTINGS = List.of(
      operators(HandoffMode.ENQUEUE, "", ""),
      operators(HandoffMode.ENQUEUE, "", "WW0123456789abcdef0123456789abcdef"),
      operators(HandoffMode.DIAL, "+84111", ""),
      operators(HandoffMode.DIAL, "", ""));

  /** Who a dial rings: counsellors with and without an id and language, and nobody (then the fallback number). */
  private static final List<RingTargets> RINGS = List.of(
      h -> List.of(new RingTargets.Target("+84901234567", "op-lan", "vi"), new RingTargets.Target("+84907654321", null, null)),
      h -> List.of());

  static GatewayConfig.Operators operators(HandoffMode mode, String callerId, String workflowSid) {
    return new GatewayConfig.Operators(mode, List.of(), callerId, 25, 120, workflowSid, null, 8);
  }

  @Test
  void everyNodeOfTheShippedVoiceFlowsIsWrittenAsTheSdkWroteIt() {
    int compared = 0;
    for (var flow : FLOWS.all()) {
      if (!flow.channel().equals("voice")) {
        continue;
      }
      for (var ins : instructions(flow)) {
        for (var ops : SETTINGS) {
          for (var ring : RINGS) {
            var ours = new TwimlRenderer(ops, FALLBACK, ring).render(ins, 3, "31415926", CONTACT);
            var sdk = new SdkTwimlRenderer(ops, FALLBACK, ring).render(ins, 3, "31415926", CONTACT);
            assertSameXml(sdk, ours, flow.file() + " node " + ins.action().nodeId() + " (" + ops.mode() + ")");
            compared++;
          }
        }
      }
    }
    assertTrue(compared > 100, "only " + compared + " answers compared: are the flows in ivr-flows/ loaded?");
  }

  @Test
  void theOtherAnswersOfTheVoiceWebhooksAreWrittenAsTheSdkWroteThem() {
    var lines = List.of(new Instruction.Line("Có một cuộc gọi cần bạn. Bấm phím 1 để nhận.", "vi-VN", "Google.vi-VN-Standard-A"),
        new Instruction.Line("A call needs you. Press 1 to take it.", "en-US", null));
    for (var ops : SETTINGS) {
      var ours = new TwimlRenderer(ops, FALLBACK, RINGS.get(0));
      var sdk = new SdkTwimlRenderer(ops, FALLBACK, RINGS.get(0));
      assertSameXml(sdk.fallback(), ours.fallback(), "fallback");
      var key = TwimlRenderer.whisperKeyPath(CONTACT, 4, "op-lan", "vi");
      assertSameXml(sdk.whisper(lines, key), ours.whisper(lines, key), "whisper");
      var agentKey = TwimlRenderer.agentKeyPath(CONTACT, 4, "op-lan", "vi", "urgent");
      assertSameXml(sdk.whisper(lines, agentKey), ours.whisper(lines, agentKey), "agent line whisper");
      assertSameXml(sdk.hold(10, lines), ours.hold(10, lines), "hold, waiting");
      assertSameXml(sdk.hold(120, lines), ours.hold(120, lines), "hold, waited long enough: leave");
    }
    assertSameXml(SdkTwimlRenderer.hangup(), TwimlRenderer.hangup(), "hangup");
    assertSameXml(SdkTwimlRenderer.busy(), TwimlRenderer.busy(), "busy");
    assertSameXml(SdkTwimlRenderer.empty(), TwimlRenderer.empty(), "empty");
    assertSameXml(SdkTwimlRenderer.dequeue("urgent", "op-lan"), TwimlRenderer.dequeue("urgent", "op-lan"), "dequeue");
    assertSameXml(SdkTwimlRenderer.sayAndHangUp(lines), TwimlRenderer.sayAndHangUp(lines), "say and hang up");
    assertSameXml(SdkTwimlRenderer.sayAndHangUp(List.of()), TwimlRenderer.sayAndHangUp(List.of()), "hang up, nothing said");
  }

  @Test
  void textThatXmlMustEscapeReadsBackTheSame() {
    var nasty = "Trẻ em & <gia đình> \"an toàn\" 'ở nhà' > 5 tuổi; ]]> &amp; 👧🏽 ₫ \t tab\nnew line";
    var ins = new Instruction(List.of(new Instruction.Line(nasty, "vi-VN", "Google.vi-VN-Standard-A")),
        new Instruction.ConnectOperator("a&b", "q<1>", Node.Priority.URGENT));
    for (var ops : SETTINGS) {
      RingTargets ring = h -> List.of(new RingTargets.Target("+84\"90&<1>", "op&\"x", "vi&"));
      assertSameXml(new SdkTwimlRenderer(ops, FALLBACK, ring).render(ins, 1, "ref\"&<", CONTACT),
          new TwimlRenderer(ops, FALLBACK, ring).render(ins, 1, "ref\"&<", CONTACT), "escaped text and attributes");
    }
    assertSameXml(SdkTwimlRenderer.dequeue("q&\"<>", "o p&"), TwimlRenderer.dequeue("q&\"<>", "o p&"), "escaped queue");
  }

  /**
   * What each node of a flow says and waits for, as a caller meets it: the start, every node entered afresh in
   * every language (a state at that node, repeated), and every menu and question after a wrong key (the retry line).
   */
  private static List<Instruction> instructions(FlowDefinition flow) {
    var ctx = new FlowEngine.Context("31415926", true);
    var out = new ArrayList<Instruction>();
    out.add(ENGINE.start(flow, ctx).instruction());
    for (var node : flow.nodes().values()) {
      for (var l : flow.languages()) {
        var at = new FlowState(node.id(), l.code(), 0, Map.of(), Map.of(), List.of(), null, false);
        out.add(ENGINE.repeat(flow, at, ctx).instruction());
        if (node instanceof Node.Menu || node instanceof Node.Ask) {
          out.add(ENGINE.advance(flow, at, new Input.Digits("9999999999"), ctx).instruction());
        }
      }
    }
    return out;
  }
}
