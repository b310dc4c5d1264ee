package vn.hotline.gateway.flow;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import vn.hotline.gateway.util.Json;

/**
 * Reads flow files and refuses a flow that could strand a caller: an unknown target, a node nobody can reach,
 * a prompt missing in a declared language, a menu with no timeout path, a loop that never waits, a node from
 * which no end can be reached. Every message names the file, the node and the problem.
 */
public final class FlowLoader {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
  private static final Set<String> PLACEHOLDERS = Set.of("reference", "answer");
  private static final Pattern MENU_KEY = Pattern.compile("[0-9*#]");

  private final Map<String, Set<String>> valueLists;

  /** @param valueLists named lists an {@code ask} node may check answers against (e.g. "provinces"). */
  public FlowLoader(Map<String, Set<String>> valueLists) {
    this.valueLists = Map.copyOf(valueLists);
  }

  /** Loads every *.yaml / *.yml file of {@code dir}; two flows with one id are refused. */
  public FlowCatalog loadDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new FlowException(dir + ": flows directory does not exist (set flows_dir / GATEWAY_FLOWS_DIR)");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new FlowException(dir + ": cannot list flows: " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new FlowException(dir + ": no flow files (*.yaml)");
    }
    var flows = new LinkedHashMap<String, FlowDefinition>();
    for (var f : files) {
      var flow = load(f);
      var previous = flows.putIfAbsent(flow.id(), flow);
      if (previous != null) {
        throw new FlowException(f + ": flow id '" + flow.id() + "' is already used by " + previous.file());
      }
    }
    return new FlowCatalog(flows);
  }

  public FlowDefinition load(Path file) {
    JsonNode root;
    try {
      root = Json.YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new FlowException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new FlowException(file + ": expected a mapping with id, languages, start and nodes");
    }
    return new Parser(file).parse(root);
  }

  private final class Parser {
    private final Path file;
    /** The nodes' promise: keys, as they are read. */
    private final Map<String, Promise> promises = new LinkedHashMap<>();

    Parser(Path file) {
      this.file = file;
    }

    FlowException fail(String problem) {
      return new FlowException(file + ": " + problem);
    }

    FlowException fail(String node, String problem) {
      return new FlowException(file + ": node '" + node + "': " + problem);
    }

    FlowDefinition parse(JsonNode root) {
      allowOnly(root, null, Set.of("id", "description", "channel", "languages", "start", "retry_prompt", "nodes",
          "keywords", "texts", "lexicon", "cry_for_help"));
      var id = text(root, "id", null, true);
      if (!ID.matcher(id).matches()) {
        throw fail("flow id '" + id + "' must be lower-case letters, digits and dashes");
      }
      var channel = text(root, "channel", null, false);
      channel = channel == null ? "voice" : channel;
      if (!channel.equals("voice") && !channel.equals("sms")) {
        throw fail("channel must be voice or sms, not '" + channel + "'");
      }
      var languages = languages(root.get("languages"));
      var codes = languages.stream().map(FlowDefinition.Language::code).toList();
      var start = text(root, "start", null, true);

      var nodesNode = root.get("nodes");
      if (nodesNode == null || !nodesNode.isObject() || nodesNode.isEmpty()) {
        throw fail("'nodes' must be a mapping of node id to node");
      }
      var nodes = new LinkedHashMap<String, Node>();
      for (var it = nodesNode.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!ID.matcher(e.getKey()).matches()) {
          throw fail(e.getKey(), "node ids must be lower-case letters, digits, '-' or '_'");
        }
        nodes.put(e.getKey(), node(e.getKey(), e.getValue(), codes, channel));
      }
      var retry = root.has("retry_prompt") ? prompt(null, root.get("retry_prompt"), codes, "retry_prompt") : null;
      boolean collects = nodes.values().stream().anyMatch(n -> n instanceof Node.Menu || n instanceof Node.Ask);
      if (channel.equals("sms") && nodes.values().stream().anyMatch(n -> n instanceof Node.Handoff)) {
        throw fail("handoff nodes exist only in voice flows (an SMS conversation ends with a reference)");
      }
      if (collects && retry == null) {
        throw fail("retry_prompt (said before a menu or question is repeated) is missing");
      }
      if (!nodes.containsKey(start)) {
        throw fail("start points to unknown node '" + start + "'");
      }
      checkTargets(nodes);
      Lexicon lexicon = null;
      FlowDefinition.CryForHelp cry = null;
      if (channel.equals("sms")) {
        lexicon = root.has("lexicon") ? lexicon(root.get("lexicon")) : null;
        cry = root.has("cry_for_help") ? cryForHelp(root.get("cry_for_help"), codes, nodes) : null;
      } else if (root.has("lexicon") || root.has("cry_for_help")) {
        throw fail((root.has("lexicon") ? "lexicon" : "cry_for_help") + " belongs to sms flows (replies in words)");
      }
      var starts = new ArrayList<String>(List.of(start));
      if (cry != null) {
        starts.add(cry.start());
        cry.cues().forEach(c -> starts.add(c.start()));
      }
      checkReachable(nodes, starts);
      checkSayLoops(nodes);
      checkEveryNodeCanFinish(nodes);
      checkPromiseWords(nodes, channel, codes);
      for (var s : new LinkedHashSet<>(starts)) {
        checkPromisesWaitForASafeAnswer(nodes, s);
      }
      List<FlowDefinition.Keyword> keywords = List.of();
      Map<String, Prompt> texts = Map.of();
      if (channel.equals("sms")) {
        keywords = keywords(root.get("keywords"), codes);
        texts = texts(root.get("texts"), codes);
      } else if (root.has("keywords")) {
        throw fail("keywords belong to sms flows");
      } else {
        texts = voiceTexts(root.get("texts"), codes, nodes.values().stream().anyMatch(n -> n instanceof Node.Handoff));
      }
      for (var t : texts.entrySet()) {
        for (var code : codes) {
          var phrase = Promise.phraseIn(t.getValue().in(code));
          if (phrase.isPresent()) {
            throw fail("texts." + t.getKey() + " in " + code + " promises to get back to the caller (\"" + phrase.get()
                + "\"): only a node can promise (with promise:), so that the promise makes a follow-up task");
          }
        }
      }
      return new FlowDefinition(id, file, channel, languages, start, Map.copyOf(nodes),
          retry == null ? Map.of() : retry.byLanguage(), keywords, texts, Map.copyOf(promises), lexicon, cry);
    }

    static final Set<String> VOICE_TEXTS = Set.of("flagged_caller", "whisper_urgent", "whisper_reference", "whisper_accept");
    /** What the counsellors' line (enqueue mode) says when it gives nobody; optional: without them it just hangs up. */
    static final Set<String> AGENT_TEXTS = Set.of("agent_unknown_number", "agent_nobody_waiting");
    static final Pattern WHISPER_INTENT = Pattern.compile("whisper_intent_[a-z0-9_]{1,40}");

    static final Set<String> SMS_TEXTS = Set.of("help", "menu", "opted_out", "opted_in", "reminder", "expired",
        "restarted");

    /**
     * The words replies are read with ({@link Lexicon}). Every entry is compared as {@link Lexicon#words}; an entry
     * that is empty, a number word that is no single digit, or a word with two meanings (yes and no, filler and an
     * answer) is refused, naming the entry. The one word both a number and a no is allowed to be is a 0 (khong).
     */
    Lexicon lexicon(JsonNode n) {
      allowOnly(n, null, Set.of("numbers", "filler", "skip", "yes", "no"));
      var numbers = new LinkedHashMap<String, String>();
      var numbersNode = n.get("numbers");
      if (numbersNode == null || !numbersNode.isObject() || numbersNode.isEmpty()) {
        throw fail("lexicon.numbers must map each digit to its words, e.g. \"1\": [mot, \"một\"]");
      }
      for (var it = numbersNode.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!e.getKey().matches("[0-9]")) {
          throw fail("lexicon.numbers: '" + e.getKey() + "' is not a digit 0-9");
        }
        for (var w : lexiconWords(e.getValue(), "numbers." + e.getKey())) {
          var before = numbers.put(w, e.getKey());
          if (before != null && !before.equals(e.getKey())) {
            throw fail("lexicon.numbers." + e.getKey() + ": '" + w + "' is already the number " + before);
          }
          if (w.contains(" ") || w.chars().anyMatch(Character::isDigit)) {
            throw fail("lexicon.numbers." + e.getKey() + ": '" + w + "' must be one word of letters");
          }
        }
      }
      var filler = lexiconWords(n.get("filler"), "filler");
      var skip = lexiconWords(n.get("skip"), "skip");
      var yes = lexiconWords(n.get("yes"), "yes");
      var no = lexiconWords(n.get("no"), "no");
      for (var group : Map.of("filler", filler, "yes", yes, "no", no).entrySet()) {
        for (var w : group.getValue()) {
          if (w.contains(" ") || w.chars().anyMatch(Character::isDigit)) {
            throw fail("lexicon." + group.getKey() + ": '" + w + "' must be one word of letters (phrases belong to skip)");
          }
        }
      }
      for (var w : yes) {
        if (no.contains(w)) {
          throw fail("lexicon.yes: '" + w + "' is also a no word");
        }
        if (numbers.containsKey(w)) {
          throw fail("lexicon.yes: '" + w + "' is also the number " + numbers.get(w));
        }
      }
      for (var w : no) {
        if (numbers.containsKey(w) && !numbers.get(w).equals("0")) {
          throw fail("lexicon.no: '" + w + "' is also the number " + numbers.get(w) + " (only 0 may share a word with no)");
        }
      }
      for (var w : filler) {
        if (yes.contains(w) || no.contains(w) || numbers.containsKey(w)) {
          throw fail("lexicon.filler: '" + w + "' is also an answer (a yes, no or number word): it cannot be ignored");
        }
      }
      for (var w : skip) {
        if (yes.contains(w) || no.contains(w) || numbers.containsKey(w)) {
          throw fail("lexicon.skip: '" + w + "' is also a yes, no or number word");
        }
      }
      return new Lexicon(numbers, Set.copyOf(filler), Set.copyOf(skip), Set.copyOf(yes), Set.copyOf(no));
    }

    /** A list of words or phrases as {@link Lexicon#words}; an entry with no letters or digits is refused. */
    List<String> lexiconWords(JsonNode n, String where) {
      if (n == null || !n.isArray() || n.isEmpty()) {
        throw fail("lexicon." + where + " must list at least one word");
      }
      var out = new ArrayList<String>();
      for (var w : n) {
        if (!w.isValueNode()) {
          throw fail("lexicon." + where + ": entries must be words, not " + w);
        }
        var words = Lexicon.words(w.asText());
        if (words.isEmpty()) {
          throw fail("lexicon." + where + ": '" + w.asText() + "' has no letters or digits");
        }
        if (!out.contains(words)) {
          out.add(words);
        }
      }
      return out;
    }

    /**
     * A first text that reads as a call for help starts a report: the danger line (every language), the phrases
     * that read as one, the cues that propose a category (each a menu node), where the rest start, and the text
     * node whose answer the first text begins.
     */
    FlowDefinition.CryForHelp cryForHelp(JsonNode n, List<String> codes, Map<String, Node> nodes) {
      allowOnly(n, null, Set.of("danger", "start", "save", "phrases", "cues"));
      var danger = prompt(null, n.get("danger"), codes, "cry_for_help.danger");
      for (var code : codes) {
        var phrase = Promise.phraseIn(danger.in(code));
        if (phrase.isPresent()) {
          throw fail("cry_for_help.danger in " + code + " promises to get back to the texter (\"" + phrase.get()
              + "\"): only a node can promise (with promise:), so that the promise makes a follow-up task");
        }
      }
      var start = text(n, "start", null, true);
      if (!(nodes.get(start) instanceof Node.Menu)) {
        throw fail("cry_for_help.start: '" + start + "' must be a menu node of this flow (where a cry without a cue starts)");
      }
      var save = text(n, "save", null, true);
      var saving = nodes.values().stream().filter(x -> x instanceof Node.Text t && t.save().equals(save))
          .map(Node.Text.class::cast).findFirst();
      if (saving.isEmpty()) {
        throw fail("cry_for_help.save: no text node saves '" + save + "' (the first text begins that answer)");
      }
      var phrasesNode = n.get("phrases");
      if (phrasesNode == null || !phrasesNode.isArray() || phrasesNode.isEmpty()) {
        throw fail("cry_for_help.phrases must list {words, language}");
      }
      var seen = new HashMap<String, String>();
      var phrases = new ArrayList<FlowDefinition.CryForHelp.Phrases>();
      int i = 0;
      for (var p : phrasesNode) {
        var where = "cry_for_help.phrases " + (++i);
        allowOnly(p, null, Set.of("words", "language"));
        var language = text(p, "language", null, false);
        if (language != null && !codes.contains(language)) {
          throw fail(where + ": language " + language + " is not declared by the flow");
        }
        var words = cryWords(p.get("words"), where, seen);
        phrases.add(new FlowDefinition.CryForHelp.Phrases(words, language));
      }
      var cues = new ArrayList<FlowDefinition.CryForHelp.Cue>();
      var cuesNode = n.get("cues");
      if (cuesNode != null) {
        if (!cuesNode.isArray()) {
          throw fail("cry_for_help.cues must list {words, start}");
        }
        var cueSeen = new HashMap<String, String>();
        i = 0;
        for (var c : cuesNode) {
          var where = "cry_for_help.cues " + (++i);
          allowOnly(c, null, Set.of("words", "start"));
          var node = text(c, "start", null, true);
          if (!(nodes.get(node) instanceof Node.Menu m)) {
            throw fail(where + ": start '" + node + "' must be a menu node of this flow (the one that proposes the category)");
          }
          if (m.answers().yes() == null) {
            throw fail(where + ": node '" + node + "' proposes a category, so it needs yes: (the key that confirms it)");
          }
          cues.add(new FlowDefinition.CryForHelp.Cue(cryWords(c.get("words"), where, cueSeen), node));
        }
      }
      return new FlowDefinition.CryForHelp(danger, start, save, saving.get().maxChars(), List.copyOf(phrases),
          List.copyOf(cues));
    }

    List<String> cryWords(JsonNode words, String where, Map<String, String> seen) {
      if (words == null || !words.isArray() || words.isEmpty()) {
        throw fail(where + ": 'words' must list at least one word or phrase");
      }
      var out = new ArrayList<String>();
      for (var w : words) {
        var norm = Lexicon.words(w.asText());
        if (norm.isEmpty()) {
          throw fail(where + ": '" + w.asText() + "' has no letters or digits");
        }
        var before = seen.put(norm, where);
        if (before != null && !before.equals(where)) {
          throw fail(where + ": '" + w.asText() + "' is already listed in " + before);
        }
        if (!out.contains(norm)) {
          out.add(norm);
        }
      }
      return List.copyOf(out);
    }

    List<FlowDefinition.Keyword> keywords(JsonNode n, List<String> codes) {
      if (n == null || !n.isArray() || n.isEmpty()) {
        throw fail("an sms flow needs 'keywords': a list of {words, action, language}");
      }
      var out = new ArrayList<FlowDefinition.Keyword>();
      var seen = new HashMap<String, String>();
      int i = 0;
      for (var k : n) {
        i++;
        var where = "keyword " + i;
        allowOnly(k, null, Set.of("words", "action", "language"));
        FlowDefinition.Action action;
        var a = text(k, "action", null, true);
        try {
          action = FlowDefinition.Action.valueOf(a.toUpperCase());
        } catch (IllegalArgumentException e) {
          throw fail(where + ": action '" + a + "' must be report, help, opt_out or opt_in");
        }
        var language = text(k, "language", null, false);
        if (language != null && !codes.contains(language)) {
          throw fail(where + ": language " + language + " is not declared by the flow");
        }
        var words = k.get("words");
        if (words == null || !words.isArray() || words.isEmpty()) {
          throw fail(where + ": 'words' must list at least one word");
        }
        var normalized = new ArrayList<String>();
        for (var w : words) {
          var norm = Keywords.normalize(w.asText());
          if (norm.isEmpty()) {
            throw fail(where + ": '" + w.asText() + "' has no letters or digits");
          }
          // Spellings of one word (BAOCAO, "bao cao", "báo cáo") may be listed together for readers.
          var before = seen.put(norm, where);
          if (before != null && !before.equals(where)) {
            throw fail(where + ": '" + w.asText() + "' is already a keyword of " + before);
          }
          if (!normalized.contains(norm)) {
            normalized.add(norm);
          }
        }
        out.add(new FlowDefinition.Keyword(List.copyOf(normalized), action, language));
      }
      for (var action : FlowDefinition.Action.values()) {
        if (out.stream().noneMatch(k -> k.action() == action)) {
          throw fail("keywords: no word for action " + action.name().toLowerCase());
        }
      }
      return List.copyOf(out);
    }

    Map<String, Prompt> texts(JsonNode n, List<String> codes) {
      if (n == null || !n.isObject()) {
        throw fail("an sms flow needs 'texts': " + String.join(", ", SMS_TEXTS.stream().sorted().toList()));
      }
      var out = new HashMap<String, Prompt>();
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!SMS_TEXTS.contains(e.getKey())) {
          throw fail("texts: unknown text '" + e.getKey() + "' (known: " + String.join(", ", SMS_TEXTS.stream().sorted().toList()) + ")");
        }
        out.put(e.getKey(), prompt(null, e.getValue(), codes, "texts." + e.getKey()));
      }
      for (var name : SMS_TEXTS) {
        if (!out.containsKey(name)) {
          throw fail("texts: '" + name + "' is missing");
        }
      }
      return Map.copyOf(out);
    }

    /**
     * A voice flow's texts: what a flagged caller hears first, and the whisper a counsellor hears before taking a
     * call (urgent, the intent, the reference, "press 1"). Required in a flow that hands over to a person;
     * {@code whisper_intent_<intent>} texts are optional, one per intent the flow sets.
     */
    Map<String, Prompt> voiceTexts(JsonNode n, List<String> codes, boolean handsOver) {
      if (n == null) {
        if (handsOver) {
          throw fail("a voice flow with a handoff needs 'texts': " + String.join(", ", VOICE_TEXTS.stream().sorted().toList())
              + " (what a flagged caller hears first, and the whisper a counsellor hears before taking the call)");
        }
        return Map.of();
      }
      if (!n.isObject()) {
        throw fail("texts must be a mapping of text name to one text per language");
      }
      var out = new HashMap<String, Prompt>();
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!VOICE_TEXTS.contains(e.getKey()) && !AGENT_TEXTS.contains(e.getKey())
            && !WHISPER_INTENT.matcher(e.getKey()).matches()) {
          throw fail("texts: unknown text '" + e.getKey() + "' (known: " + String.join(", ", VOICE_TEXTS.stream().sorted().toList())
              + ", " + String.join(", ", AGENT_TEXTS.stream().sorted().toList()) + ", whisper_intent_<intent>)");
        }
        out.put(e.getKey(), prompt(null, e.getValue(), codes, "texts." + e.getKey()));
      }
      for (var name : VOICE_TEXTS) {
        if (handsOver && !out.containsKey(name)) {
          throw fail("texts: '" + name + "' is missing");
        }
      }
      var reference = out.get("whisper_reference");
      if (reference != null) {
        for (var code : codes) {
          if (!reference.in(code).contains("{reference}")) {
            throw fail("texts.whisper_reference in " + code + " must contain {reference}");
          }
        }
      }
      return Map.copyOf(out);
    }

    List<FlowDefinition.Language> languages(JsonNode n) {
      if (n == null || !n.isArray() || n.isEmpty()) {
        throw fail("'languages' must list at least one language (code and voice)");
      }
      var out = new ArrayList<FlowDefinition.Language>();
      var seen = new HashSet<String>();
      for (var l : n) {
        allowOnly(l, null, Set.of("code", "voice"));
        var code = text(l, "code", null, true);
        if (!code.matches("[a-z]{2}-[A-Z]{2}")) {
          throw fail("language code '" + code + "' should look like vi-VN");
        }
        if (!seen.add(code)) {
          throw fail("language " + code + " is declared twice");
        }
        out.add(new FlowDefinition.Language(code, text(l, "voice", null, false)));
      }
      return List.copyOf(out);
    }

    Node node(String id, JsonNode n, List<String> codes, String channel) {
      if (!n.isObject()) {
        throw fail(id, "must be a mapping with a type");
      }
      var type = text(n, "type", id, true);
      var prompt = prompt(id, n.get("prompt"), codes, "prompt");
      var set = set(id, n.get("set"), codes);
      var promise = text(n, "promise", id, false);
      if (promise != null) {
        Promise p;
        try {
          p = Promise.of(promise);
        } catch (IllegalArgumentException e) {
          throw fail(id, "promise '" + promise + "' must be callback (voice) or contact (sms)");
        }
        if (!p.channel().equals(channel)) {
          throw fail(id, "promise: " + p + " belongs to " + p.channel() + " flows (a " + channel + " flow promises "
              + (channel.equals("voice") ? "callback" : "contact") + ")");
        }
        if (type.equals("end") && bool(n, "cancel", id, false)) {
          throw fail(id, "a cancel end promises nothing: the texter withdrew");
        }
        promises.put(id, p);
      }
      return switch (type) {
        case "say" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "next"));
          yield new Node.Say(id, prompt, set, text(n, "next", id, true));
        }
        case "menu" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "options", "timeout", "invalid", "attempts",
              "timeout_seconds", "all_languages", "yes", "no", "skip"));
          if (!n.hasNonNull("timeout")) {
            throw fail(id, "menu has no timeout path (where a caller who says nothing goes)");
          }
          var options = options(id, n.get("options"), codes);
          var answers = new Node.Answers(answerKey(n, "yes", id, options), answerKey(n, "no", id, options),
              answerKey(n, "skip", id, options));
          var given = java.util.stream.Stream.of(answers.yes(), answers.no(), answers.skip()).filter(k -> k != null).toList();
          if (new HashSet<>(given).size() < given.size()) {
            throw fail(id, "yes, no and skip must be different options");
          }
          yield new Node.Menu(id, prompt, set, bool(n, "all_languages", id, false), options,
              text(n, "timeout", id, true), text(n, "invalid", id, false),
              integer(n, "attempts", id, 3, 1, 5), integer(n, "timeout_seconds", id, 6, 2, 30), answers);
        }
        case "ask" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "save", "min_digits", "max_digits", "allowed",
              "skippable", "next", "timeout", "attempts", "timeout_seconds", "speech"));
          int min = integer(n, "min_digits", id, 1, 1, 20);
          int max = integer(n, "max_digits", id, min, 1, 20);
          if (max < min) {
            throw fail(id, "max_digits " + max + " is below min_digits " + min);
          }
          var allowed = text(n, "allowed", id, false);
          if (allowed != null && !valueLists.containsKey(allowed)) {
            throw fail(id, "allowed list '" + allowed + "' is unknown (known: " + valueLists.keySet() + ")");
          }
          if (!n.hasNonNull("timeout")) {
            throw fail(id, "ask has no timeout path (where a caller who says nothing goes)");
          }
          yield new Node.Ask(id, prompt, set, key(id, text(n, "save", id, true)), min, max, allowed,
              bool(n, "skippable", id, false), text(n, "next", id, true), text(n, "timeout", id, true),
              integer(n, "attempts", id, 3, 1, 5), integer(n, "timeout_seconds", id, 8, 2, 30),
              speech(id, n.get("speech"), codes, channel, allowed));
        }
        case "record" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "max_seconds", "transcribe", "next"));
          if (!channel.equals("voice")) {
            throw fail(id, "record nodes exist only in voice flows");
          }
          yield new Node.Record(id, prompt, set, integer(n, "max_seconds", id, 120, 5, 3600),
              bool(n, "transcribe", id, false), text(n, "next", id, true));
        }
        case "handoff" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "queue", "priority", "no_answer", "answered"));
          var queue = text(n, "queue", id, true);
          if (!ID.matcher(queue).matches()) {
            throw fail(id, "queue '" + queue + "' must be lower-case letters, digits and dashes");
          }
          var p = text(n, "priority", id, false);
          Node.Priority priority;
          try {
            priority = p == null ? Node.Priority.NORMAL : Node.Priority.valueOf(p.toUpperCase());
          } catch (IllegalArgumentException e) {
            throw fail(id, "priority '" + p + "' must be urgent, high, normal or low");
          }
          if (!n.hasNonNull("no_answer")) {
            throw fail(id, "handoff has no no_answer path (where a caller goes when no operator answers)");
          }
          yield new Node.Handoff(id, prompt, set, queue, priority, text(n, "no_answer", id, true),
              text(n, "answered", id, false));
        }
        case "text" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "save", "multiple", "more_prompt", "done", "max_chars", "next"));
          if (!channel.equals("sms")) {
            throw fail(id, "text nodes exist only in sms flows");
          }
          boolean multiple = bool(n, "multiple", id, false);
          var done = new ArrayList<String>();
          var doneNode = n.get("done");
          if (doneNode != null) {
            if (!doneNode.isArray()) {
              throw fail(id, "'done' must list words");
            }
            doneNode.forEach(w -> done.add(Keywords.normalize(w.asText())));
          }
          if (multiple && done.isEmpty()) {
            throw fail(id, "a multiple text node needs 'done' words (how the texter says they have finished)");
          }
          Prompt more = null;
          if (multiple) {
            more = prompt(id, n.get("more_prompt"), codes, "more_prompt");
          }
          yield new Node.Text(id, prompt, set, key(id, text(n, "save", id, true)), multiple, more, List.copyOf(done),
              integer(n, "max_chars", id, 2000, 10, 20000), text(n, "next", id, true));
        }
        case "end" -> {
          allowOnly(n, id, Set.of("type", "prompt", "set", "promise", "cancel"));
          boolean cancel = bool(n, "cancel", id, false);
          for (var code : codes) {
            if (!cancel && !prompt.in(code).contains("{reference}")) {
              throw fail(id, "end prompt in " + code + " must read back the {reference} number");
            }
          }
          yield new Node.End(id, prompt, set, cancel);
        }
        default -> throw fail(id, "unknown type '" + type + "' (say, menu, ask, record, handoff, end)");
      };
    }

    /** A menu's yes:, no: or skip: key: one of its options. */
    String answerKey(JsonNode n, String key, String id, Map<String, Node.Option> options) {
      var k = text(n, key, id, false);
      if (k != null && !options.containsKey(k)) {
        throw fail(id, key + ": '" + k + "' is not one of the menu's options (" + String.join(", ",
            options.keySet().stream().sorted().toList()) + ")");
      }
      return k;
    }

    Map<String, Node.Option> options(String id, JsonNode n, List<String> codes) {
      if (n == null || !n.isObject() || n.isEmpty()) {
        throw fail(id, "menu needs options: a mapping of key to target node");
      }
      var out = new LinkedHashMap<String, Node.Option>();
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!MENU_KEY.matcher(e.getKey()).matches()) {
          throw fail(id, "option '" + e.getKey() + "' is not a phone key (0-9, * or #)");
        }
        var v = e.getValue();
        if (v.isTextual()) {
          out.put(e.getKey(), new Node.Option(v.asText(), Map.of()));
        } else if (v.isObject()) {
          allowOnly(v, id + "' option '" + e.getKey(), Set.of("next", "set"));
          if (!v.hasNonNull("next")) {
            throw fail(id, "option " + e.getKey() + " has no next node");
          }
          out.put(e.getKey(), new Node.Option(v.get("next").asText(), set(id, v.get("set"), codes)));
        } else {
          throw fail(id, "option " + e.getKey() + " must be a node id or a mapping with next and set");
        }
      }
      return Map.copyOf(out);
    }

    /**
     * {@code speech: {language: vi-VN, confirm_below: 0.6, confirm: {vi-VN: "Bạn nói {answer}..."}}} of a voice
     * ask whose allowed list has names; null when the node has none.
     */
    Node.Speech speech(String id, JsonNode n, List<String> codes, String channel, String allowed) {
      if (n == null || n.isNull()) {
        return null;
      }
      if (!channel.equals("voice")) {
        throw fail(id, "speech: is for voice flows (texters write their answer)");
      }
      if (allowed == null) {
        throw fail(id, "speech: needs an allowed: list, whose names are what a caller may say");
      }
      if (!n.isObject()) {
        throw fail(id, "speech: must be a mapping with language, confirm_below and confirm");
      }
      allowOnly(n, id, Set.of("language", "confirm_below", "confirm"));
      var language = text(n, "language", id, true);
      var below = n.path("confirm_below");
      if (!below.isNumber() || below.asDouble() < 0 || below.asDouble() > 1) {
        throw fail(id, "speech: confirm_below must be a number from 0 to 1 (the recogniser's confidence)");
      }
      var confirm = prompt(id, n.get("confirm"), codes, "speech confirm");
      return new Node.Speech(language, below.asDouble(), confirm);
    }

    Prompt prompt(String id, JsonNode n, List<String> codes, String what) {
      String where = id == null ? "" : "node '" + id + "': ";
      if (n == null || !n.isObject()) {
        throw fail(where + what + " is missing (one text per language: " + String.join(", ", codes) + ")");
      }
      var map = new HashMap<String, String>();
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!codes.contains(e.getKey())) {
          throw fail(where + what + " has text in " + e.getKey() + ", which the flow does not declare");
        }
        var t = e.getValue().asText("").strip();
        if (t.isEmpty()) {
          throw fail(where + what + " in " + e.getKey() + " is empty");
        }
        var m = PLACEHOLDER.matcher(t);
        while (m.find()) {
          if (!PLACEHOLDERS.contains(m.group(1))) {
            throw fail(where + what + " in " + e.getKey() + " uses unknown placeholder {" + m.group(1) + "}");
          }
          if (m.group(1).equals("answer") && !what.equals("speech confirm")) {
            throw fail(where + what + " in " + e.getKey() + " uses {answer}, which only a speech confirm has (what was heard)");
          }
        }
        map.put(e.getKey(), t);
      }
      for (var code : codes) {
        if (!map.containsKey(code)) {
          throw fail(where + "has no " + what + " in " + code);
        }
      }
      return new Prompt(map);
    }

    Map<String, String> set(String id, JsonNode n, List<String> codes) {
      if (n == null) {
        return Map.of();
      }
      if (!n.isObject()) {
        throw fail(id, "set must be a mapping of answer name to value");
      }
      var out = new LinkedHashMap<String, String>();
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        var value = e.getValue().asText();
        if (e.getKey().equals("language") && !codes.contains(value)) {
          throw fail(id, "sets language " + value + ", which the flow does not declare");
        }
        out.put(key(id, e.getKey()), value);
      }
      return Map.copyOf(out);
    }

    String key(String id, String k) {
      if (!k.matches("[a-z][a-z0-9_]{0,31}")) {
        throw fail(id, "'" + k + "' is not a valid answer name (lower-case letters, digits, _)");
      }
      return k;
    }

    void checkTargets(Map<String, Node> nodes) {
      for (var node : nodes.values()) {
        if (node instanceof Node.Menu m) {
          for (var o : m.options().entrySet()) {
            if (!nodes.containsKey(o.getValue().next())) {
              throw fail(node.id(), "option " + o.getKey() + " points to unknown node '" + o.getValue().next() + "'");
            }
          }
        }
        for (var t : node.targets()) {
          if (!nodes.containsKey(t)) {
            throw fail(node.id(), "points to unknown node '" + t + "'");
          }
        }
      }
    }

    void checkReachable(Map<String, Node> nodes, List<String> starts) {
      var start = starts.get(0);
      var seen = new LinkedHashSet<String>();
      var todo = new ArrayDeque<String>(starts);
      while (!todo.isEmpty()) {
        var id = todo.pop();
        if (seen.add(id)) {
          todo.addAll(nodes.get(id).targets());
        }
      }
      for (var id : nodes.keySet()) {
        if (!seen.contains(id)) {
          throw fail(id, "is unreachable from start '" + start + "'");
        }
      }
    }

    /**
     * Say nodes go on without waiting, and so does a handoff outside opening hours (to its no_answer path);
     * a loop made only of those would talk forever.
     */
    void checkSayLoops(Map<String, Node> nodes) {
      for (var node : nodes.values()) {
        var chain = new ArrayList<String>();
        Node cur = node;
        while (cur instanceof Node.Say || cur instanceof Node.Handoff) {
          if (chain.contains(cur.id())) {
            chain.add(cur.id());
            throw fail(node.id(), "nodes loop without waiting for the caller: " + String.join(" -> ", chain));
          }
          chain.add(cur.id());
          cur = nodes.get(cur instanceof Node.Say s ? s.next() : ((Node.Handoff) cur).noAnswer());
        }
      }
    }

    /** From every node some path must finish (an end, or a handoff that hangs up after the operator). */
    void checkEveryNodeCanFinish(Map<String, Node> nodes) {
      var finishing = new HashSet<String>();
      for (var n : nodes.values()) {
        if (n instanceof Node.End || (n instanceof Node.Handoff h && h.answered() == null)) {
          finishing.add(n.id());
        }
      }
      boolean grew = true;
      while (grew) {
        grew = false;
        for (var n : nodes.values()) {
          if (!finishing.contains(n.id()) && n.targets().stream().anyMatch(finishing::contains)) {
            finishing.add(n.id());
            grew = true;
          }
        }
      }
      for (var id : nodes.keySet()) {
        if (!finishing.contains(id)) {
          throw fail(id, "no path from here reaches an end node: callers would be trapped");
        }
      }
    }

    /**
     * A node whose words promise the caller that a person will get back to them ({@link Promise#PHRASES}, in any
     * language, its prompt or more_prompt) must say so with {@code promise:}: that is what makes the follow-up task,
     * so a promise nobody would keep cannot be written by accident.
     */
    void checkPromiseWords(Map<String, Node> nodes, String channel, List<String> codes) {
      for (var node : nodes.values()) {
        if (promises.containsKey(node.id())) {
          continue;
        }
        var prompts = new ArrayList<Prompt>(List.of(node.prompt()));
        if (node instanceof Node.Text t && t.morePrompt() != null) {
          prompts.add(t.morePrompt());
        }
        for (var p : prompts) {
          for (var code : codes) {
            var phrase = Promise.phraseIn(p.in(code));
            if (phrase.isPresent()) {
              throw fail(node.id(), "its prompt in " + code + " promises to get back to the caller (\""
                  + phrase.get() + "\") but the node creates no follow-up task: add promise: "
                  + (channel.equals("voice") ? Promise.CALLBACK : Promise.CONTACT)
                  + ", behind a menu option that sets " + Promise.SAFE_ANSWER + ": " + Promise.SAFE);
            }
          }
        }
      }
    }

    /**
     * The safety question comes first: the phone may be shared with, or belong to, the person who hurts the child.
     * {@code callback_safe} is yes or no; yes only as a menu option's set (the caller's own answer); every path
     * from start to a node with {@code promise:} passes that yes, and no node after a promise sets it back to no.
     */
    void checkPromisesWaitForASafeAnswer(Map<String, Node> nodes, String start) {
      for (var node : nodes.values()) {
        checkSafeValue(node.id(), node.set(), false);
        if (node instanceof Node.Menu m) {
          for (var o : m.options().values()) {
            checkSafeValue(node.id(), o.set(), true);
          }
        }
      }
      var seen = new HashSet<At>();
      var todo = new ArrayDeque<At>();
      todo.add(enter(nodes, start, Map.of(), false, false));
      while (!todo.isEmpty()) {
        var at = todo.pop();
        if (!seen.add(at)) {
          continue;
        }
        var node = nodes.get(at.node());
        if (node instanceof Node.Menu m) {
          for (var o : m.options().values()) {
            todo.add(enter(nodes, o.next(), o.set(), at.safe(), at.promised()));
          }
          todo.add(enter(nodes, m.timeout(), Map.of(), at.safe(), at.promised()));
          if (m.invalid() != null) {
            todo.add(enter(nodes, m.invalid(), Map.of(), at.safe(), at.promised()));
          }
        } else {
          for (var t : node.targets()) {
            todo.add(enter(nodes, t, Map.of(), at.safe(), at.promised()));
          }
        }
      }
    }

    /** Where a caller is for the safety rules: at a node, having said a callback is safe or not, promised or not. */
    private record At(String node, boolean safe, boolean promised) {}

    /** Enters {@code id} through an option that sets {@code optionSet} (then the node's own set applies). */
    private At enter(Map<String, Node> nodes, String id, Map<String, String> optionSet, boolean safe, boolean promised) {
      var node = nodes.get(id);
      boolean now = safeAfter(node.set(), safeAfter(optionSet, safe));
      if (promised && !now) {
        throw fail(id, "sets " + Promise.SAFE_ANSWER + " to " + Promise.NOT_SAFE + " after the caller was promised to"
            + " be contacted: the promise would not be kept");
      }
      var promise = promises.get(id);
      if (promise != null && !now) {
        throw fail(id, "promises " + (promise == Promise.CALLBACK ? "a callback" : "contact") + " (promise: " + promise
            + ") but can be reached without the caller saying it is safe: put it behind a menu option that sets "
            + Promise.SAFE_ANSWER + ": " + Promise.SAFE + " (the phone may be shared with the person who hurts the child)");
      }
      return new At(id, now, promised || promise != null);
    }

    private static boolean safeAfter(Map<String, String> set, boolean safe) {
      var v = set.get(Promise.SAFE_ANSWER);
      return v == null ? safe : v.equals(Promise.SAFE);
    }

    void checkSafeValue(String id, Map<String, String> set, boolean option) {
      var v = set.get(Promise.SAFE_ANSWER);
      if (v == null) {
        return;
      }
      if (!v.equals(Promise.SAFE) && !v.equals(Promise.NOT_SAFE)) {
        throw fail(id, Promise.SAFE_ANSWER + " must be " + Promise.SAFE + " or " + Promise.NOT_SAFE + ", not '" + v + "'");
      }
      if (v.equals(Promise.SAFE) && !option) {
        throw fail(id, Promise.SAFE_ANSWER + ": " + Promise.SAFE + " can only be the caller's answer: set it on a menu"
            + " option of the safety question, not on the node");
      }
    }

    void allowOnly(JsonNode n, String id, Set<String> allowed) {
      if (!n.isObject()) {
        throw id == null ? fail("expected a mapping") : fail(id, "expected a mapping");
      }
      for (var it = n.fieldNames(); it.hasNext(); ) {
        var k = it.next();
        if (!allowed.contains(k)) {
          var problem = "unknown key '" + k + "' (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")";
          throw id == null ? fail(problem) : fail(id, problem);
        }
      }
    }

    String text(JsonNode n, String key, String id, boolean required) {
      var v = n.get(key);
      if (v != null && !v.isNull() && !v.isValueNode()) {
        throw id == null ? fail("'" + key + "' must be a single value") : fail(id, "'" + key + "' must be a single value");
      }
      if (v == null || v.isNull() || v.asText().isBlank()) {
        if (required) {
          throw id == null ? fail("'" + key + "' is missing") : fail(id, "'" + key + "' is missing");
        }
        return null;
      }
      return v.asText().strip();
    }

    int integer(JsonNode n, String key, String id, int dflt, int min, int max) {
      var v = n.get(key);
      if (v == null) {
        return dflt;
      }
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
        throw fail(id, "'" + key + "' must be a whole number from " + min + " to " + max);
      }
      return v.asInt();
    }

    boolean bool(JsonNode n, String key, String id, boolean dflt) {
      var v = n.get(key);
      if (v == null) {
        return dflt;
      }
      if (!v.isBoolean()) {
        throw fail(id, "'" + key + "' must be true or false");
      }
      return v.asBoolean();
    }
  }
}
