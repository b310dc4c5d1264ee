package vn.hotline.gateway.contact;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import vn.hotline.gateway.util.Wire;

/**
 * The channel a contact came in on, as the store, routing.yaml, the API and the webhook payload spell it
 * ({@link #wire()}). The one place these words are defined.
 */
public enum Channel {
  VOICE("voice"),
  SMS_TWILIO("sms-twilio"),
  SMS_SMPP("sms-smpp"),
  /** The public web report form (/report): a parent, a teacher or an older child at a browser. */
  WEB("web"),
  /** A partner's system (a telecom operator, a platform, a school) through the intake API (/api/v1/intake). */
  PARTNER("partner");

  /** The channels a report comes in on without a conversation: one submission is the whole contact. */
  public static final Set<Channel> INTAKE = Set.copyOf(EnumSet.of(WEB, PARTNER));

  /** The SMS channels (Twilio Messaging and SMPP). */
  public static final Set<Channel> SMS = Set.copyOf(EnumSet.of(SMS_TWILIO, SMS_SMPP));

  private final String wire;

  Channel(String wire) {
    this.wire = wire;
  }

  /** The word stored and shown: "voice", "sms-twilio", "sms-smpp", "web", "partner". */
  public String wire() {
    return wire;
  }

  public boolean isSms() {
    return SMS.contains(this);
  }

  /** A submitted report (web form, partner API): no caller, no flow, no conversation. */
  public boolean isIntake() {
    return INTAKE.contains(this);
  }

  /** The channel with that word; IllegalArgumentException names the words allowed. */
  public static Channel of(String wire) {
    return Wire.of(values(), Channel::wire, wire, "channel", Channel::words);
  }

  /** Every channel's word, in declaration order. */
  public static Set<String> words() {
    var words = new LinkedHashSet<String>();
    for (var c : values()) {
      words.add(c.wire);
    }
    return Collections.unmodifiableSet(words);
  }

  @Override
  public String toString() {
    return wire;
  }
}
