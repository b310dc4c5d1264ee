package vn.hotline.gateway.sms.smpp;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.sms.ReceivedPart;
import vn.hotline.gateway.sms.SmsCodec;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.StoreException;

/**
 * deliver_sm from one link: each part is decoded and committed to the store before this method returns, and
 * only then does jSMPP send deliver_sm_resp. The committing is the link's {@link InboundWriter}'s: it commits the
 * parts that arrive together (a window's worth, on as many PDU threads) in one transaction. If the store cannot take it, the resp carries ESME_RX_T_APPN
 * (temporary application error) and the SMSC delivers it again later: a message is never acknowledged and
 * then lost. A message we cannot read as sent (a malformed UDH, no source address) is stored flagged, audited,
 * counted and acknowledged: it would fail the same way on every redelivery. One that the store refuses for its
 * data gets ESME_RX_P_APPN, with the reason logged. Delivery receipts are matched to the outbound part by message id.
 */
final class SmppInbound implements MessageReceiverListener {
  private static final Logger log = LoggerFactory.getLogger(SmppInbound.class);

  private final String link;
  private final SmsRepository sms;
  private final Pseudonyms pseudonyms;
  private final Metrics metrics;
  private final Clock clock;
  private final InboundWriter writer;
  /** The bind now delivering to us; parts remember it to tell a redelivery from a texter repeating themselves. */
  private volatile String bindId;

  SmppInbound(String link, SmsRepository sms, Pseudonyms pseudonyms, Metrics metrics, Clock clock, Duration dedupeWindow,
      Runnable stored) {
    this.link = link;
    this.sms = sms;
    this.pseudonyms = pseudonyms;
    this.metrics = metrics;
    this.clock = clock;
    this.writer = new InboundWriter(link, sms, clock, dedupeWindow, stored, metrics);
  }

  /** Longest a deliver_sm waits for its commit before it is answered with a temporary error (a store hanging). */
  static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(60);

  /** Stops the writer: parts still waiting get a temporary error. */
  void close() {
    writer.close();
  }

  /** Called just before each bind, so everything that bind delivers carries its id. */
  void binding(String id) {
    this.bindId = id;
  }

  @Override
  public void onAcceptDeliverSm(DeliverSm d) throws ProcessRequestException {
    try {
      if (d.isSmscDeliveryReceipt()) {
        receipt(d);
      } else {
        mo(d);
      }
    } catch (RuntimeException e) {
      if (mayPass(e)) {
        metrics.smppInbound(link, "refused");
        log.atWarn().addKeyValue("link", link).addKeyValue("error", e.getClass().getSimpleName())
            .log("deliver_sm not committed; answering ESME_RX_T_APPN so the SMSC delivers it again");
        throw new ProcessRequestException("not stored: " + e.getClass().getSimpleName(), SMPPConstant.STAT_ESME_RX_T_APPN, e);
      }
      // Delivering it again would fail the same way for ever: say no for good, and why (never the number or text).
      metrics.smppInbound(link, "rejected");
      log.atError().addKeyValue("link", link).addKeyValue("error", e.getClass().getSimpleName())
          .addKeyValue("sqlState", e.getCause() instanceof SQLException s ? s.getSQLState() : null)
          .log("deliver_sm cannot be stored; answering ESME_RX_P_APPN so the SMSC does not deliver it again");
      throw new ProcessRequestException("cannot be stored: " + e.getClass().getSimpleName(), SMPPConstant.STAT_ESME_RX_P_APPN, e);
    }
  }

  /**
   * Whether storing may work if the SMSC tries again: the store down, a transient failure (a lock timeout, a
   * deadlock), a store still opening or not migrated yet, a fault in our own state. Not a store refusing this
   * message's data (SQLState class 22 data exception, 23 constraint violation) or a fault in reading it.
   */
  static boolean mayPass(RuntimeException e) {
    if (e instanceof StoreException se) {
      if (!(se.getCause() instanceof SQLException s) || se.isUnavailable() || s instanceof java.sql.SQLTransientException) {
        return true;
      }
      var state = s.getSQLState();
      return state == null || !(state.startsWith("22") || state.startsWith("23"));
    }
    return e instanceof IllegalStateException;
  }

  private void mo(DeliverSm d) {
    byte[] message = d.getShortMessage() == null ? new byte[0] : d.getShortMessage();
    if (message.length == 0 && d.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD) instanceof OptionalParameter.OctetString p) {
      message = p.getValue(); // long messages may come whole in message_payload (SMPP 3.4 section 5.3.2.32)
    }
    var sender = d.getSourceAddr() == null ? "" : d.getSourceAddr().strip();
    var malformed = new java.util.ArrayList<String>();
    // A PDU our reader had to rewrite before jSMPP could read it (RepairingPduReader): its reasons, and a source
    // address too long for SMPP, kept as it came (sealed by the store) while the text is stored unanswerable.
    if (d.getOptionalParameter(RepairingPduReader.TAG_REPAIRED) instanceof OptionalParameter.OctetString r) {
      malformed.addAll(java.util.List.of(new String(r.getValue(), java.nio.charset.StandardCharsets.US_ASCII).split(",")));
    }
    if (d.getOptionalParameter(RepairingPduReader.TAG_SOURCE) instanceof OptionalParameter.OctetString s) {
      sender = new String(s.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1).strip();
    }
    var repaired = java.util.List.copyOf(malformed);
    byte[] raw = null;
    Integer ref = null;
    int total = 1;
    int seq = 1;
    String text;
    try {
      // A header we cannot read must not make the SMSC deliver the message for ever: the part becomes a message
      // of its own, decoded best effort, and enters the conversation like any text (the child is answered).
      var part = ReceivedPart.of(message, d.isUdhi(), d.getOptionalParameters());
      if (part.isMalformed()) {
        malformed.addAll(part.malformed());
        raw = message;
      }
      if (part.concat() != null) {
        ref = part.concat().reference();
        total = part.concat().total();
        seq = part.concat().seq();
      }
      text = SmsCodec.decode(d.getDataCoding(), part.body());
    } catch (RuntimeException e) {
      // nothing we know of gets here; whatever it was, the bytes are kept and a counsellor can read them
      malformed.clear();
      malformed.addAll(repaired);
      malformed.add("unparsed");
      raw = message;
      ref = null;
      total = 1;
      seq = 1;
      text = new String(message, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    if (!repaired.isEmpty() && raw == null) {
      raw = message; // the short message as the repair read it, sealed beside the text decoded from it
    }
    if (sender.isEmpty() && !malformed.contains(RepairingPduReader.SOURCE)) {
      malformed.addFirst("no_sender"); // cannot be answered: stored for a counsellor, not a conversation
    }
    var reasons = malformed.isEmpty() ? null : String.join(",", malformed);
    var part = new SmsRepository.PartIn(Channel.SMS_SMPP, link, bindId, pseudonyms.of(sender), sender,
        d.getDestAddress() == null ? "" : d.getDestAddress(), ref, total, seq, text, reasons, raw);
    var result = writer.store(part, COMMIT_TIMEOUT); // committed (a text whole is announced by the writer)
    metrics.smppInbound(link, result.name().toLowerCase());
    if (result != SmsRepository.PartResult.DUPLICATE) {
      malformed.forEach(reason -> metrics.smsMalformed(link, reason));
    }
  }

  private void receipt(DeliverSm d) {
    String id = null;
    if (d.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID) instanceof OptionalParameter.COctetString c) {
      id = c.getValueAsString();
    }
    String stat = null;
    try {
      var r = d.getShortMessageAsDeliveryReceipt();
      if (id == null) {
        id = r.getId();
      }
      stat = r.getFinalStatus() == null ? null : r.getFinalStatus().name();
    } catch (Exception e) {
      // the text form is optional when the TLVs are there
    }
    if (stat == null && d.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE) instanceof OptionalParameter.Byte b) {
      stat = switch (b.getValue()) {
        case 2 -> "DELIVRD";
        case 3 -> "EXPIRED";
        case 4 -> "DELETED";
        case 5 -> "UNDELIV";
        case 8 -> "REJECTD";
        default -> "UNKNOWN";
      };
    }
    if (id == null) {
      metrics.smppReceipt(link, "unreadable");
      return;
    }
    var status = switch (stat == null ? "UNKNOWN" : stat) {
      case "DELIVRD" -> "delivered";
      case "EXPIRED" -> "expired";
      case "DELETED" -> "deleted";
      case "UNDELIV" -> "undeliverable";
      case "REJECTD" -> "rejected";
      default -> "unknown";
    };
    boolean matched = sms.receipt(id.trim(), status, clock.instant());
    if (!matched) {
      // submit_sm_resp and the receipt can race: the part row may be committed a moment after the receipt arrives
      sleep(300);
      matched = sms.receipt(id.trim(), status, clock.instant());
    }
    metrics.smppReceipt(link, matched ? status : "unmatched");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void onAcceptAlertNotification(AlertNotification alertNotification) {
    // no use for alerts: nothing waits on a handset becoming reachable
  }

  @Override
  public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
    throw new ProcessRequestException("data_sm is not supported; use deliver_sm", SMPPConstant.STAT_ESME_RINVCMDID);
  }
}
