package vn.hotline.gateway.operators;

import java.util.Locale;

/**
 * What an operator may do in the console: a counsellor takes contacts, a supervisor sees every counsellor and
 * contact, an admin manages accounts and agency endpoints. Stored and typed as its {@link #wire()} word.
 */
public enum Role {
  COUNSELLOR("counsellor"),
  SUPERVISOR("supervisor"),
  ADMIN("admin");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The role named by its word (any case); IllegalArgumentException naming the choices otherwise. */
  public static Role of(String word) {
    if (word != null) {
      var w = word.trim().toLowerCase(Locale.ROOT);
      for (var r : values()) {
        if (r.wire.equals(w)) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException("role must be counsellor, supervisor or admin, not '" + word + "'");
  }
}
