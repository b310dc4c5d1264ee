package vn.hotline.gateway.voice;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.Node;
import vn.hotline.gateway.report.Taxonomy;

/**
 * What a counsellor hears on picking up, before the child is put through: urgent first, then the intent, the
 * category, the reference in groups of digits, and the one key that takes the call. The words are the flow's
 * texts ({@code whisper_*}) and the taxonomy's labels; only codes the caller chose are read, never anything they
 * said. Pure: no store, no clock.
 */
public final class Whisper {
  private Whisper() {}

  /**
   * The sentences of the whisper in {@code language}, in the order they are said.
   *
   * @param answers the codes the caller gave (intent, urgent, category, subcategory)
   */
  public static List<String> sentences(FlowDefinition flow, Taxonomy taxonomy, Node.Handoff handoff,
      Map<String, String> answers, String reference, String language) {
    var out = new ArrayList<String>();
    if (handoff.priority() == Node.Priority.URGENT || "true".equals(answers.get("urgent"))) {
      out.add(flow.text("whisper_urgent", language));
    }
    var intent = answers.get("intent");
    if (intent != null && flow.texts().containsKey("whisper_intent_" + intent)) {
      out.add(flow.text("whisper_intent_" + intent, language));
    }
    var what = label(taxonomy, answers.get("subcategory"), language);
    if (what == null) {
      what = label(taxonomy, answers.get("category"), language);
    }
    if (what != null) {
      out.add(what.endsWith(".") ? what : what + ".");
    }
    if (reference != null && !reference.isEmpty()) {
      out.add(flow.text("whisper_reference", language).replace("{reference}", grouped(reference)));
    }
    out.add(flow.text("whisper_accept", language));
    return List.copyOf(out);
  }

  /** Only the last sentence, "press 1": what a whisper says when the contact cannot be read (the store is down). */
  public static List<String> acceptOnly(FlowDefinition flow, String language) {
    return List.of(flow.text("whisper_accept", language));
  }

  /**
   * A reference as a speech engine reads it digit by digit, in groups of four with a pause between them:
   * 12345678 -> "1 2 3 4, 5 6 7 8". (Written "1234 5678", a voice says "one thousand two hundred...".)
   */
  public static String grouped(String reference) {
    var digits = reference.replaceAll("\\D", "");
    var b = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0) {
        b.append(i % 4 == 0 ? ", " : " ");
      }
      b.append(digits.charAt(i));
    }
    return b.toString();
  }

  private static String label(Taxonomy taxonomy, String code, String language) {
    return taxonomy == null || code == null ? null : taxonomy.label(code, language);
  }
}
