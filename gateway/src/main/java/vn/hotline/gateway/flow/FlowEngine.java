package vn.hotline.gateway.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import vn.hotline.gateway.contact.Outcome;

/**
 * The channel-neutral flow engine: a pure function from (flow, state, input) to the next step. No I/O, no
 * clock: the caller persists the state and renders the instruction, so the same engine serves voice and SMS
 * and is tested without a network.
 */
public final class FlowEngine {
  /**
   * Facts about this contact the engine may use but not change. {@code callerFlagged}: the caller is flagged as
   * abusive or prank (callers.CallerFlags), so a handoff rings nobody and takes its no-answer path, unless it is
   * one that always reaches a person ({@link #alwaysRings}).
   */
  public record Context(String reference, boolean operatorsOpen, boolean callerFlagged) {
    public Context(String reference, boolean operatorsOpen) {
      this(reference, operatorsOpen, false);
    }
  }

  /**
   * A handoff that reaches a person whoever calls: one at {@code urgent} priority, or any handoff of a contact the
   * flow marked urgent (the danger choice sets {@code urgent: "true"}). A flag never stands between a child in
   * danger and a counsellor.
   */
  public static boolean alwaysRings(Node.Handoff h, Map<String, String> answers) {
    return h.priority() == Node.Priority.URGENT || "true".equals(answers.get("urgent"));
  }

  private static final int MAX_ENTERS_PER_STEP = 64;

  private final Map<String, Set<String>> valueLists;
  /** The words of some value lists (e.g. the names of the provinces), by list name. */
  private final Map<String, Vocabulary> vocabularies;

  public FlowEngine(Map<String, Set<String>> valueLists) {
    this(valueLists, Map.of());
  }

  public FlowEngine(Map<String, Set<String>> valueLists, Map<String, Vocabulary> vocabularies) {
    this.valueLists = Map.copyOf(valueLists);
    this.vocabularies = Map.copyOf(vocabularies);
  }

  /** A new contact: enter the start node in the flow's default language. */
  public Step start(FlowDefinition flow, Context ctx) {
    return start(flow, ctx, flow.defaultLanguage());
  }

  /** A new contact in a given language (an SMS keyword says which). */
  public Step start(FlowDefinition flow, Context ctx, String language) {
    var walk = new Walk(flow, ctx,
        new FlowState(flow.start(), language, 0, Map.of(), Map.of(), List.of(), null, false));
    walk.enter(flow.start());
    return walk.result();
  }

  /** Applies what the caller did at the current node. */
  public Step advance(FlowDefinition flow, FlowState state, Input input, Context ctx) {
    if (state.closed()) {
      throw new FlowException(flow.file() + ": session is closed; no input is accepted at '" + state.nodeId() + "'");
    }
    var walk = new Walk(flow, ctx, state);
    var node = flow.node(state.nodeId());
    if (node instanceof Node.Ask a && vocabularies.containsKey(a.allowedList()) && walk.words(a, input)) {
      return walk.result();
    }
    switch (node) {
      case Node.Menu m when input instanceof Input.Digits d -> walk.menu(m, d.digits().strip());
      case Node.Ask a when input instanceof Input.Digits d -> walk.ask(a, d.digits().strip());
      case Node.Record r when input instanceof Input.Recorded rec -> walk.recorded(r, rec);
      case Node.Handoff h when input instanceof Input.HandoffEnded e -> walk.handoffEnded(h, e.answered());
      case Node.Text t when input instanceof Input.Text text -> walk.text(t, text.text());
      case Node.Menu m when input instanceof Input.Text text -> walk.menu(m, menuKey(flow, m, text.text()));
      case Node.Ask a when input instanceof Input.Text text && a.skippable() && flow.lexicon() != null
          && flow.lexicon().skips(text.text()) -> walk.ask(a, "*"); // "khong biet", "kb": as * does
      case Node.Ask a when input instanceof Input.Text text -> walk.ask(a, keys(text.text()));
      default -> {
        walk.events.add(StepEvent.of(node.id(), "unexpected-input"));
        walk.render(node);
      }
    }
    return walk.result();
  }

  /** An SMS reply to a menu: read with the flow's lexicon ("so 1", "mot", "co"), or as {@link #keys} without one. */
  static String menuKey(FlowDefinition flow, Node.Menu m, String text) {
    return flow.lexicon() == null ? keys(text) : flow.lexicon().menuKey(m, text);
  }

  /**
   * A first text that reads as a cry for help ({@link FlowDefinition#cryForHelp}): the danger line first, the
   * text kept as the start of the description (sealed at rest like every text answer; the step history records
   * only its length), then the node its words suggest.
   */
  public Step startCry(FlowDefinition flow, Context ctx, FlowDefinition.CryForHelp.Start at, String message) {
    var cry = flow.cryForHelp();
    var language = at.language() != null ? at.language() : flow.defaultLanguage();
    var kept = message.strip();
    if (kept.length() > cry.maxChars()) {
      kept = kept.substring(0, cry.maxChars());
    }
    var walk = new Walk(flow, ctx,
        new FlowState(at.node(), language, 0, Map.of(), Map.of(cry.save(), kept), List.of(), null, false));
    walk.say(cry.danger());
    walk.events.add(new StepEvent(at.node(), "cry-for-help", Integer.toString(kept.length())));
    walk.enter(at.node());
    return walk.result();
  }

  /** An SMS reply read as keys: "1", " 1.", "so 1" all mean 1; anything else is not a choice. */
  static String keys(String text) {
    var t = text.strip();
    if (t.equals("*")) {
      return t;
    }
    var digits = t.replaceAll("[^0-9]", "");
    return digits.isEmpty() || t.replaceAll("[\\s.,;:!)(-]", "").length() > digits.length() + 3 ? "?" : digits;
  }

  /** The current node again, unchanged: for a repeated or late callback, so a caller is never left silent. */
  public Step repeat(FlowDefinition flow, FlowState state, Context ctx) {
    var walk = new Walk(flow, ctx, state);
    if (state.closed()) {
      walk.action = new Instruction.Hangup(state.nodeId());
    } else {
      walk.render(flow.node(state.nodeId()));
    }
    return walk.result();
  }

  /** Where an answer heard but not yet confirmed waits for the confirming key. */
  static String unconfirmed(Node.Ask a) {
    return "unconfirmed_" + a.save();
  }

  /** Mutable scratch for one step; never escapes {@link #result()}. */
  private final class Walk {
    final FlowDefinition flow;
    final Context ctx;
    String nodeId;
    String language;
    int attempts;
    final Map<String, String> answers;
    final Map<String, String> texts;
    final List<String> path;
    Outcome outcome;
    boolean closed;
    final List<Instruction.Line> lines = new ArrayList<>();
    final List<StepEvent> events = new ArrayList<>();
    Instruction.Action action;
    int enters;

    Walk(FlowDefinition flow, Context ctx, FlowState s) {
      this.flow = flow;
      this.ctx = ctx;
      this.nodeId = s.nodeId();
      this.language = s.language();
      this.attempts = s.attempts();
      this.answers = new LinkedHashMap<>(s.answers());
      this.texts = new LinkedHashMap<>(s.texts());
      this.path = new ArrayList<>(s.path());
      this.outcome = s.outcome();
      this.closed = s.closed();
    }

    Step result() {
      var state = new FlowState(nodeId, language, attempts, answers, texts, path, outcome, closed);
      return new Step(state, new Instruction(lines, action), events);
    }

    void enter(String id) {
      if (++enters > MAX_ENTERS_PER_STEP) {
        throw new FlowException(flow.file() + ": node '" + id + "': more than " + MAX_ENTERS_PER_STEP
            + " nodes entered without waiting for the caller");
      }
      var node = flow.node(id);
      nodeId = id;
      attempts = 0;
      path.add(id);
      events.add(StepEvent.of(id, "enter"));
      apply(node.set());
      switch (node) {
        case Node.Say s -> {
          say(s.prompt());
          enter(s.next());
        }
        case Node.Handoff h when !ctx.operatorsOpen() -> {
          events.add(StepEvent.of(id, "closed-hours"));
          enter(h.noAnswer());
        }
        case Node.Handoff h when ctx.callerFlagged() && !alwaysRings(h, answers) -> {
          events.add(StepEvent.of(id, "caller-flagged")); // rings nobody: the no-answer path, as when nobody answers
          enter(h.noAnswer());
        }
        case Node.End e -> {
          say(e.prompt());
          if (e.cancel()) {
            outcome = Outcome.CANCELLED;
          }
          finish(id);
        }
        default -> render(node);
      }
    }

    /** Says the node's prompt and sets the action that waits at it. */
    void render(Node node) {
      switch (node) {
        case Node.Menu m -> {
          if (m.allLanguages()) {
            flow.languages().forEach(l -> lines.add(new Instruction.Line(fill(m.prompt().in(l.code())), l.code(), l.voice())));
          } else {
            say(m.prompt());
          }
          action = new Instruction.CollectDigits(m.id(), 1, 1, m.timeoutSeconds());
        }
        case Node.Ask a when answers.containsKey(unconfirmed(a)) -> confirm(a);
        case Node.Ask a -> {
          say(a.prompt());
          action = new Instruction.CollectDigits(a.id(), a.minDigits(), a.maxDigits(), a.timeoutSeconds(), listen(a));
        }
        case Node.Record r -> {
          say(r.prompt());
          action = new Instruction.RecordMessage(r.id(), r.maxSeconds(), r.transcribe());
        }
        case Node.Handoff h -> {
          say(h.prompt());
          action = new Instruction.ConnectOperator(h.id(), h.queue(), h.priority());
        }
        case Node.Text t -> {
          // a story already begun (a cry for help's first text) is not asked for again: "send more, or XONG"
          say(t.multiple() && t.morePrompt() != null && texts.containsKey(t.save()) ? t.morePrompt() : t.prompt());
          action = new Instruction.CollectText(t.id());
        }
        case Node.Say s -> enter(s.next()); // not a waiting node: only reached for a state saved mid-say
        case Node.End e -> {
          say(e.prompt());
          finish(e.id());
        }
      }
    }

    /**
     * An answer to an ask whose list has words: a code, a name, or what the caller said, read by the list's
     * vocabulary; and the key that confirms what was heard. False when it is none of these, so the answer is
     * taken as keys (a skip, a wrong code, silence).
     */
    boolean words(Node.Ask a, Input input) {
      var vocabulary = vocabularies.get(a.allowedList());
      var pending = answers.get(unconfirmed(a));
      if (pending != null) {
        var key = input instanceof Input.Digits d ? d.digits().strip()
            : input instanceof Input.Text t ? keys(t.text()) : "";
        answers.remove(unconfirmed(a));
        answers.remove(unconfirmed(a) + "_label");
        var former = answers.remove(unconfirmed(a) + "_former");
        if (key.equals("1")) {
          events.add(StepEvent.of(a.id(), "confirmed"));
          accept(a, new Vocabulary.Meaning(pending, null, former));
        } else if (key.equals("2")) {
          events.add(StepEvent.of(a.id(), "refused"));
          render(a); // asked again, as at first
        } else {
          events.add(StepEvent.of(a.id(), "unconfirmed")); // on without it: never a dead end
          enter(a.next());
        }
        return true;
      }
      switch (input) {
        case Input.Heard h -> {
          var meaning = vocabulary.read(h.speech());
          if (meaning.isEmpty()) {
            failed(a, "invalid"); // said, but no place: as a wrong key; what was said is not kept
          } else if (a.speech() != null && h.confidence() < a.speech().confirmBelow()) {
            answers.put(unconfirmed(a), meaning.get().value());
            if (meaning.get().former() != null) {
              answers.put(unconfirmed(a) + "_former", meaning.get().former());
            }
            answers.put(unconfirmed(a) + "_label", meaning.get().label());
            events.add(new StepEvent(a.id(), "heard-unsure", meaning.get().value()));
            confirm(a);
          } else {
            events.add(new StepEvent(a.id(), "heard", meaning.get().value()));
            accept(a, meaning.get());
          }
          return true;
        }
        case Input.Text t -> {
          return vocabulary.read(t.text()).map(m -> accept(a, m)).orElse(false);
        }
        case Input.Digits d -> {
          return vocabulary.read(d.digits().strip()).map(m -> accept(a, m)).orElse(false);
        }
        default -> {
          return false;
        }
      }
    }

    boolean accept(Node.Ask a, Vocabulary.Meaning m) {
      answers.put(a.save(), m.value());
      if (m.former() == null) {
        answers.remove("former_" + a.save());
      } else {
        answers.put("former_" + a.save(), m.former());
      }
      events.add(new StepEvent(a.id(), "answer", m.value()));
      enter(a.next());
      return true;
    }

    /** "Bạn nói Thái Bình, đúng không? Đúng bấm 1, sai bấm 2": one key. */
    void confirm(Node.Ask a) {
      var label = answers.getOrDefault(unconfirmed(a) + "_label", "");
      lines.add(new Instruction.Line(fill(a.speech().confirm().in(language)).replace("{answer}", label), language,
          flow.language(language).voice()));
      action = new Instruction.CollectDigits(a.id(), 1, 1, a.timeoutSeconds());
    }

    Instruction.Listen listen(Node.Ask a) {
      if (a.speech() == null) {
        return null;
      }
      var vocabulary = vocabularies.get(a.allowedList());
      return new Instruction.Listen(a.speech().language(), vocabulary == null ? List.of() : vocabulary.hints());
    }

    void menu(Node.Menu m, String key) {
      var option = m.options().get(key);
      if (key.isEmpty()) {
        failed(m, "timeout");
      } else if (option == null) {
        failed(m, "invalid");
      } else {
        events.add(new StepEvent(m.id(), "option", key));
        apply(option.set());
        enter(option.next());
      }
    }

    void ask(Node.Ask a, String digits) {
      if (digits.equals("*") && a.skippable()) {
        events.add(StepEvent.of(a.id(), "skipped"));
        enter(a.next());
      } else if (digits.isEmpty()) {
        failed(a, "timeout");
      } else if (valid(a, digits)) {
        answers.put(a.save(), digits);
        events.add(new StepEvent(a.id(), "answer", digits));
        enter(a.next());
      } else {
        failed(a, "invalid"); // the keys themselves are not kept: they could be anything a caller typed
      }
    }

    boolean valid(Node.Ask a, String digits) {
      if (!digits.matches("\\d{" + a.minDigits() + "," + a.maxDigits() + "}")) {
        return false;
      }
      return a.allowedList() == null || valueLists.getOrDefault(a.allowedList(), Set.of()).contains(digits);
    }

    void failed(Node node, String kind) {
      attempts++;
      events.add(StepEvent.of(node.id(), kind));
      int allowed = node instanceof Node.Menu m ? m.attempts() : ((Node.Ask) node).attempts();
      if (attempts >= allowed) {
        String target = node instanceof Node.Menu m
            ? (kind.equals("invalid") && m.invalid() != null ? m.invalid() : m.timeout())
            : ((Node.Ask) node).timeout();
        events.add(StepEvent.of(node.id(), "gave-up"));
        enter(target);
      } else {
        var retry = flow.retryPrompt().get(language);
        lines.add(new Instruction.Line(retry, language, flow.language(language).voice()));
        int kept = attempts;
        render(node);
        attempts = kept;
      }
    }

    /** Free text is kept in {@code texts} (sealed at rest); the step history records only its length. */
    void text(Node.Text t, String message) {
      var done = t.done().contains(Keywords.normalize(message));
      if (done) {
        events.add(StepEvent.of(t.id(), "done"));
        enter(t.next());
        return;
      }
      var sofar = texts.get(t.save());
      var joined = sofar == null ? message.strip() : sofar + "\n" + message.strip();
      if (joined.length() > t.maxChars()) {
        joined = joined.substring(0, t.maxChars());
      }
      texts.put(t.save(), joined);
      events.add(new StepEvent(t.id(), "text", Integer.toString(message.strip().length())));
      if (!t.multiple() || joined.length() >= t.maxChars()) {
        enter(t.next());
      } else {
        say(t.morePrompt());
        action = new Instruction.CollectText(t.id());
      }
    }

    void recorded(Node.Record r, Input.Recorded rec) {
      if (rec.recordingId() != null && rec.seconds() > 0) {
        texts.put("recording_id", rec.recordingId()); // a reference to the caller's voice: sealed at rest
        outcome = Outcome.VOICEMAIL;
        events.add(new StepEvent(r.id(), "recorded", Integer.toString(rec.seconds())));
      } else {
        events.add(StepEvent.of(r.id(), "no-recording"));
      }
      enter(r.next());
    }

    void handoffEnded(Node.Handoff h, boolean answered) {
      if (answered) {
        outcome = Outcome.OPERATOR;
        events.add(StepEvent.of(h.id(), "answered"));
        if (h.answered() != null) {
          enter(h.answered());
        } else {
          finish(h.id());
        }
      } else {
        events.add(StepEvent.of(h.id(), "no-answer"));
        enter(h.noAnswer());
      }
    }

    void finish(String id) {
      closed = true;
      if (outcome == null) {
        outcome = Outcome.COMPLETED;
      }
      events.add(StepEvent.of(id, "hangup"));
      action = new Instruction.Hangup(id);
    }

    void apply(Map<String, String> set) {
      set.forEach((k, v) -> {
        if (k.equals("language")) {
          language = v;
        } else {
          answers.put(k, v);
        }
      });
    }

    void say(Prompt p) {
      lines.add(new Instruction.Line(fill(p.in(language)), language, flow.language(language).voice()));
    }

    /** {reference} is read digit by digit on voice, with pauses, so a child can write it down. */
    String fill(String text) {
      if (!text.contains("{reference}")) {
        return text;
      }
      if (flow.channel().equals("sms")) {
        return text.replace("{reference}", ctx.reference());
      }
      var spoken = ctx.reference().chars().mapToObj(c -> String.valueOf((char) c)).collect(Collectors.joining(", "));
      return text.replace("{reference}", spoken);
    }
  }
}
