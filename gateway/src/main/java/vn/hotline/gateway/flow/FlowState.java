package vn.hotline.gateway.flow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a caller is in a flow and what they have told us, as codes only (category, age band, province code,
 * recording id). Immutable; the engine returns a new one for every step.
 *
 * @param attempts failed tries at the current node (silence or a wrong key)
 * @param path the nodes entered, in order
 * @param outcome operator | voicemail | completed, once known
 */
public record FlowState(
    String nodeId,
    String language,
    int attempts,
    Map<String, String> answers,
    List<String> path,
    String outcome,
    boolean closed) {

  public FlowState {
    answers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(answers));
    path = List.copyOf(path);
  }

  public String answer(String key) {
    return answers.get(key);
  }
}
