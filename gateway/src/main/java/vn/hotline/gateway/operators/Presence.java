package vn.hotline.gateway.operators;

import java.util.Locale;

/**
 * Whether a counsellor can take a call now: only those {@link #AVAILABLE} are rung in dial mode. Someone who never
 * said is {@link #AWAY}. Stored as its {@link #wire()} word.
 */
public enum Presence {
  AVAILABLE("available"),
  BUSY("busy"),
  AWAY("away");

  private final String wire;

  Presence(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The presence named by its word (any case); IllegalArgumentException naming the choices otherwise. */
  public static Presence of(String word) {
    if (word != null) {
      var w = word.trim().toLowerCase(Locale.ROOT);
      for (var p : values()) {
        if (p.wire.equals(w)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("presence must be available, busy or away");
  }
}
