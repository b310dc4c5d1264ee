package vn.hotline.gateway.flow;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated flow: the nodes, the languages it speaks (with the Twilio voice for each), and where it starts.
 * Built only by {@link FlowLoader}, so a definition in hand is always a usable one.
 */
public record FlowDefinition(
    String id,
    Path file,
    String channel,
    List<Language> languages,
    String start,
    Map<String, Node> nodes,
    Map<String, String> retryPrompt) {

  /** A language the flow speaks; the first one declared is the default. */
  public record Language(String code, String voice) {}

  public Node node(String id) {
    var n = nodes.get(id);
    if (n == null) {
      throw new FlowException(file + ": no node '" + id + "' (a session points at a node the flow no longer has)");
    }
    return n;
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
}
