package vn.hotline.gateway.flow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated flow: the nodes, the languages it speaks (with the Twilio voice for each), and where it starts.
 * Built only by {@link FlowLoader}, so a definition in hand is always a usable one. {@code promises}: the nodes
 * that promise the caller a person will get back to them ({@code promise:}), by node id.
 */
public record FlowDefinition(
    String id,
    Path file,
    String channel,
    List<Language> languages,
    String start,
    Map<String, Node> nodes,
    Map<String, String> retryPrompt,
    List<Keyword> keywords,
    Map<String, Prompt> texts,
    Map<String, Promise> promises,
    Lexicon lexicon,
    CryForHelp cryForHelp) {

  /** A flow without a lexicon or cries for help (a voice flow, or an SMS flow that does not declare them). */
  public FlowDefinition(String id, Path file, String channel, List<Language> languages, String start,
      Map<String, Node> nodes, Map<String, String> retryPrompt, List<Keyword> keywords, Map<String, Prompt> texts,
      Map<String, Promise> promises) {
    this(id, file, channel, languages, start, nodes, retryPrompt, keywords, texts, promises, null, null);
  }

  /** A language the flow speaks; the first one declared is the default. */
  public record Language(String code, String voice) {}

  /** What an SMS keyword does. The words live in the flow file; the meaning of each action in code. */
  public enum Action { REPORT, HELP, OPT_OUT, OPT_IN }

  /** SMS keywords: any of {@code words} (compared after {@link Keywords#normalize}) triggers the action. */
  public record Keyword(List<String> words, Action action, String language) {}

  /**
   * A first text that reads as a call for help or a report ("cuu em", "em bi danh") starts the report at once
   * (SmsConversations), with {@code danger} first, at the node its cue words suggest, or at {@code start}; what the
   * child wrote is kept as the start of the text answer {@code save} (the description). Words compared as
   * {@link Lexicon#words}, whole words in the message.
   */
  public record CryForHelp(Prompt danger, String start, String save, int maxChars, List<Phrases> phrases, List<Cue> cues) {
    /** Phrases that read as a cry for help; {@code language}: the conversation's language when one starts it. */
    public record Phrases(List<String> words, String language) {}

    /** Words that suggest what the report is about, and the node that proposes it. */
    public record Cue(List<String> words, String start) {}

    /** Where a cry starts: the node, and the language (null: the flow's default). */
    public record Start(String node, String language) {}

    /** Where {@code message} starts a report, if it reads as a cry for help; the earliest cue in it picks the node. */
    public java.util.Optional<Start> match(String message) {
      var padded = " " + Lexicon.words(message) + " ";
      String language = null;
      boolean cry = false;
      for (var p : phrases) {
        if (p.words().stream().anyMatch(w -> padded.contains(" " + w + " "))) {
          cry = true;
          language = p.language();
          break;
        }
      }
      if (!cry) {
        return java.util.Optional.empty();
      }
      String node = start;
      int earliest = Integer.MAX_VALUE;
      for (var c : cues) {
        for (var w : c.words()) {
          int at = padded.indexOf(" " + w + " ");
          if (at >= 0 && at < earliest) {
            earliest = at;
            node = c.start();
          }
        }
      }
      return java.util.Optional.of(new Start(node, language));
    }
  }

  /** Where a first text outside any conversation starts a report, if it reads as a cry for help. */
  public java.util.Optional<CryForHelp.Start> cryForHelp(String message) {
    return cryForHelp == null ? java.util.Optional.empty() : cryForHelp.match(message);
  }

  /** The keyword a whole message is, if it is one. */
  public java.util.Optional<Keyword> keyword(String message) {
    var n = Keywords.normalize(message);
    return keywords.stream().filter(k -> k.words().contains(n)).findFirst();
  }

  /** A flow-level text (help, menu, reminder...) in a language, falling back to the default language. */
  public String text(String name, String language) {
    var p = texts.get(name);
    if (p == null) {
      throw new FlowException(file + ": no text '" + name + "'");
    }
    var t = p.in(language);
    return t != null ? t : p.in(defaultLanguage());
  }

  public Node node(String id) {
    var n = nodes.get(id);
    if (n == null) {
      throw new FlowException(file + ": no node '" + id + "' (a session points at a node the flow no longer has)");
    }
    return n;
  }

  /** What the node promises the caller, if it does ({@code promise:}). */
  public java.util.Optional<Promise> promise(String nodeId) {
    return java.util.Optional.ofNullable(promises.get(nodeId));
  }

  public boolean has(String nodeId) {
    return nodes.containsKey(nodeId);
  }

  public String defaultLanguage() {
    return languages.get(0).code();
  }

  public Language language(String code) {
    return languages.stream().filter(l -> l.code().equals(code)).findFirst().orElse(languages.get(0));
  }

  /**
   * The language a code (vi-VN) or its first part (vi, as a counsellor's account keeps it) names: the first flow
   * language that matches; null or no match: the default.
   */
  public Language languageFor(String codeOrPrefix) {
    if (codeOrPrefix == null) {
      return languages.get(0);
    }
    return languages.stream().filter(l -> l.code().equals(codeOrPrefix) || l.code().startsWith(codeOrPrefix + "-"))
        .findFirst().orElse(languages.get(0));
  }
}
