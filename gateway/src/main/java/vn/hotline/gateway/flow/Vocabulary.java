package vn.hotline.gateway.flow;

import java.util.List;
import java.util.Optional;

/**
 * The words that name the values of a list, for an {@code ask} node whose {@code allowed} list has them: a child
 * who texts "cao bang" or says "Đắk Nông" answers as well as one who keys the code. The list's owner (e.g.
 * report.Places for provinces) decides what matches; the engine stores only the value it returns, never the
 * words.
 */
public interface Vocabulary {
  /** The value {@code answer} names (a code, a name, a short form), if exactly one. */
  Optional<Meaning> read(String answer);

  /** Phrases a speech recogniser may expect (the names, as written). */
  List<String> hints();

  /**
   * @param value the value of the list stored as the answer (e.g. today's province code)
   * @param label what to read back to the caller to confirm ("Thái Bình")
   * @param former the former name the answer used, stored as {@code former_<save>}; null when it named today's
   */
  record Meaning(String value, String label, String former) {}
}
