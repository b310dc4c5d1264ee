// SMPP intake benchmark: this program is the SMSC. It listens, waits for the gateway to bind (system_id
// --system-id) and binds its own baseline ESME in-process (system_id "baseline", jSMPP's SMPPSession with the
// same defaults as the gateway's, acknowledging every deliver_sm at once without storing). Then, for each text
// kind and window, it pushes --count texts alternately to the baseline and to the gateway, --rounds times,
// keeping at most W deliver_sm unacknowledged, each text from its own source number (no per-number rate limit
// applies). Measured: deliver_sm/s and texts/s from the first send to the last deliver_sm_resp, and p50/p99 of
// send -> resp. The gateway's replies (submit_sm) are answered at once.
//
// Run with the source launcher against the built jar (for jSMPP and the gateway's SmsCodec):
//   java -cp gateway/target/hotline-gateway.jar bench/SmppBench.java --port 2875 --count 2000 --rounds 3 \
//     --windows 10,50 --kinds single,ucs2
// and start the gateway with GATEWAY_SMPP_HOST=127.0.0.1 GATEWAY_SMPP_PORT=2875 GATEWAY_SMPP_SYSTEM_ID=hotline
// GATEWAY_SMPP_PASSWORD=hotline. Prints one line per run and a summary table (medians of the rounds).

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.util.MessageId;
import vn.hotline.gateway.sms.SmsCodec;

public class SmppBench {
  static final String SINGLE = "Em bi ban cung lop bat nat, em khong dam di hoc";
  static final String UCS2 = "Có người lạ dọa đăng ảnh của em lên mạng nếu em không gửi thêm ảnh. Em rất sợ, "
      + "không dám nói với bố mẹ, em phải làm sao bây giờ ạ?";

  record Pdu(String from, byte dcs, byte esm, byte[] body) {}

  record Result(String target, String kind, int window, int texts, int pdus, int failed, double seconds,
      double p50, double p99) {
    /** deliver_sm acknowledged with ESME_ROK per second (a negative resp is not intake). */
    double pdusPerSecond() { return (pdus - failed) / seconds; }
    double textsPerSecond() { return texts / seconds; }
  }

  final Map<String, SMPPServerSession> bound = new ConcurrentHashMap<>();
  final AtomicLong messageIds = new AtomicLong();
  final AtomicLong numbers;
  final AtomicInteger submits = new AtomicInteger();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicInteger refs = new AtomicInteger();

  SmppBench(long firstNumber) {
    numbers = new AtomicLong(firstNumber);
  }

  public static void main(String[] argv) throws Exception {
    var a = new LinkedHashMap<String, String>(Map.of("--port", "2875", "--count", "2000", "--rounds", "3",
        "--windows", "10,50", "--kinds", "single,ucs2", "--system-id", "hotline", "--password", "hotline",
        "--warmup", "1000", "--targets", "baseline,gateway", "--bind-wait-seconds", "120"));
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (!a.containsKey(argv[i])) {
        throw new IllegalArgumentException("unknown option " + argv[i] + "; options: " + a.keySet());
      }
      a.put(argv[i], argv[i + 1]);
    }
    int port = Integer.parseInt(a.get("--port"));
    int count = Integer.parseInt(a.get("--count"));
    int rounds = Integer.parseInt(a.get("--rounds"));
    int warmup = Integer.parseInt(a.get("--warmup"));
    var windows = Arrays.stream(a.get("--windows").split(",")).mapToInt(Integer::parseInt).toArray();
    var kinds = a.get("--kinds").split(",");
    var targets = List.of(a.get("--targets").split(","));
    // numbers 849xxxxxxxx from 10,000 a second of the clock (more than a run uses): no text of an earlier run
    // shares a number with this one
    var bench = new SmppBench(84_900_000_000L + System.currentTimeMillis() / 1000 * 10_000 % 99_000_000L);
    bench.listen(port, a.get("--system-id"), a.get("--password"));
    SMPPSession baseline = targets.contains("baseline") ? bench.baseline(port) : null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(a.get("--bind-wait-seconds")));
    for (var t : targets) {
      var id = t.equals("baseline") ? "baseline" : a.get("--system-id");
      while (!bench.bound.containsKey(id)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(t + " did not bind");
        }
        Thread.sleep(50);
      }
      System.out.println(t + " bound (system_id " + id + ")");
    }
    if (warmup > 0) {
      for (var t : targets) {
        var r = bench.run(t, t.equals("baseline") ? "baseline" : a.get("--system-id"), "single", 50, warmup);
        System.out.println("warm-up " + line(r));
      }
    }
    var results = new ArrayList<Result>();
    for (var kind : kinds) {
      for (int w : windows) {
        for (int round = 1; round <= rounds; round++) {
          for (var t : targets) {
            var r = bench.run(t, t.equals("baseline") ? "baseline" : a.get("--system-id"), kind, w, count);
            System.out.println("round " + round + " " + line(r));
            results.add(r);
          }
        }
      }
    }
    System.out.println();
    System.out.println("| text | window | target | deliver_sm/s OK, median (runs) | texts sent/s | p50 ms | p99 ms | to baseline | refused |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (var kind : kinds) {
      for (int w : windows) {
        double base = Double.NaN;
        for (var t : targets) {
          var rs = results.stream().filter(r -> r.target().equals(t) && r.kind().equals(kind) && r.window() == w)
              .toList();
          double pdus = median(rs.stream().mapToDouble(Result::pdusPerSecond).toArray());
          double texts = median(rs.stream().mapToDouble(Result::textsPerSecond).toArray());
          if (t.equals("baseline")) {
            base = pdus;
          }
          var all = rs.stream().mapToDouble(Result::pdusPerSecond).sorted()
              .mapToObj(v -> String.format("%,.0f", v)).toList();
          System.out.printf("| %s | %d | %s | %,.0f (%s) | %,.0f | %.1f | %.1f | %s | %d |%n", kind, w, t, pdus,
              String.join(", ", all), texts, median(rs.stream().mapToDouble(Result::p50).toArray()),
              median(rs.stream().mapToDouble(Result::p99).toArray()),
              t.equals("baseline") || Double.isNaN(base) ? "" : String.format("%.2f", pdus / base),
              rs.stream().mapToInt(Result::failed).sum());
        }
      }
    }
    System.out.println();
    System.out.println("deliver_sm acknowledged OK by " + a.get("--system-id") + " (warm-up included): "
        + bench.gatewayAcks.get() + "; texts sent to it: " + bench.gatewayTexts.get()
        + "; submit_sm answered: " + bench.submits.get() + "; negative deliver_sm_resp: " + bench.refusals);
    if (baseline != null) {
      baseline.unbindAndClose();
    }
    System.exit(0);
  }

  final AtomicLong gatewayAcks = new AtomicLong();
  /** Negative deliver_sm_resp by command_status (0x00000064 ESME_RX_T_APPN: not stored, deliver again). */
  final Map<String, Integer> refusals = new ConcurrentHashMap<>();
  final AtomicLong gatewayTexts = new AtomicLong();

  static String line(Result r) {
    return String.format("%-8s %-6s window %2d: %d texts, %d deliver_sm in %.2f s: %,.0f deliver_sm/s OK, %,.0f texts/s,"
        + " p50 %.1f ms, p99 %.1f ms, refused %d", r.target(), r.kind(), r.window(), r.texts(), r.pdus(), r.seconds(),
        r.pdusPerSecond(), r.textsPerSecond(), r.p50(), r.p99(), r.failed());
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    var s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The PDUs of {@code count} texts of one kind, each text from a number of its own. */
  List<Pdu> pdus(String kind, int count) {
    var out = new ArrayList<Pdu>();
    for (int i = 0; i < count; i++) {
      var from = Long.toString(numbers.incrementAndGet());
      var encoded = SmsCodec.encode(kind.equals("ucs2") ? UCS2 : SINGLE, refs.incrementAndGet() & 0xff);
      if (kind.equals("ucs2") && (encoded.dataCoding() != SmsCodec.DCS_UCS2 || encoded.parts().size() < 2)) {
        throw new IllegalStateException("the UCS-2 text is not a concatenated UCS-2 message");
      }
      for (var p : encoded.parts()) {
        out.add(new Pdu(from, encoded.dataCoding(), p.udhi() ? (byte) 0x40 : 0, p.bytes()));
      }
    }
    return out;
  }

  /** Pushes the texts to one bound ESME with at most {@code window} deliver_sm awaiting their resp. */
  Result run(String target, String systemId, String kind, int window, int count) throws InterruptedException {
    var session = bound.get(systemId);
    var pdus = pdus(kind, count);
    var latencies = new long[pdus.size()];
    var next = new AtomicInteger();
    var failed = new AtomicInteger();
    var done = new CountDownLatch(window);
    long start = System.nanoTime();
    for (int w = 0; w < window; w++) {
      Thread.ofPlatform().daemon().name("push-" + w).start(() -> {
        try {
          int i;
          while ((i = next.getAndIncrement()) < pdus.size()) {
            var p = pdus.get(i);
            long t0 = System.nanoTime();
            try {
              session.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, p.from(),
                  TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, "111", new ESMClass(p.esm()), (byte) 0,
                  (byte) 0, new RegisteredDelivery(0), new RawDataCoding(p.dcs()), p.body());
              if (!target.equals("baseline")) {
                gatewayAcks.incrementAndGet();
              }
            } catch (NegativeResponseException e) {
              failed.incrementAndGet();
              refusals.merge(String.format("0x%08x", e.getCommandStatus()), 1, Integer::sum);
            } catch (Exception e) {
              failed.incrementAndGet();
              System.err.println("deliver_sm failed: " + e);
            }
            latencies[i] = System.nanoTime() - t0;
          }
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (!target.equals("baseline")) {
      gatewayTexts.addAndGet(count);
    }
    Arrays.sort(latencies);
    return new Result(target, kind, window, count, pdus.size(), failed.get(), seconds,
        latencies[(int) (latencies.length * 0.50)] / 1e6, latencies[Math.min(latencies.length - 1,
        (int) Math.ceil(latencies.length * 0.99) - 1)] / 1e6);
  }

  /** Accepts binds: the last session bound with a system_id is the one texts go to. */
  void listen(int port, String systemId, String password) throws IOException {
    var listener = new SMPPServerSessionListener(port);
    listener.setPduProcessorDegree(8);
    listener.setQueueCapacity(1000);
    listener.setMessageReceiverListener(new Replies());
    Thread.ofPlatform().daemon().name("smsc-accept").start(() -> {
      while (true) {
        try {
          var session = listener.accept();
          session.setTransactionTimer(30_000);
          Thread.ofPlatform().daemon().start(() -> {
            try {
              var bind = session.waitForBind(10_000);
              var id = bind.getSystemId();
              if (!id.equals("baseline") && !(id.equals(systemId) && password.equals(bind.getPassword()))) {
                bind.reject(org.jsmpp.SMPPConstant.STAT_ESME_RINVPASWD);
                return;
              }
              bind.accept("SmppBench");
              bound.put(id, session);
              session.addSessionStateListener((now, before, src) -> {
                if (!now.isBound()) {
                  bound.remove(id, session);
                }
              });
            } catch (Exception e) {
              System.err.println("bind failed: " + e);
              session.close();
            }
          });
        } catch (IOException e) {
          System.err.println("accept failed: " + e);
          return;
        }
      }
    });
  }

  /** The ESME that acknowledges without storing: bound as the gateway binds (transceiver, jSMPP's defaults). */
  SMPPSession baseline(int port) throws IOException {
    var s = new SMPPSession();
    s.setTransactionTimer(10_000);
    s.setMessageReceiverListener(new MessageReceiverListener() {
      @Override
      public void onAcceptDeliverSm(DeliverSm d) {
        acknowledged.incrementAndGet();
      }

      @Override
      public void onAcceptAlertNotification(AlertNotification a) {}

      @Override
      public DataSmResult onAcceptDataSm(DataSm d, Session s) throws ProcessRequestException {
        throw new ProcessRequestException("no data_sm", org.jsmpp.SMPPConstant.STAT_ESME_RINVCMDID);
      }
    });
    s.connectAndBind("127.0.0.1", port, new BindParameter(BindType.BIND_TRX, "baseline", "baseline", "",
        TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null), 10_000);
    return s;
  }

  /** submit_sm from the gateway (its replies) answered at once with a message id. */
  final class Replies implements ServerMessageReceiverListener {
    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm s, SMPPServerSession src) throws ProcessRequestException {
      submits.incrementAndGet();
      try {
        return new SubmitSmResult(new MessageId(Long.toHexString(messageIds.incrementAndGet())), null);
      } catch (org.jsmpp.PDUStringException e) {
        throw new ProcessRequestException(e.getMessage(), org.jsmpp.SMPPConstant.STAT_ESME_RSYSERR);
      }
    }

    @Override
    public org.jsmpp.session.SubmitMultiResult onAcceptSubmitMulti(org.jsmpp.bean.SubmitMulti s,
        SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public org.jsmpp.session.QuerySmResult onAcceptQuerySm(org.jsmpp.bean.QuerySm q, SMPPServerSession src)
        throws ProcessRequestException {
      throw no();
    }

    @Override
    public void onAcceptReplaceSm(org.jsmpp.bean.ReplaceSm r, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public void onAcceptCancelSm(org.jsmpp.bean.CancelSm c, SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public org.jsmpp.session.BroadcastSmResult onAcceptBroadcastSm(org.jsmpp.bean.BroadcastSm b,
        SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public void onAcceptCancelBroadcastSm(org.jsmpp.bean.CancelBroadcastSm c, SMPPServerSession src)
        throws ProcessRequestException {
      throw no();
    }

    @Override
    public org.jsmpp.session.QueryBroadcastSmResult onAcceptQueryBroadcastSm(org.jsmpp.bean.QueryBroadcastSm q,
        SMPPServerSession src) throws ProcessRequestException {
      throw no();
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm d, Session src) throws ProcessRequestException {
      throw no();
    }

    private ProcessRequestException no() {
      return new ProcessRequestException("not supported", org.jsmpp.SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }
}
