package vn.hotline.gateway.flow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.contact.Outcome;

/**
 * Where a caller is in a flow and what they have told us: codes (category, age band, province code, recording
 * id) in {@code answers}, and free text in {@code texts}, which is personal data and is stored sealed.
 * Immutable; the engine returns a new one for every step.
 *
 * @param attempts failed tries at the current node (silence or a wrong key)
 * @param path the nodes entered, in order
 * @param outcome operator, voicemail, completed or cancelled, once known (null before)
 */
public record FlowState(
    String nodeId,
    String language,
    int attempts,
    Map<String, String> answers,
    Map<String, String> texts,
    List<String> path,
    Outcome outcome,
    boolean closed) {

  public FlowState {
    answers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(answers));
    texts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(texts));
    path = List.copyOf(path);
  }

  public String answer(String key) {
    return answers.get(key);
  }

  public String text(String key) {
    return texts.get(key);
  }
}
