package vn.hotline.gateway.util;

import java.util.function.Function;
import java.util.function.Supplier;

/** The lookup of an enum by its wire word (the word stored, shown and sent), shared by the enums that have one. */
public final class Wire {
  private Wire() {}

  /** The value whose word is {@code word}; else IllegalArgumentException "unknown {what} '{word}'". */
  public static <E> E of(E[] values, Function<? super E, String> wire, String word, String what) {
    var e = find(values, wire, word);
    if (e == null) {
      throw new IllegalArgumentException("unknown " + what + " '" + word + "'");
    }
    return e;
  }

  /** Likewise, the message naming the words allowed: "unknown {what} '{word}', must be one of {allowed}". */
  public static <E> E of(E[] values, Function<? super E, String> wire, String word, String what, Supplier<?> allowed) {
    var e = find(values, wire, word);
    if (e == null) {
      throw new IllegalArgumentException("unknown " + what + " '" + word + "', must be one of " + allowed.get());
    }
    return e;
  }

  private static <E> E find(E[] values, Function<? super E, String> wire, String word) {
    for (var e : values) {
      if (wire.apply(e).equals(word)) {
        return e;
      }
    }
    return null;
  }
}
