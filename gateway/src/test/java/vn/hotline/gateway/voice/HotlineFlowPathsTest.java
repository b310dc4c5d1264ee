package vn.hotline.gateway.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.contact.Outcome;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.flow.Input;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.flow.Promise;
import vn.hotline.gateway.followup.FollowupPolicy;
import vn.hotline.gateway.flow.Step;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.Twiml;

/**
 * Every path of ivr-flows/hotline-111.yaml, walked to its end. First through the engine: all states a caller
 * can reach (every key, silence, wrong keys, skips, operators answering or not, a message left or not, inside
 * and outside opening hours), checking that every call ends with a person or with the reference number read
 * out. Then over HTTP against a real gateway on each store: a set of calls that together take every one of
 * those transitions, each checked step by step against the engine and, at the end, against the stored rows. The
 * calls are placed four at a time, as calls to a hotline come (each its own CallSid and contact).
 */
@GatewayTest
class HotlineFlowPathsTest {
  private static final String REFERENCE = "31415926";
  private static final String SPOKEN = "3, 1, 4, 1, 5, 9, 2, 6";

  final Map<String, Set<String>> lists = Map.of("provinces", Provinces.load(null).byCode().keySet());
  final FlowDefinition flow = new FlowLoader(lists).load(Path.of("ivr-flows/hotline-111.yaml"));
  final FlowEngine engine = new FlowEngine(lists);

  /** One thing a caller (or Twilio) can do at a waiting node. */
  record Choice(String label, Input input) {}

  /** A reachable situation: what matters for where the call can go next. */
  record Situation(String node, int attempts, String language, Outcome outcome, boolean closed) {
    static Situation of(FlowState s) {
      return new Situation(s.nodeId(), s.attempts(), s.language(), s.outcome(), s.closed());
    }
  }

  /** A transition of the state graph, with the step the engine took. */
  record Edge(Situation from, Choice choice, Step step) {}

  @Test
  void everyPathEndsWithAPersonOrAVoiceMessageAndTheReferenceNumber() {
    for (boolean open : List.of(true, false)) {
      var graph = explore(open);
      int terminals = 0;
      for (var e : graph.edges) {
        if (e.step().state().closed()) {
          terminals++;
          var heard = String.join(" ", e.step().instruction().lines().stream().map(Instruction.Line::text).toList());
          boolean person = e.step().state().outcome() == Outcome.OPERATOR;
          assertTrue(person || heard.contains(SPOKEN),
              "a call ends with neither a person nor the reference number: " + e + " heard: " + heard);
          assertTrue(e.step().instruction().action() instanceof Instruction.Hangup);
          if (!open) {
            assertFalse(person, "no operator outside opening hours");
            // ... unless they said a call back is not safe (or did not say): then no message is promised an answer
            boolean notSafe = Promise.NOT_SAFE.equals(e.step().state().answer(Promise.SAFE_ANSWER));
            assertTrue(notSafe || e.step().state().path().stream().anyMatch(n -> flow.node(n) instanceof Node.Record),
                "outside hours every caller is offered a voice message: " + e.step().state().path());
          }
        }
      }
      assertTrue(terminals > 10, "explored " + terminals + " endings");
      for (var s : graph.waiting) {
        assertFalse(choices(graph.example.get(s)).isEmpty(), "a caller waits at " + s + " with nothing to do");
      }
      assertTrue(graph.paths > 1000, "counted " + graph.paths + " distinct complete calls");
      System.out.printf("operators %s: %d distinct complete calls, %d transitions, %d endings, all checked%n",
          open ? "open" : "closed", graph.paths, graph.edges.size(), terminals);
    }
  }

  @Test
  void dangerIsOneKeyAwayAndReportersHearTheirReferenceBeforeBeingHandedOver() {
    var start = engine.start(flow, new FlowEngine.Context(REFERENCE, true));
    var danger = engine.advance(flow, engine.advance(flow, start.state(), new Input.Digits("1"), ctx(true)).state(),
        new Input.Digits("1"), ctx(true));
    assertTrue(danger.instruction().action() instanceof Instruction.ConnectOperator c && c.priority() == Node.Priority.URGENT);

    var graph = explore(true);
    for (var e : graph.edges) {
      if (e.step().instruction().action() instanceof Instruction.ConnectOperator c && c.nodeId().equals("report-handoff")) {
        var heard = String.join(" ", e.step().instruction().lines().stream().map(Instruction.Line::text).toList());
        assertTrue(heard.contains(SPOKEN), "reference read before the report handoff: " + heard);
      }
    }
  }

  // --- over HTTP ------------------------------------------------------------------------------------

  /** How many scripted calls are in progress at once. */
  static final int CONCURRENT_CALLS = 4;

  TestDatabase db;
  RunningGateway gw;
  FakeTwilio twilio;

  @Test
  void callsTakingEveryTransitionOfTheFlowBehaveOverHttpAsTheEngineSaysAndAreStored(Harness house) throws Exception {
    db = house.db();
    gw = house.start();
    twilio = gw.twilio();
    var graph = explore(true);
    var scripts = coveringScripts(graph);
    int requests = 0;
    try (var callers = java.util.concurrent.Executors.newFixedThreadPool(CONCURRENT_CALLS)) {
      var placed = new ArrayList<java.util.concurrent.Future<Integer>>();
      for (var script : scripts) {
        placed.add(callers.submit(() -> replay(script)));
      }
      for (var call : placed) {
        try {
          requests += call.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof AssertionError failed) {
            throw failed;
          }
          throw e;
        }
      }
    }
    assertTrue(scripts.size() >= 10, scripts.size() + " calls");
    assertEquals(scripts.size(), db.count("contacts"));
    System.out.printf("%s: %d calls, %d webhook requests, covering %d transitions%n",
        db.kind, scripts.size(), requests, graph.edges.size());
  }

  /** Plays one scripted call over HTTP; checks each answer against the engine and the stored end. */
  private int replay(List<Choice> script) throws SQLException {
    var call = twilio.call();
    var twiml = call.incoming();
    var reference = (String) db.row("SELECT reference FROM contacts WHERE provider_ref = ?", call.sid).get("reference");
    var context = new FlowEngine.Context(reference, true);
    var step = engine.start(flow, context);
    assertHeard(step, twiml, script, 0);
    int i = 0;
    for (var choice : script) {
      step = engine.advance(flow, step.state(), choice.input(), context);
      twiml = switch (choice.input()) {
        case Input.Digits d -> call.press(twiml, d.digits());
        case Input.Recorded r -> call.record(twiml, r.seconds());
        case Input.HandoffEnded h -> call.dialEnded(twiml, h.answered() ? "completed" : "no-answer");
        case Input.Heard h -> call.say(twiml, h.speech(), h.confidence());
        case Input.Text t -> throw new AssertionError("a call cannot send text");
      };
      assertHeard(step, twiml, script, ++i);
    }
    assertTrue(step.state().closed(), "script ends the call: " + script);
    assertTrue(twiml.has("Hangup"), twiml.body());
    call.status("completed");

    var contact = db.row("SELECT id, outcome FROM contacts WHERE provider_ref = ?", call.sid);
    assertEquals(step.state().outcome().wire(), contact.get("outcome"), script.toString());
    // a promise made after the caller said a callback is safe is a task; anything else is none
    var owed = new FollowupPolicy().owed(flow, step.state(), step.state().outcome(),
        Promise.SAFE.equals(step.state().answer(Promise.SAFE_ANSWER)));
    var contactId = (String) contact.get("id");
    var task = db.count("SELECT COUNT(*) FROM followup_tasks WHERE contact_id = ?", contactId) == 0 ? List.of()
        : List.of(db.row("SELECT kind, priority FROM followup_tasks WHERE contact_id = ?", contactId).get("kind"),
            db.row("SELECT kind, priority FROM followup_tasks WHERE contact_id = ?", contactId).get("priority"));
    assertEquals(owed.map(o -> List.<Object>of(o.kind().wire(), o.priority().wire())).orElse(List.of()), task,
        "follow-up task of " + script);
    var intent = step.state().answer("intent");
    int reports = db.count("SELECT COUNT(*) FROM reports r JOIN contacts c ON c.id = r.contact_id WHERE c.provider_ref = ?", call.sid);
    boolean reportable = "danger".equals(intent) || "report".equals(intent);
    assertEquals(reportable ? 1 : 0, reports, "report for intent " + intent + ": " + script);
    if (reportable) {
      var r = db.row("SELECT r.category, r.age_band, r.province, r.about FROM reports r JOIN contacts c"
          + " ON c.id = r.contact_id WHERE c.provider_ref = ?", call.sid);
      assertEquals(step.state().answer("category"), r.get("category"));
      assertEquals(step.state().answer("age_band"), r.get("age_band"));
      assertEquals(step.state().answer("province"), r.get("province"));
      assertEquals(step.state().answer("about"), r.get("about"));
    }
    return script.size() + 2;
  }

  private void assertHeard(Step step, Twiml twiml, List<Choice> script, int at) {
    assertEquals(200, twiml.status(), twiml.body());
    var expected = step.instruction().lines().stream().map(Instruction.Line::text).toList();
    assertEquals(expected, twiml.heard(), "step " + at + " of " + script);
    switch (step.instruction().action()) {
      case Instruction.CollectDigits c -> assertNotNull(twiml.actionOf("Gather"));
      case Instruction.RecordMessage r -> assertTrue(twiml.has("Record"));
      case Instruction.ConnectOperator c -> assertEquals(
          List.of(RunningGateway.OPERATOR_1, RunningGateway.OPERATOR_2), twiml.dialled());
      case Instruction.Hangup h -> assertTrue(twiml.has("Hangup"));
      case Instruction.CollectText t -> throw new AssertionError("a voice flow never waits for text");
    }
  }

  // --- the state graph --------------------------------------------------------------------------------

  static final class Graph {
    final List<Edge> edges = new ArrayList<>();
    final Set<Situation> waiting = new HashSet<>();
    final Map<Situation, List<Choice>> routeTo = new HashMap<>();
    final Map<Situation, FlowState> example = new HashMap<>();
    long paths;
  }

  private FlowEngine.Context ctx(boolean open) {
    return new FlowEngine.Context(REFERENCE, open);
  }

  private Graph explore(boolean open) {
    var g = new Graph();
    var first = engine.start(flow, ctx(open));
    var root = Situation.of(first.state());
    g.routeTo.put(root, List.of());
    g.example.put(root, first.state());
    var todo = new ArrayDeque<Situation>(List.of(root));
    var successors = new LinkedHashMap<Situation, List<Situation>>();
    while (!todo.isEmpty()) {
      var s = todo.poll();
      var state = g.example.get(s);
      if (state.closed()) {
        successors.put(s, List.of());
        continue;
      }
      g.waiting.add(s);
      var next = new ArrayList<Situation>();
      for (var choice : choices(state)) {
        var step = engine.advance(flow, state, choice.input(), ctx(open));
        g.edges.add(new Edge(s, choice, step));
        var t = Situation.of(step.state());
        next.add(t);
        if (!g.example.containsKey(t)) {
          g.example.put(t, step.state());
          var route = new ArrayList<>(g.routeTo.get(s));
          route.add(choice);
          g.routeTo.put(t, route);
          todo.add(t);
        }
      }
      successors.put(s, next);
    }
    g.paths = countPaths(root, successors, new HashMap<>());
    return g;
  }

  private static long countPaths(Situation s, Map<Situation, List<Situation>> next, Map<Situation, Long> memo) {
    var known = memo.get(s);
    if (known != null) {
      return known;
    }
    var succ = next.get(s);
    long n = succ.isEmpty() ? 1 : 0;
    for (var t : succ) {
      n += countPaths(t, next, memo);
    }
    memo.put(s, n);
    return n;
  }

  /** What a caller can do where the state waits: every key the node knows, silence, a wrong key, and so on. */
  private List<Choice> choices(FlowState state) {
    var out = new ArrayList<Choice>();
    switch (flow.node(state.nodeId())) {
      case Node.Menu m -> {
        m.options().keySet().stream().sorted().forEach(k -> out.add(new Choice("key " + k, new Input.Digits(k))));
        out.add(new Choice("silence", new Input.Digits("")));
        var wrong = "0123456789*#".chars().mapToObj(c -> String.valueOf((char) c))
            .filter(k -> !m.options().containsKey(k)).findFirst().orElseThrow();
        out.add(new Choice("wrong key " + wrong, new Input.Digits(wrong)));
      }
      case Node.Ask a -> {
        out.add(new Choice("valid 79", new Input.Digits("79")));
        if (a.skippable()) {
          out.add(new Choice("skip *", new Input.Digits("*")));
        }
        out.add(new Choice("silence", new Input.Digits("")));
        out.add(new Choice("not in list 00", new Input.Digits("00")));
      }
      case Node.Record r -> {
        out.add(new Choice("message 30 s", new Input.Recorded("RE" + "0".repeat(31) + "1", 30)));
        out.add(new Choice("no message", new Input.Recorded(null, 0)));
      }
      case Node.Handoff h -> {
        out.add(new Choice("operator answers", new Input.HandoffEnded(true)));
        out.add(new Choice("nobody answers", new Input.HandoffEnded(false)));
      }
      default -> { }
    }
    return out;
  }

  /**
   * Calls that together take every transition: for each one not yet taken, the shortest way to it, the
   * transition, then at every step a choice not taken yet where there is one (the first choice otherwise) until
   * the call ends. Each such step takes a transition for the first time, so a call ends after at most as many of
   * them as there are transitions; the first choices end every call.
   */
  private List<List<Choice>> coveringScripts(Graph g) {
    var covered = new HashSet<String>();
    var scripts = new ArrayList<List<Choice>>();
    for (var e : g.edges) {
      var key = e.from() + "|" + e.choice().label();
      if (covered.contains(key)) {
        continue;
      }
      var script = new ArrayList<>(g.routeTo.get(e.from()));
      script.add(e.choice());
      var taking = new HashSet<>(covered);
      var s0 = engine.start(flow, ctx(true)).state();
      for (var c : script) {
        taking.add(Situation.of(s0) + "|" + c.label());
        s0 = engine.advance(flow, s0, c.input(), ctx(true)).state();
      }
      var state = e.step().state();
      while (!state.closed()) {
        var here = Situation.of(state);
        var options = choices(state);
        var c = options.stream().filter(o -> !taking.contains(here + "|" + o.label())).findFirst()
            .orElse(options.get(0));
        taking.add(here + "|" + c.label());
        script.add(c);
        state = engine.advance(flow, state, c.input(), ctx(true)).state();
      }
      // mark what this script takes
      var s = engine.start(flow, ctx(true)).state();
      for (var c : script) {
        covered.add(Situation.of(s) + "|" + c.label());
        s = engine.advance(flow, s, c.input(), ctx(true)).state();
      }
      scripts.add(script);
    }
    for (var e : g.edges) {
      assertTrue(covered.contains(e.from() + "|" + e.choice().label()), "a call takes " + e);
    }
    return scripts;
  }
}
