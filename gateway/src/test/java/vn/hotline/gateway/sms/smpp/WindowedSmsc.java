package vn.hotline.gateway.sms.smpp;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.util.MessageId;

/**
 * An SMSC that, unlike {@code TestSmsc} (one deliver_sm at a time, in order), lets a test send deliver_sm from
 * as many threads as it likes, each waiting for its own deliver_sm_resp: what a real SMSC with a window does. It
 * accepts one bind (system_id hotline, password hotline) and answers every submit_sm at once.
 */
final class WindowedSmsc implements AutoCloseable {
  private final SMPPServerSessionListener listener;
  private final AtomicLong messageIds = new AtomicLong();
  private volatile SMPPServerSession bound;

  WindowedSmsc() throws IOException {
    int port;
    try (var probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort(); // jSMPP's listener does not tell the port it got for 0
    }
    listener = new SMPPServerSessionListener(port);
    listener.setPduProcessorDegree(4);
    listener.setMessageReceiverListener(new Replies());
    Thread.ofVirtual().name("windowed-smsc-accept").start(this::accept);
  }

  int port() {
    return listener.getPort();
  }

  /** Whether the gateway is bound. */
  boolean bound() {
    var s = bound;
    return s != null && s.getSessionState().isBound();
  }

  /**
   * Sends one deliver_sm and waits for its resp: the command_status (0 for ESME_ROK), or -1 when no resp came
   * (timeout, connection lost).
   */
  int deliver(String from, byte dataCoding, boolean udhi, byte[] shortMessage) {
    try {
      bound.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, from,
          TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, "111", new ESMClass(udhi ? 0x40 : 0), (byte) 0,
          (byte) 0, new RegisteredDelivery(0), new RawDataCoding(dataCoding), shortMessage);
      return 0;
    } catch (NegativeResponseException e) {
      return e.getCommandStatus();
    } catch (Exception e) {
      return -1;
    }
  }

  private void accept() {
    while (true) {
      SMPPServerSession session;
      try {
        session = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      session.setTransactionTimer(30_000);
      Thread.ofVirtual().start(() -> {
        try {
          var bind = session.waitForBind(10_000);
          if (!"hotline".equals(bind.getSystemId()) || !"hotline".equals(bind.getPassword())) {
            bind.reject(SMPPConstant.STAT_ESME_RINVPASWD);
            return;
          }
          bind.accept("windowed");
          bound = session;
        } catch (Exception e) {
          session.close();
        }
      });
    }
  }

  @Override
  public void close() {
    var s = bound;
    if (s != null) {
      s.close();
    }
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** submit_sm (the gateway's replies) answered at once; nothing else is supported. */
  private final class Replies implements ServerMessageReceiverListener {
    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm s, SMPPServerSession src) throws ProcessRequestException {
      try {
        return new SubmitSmResult(new MessageId(Long.toHexString(messageIds.incrementAndGet() + 0x1000)), null);
      } catch (org.jsmpp.PDUStringException e) {
        throw new ProcessRequestException(e.getMessage(), SMPPConstant.STAT_ESME_RSYSERR);
      }
    }

    @Override
    public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti s, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public QuerySmResult onAcceptQuerySm(QuerySm q, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public void onAcceptReplaceSm(ReplaceSm r, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public void onAcceptCancelSm(CancelSm c, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm b, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public void onAcceptCancelBroadcastSm(CancelBroadcastSm c, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm q, SMPPServerSession src)
        throws ProcessRequestException {
      throw no();
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm d, Session src) throws ProcessRequestException {
      throw no();
    }

    private ProcessRequestException no() {
      return new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }
}
