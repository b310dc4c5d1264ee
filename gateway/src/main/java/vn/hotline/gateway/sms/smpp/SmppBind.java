package vn.hotline.gateway.sms.smpp;

import java.io.IOException;
import java.util.UUID;
import org.jsmpp.DefaultPDUSender;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.connection.socket.SocketConnectionFactory;
import org.jsmpp.util.DefaultComposer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.config.GatewayConfig;

/**
 * One bind of a link (transceiver, receiver or transmitter): its session and its {@link BindStateMachine}. It binds
 * once when asked ({@link #bind}) and tells how that went; when to ask is the {@link Reconnect} task's business.
 */
final class SmppBind {
  private static final Logger log = LoggerFactory.getLogger(SmppBind.class);

  /** How a bind attempt went. */
  enum Outcome { BOUND, FAILED, REFUSED, CLOSED }

  /** PDU processor threads of a session (jSMPP's default is 3) and its queue of received PDUs (default 100). */
  static final int PDU_THREADS = 100;
  static final int PDU_QUEUE = 500;

  final BindType type;
  final BindStateMachine state = new BindStateMachine();
  private final GatewayConfig.SmppLink cfg;
  private final SmppInbound inbound;
  private volatile Session session;
  private volatile Runnable onLost = () -> {};

  SmppBind(GatewayConfig.SmppLink cfg, BindType type, SmppInbound inbound) {
    this.cfg = cfg;
    this.type = type;
    this.inbound = inbound;
  }

  /** Called (on a jSMPP thread) once the bound session is lost, not when we close it. */
  void onLost(Runnable r) {
    this.onLost = r;
  }

  /** The session while bound; else null. */
  Session session() {
    var s = session;
    return s != null && state.state() == LinkState.BOUND ? s : null;
  }

  /** Connects and binds (blocks up to the bind timeout); {@code from} is the state the attempt starts in. */
  Outcome bind(LinkState from) {
    if (!state.move(from, LinkState.BINDING, null)) {
      return Outcome.CLOSED;
    }
    var s = new Session();
    s.setEnquireLinkTimer(cfg.enquireLinkSeconds() * 1000);
    s.setTransactionTimer(10_000);
    // jSMPP runs each received PDU on one of these threads, and our deliver_sm handler waits there for its
    // commit: as many as an SMSC's window, so a window's parts are in flight together and commit as one batch
    // (InboundWriter); the queue holds more than a window, beyond which jSMPP answers ESME_RTHROTTLED.
    s.setPduProcessorDegree(PDU_THREADS);
    s.setQueueCapacity(PDU_QUEUE);
    if (type != BindType.BIND_TX) {
      s.setMessageReceiverListener(inbound);
      inbound.binding(UUID.randomUUID().toString());
    }
    s.addSessionStateListener((now, before, src) -> {
      if ((now == SessionState.CLOSED || now == SessionState.UNBOUND) && session == s
          && state.move(LinkState.BOUND, LinkState.DISCONNECTED, "connection lost")) {
        session = null;
        log.atWarn().addKeyValue("link", cfg.name()).addKeyValue("bind", type.name()).log("SMPP link lost its bind; binding again");
        onLost.run();
      }
    });
    try {
      s.connectAndBind(cfg.host(), cfg.port(), new BindParameter(type, cfg.systemId(), cfg.password(),
          cfg.systemType(), TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN,
          cfg.addressRange().isEmpty() ? null : cfg.addressRange()), 10_000);
    } catch (IOException e) {
      s.close();
      int status = e.getCause() instanceof NegativeResponseException n ? n.getCommandStatus() : -1;
      if (status == SMPPConstant.STAT_ESME_RINVPASWD || status == SMPPConstant.STAT_ESME_RINVSYSID) {
        var why = "the SMSC refused the bind: " + (status == SMPPConstant.STAT_ESME_RINVPASWD
            ? "ESME_RINVPASWD (wrong password)" : "ESME_RINVSYSID (unknown system_id)")
            + "; check the link's credentials; next try in " + Reconnect.REFUSED_PAUSE.toMinutes() + " min";
        if (!state.move(LinkState.BINDING, LinkState.REFUSED, why)) {
          return Outcome.CLOSED;
        }
        log.atError().addKeyValue("link", cfg.name()).log(why);
        return Outcome.REFUSED;
      }
      var why = status >= 0 ? "bind refused with status 0x" + Integer.toHexString(status)
          : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return state.move(LinkState.BINDING, LinkState.BACKING_OFF, why) ? Outcome.FAILED : Outcome.CLOSED;
    }
    session = s;
    if (!state.move(LinkState.BINDING, LinkState.BOUND, null)) {
      session = null;
      s.unbindAndClose(); // closed while binding
      return Outcome.CLOSED;
    }
    log.atInfo().addKeyValue("link", cfg.name()).addKeyValue("bind", type.name()).log("SMPP link bound");
    if (!s.getSessionState().isBound() && state.move(LinkState.BOUND, LinkState.DISCONNECTED, "connection lost")) {
      session = null; // lost before we looked (the state listener found the bind not yet BOUND)
      onLost.run();
    }
    return Outcome.BOUND;
  }

  /** Unbinds when bound, then closes for good. */
  void close() {
    var s = session;
    boolean unbind = state.closing();
    if (s != null && unbind && s.getSessionState().isBound()) {
      s.unbindAndClose();
    } else if (s != null) {
      s.close();
    }
    session = null;
    state.closed();
  }

  /** A jSMPP session whose enquire_link the {@link EnquireLink} task sends. */
  static final class Session extends SMPPSession {
    /** jSMPP's own sender and socket, and our reader: a deliver_sm it cannot decode is repaired, not left unanswered. */
    Session() {
      super(new SynchronizedPDUSender(new DefaultPDUSender(new DefaultComposer())), new RepairingPduReader(),
          SocketConnectionFactory.getInstance());
    }

    void enquireLink() throws ResponseTimeoutException, InvalidResponseException, IOException {
      sendEnquireLink();
    }
  }
}
