package vn.hotline.gateway.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jsmpp.PDUException;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.cli.Cli;
import vn.hotline.gateway.sms.ReceivedPart;
import vn.hotline.gateway.sms.SmsCodec;

/**
 * Plays a phone: binds to an SMSC (the test SMSC, or any that lets a handset bind) as system_id "handset" with its
 * number as address_range, texts the hotline and prints the replies, reassembled from their parts.
 */
@Command(name = "send-sms", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar send-sms --smsc localhost:2775 --from 0912345678 --text \"báo cáo\"",
        "  java -jar gateway/target/hotline-gateway.jar send-sms --from 0912345678 --interactive"},
    description = "Text the hotline through an SMSC (e.g. test-smsc) as a phone would, and print the replies.")
public final class SendSmsCommand implements Callable<Integer> {
  @Option(names = "--smsc", defaultValue = "localhost:2775", description = "SMSC host:port (default ${DEFAULT-VALUE})")
  String smsc;

  @Option(names = "--from", required = true, description = "The phone's number, e.g. 0912345678")
  String from;

  @Option(names = "--to", defaultValue = "111", description = "Where to send (default ${DEFAULT-VALUE})")
  String to;

  @Option(names = "--text", description = "A message to send; repeat for several, sent one after the other")
  List<String> texts;

  @Option(names = "--wait", defaultValue = "10",
      description = "Seconds to wait for replies after each text (default ${DEFAULT-VALUE}; stops 2 s after the"
          + " last reply part)")
  int waitSeconds;

  @Option(names = "--wait-seconds", defaultValue = "10",
      description = "Seconds to keep trying to reach the SMSC before giving up, e.g. while test-smsc is still"
          + " starting (default ${DEFAULT-VALUE}; 0: try once)")
  int connectSeconds;

  @Option(names = "--interactive", description = "Read messages from the terminal, one a line; an empty line ends")
  boolean interactive;

  private final PrintStream out;
  private final PrintStream err;
  private final InputStream in;
  private final Duration quiet;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition partArrived = lock.newCondition();
  private final Reassembler replies = new Reassembler();
  private long lastPartNanos;
  private int partsReceived;

  public SendSmsCommand() {
    this(System.out, System.err, System.in, Duration.ofSeconds(2));
  }

  /** For tests: where to print and read, and how long after the last reply part to stop waiting. */
  SendSmsCommand(PrintStream out, PrintStream err, InputStream in, Duration quiet) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.quiet = quiet;
  }

  @Override
  public Integer call() {
    Cli.quietLogs();
    // no JSON from jSMPP between the lines printed here: failures are told on stderr in plain words
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.jsmpp"))
        .setLevel(ch.qos.logback.classic.Level.OFF);
    if ((texts == null || texts.isEmpty()) && !interactive) {
      err.println("send-sms: nothing to send: give --text (one or more) or --interactive");
      return 2;
    }
    int colon = smsc.lastIndexOf(':');
    String host;
    int port;
    try {
      host = colon > 0 ? smsc.substring(0, colon) : smsc;
      port = colon > 0 ? Integer.parseInt(smsc.substring(colon + 1)) : 2775;
    } catch (NumberFormatException e) {
      err.println("send-sms: --smsc must be host:port, not " + smsc);
      return 2;
    }
    if (connectSeconds < 0) {
      err.println("send-sms: --wait-seconds must be 0 or more, not " + connectSeconds);
      return 2;
    }
    SMPPSession session;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(connectSeconds);
    boolean told = false;
    while (true) {
      session = new SMPPSession();
      session.setMessageReceiverListener(new Replies());
      try {
        session.connectAndBind(host, port, new BindParameter(BindType.BIND_TRX, TestSmsc.HANDSET_SYSTEM_ID,
            TestSmsc.HANDSET_SYSTEM_ID, "", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, from), 10_000);
        break;
      } catch (IOException e) {
        session.close();
        if (e.getCause() instanceof NegativeResponseException n) {
          err.println("send-sms: the SMSC at " + host + ":" + port + " refused the bind (command_status "
              + TestSmsc.statusName(n.getCommandStatus()) + ")");
          return 1;
        }
        boolean refused = e instanceof java.net.ConnectException || e.getCause() instanceof java.net.ConnectException;
        if (!refused || System.nanoTime() - deadline >= 0) {
          err.println(refused
              ? "send-sms: nothing is listening at " + host + ":" + port
                  + (connectSeconds > 0 ? " (waited " + connectSeconds + " s)" : "") + ": is `test-smsc` running"
                  + " (java -jar gateway/target/hotline-gateway.jar test-smsc --port " + port + ")? Give the SMSC's"
                  + " address with --smsc host:port"
              : "send-sms: cannot reach the SMSC at " + host + ":" + port + ": " + Cli.words(e));
          return 1;
        }
        if (!told) {
          out.println("Waiting up to " + connectSeconds + " s for the SMSC at " + host + ":" + port + " to start...");
          out.flush();
          told = true;
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return 1;
        }
      }
    }
    try {
      if (texts != null) {
        for (var text : texts) {
          if (!sendAndWait(session, text)) {
            return 1;
          }
        }
      }
      if (interactive) {
        var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null && !line.isEmpty()) {
          if (!sendAndWait(session, line)) {
            return 1;
          }
        }
      }
      return 0;
    } catch (IOException e) {
      err.println("send-sms: reading the terminal failed: " + Cli.words(e));
      return 1;
    } finally {
      session.unbindAndClose();
    }
  }

  /** Sends one text (all its parts) and prints the replies that come back; false when the SMSC refused it. */
  private boolean sendAndWait(SMPPSession session, String text) {
    out.println("> " + text);
    out.flush();
    var encoded = SmsCodec.encode(text, ThreadLocalRandom.current().nextInt(256));
    long sentAt = System.nanoTime();
    for (var part : encoded.parts()) {
      try {
        session.submitShortMessage("", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, from,
            TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, to, new ESMClass(part.udhi() ? 0x40 : 0), (byte) 0,
            (byte) 0, null, null, new RegisteredDelivery(0), (byte) 0, new RawDataCoding(encoded.dataCoding()),
            (byte) 0, part.bytes());
      } catch (NegativeResponseException e) {
        err.println("send-sms: the SMSC refused the message: " + TestSmsc.statusName(e.getCommandStatus()));
        return false;
      } catch (PDUException | ResponseTimeoutException | org.jsmpp.InvalidResponseException | IOException e) {
        err.println("send-sms: sending failed: " + Cli.words(e));
        return false;
      }
    }
    long deadline = sentAt + TimeUnit.SECONDS.toNanos(waitSeconds);
    lock.lock();
    try {
      while (true) {
        long now = System.nanoTime();
        boolean gotSome = partsReceived > 0 && lastPartNanos - sentAt > 0;
        long until = gotSome ? Math.min(deadline, lastPartNanos + quiet.toNanos()) : deadline;
        if (now - until >= 0) {
          break;
        }
        partArrived.awaitNanos(until - now);
      }
      for (var missing : replies.incomplete()) {
        out.println("< (incomplete reply: " + missing + " so far)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    out.flush();
    return true;
  }

  private final class Replies implements MessageReceiverListener {
    @Override
    public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
      if (deliverSm.isSmscDeliveryReceipt()) {
        return; // not asked for; nothing for a person to read
      }
      lock.lock();
      try {
        partsReceived++;
        lastPartNanos = System.nanoTime();
        var text = replies.add(new Reassembler.Piece(deliverSm.getSourceAddr(), deliverSm.getDestAddress(),
            deliverSm.getDataCoding(), deliverSm.getShortMessage(), deliverSm.isUdhi(),
            ReceivedPart.sar(deliverSm.getOptionalParameters())));
        if (text != null) {
          out.println("< " + text);
          out.flush();
        }
        partArrived.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onAcceptAlertNotification(AlertNotification alertNotification) {}

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
      throw new ProcessRequestException("data_sm is not supported", org.jsmpp.SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }
}
