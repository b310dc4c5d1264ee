package vn.hotline.gateway.store;

import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Optional;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;

/**
 * Who answered a contact's handoff: the counsellor who pressed 1 at the whisper. Kept on the contact row
 * (answered_*): an opaque operator id when the number rung came with one, else the number sealed, never in
 * clear and never logged. Each answer is an audit event (handoff.answered) with the ids only; an answer by an
 * operator id also runs {@link OnAnswered} in its transaction.
 */
public final class HandoffRepository {
  /** The recorded answer of a contact's latest handoff; {@code number} opened (null when an operator id is known). */
  public record Answer(int seq, String leg, String operatorId, String number, Instant at) {
    @Override
    public String toString() {
      return "Answer[seq " + seq + " leg " + leg + (operatorId != null ? " operator " + operatorId : "") + "]";
    }
  }

  /** What happened to a press of 1. */
  public enum Accepted {
    /** This leg is the one that answered (now, or already: a repeated webhook). */
    YES,
    /** Another counsellor's leg answered this handoff first. */
    TAKEN
  }

  /**
   * What else happens in the transaction that records a counsellor's answer, when an operator id names them (the
   * composition root gives the contact to them: {@code PresenceRepository.assign}). Not run for a repeated press.
   */
  @FunctionalInterface
  public interface OnAnswered {
    void answered(java.sql.Connection c, String contactId, String operatorId, Instant now) throws SQLException;
  }

  private final Store store;
  private final Sealer sealer;
  private final AuditLog audit;
  private final OnAnswered onAnswered;

  public HandoffRepository(Store store, Sealer sealer, AuditLog audit) {
    this(store, sealer, audit, (c, contactId, operatorId, now) -> {});
  }

  public HandoffRepository(Store store, Sealer sealer, AuditLog audit, OnAnswered onAnswered) {
    this.store = store;
    this.sealer = sealer;
    this.audit = audit;
    this.onAnswered = onAnswered;
  }

  /**
   * Records that the counsellor's leg {@code leg} took the handoff at session seq {@code seq} of a contact: the
   * first leg to press 1 wins; the same leg again (Twilio retrying) is still a yes.
   */
  public Accepted accept(String contactId, int seq, String leg, String operatorId, String number, Instant now) {
    return store.inTransaction(c -> {
      int changed = Store.update(c, "UPDATE contacts SET answered_at = ?, answered_seq = ?, answered_leg = ?,"
              + " answered_operator = ?, answered_number_sealed = ? WHERE id = ?"
              + " AND (answered_seq IS NULL OR answered_seq <> ?)",
          now, seq, leg, operatorId, operatorId != null || number == null ? null : sealer.seal(number), contactId, seq);
      if (changed == 1) {
        var data = new HashMap<String, Object>();
        data.put("seq", seq);
        data.put("by", operatorId != null ? "operator" : "number"); // which of the two is kept; never the number
        var refs = new HashMap<String, Object>();
        refs.put("contact", contactId);
        refs.put("leg", leg);
        if (operatorId != null) {
          refs.put("operator", operatorId);
        }
        audit.append(c, "handoff.answered", "voice", refs, data, now);
        if (operatorId != null) {
          onAnswered.answered(c, contactId, operatorId, now);
        }
        return Accepted.YES;
      }
      var current = answer(c, contactId);
      return current.isPresent() && current.get().seq() == seq && leg.equals(current.get().leg())
          ? Accepted.YES : Accepted.TAKEN;
    });
  }

  /** The answer recorded for a contact's latest answered handoff, if any. */
  public Optional<Answer> answer(String contactId) {
    return store.read(c -> answer(c, contactId));
  }

  private Optional<Answer> answer(java.sql.Connection c, String contactId) throws SQLException {
    try (var ps = c.prepareStatement("SELECT answered_seq, answered_leg, answered_operator, answered_number_sealed,"
        + " answered_at FROM contacts WHERE id = ? AND answered_seq IS NOT NULL")) {
      ps.setString(1, contactId);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        var sealed = rs.getString(4);
        return Optional.of(new Answer(rs.getInt(1), rs.getString(2), rs.getString(3),
            sealed == null ? null : sealer.open(sealed), Store.fromDb(rs.getObject(5, LocalDateTime.class))));
      }
    }
  }
}
