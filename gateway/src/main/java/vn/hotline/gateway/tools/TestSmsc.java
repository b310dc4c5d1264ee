package vn.hotline.gateway.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jsmpp.DefaultPDUReader;
import org.jsmpp.DefaultPDUSender;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.PDUSender;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
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
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.ServerResponseDeliveryListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SessionStateListener;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.socket.SocketConnection;
import org.jsmpp.util.MessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.sms.ReceivedPart;
import vn.hotline.gateway.sms.SmsCodec;

/**
 * A small but real SMPP 3.4 SMSC for tests and for trying the gateway without an operator: the application (the
 * gateway, an ESME) binds with the configured system_id; phones are played by sessions that bind with system_id
 * {@value #HANDSET_SYSTEM_ID}. MOs (phone to application) are stored and forwarded as deliver_sm, one PDU at a time,
 * and delivered again after {@link Config#redeliveryInterval()} until the application acknowledges them with
 * deliver_sm_resp OK; MTs (submit_sm from the application) are recorded, receipted when asked, and passed on to a
 * bound handset. Faults (dropped connections, refused binds, slow responses, throttling, a full queue, parts out of
 * order) can be switched on and off at any time.
 *
 * <p>Logs carry no text and at most the last three digits of a number; {@code events} (the CLI's console) carries
 * everything.
 */
public final class TestSmsc implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TestSmsc.class);

  /** Binds with this system_id (any password) are phones, not the application. */
  public static final String HANDSET_SYSTEM_ID = "handset";
  /** The system_id the SMSC names itself in bind_resp. */
  static final String SMSC_SYSTEM_ID = "TestSmsc";
  private static final int BIND_TIMEOUT_MS = 10_000;
  private static final byte ESM_UDHI = 0x40;
  private static final byte ESM_SMSC_DELIVERY_RECEIPT = 0x04;
  private static final int DELIVERED = 0;
  private static final int NO_RESPONSE = -1;
  private static final int CONNECTION_LOST = -2;
  private static final int UNSENDABLE = -3;
  private static final DateTimeFormatter RECEIPT_DATE = DateTimeFormatter.ofPattern("yyMMddHHmm");

  /**
   * @param port 0 picks a free port
   * @param systemId what the application binds with
   * @param redeliveryInterval how long after a failed deliver_sm the same PDU goes out again
   * @param responseTimeout how long a deliver_sm waits for its deliver_sm_resp
   */
  public record Config(int port, String systemId, String password, Duration redeliveryInterval,
      Duration responseTimeout) {
    public static Config defaults() {
      return new Config(0, "hotline", "hotline", Duration.ofMillis(500), Duration.ofSeconds(5));
    }

    public Config withPort(int p) {
      return new Config(p, systemId, password, redeliveryInterval, responseTimeout);
    }
  }

  /** One accepted MT part (submit_sm from the application) as it arrived. */
  public record Mt(String messageId, String from, String to, byte dataCoding, byte[] shortMessage, boolean udhi,
      boolean deliveryReceiptRequested, Instant at) {}

  private enum Role { APPLICATION, HANDSET }

  private enum Kind { MO, RECEIPT, TO_HANDSET }

  /** A bound (or binding) session. {@code ready} once its bind_resp has gone out. */
  private static final class Peer {
    final SMPPServerSession session;
    final Role role;
    final String addressRange;
    final String bindType;
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile boolean ready;

    Peer(SMPPServerSession session, Role role, String addressRange, String bindType) {
      this.session = session;
      this.role = role;
      this.addressRange = addressRange == null ? "" : addressRange;
      this.bindType = bindType;
    }
  }

  /** The content of one deliver_sm; the same content goes out again on redelivery. */
  private record Delivery(Kind kind, String from, String to, byte esmClass, byte dataCoding, byte[] shortMessage,
      OptionalParameter[] tlvs, String label) {}

  /** What to do once a submit_sm_resp has gone out: the receipt, the forwarding to a handset. */
  private record Accepted(Mt mt, boolean sendReceipt, OptionalParameter[] sar) {}

  private final Config cfg;
  private final Consumer<String> events;
  private final ServerSocket serverSocket;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the queue, the bound sessions or {@code closed} change. */
  private final Condition changed = lock.newCondition();
  /** Signalled when an MT is recorded. */
  private final Condition mtArrived = lock.newCondition();
  private final Deque<Delivery> queue = new ArrayDeque<>();
  private final List<Peer> peers = new ArrayList<>();
  private final List<Mt> mts = new ArrayList<>();
  private final Reassembler mtEvents = new Reassembler();
  private final Set<SMPPServerSession> sessions = ConcurrentHashMap.newKeySet();
  private final Map<String, Accepted> awaitingResp = new ConcurrentHashMap<>();
  private final AtomicLong messageIds = new AtomicLong();
  private final AtomicInteger references = new AtomicInteger(new java.util.Random().nextInt(0x10000));
  private final AtomicInteger delivered = new AtomicInteger();
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicInteger receiptsDelivered = new AtomicInteger();
  private final AtomicInteger throttled = new AtomicInteger();
  private final ExecutorService io;
  private final ExecutorService toHandsets;
  private final Thread acceptor;
  private final Thread deliverer;
  private final PDUSender sender;
  private final ServerMessageReceiverListener receiver = new Receiver();
  private final ServerResponseDeliveryListener responses = new Responses();
  private final SessionStateListener states = this::onStateChange;

  private volatile boolean closed;
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile boolean rejectBinds;
  private volatile boolean shuffleParts;
  // guarded by lock
  private int throttleEvery;
  private int applicationSubmits;
  private int queueFullRemaining;

  private TestSmsc(Config cfg, Consumer<String> events) throws IOException {
    this.cfg = cfg;
    this.events = events;
    this.serverSocket = new ServerSocket();
    serverSocket.setReuseAddress(true);
    serverSocket.bind(new java.net.InetSocketAddress(cfg.port()), 50);
    this.io = Executors.newCachedThreadPool(daemons("smsc-io"));
    this.toHandsets = Executors.newSingleThreadExecutor(daemons("smsc-to-handset"));
    this.sender = delayingSender(new SynchronizedPDUSender(new DefaultPDUSender()));
    this.acceptor = daemons("smsc-accept").newThread(this::acceptLoop);
    this.deliverer = daemons("smsc-deliver").newThread(this::deliveryLoop);
  }

  /** Starts listening (port 0: any free port). */
  public static TestSmsc start(Config cfg) {
    return start(cfg, null);
  }

  /** Starts listening; {@code events} gets one human-readable line per event (numbers and texts included). */
  public static TestSmsc start(Config cfg, Consumer<String> events) {
    try {
      var smsc = new TestSmsc(cfg, events);
      smsc.acceptor.start();
      smsc.deliverer.start();
      log.info("test SMSC listening on port {}", smsc.port());
      return smsc;
    } catch (IOException e) {
      throw new UncheckedIOException("test SMSC cannot listen on port " + cfg.port() + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return serverSocket.getLocalPort();
  }

  // ---------------------------------------------------------------- MO: phone to application

  /** Queues an MO: encoded with {@link SmsCodec} (UCS-2 when needed), split with a concatenation UDH when long. */
  public void deliverMo(String from, String to, String text) {
    var encoded = SmsCodec.encode(text, references.incrementAndGet() & 0xff);
    queueMo(from, to, encoded.dataCoding(), encoded.parts(), text);
  }

  /** Queues an MO made of raw parts (UDHI set on those that carry a header). */
  public void deliverMoParts(String from, String to, byte dataCoding, List<SmsCodec.Part> parts) {
    queueMo(from, to, dataCoding, parts, null);
  }

  /** Queues an MO split with the SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum), no UDH. */
  public void deliverMoSar(String from, String to, String text) {
    int ref = references.incrementAndGet() & 0xffff;
    var encoded = SmsCodec.encode(text, ref);
    var parts = encoded.parts();
    var out = new ArrayList<Delivery>();
    for (int i = 0; i < parts.size(); i++) {
      var part = parts.get(i);
      if (!part.udhi()) {
        out.add(new Delivery(Kind.MO, from, to, (byte) 0, encoded.dataCoding(), part.bytes(), new OptionalParameter[0],
            label(from, to, i + 1, parts.size())));
        continue;
      }
      var payload = SmsCodec.splitUdh(part.bytes());
      var tlvs = new OptionalParameter[] {
          new OptionalParameter.Short(ReceivedPart.TAG_SAR_MSG_REF_NUM, (short) ref),
          new OptionalParameter.Byte(ReceivedPart.TAG_SAR_TOTAL_SEGMENTS, (byte) parts.size()),
          new OptionalParameter.Byte(ReceivedPart.TAG_SAR_SEGMENT_SEQNUM, (byte) (i + 1))};
      out.add(new Delivery(Kind.MO, from, to, (byte) 0, encoded.dataCoding(), payload.body(), tlvs,
          label(from, to, i + 1, parts.size())));
    }
    enqueue(out, true);
    event("MO queued " + from + " -> " + to + " (" + out.size() + " part" + (out.size() == 1 ? "" : "s")
        + ", SAR TLVs): " + text);
    log.info("MO queued from {} ({} parts, SAR)", mask(from), out.size());
  }

  private void queueMo(String from, String to, byte dataCoding, List<SmsCodec.Part> parts, String text) {
    var out = new ArrayList<Delivery>();
    for (int i = 0; i < parts.size(); i++) {
      var part = parts.get(i);
      out.add(new Delivery(Kind.MO, from, to, part.udhi() ? ESM_UDHI : 0, dataCoding, part.bytes(),
          new OptionalParameter[0], label(from, to, i + 1, parts.size())));
    }
    enqueue(out, true);
    event("MO queued " + from + " -> " + to + " (" + parts.size() + " part" + (parts.size() == 1 ? "" : "s") + ")"
        + (text != null ? ": " + text : ""));
    log.info("MO queued from {} ({} parts)", mask(from), parts.size());
  }

  private static String label(String from, String to, int seq, int total) {
    return "MO " + from + " -> " + to + (total > 1 ? " part " + seq + "/" + total : "");
  }

  private void enqueue(List<Delivery> deliveries, boolean mayShuffle) {
    var ordered = new ArrayList<>(deliveries);
    if (mayShuffle && shuffleParts && ordered.size() > 1) {
      Collections.reverse(ordered);
    }
    lock.lock();
    try {
      queue.addAll(ordered);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One deliver_sm at a time, queue order; the head stays at the head until the application acknowledges it. */
  private void deliveryLoop() {
    while (!closed) {
      Delivery next;
      Peer peer;
      lock.lock();
      try {
        while (!closed && (queue.isEmpty() || application() == null)) {
          changed.await();
        }
        if (closed) {
          return;
        }
        next = queue.peekFirst();
        peer = application();
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      if (next.kind() == Kind.MO) {
        attempts.incrementAndGet();
      }
      int status = attempt(peer, next);
      if (status == DELIVERED || status == UNSENDABLE) {
        lock.lock();
        try {
          queue.pollFirst();
        } finally {
          lock.unlock();
        }
        if (status == DELIVERED) {
          (next.kind() == Kind.MO ? delivered : receiptsDelivered).incrementAndGet();
          event(next.label() + " delivered");
          log.debug("{} delivered", next.kind());
        } else {
          event(next.label() + " dropped: it cannot be sent as a PDU");
        }
        continue;
      }
      var why = status == NO_RESPONSE ? "no deliver_sm_resp within " + cfg.responseTimeout().toMillis() + " ms"
          : status == CONNECTION_LOST ? "connection lost" : "deliver_sm_resp " + statusName(status);
      event(next.label() + " not delivered (" + why + "); again in " + cfg.redeliveryInterval().toMillis() + " ms");
      log.info("{} not delivered ({}); redelivery in {} ms", next.kind(),
          status > 0 ? statusName(status) : why, cfg.redeliveryInterval().toMillis());
      if (!pause(cfg.redeliveryInterval())) {
        return;
      }
    }
  }

  /** Waits out the redelivery interval (or until closed); false when closed or interrupted. */
  private boolean pause(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    lock.lock();
    try {
      long left;
      while (!closed && (left = end - System.nanoTime()) > 0) {
        changed.awaitNanos(left);
      }
      return !closed;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The application session deliveries go to: the first bound one that can receive. Call with the lock held. */
  private Peer application() {
    for (var p : peers) {
      if (p.role == Role.APPLICATION && p.ready && p.session.getSessionState().isReceivable()) {
        return p;
      }
    }
    return null;
  }

  /**
   * Sends one deliver_sm and waits for the outcome: its command_status, or no response, or the connection gone.
   * jSMPP's deliverShortMessage only returns after its own timeout when the connection drops meanwhile, so the
   * call runs on another thread and a closed session ends the wait at once.
   */
  private int attempt(Peer peer, Delivery d) {
    CompletableFuture<Integer> sent;
    try {
      sent = CompletableFuture.supplyAsync(() -> send(peer.session, d), io);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CONNECTION_LOST; // closing
    }
    try {
      CompletableFuture.anyOf(sent, peer.closed).get(cfg.responseTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return NO_RESPONSE;
    } catch (ExecutionException e) {
      return CONNECTION_LOST;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CONNECTION_LOST;
    }
    return sent.isDone() ? sent.join() : CONNECTION_LOST;
  }

  private static int send(SMPPServerSession session, Delivery d) {
    try {
      session.deliverShortMessage("", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, d.from(),
          TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, d.to(), new ESMClass(d.esmClass()), (byte) 0,
          (byte) 0, new RegisteredDelivery(0), new RawDataCoding(d.dataCoding()), d.shortMessage(), d.tlvs());
      return DELIVERED;
    } catch (NegativeResponseException e) {
      return e.getCommandStatus();
    } catch (ResponseTimeoutException e) {
      return NO_RESPONSE;
    } catch (PDUException e) {
      log.warn("deliver_sm cannot be built: {}", e.getMessage());
      return UNSENDABLE;
    } catch (IOException | InvalidResponseException | RuntimeException e) {
      return CONNECTION_LOST;
    }
  }

  /** MOs acknowledged OK by the application (each part once, however many attempts it took). */
  public int deliveredCount() {
    return delivered.get();
  }

  /** deliver_sm of MO parts sent to the application, redeliveries included. */
  public int deliveryAttempts() {
    return attempts.get();
  }

  /** Delivery receipts acknowledged OK by the application. */
  public int receiptsDelivered() {
    return receiptsDelivered.get();
  }

  /** MO parts and receipts not yet acknowledged by the application. */
  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- MT: application to phone

  /** Every accepted MT part, in the order accepted. */
  public List<Mt> mts() {
    lock.lock();
    try {
      return List.copyOf(mts);
    } finally {
      lock.unlock();
    }
  }

  /** The complete MT texts sent to {@code to}, parts joined by concatenation reference in sequence order. */
  public List<String> mtTexts(String to) {
    lock.lock();
    try {
      return textsTo(to);
    } finally {
      lock.unlock();
    }
  }

  private List<String> textsTo(String to) {
    var r = new Reassembler();
    var out = new ArrayList<String>();
    for (var mt : mts) {
      if (mt.to().equals(to)) {
        var text =
            r.add(new Reassembler.Piece(mt.from(), mt.to(), mt.dataCoding(), mt.shortMessage(), mt.udhi(), null));
        if (text != null) {
          out.add(text);
        }
      }
    }
    return out;
  }

  /**
   * Waits until at least {@code count} complete MT texts to {@code to} exist and returns them all.
   *
   * @throws TimeoutException naming the texts seen when they do not arrive in time
   */
  public List<String> awaitMtTexts(String to, int count, Duration timeout)
      throws TimeoutException, InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        var texts = textsTo(to);
        if (texts.size() >= count) {
          return texts;
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("expected " + count + " MT text(s) to " + to + " within " + timeout.toMillis()
              + " ms; saw " + texts.size() + ": " + texts);
        }
        mtArrived.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  private SubmitSmResult acceptMt(SubmitSm sm) throws ProcessRequestException {
    int refusal;
    lock.lock();
    try {
      int n = ++applicationSubmits;
      if (queueFullRemaining > 0) {
        queueFullRemaining--;
        refusal = SMPPConstant.STAT_ESME_RMSGQFUL;
      } else if (throttleEvery > 0 && n % throttleEvery == 0) {
        refusal = SMPPConstant.STAT_ESME_RTHROTTLED;
      } else {
        refusal = 0;
      }
    } finally {
      lock.unlock();
    }
    if (refusal != 0) {
      if (refusal == SMPPConstant.STAT_ESME_RTHROTTLED) {
        throttled.incrementAndGet();
      }
      event("MT " + sm.getSourceAddr() + " -> " + sm.getDestAddress() + " refused: " + statusName(refusal));
      log.info("submit_sm refused: {}", statusName(refusal));
      throw new ProcessRequestException(statusName(refusal), refusal);
    }
    var id = nextMessageId();
    byte rd = sm.getRegisteredDelivery();
    var mt = new Mt(id, sm.getSourceAddr(), sm.getDestAddress(), sm.getDataCoding(), sm.getShortMessage(),
        SubmitSm.isUdhi(sm.getEsmClass()), (rd & 0x03) != 0, Instant.now());
    String completed;
    lock.lock();
    try {
      mts.add(mt);
      completed = mtEvents.add(new Reassembler.Piece(mt.from(), mt.to(), mt.dataCoding(), mt.shortMessage(),
          mt.udhi(), ReceivedPart.sar(sm.getOptionalParameters())));
      mtArrived.signalAll();
    } finally {
      lock.unlock();
    }
    var concat = ReceivedPart.of(mt.shortMessage(), mt.udhi(), sm.getOptionalParameters()).concat();
    var which = concat != null && concat.total() > 1 ? " part " + concat.seq() + "/" + concat.total() : "";
    event("MT " + id + " " + mt.from() + " -> " + mt.to() + which + (completed != null ? ": " + completed : ""));
    log.info("MT {} accepted to {}", id, mask(mt.to()));
    // a receipt says DELIVRD: sent when success receipts were asked for (registered_delivery bits 01), not for
    // failure-only (10)
    awaitingResp.put(id, new Accepted(mt, (rd & 0x03) == 0x01, sarOf(sm.getOptionalParameters())));
    return new SubmitSmResult(messageId(id), new OptionalParameter[0]);
  }

  private void afterSubmitResp(String messageId) {
    var accepted = awaitingResp.remove(messageId);
    if (accepted == null) {
      return; // a handset's MO
    }
    var mt = accepted.mt();
    if (accepted.sendReceipt()) {
      var now = Instant.now();
      var zone = ZoneId.systemDefault();
      var text = "id:" + mt.messageId() + " sub:001 dlvrd:001 submit date:" + RECEIPT_DATE.format(mt.at().atZone(zone))
          + " done date:" + RECEIPT_DATE.format(now.atZone(zone)) + " stat:DELIVRD err:000 text:";
      var tlvs = new OptionalParameter[] {
          new OptionalParameter.Receipted_message_id(mt.messageId()),
          new OptionalParameter.Message_state((byte) 2)};
      enqueue(List.of(new Delivery(Kind.RECEIPT, mt.to(), mt.from(), ESM_SMSC_DELIVERY_RECEIPT, (byte) 0,
          text.getBytes(StandardCharsets.US_ASCII), tlvs, "DLR for MT " + mt.messageId())), false);
      event("DLR queued for MT " + mt.messageId() + " (stat:DELIVRD)");
    }
    toHandsets.execute(() -> forwardToHandset(mt, accepted.sar()));
  }

  private void forwardToHandset(Mt mt, OptionalParameter[] sar) {
    Peer handset = null;
    lock.lock();
    try {
      var handsets = peers.stream()
          .filter(p -> p.role == Role.HANDSET && p.ready && p.session.getSessionState().isReceivable()).toList();
      handset = handsets.stream().filter(p -> p.addressRange.equals(mt.to())).findFirst()
          .orElse(handsets.size() == 1 ? handsets.get(0) : null);
    } finally {
      lock.unlock();
    }
    if (handset == null) {
      return;
    }
    var d = new Delivery(Kind.TO_HANDSET, mt.from(), mt.to(), mt.udhi() ? ESM_UDHI : 0, mt.dataCoding(),
        mt.shortMessage(), sar, "MT " + mt.messageId() + " to handset " + mt.to());
    int status = attempt(handset, d);
    event(d.label() + (status == DELIVERED ? " delivered" : " not delivered (" + statusName(status) + ")"));
  }

  private static OptionalParameter[] sarOf(OptionalParameter[] tlvs) {
    if (tlvs == null) {
      return new OptionalParameter[0];
    }
    return java.util.Arrays.stream(tlvs)
        .filter(p -> p != null && (p.tag == ReceivedPart.TAG_SAR_MSG_REF_NUM
            || p.tag == ReceivedPart.TAG_SAR_TOTAL_SEGMENTS || p.tag == ReceivedPart.TAG_SAR_SEGMENT_SEQNUM))
        .toArray(OptionalParameter[]::new);
  }

  /** A handset's submit_sm is an MO: acknowledged, then delivered to the application as it came. */
  private SubmitSmResult acceptHandsetSubmit(Peer handset, SubmitSm sm) throws ProcessRequestException {
    var id = nextMessageId();
    var from = sm.getSourceAddr() == null || sm.getSourceAddr().isEmpty() ? handset.addressRange : sm.getSourceAddr();
    var to = sm.getDestAddress();
    var tlvs = sarOf(sm.getOptionalParameters());
    // esm_class: the GSM features (UDHI, reply path) pass through; mode and type bits mean other things in deliver_sm
    byte esm = (byte) (sm.getEsmClass() & 0xC0);
    var part = ReceivedPart.of(sm.getShortMessage(), SubmitSm.isUdhi(esm), tlvs);
    var concat = part.concat();
    int seq = concat != null ? concat.seq() : 1;
    int total = concat != null ? concat.total() : 1;
    enqueue(List.of(new Delivery(Kind.MO, from, to, esm, sm.getDataCoding(), sm.getShortMessage(), tlvs,
        label(from, to, seq, total))), false);
    var text = SmsCodec.decode(sm.getDataCoding(), part.body());
    event("MO queued " + from + " -> " + to + " from handset" + (total > 1 ? " (part " + seq + "/" + total + ")" : "")
        + (text != null ? ": " + text : ""));
    log.info("MO queued from handset {}", mask(from));
    return new SubmitSmResult(messageId(id), new OptionalParameter[0]);
  }

  private String nextMessageId() {
    return String.format("%08x", messageIds.incrementAndGet());
  }

  private static MessageId messageId(String id) throws ProcessRequestException {
    try {
      return new MessageId(id);
    } catch (PDUStringException e) {
      throw new ProcessRequestException("bad message id", SMPPConstant.STAT_ESME_RSYSERR);
    }
  }

  // ---------------------------------------------------------------- faults

  /** Closes every application session now, as a network drop would (no unbind). */
  public void dropConnections() {
    List<Peer> apps;
    lock.lock();
    try {
      apps = peers.stream().filter(p -> p.role == Role.APPLICATION).toList();
    } finally {
      lock.unlock();
    }
    event("dropping " + apps.size() + " application connection(s)");
    log.info("dropping {} application connection(s)", apps.size());
    apps.forEach(p -> p.session.close());
  }

  /** While true, application binds are answered ESME_RBINDFAIL. */
  public void rejectBinds(boolean reject) {
    this.rejectBinds = reject;
  }

  /** Every response the SMSC sends (bind_resp, submit_sm_resp, enquire_link_resp, ...) waits this long first. */
  public void delayResponses(Duration delay) {
    this.responseDelay = delay == null ? Duration.ZERO : delay;
  }

  /** Every Nth submit_sm from the application (counting from now) is answered ESME_RTHROTTLED; 0 turns it off. */
  public void throttle(int everyNth) {
    lock.lock();
    try {
      throttleEvery = Math.max(0, everyNth);
      applicationSubmits = 0;
    } finally {
      lock.unlock();
    }
  }

  /** The next {@code next} submit_sm from the application are answered ESME_RMSGQFUL. */
  public void queueFull(int next) {
    lock.lock();
    try {
      queueFullRemaining = Math.max(0, next);
    } finally {
      lock.unlock();
    }
  }

  /** While true, the parts of each multi-part MO queued from now on go out in reverse order. */
  public void shuffleParts(boolean shuffle) {
    this.shuffleParts = shuffle;
  }

  /** submit_sm answered ESME_RTHROTTLED so far. */
  public int throttledCount() {
    return throttled.get();
  }

  /** Application sessions bound now. */
  public int boundApplications() {
    lock.lock();
    try {
      return (int) peers.stream()
          .filter(p -> p.role == Role.APPLICATION && p.ready && p.session.getSessionState().isBound()).count();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- sessions

  private void acceptLoop() {
    while (!closed) {
      try {
        var socket = serverSocket.accept();
        io.execute(() -> handshake(socket));
      } catch (IOException e) {
        if (!closed) {
          log.warn("accept failed: {}", e.getMessage());
        }
      }
    }
  }

  private void handshake(Socket socket) {
    SMPPServerSession session = null;
    try {
      socket.setTcpNoDelay(true);
      var conn = new SocketConnection(socket);
      conn.setSoTimeout(BIND_TIMEOUT_MS);
      session = new SMPPServerSession(conn, states, receiver, responses, 3, 100, sender, new DefaultPDUReader());
      session.setTransactionTimer(cfg.responseTimeout().toMillis());
      sessions.add(session);
      if (closed) {
        session.close();
        return;
      }
      BindRequest bind = session.waitForBind(BIND_TIMEOUT_MS);
      var systemId = bind.getSystemId();
      var type = bindTypeName(bind);
      if (HANDSET_SYSTEM_ID.equals(systemId)) {
        var peer = accept(bind, new Peer(session, Role.HANDSET, bind.getAddressRange(), type));
        if (peer != null) {
          event("handset " + peer.addressRange + " bound (" + type + ")");
          log.info("handset {} bound", mask(peer.addressRange));
        }
      } else if (!cfg.systemId().equals(systemId)) {
        refuse(bind, session, SMPPConstant.STAT_ESME_RINVSYSID, "unknown system_id " + systemId);
      } else if (rejectBinds) {
        refuse(bind, session, SMPPConstant.STAT_ESME_RBINDFAIL, "binds rejected (fault)");
      } else if (!cfg.password().equals(bind.getPassword())) {
        refuse(bind, session, SMPPConstant.STAT_ESME_RINVPASWD, "wrong password");
      } else {
        var peer = accept(bind, new Peer(session, Role.APPLICATION, bind.getAddressRange(), type));
        if (peer != null) {
          event("application bound (" + type + ", session " + session.getSessionId() + ")");
          log.info("application bound ({}, session {})", type, session.getSessionId());
        }
      }
    } catch (TimeoutException e) {
      log.info("connection closed: no bind within {} ms", BIND_TIMEOUT_MS);
    } catch (IOException | PDUStringException | RuntimeException e) {
      log.warn("bind failed: {}", e.toString());
      if (session != null) {
        session.close();
      }
    }
  }

  private Peer accept(BindRequest bind, Peer peer) throws IOException, PDUStringException {
    lock.lock();
    try {
      peers.add(peer);
    } finally {
      lock.unlock();
    }
    bind.accept(SMSC_SYSTEM_ID); // sends bind_resp (after the response delay, if any)
    lock.lock();
    try {
      if (!peer.session.getSessionState().isBound()) {
        peers.remove(peer);
        return null;
      }
      peer.ready = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return peer;
  }

  private void refuse(BindRequest bind, SMPPServerSession session, int status, String why) throws IOException {
    event("bind refused (" + statusName(status) + "): " + why);
    log.info("bind refused: {}", statusName(status));
    bind.reject(status);
    // Not at once: jSMPP's client hands the bind_resp to a worker thread while its reader thread sees the socket
    // close, and a session closed first drops the response (the client then times out instead of seeing why).
    CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, io).execute(session::close);
  }

  private static String bindTypeName(BindRequest bind) {
    return switch (bind.getBindType()) {
      case BIND_TRX -> "transceiver";
      case BIND_RX -> "receiver";
      case BIND_TX -> "transmitter";
    };
  }

  private void onStateChange(SessionState newState, SessionState oldState, Session source) {
    if (newState != SessionState.CLOSED && newState != SessionState.UNBOUND) {
      return;
    }
    Peer gone = null;
    lock.lock();
    try {
      for (var p : peers) {
        if (p.session == source) {
          gone = p;
        }
      }
      if (gone != null) {
        peers.remove(gone);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (newState == SessionState.CLOSED) {
      sessions.remove(source);
    }
    if (gone != null) {
      gone.closed.complete(null);
      if (gone.ready) {
        if (gone.role == Role.APPLICATION) {
          event("application unbound (session " + source.getSessionId() + ", " + newState + ")");
          log.info("application session {} {}", source.getSessionId(), newState);
        } else {
          event("handset " + gone.addressRange + " unbound");
          log.info("handset {} {}", mask(gone.addressRange), newState);
        }
      }
    }
  }

  /**
   * The session's peer once its bind is complete. A client may send its first submit_sm the moment it reads the
   * bind_resp, before the thread that sent the bind_resp has marked the peer ready: wait a little for that.
   */
  private Peer readyPeerOf(SMPPServerSession session) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    lock.lock();
    try {
      while (true) {
        Peer peer = null;
        for (var p : peers) {
          if (p.session == session) {
            peer = p;
          }
        }
        if (peer == null || peer.ready) {
          return peer;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS) && !peer.ready) {
          return peer.ready ? peer : null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      lock.unlock();
    }
  }

  private Peer peerOf(SMPPServerSession session) {
    lock.lock();
    try {
      for (var p : peers) {
        if (p.session == session) {
          return p;
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** jSMPP's PDU sender with the response delay in front of every response (negative ones included). */
  private PDUSender delayingSender(PDUSender real) {
    return (PDUSender) Proxy.newProxyInstance(PDUSender.class.getClassLoader(), new Class<?>[] {PDUSender.class},
        (proxy, method, args) -> {
          var name = method.getName();
          boolean response = name.endsWith("Resp") || name.equals("sendGenericNack")
              || (name.equals("sendHeader") && (((Integer) args[1]) & SMPPConstant.MASK_CID_RESP) != 0);
          var delay = responseDelay;
          if (response && !delay.isZero()) {
            try {
              Thread.sleep(delay);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private final class Receiver implements ServerMessageReceiverListener {
    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession source) throws ProcessRequestException {
      var peer = readyPeerOf(source);
      if (peer == null) {
        throw new ProcessRequestException("not bound", SMPPConstant.STAT_ESME_RINVBNDSTS);
      }
      return peer.role == Role.HANDSET ? acceptHandsetSubmit(peer, submitSm) : acceptMt(submitSm);
    }

    @Override
    public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
        throws ProcessRequestException {
      throw unsupported("submit_multi");
    }

    @Override
    public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
      throw unsupported("query_sm");
    }

    @Override
    public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
      throw unsupported("replace_sm");
    }

    @Override
    public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
      throw unsupported("cancel_sm");
    }

    @Override
    public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
        throws ProcessRequestException {
      throw unsupported("broadcast_sm");
    }

    @Override
    public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
        throws ProcessRequestException {
      throw unsupported("cancel_broadcast_sm");
    }

    @Override
    public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm,
        SMPPServerSession source) throws ProcessRequestException {
      throw unsupported("query_broadcast_sm");
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
      throw unsupported("data_sm");
    }

    private ProcessRequestException unsupported(String what) {
      return new ProcessRequestException(what + " is not supported by the test SMSC", SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }

  private final class Responses implements ServerResponseDeliveryListener {
    @Override
    public void onSubmitSmRespSent(SubmitSmResult result, SMPPServerSession source) {
      afterSubmitResp(result.getMessageId());
    }

    @Override
    public void onSubmitSmRespError(SubmitSmResult result, Exception cause, SMPPServerSession source) {
      awaitingResp.remove(result.getMessageId());
      log.info("submit_sm_resp for {} not sent: {}", result.getMessageId(), cause.toString());
    }

    @Override
    public void onSubmitMultiRespSent(SubmitMultiResult result, SMPPServerSession source) {}

    @Override
    public void onSubmitMultiRespError(SubmitMultiResult result, Exception cause, SMPPServerSession source) {}
  }

  // ---------------------------------------------------------------- the rest

  private void event(String line) {
    if (events != null) {
      try {
        events.accept(line);
      } catch (RuntimeException e) {
        log.warn("event listener failed: {}", e.toString());
      }
    }
  }

  /** The SMPP name of a command_status (0x58 is ESME_RTHROTTLED), or its hex value. */
  static String statusName(int status) {
    return switch (status) {
      case NO_RESPONSE -> "no response";
      case CONNECTION_LOST -> "connection lost";
      case UNSENDABLE -> "unsendable";
      case SMPPConstant.STAT_ESME_ROK -> "ESME_ROK";
      case SMPPConstant.STAT_ESME_RSYSERR -> "ESME_RSYSERR";
      case SMPPConstant.STAT_ESME_RBINDFAIL -> "ESME_RBINDFAIL";
      case SMPPConstant.STAT_ESME_RINVPASWD -> "ESME_RINVPASWD";
      case SMPPConstant.STAT_ESME_RINVSYSID -> "ESME_RINVSYSID";
      case SMPPConstant.STAT_ESME_RMSGQFUL -> "ESME_RMSGQFUL";
      case SMPPConstant.STAT_ESME_RTHROTTLED -> "ESME_RTHROTTLED";
      case SMPPConstant.STAT_ESME_RX_T_APPN -> "ESME_RX_T_APPN";
      case SMPPConstant.STAT_ESME_RX_P_APPN -> "ESME_RX_P_APPN";
      case SMPPConstant.STAT_ESME_RX_R_APPN -> "ESME_RX_R_APPN";
      default -> String.format("0x%08x", status);
    };
  }

  /** At most the last three digits of a number, for logs. */
  static String mask(String number) {
    if (number == null || number.isEmpty()) {
      return "";
    }
    return "***" + number.substring(Math.max(0, number.length() - 3));
  }

  private static ThreadFactory daemons(String name) {
    var n = new AtomicInteger();
    return r -> {
      var t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops listening and closes every session; queued MOs are dropped. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      serverSocket.close();
    } catch (IOException e) {
      log.debug("closing the listener: {}", e.toString());
    }
    for (var s : List.copyOf(sessions)) {
      s.close();
    }
    deliverer.interrupt();
    toHandsets.shutdownNow();
    io.shutdownNow();
    try {
      deliverer.join(2_000);
      acceptor.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("test SMSC on port {} closed", serverSocket.getLocalPort());
  }
}
