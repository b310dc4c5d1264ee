package vn.hotline.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.jsmpp.util.DeliveryReceiptState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.sms.ReceivedPart;
import vn.hotline.gateway.sms.SmsCodec;

/** The test SMSC over real SMPP on loopback, with plain jSMPP client sessions as the application and as phones. */
class TestSmscTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String CHILD = "0912345678";
  private static final String REPORT = "Báo cáo: em bị bắt nạt ở trường";
  /** Three UCS-2 parts (67 characters a part with the UDH). */
  private static final String LONG_REPORT =
      "Em bị bạn cùng lớp đe dọa trên mạng xã hội, tối nào cũng nhắn tin chửi em và dọa đánh em ở cổng trường. "
          + "Em sợ không dám đi học, cũng không dám nói với bố mẹ vì sợ bị mắng. Em phải làm gì bây giờ ạ?";

  private final Deque<AutoCloseable> closeAfter = new ArrayDeque<>();
  private TestSmsc smsc;

  /** The commands quiet the loggers (Cli.quietLogs and jSMPP's); the tests after them keep their logs. */
  private static final ch.qos.logback.classic.Logger ROOT =
      (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private static final ch.qos.logback.classic.Logger JSMPP =
      (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.jsmpp");
  private final ch.qos.logback.classic.Level rootLevel = ROOT.getLevel();
  private final ch.qos.logback.classic.Level jsmppLevel = JSMPP.getLevel();

  private TestSmsc smsc() {
    return smsc(Duration.ofSeconds(2));
  }

  private TestSmsc smsc(Duration responseTimeout) {
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(200), responseTimeout));
    closeAfter.push(smsc);
    return smsc;
  }

  @AfterEach
  void closeAll() throws Exception {
    while (!closeAfter.isEmpty()) {
      closeAfter.pop().close();
    }
    ROOT.setLevel(rootLevel);
    JSMPP.setLevel(jsmppLevel);
  }

  // ------------------------------------------------------------------ binds

  @Test
  void applicationBindsAreCheckedAndHandsetsBindWithAnyPassword() throws Exception {
    smsc();
    assertEquals(SMPPConstant.STAT_ESME_RINVPASWD, bindStatus("hotline", "wrong"));
    assertEquals(SMPPConstant.STAT_ESME_RINVSYSID, bindStatus("stranger", "hotline"));
    smsc.rejectBinds(true);
    assertEquals(SMPPConstant.STAT_ESME_RBINDFAIL, bindStatus("hotline", "hotline"));
    smsc.rejectBinds(false);
    assertEquals(0, smsc.boundApplications());

    var app = app();
    assertEquals(SessionState.BOUND_TRX, app.session.getSessionState());
    eventually("one application bound", () -> smsc.boundApplications() == 1);
    var phone = new Client(smsc.port(), "handset", "anything", CHILD);
    closeAfter.push(phone);
    assertEquals(SessionState.BOUND_TRX, phone.session.getSessionState());
    assertEquals(1, smsc.boundApplications(), "a handset is not an application");
  }

  private int bindStatus(String systemId, String password) {
    var e = assertThrows(IOException.class, () -> new Client(smsc.port(), systemId, password, "").close());
    return assertInstanceOf(NegativeResponseException.class, e.getCause(), e.toString()).getCommandStatus();
  }

  // ------------------------------------------------------------------ MO

  @Test
  void moWithVietnameseDiacriticsArrivesAsUcs2AndDecodesBack() throws Exception {
    smsc();
    var app = app();
    smsc.deliverMo(CHILD, "111", REPORT);

    var pdu = app.next();
    assertEquals(CHILD, pdu.getSourceAddr());
    assertEquals("111", pdu.getDestAddress());
    assertEquals(SmsCodec.DCS_UCS2, pdu.getDataCoding());
    assertFalse(pdu.isUdhi());
    assertEquals(REPORT, SmsCodec.decode(pdu.getDataCoding(), pdu.getShortMessage()));
    eventually("the MO counted as delivered", () -> smsc.deliveredCount() == 1);
    assertEquals(1, smsc.deliveryAttempts());
  }

  @Test
  void longMoArrivesAsThreeUdhPartsInOrderAndReversedWhenShuffled() throws Exception {
    smsc();
    assertEquals(3, SmsCodec.encode(LONG_REPORT, 1).parts().size(), "the fixture should need three parts");
    var app = app();

    smsc.deliverMo(CHILD, "111", LONG_REPORT);
    var inOrder = List.of(app.next(), app.next(), app.next());
    assertEquals(List.of(1, 2, 3), seqs(inOrder));
    assertEquals(LONG_REPORT, reassemble(inOrder));

    smsc.shuffleParts(true);
    smsc.deliverMo(CHILD, "111", LONG_REPORT);
    var shuffled = List.of(app.next(), app.next(), app.next());
    assertEquals(List.of(3, 2, 1), seqs(shuffled));
    assertEquals(LONG_REPORT, reassemble(shuffled));
    assertNotEquals(reference(inOrder.get(0)), reference(shuffled.get(0)), "each message has its own reference");
    eventually("six parts delivered", () -> smsc.deliveredCount() == 6);
  }

  private static List<Integer> seqs(List<DeliverSm> parts) {
    var out = new ArrayList<Integer>();
    for (var p : parts) {
      assertTrue(p.isUdhi(), "each part carries a UDH (esm_class 0x40)");
      assertEquals(0x40, p.getEsmClass() & 0x40);
      var concat = SmsCodec.splitUdh(p.getShortMessage()).concat();
      assertNotNull(concat);
      assertEquals(3, concat.total());
      out.add(concat.seq());
    }
    return out;
  }

  private static int reference(DeliverSm part) {
    return SmsCodec.splitUdh(part.getShortMessage()).concat().reference();
  }

  private static String reassemble(List<DeliverSm> parts) {
    var r = new Reassembler();
    String text = null;
    for (var p : parts) {
      text = r.add(new Reassembler.Piece(p.getSourceAddr(), p.getDestAddress(), p.getDataCoding(), p.getShortMessage(),
          p.isUdhi(), ReceivedPart.sar(p.getOptionalParameters())));
    }
    return text;
  }

  @Test
  void sarVariantCarriesTheConcatenationInTlvsWithoutUdh() throws Exception {
    smsc();
    var app = app();
    smsc.deliverMoSar(CHILD, "111", LONG_REPORT);
    var parts = List.of(app.next(), app.next(), app.next());
    int ref = -1;
    for (int i = 0; i < 3; i++) {
      var p = parts.get(i);
      assertFalse(p.isUdhi());
      assertEquals(SmsCodec.DCS_UCS2, p.getDataCoding());
      var refTlv = assertInstanceOf(OptionalParameter.Short.class,
          p.getOptionalParameter(OptionalParameter.Tag.SAR_MSG_REF_NUM));
      var total = assertInstanceOf(OptionalParameter.Byte.class,
          p.getOptionalParameter(OptionalParameter.Tag.SAR_TOTAL_SEGMENTS));
      var seq = assertInstanceOf(OptionalParameter.Byte.class,
          p.getOptionalParameter(OptionalParameter.Tag.SAR_SEGMENT_SEQNUM));
      assertEquals(3, total.getValue());
      assertEquals(i + 1, seq.getValue());
      if (ref >= 0) {
        assertEquals(ref, refTlv.getValue() & 0xffff);
      }
      ref = refTlv.getValue() & 0xffff;
      // no header: the body is plain UCS-2 text
      assertEquals(0, p.getShortMessage().length % 2);
    }
    assertEquals(LONG_REPORT, reassemble(parts));
  }

  @Test
  void moQueuedWhileNoApplicationIsBoundGoesOutWhenOneBinds() throws Exception {
    smsc();
    smsc.deliverMo(CHILD, "111", "Cuu em voi");
    assertEquals(1, smsc.queued());
    assertEquals(0, smsc.deliveryAttempts(), "nothing to deliver to yet");

    var app = app();
    var pdu = app.next();
    assertEquals("Cuu em voi", SmsCodec.decode(pdu.getDataCoding(), pdu.getShortMessage()));
    eventually("delivered and dequeued", () -> smsc.deliveredCount() == 1 && smsc.queued() == 0);
  }

  @Test
  void moRefusedByTheApplicationIsDeliveredAgainAndCountedOnceWhenAcked() throws Exception {
    smsc();
    var app = app();
    var answers = new AtomicInteger();
    app.answer = pdu -> answers.incrementAndGet() <= 2 ? SMPPConstant.STAT_ESME_RX_T_APPN : 0;
    smsc.deliverMo(CHILD, "111", REPORT);

    var first = app.nextReceived();
    var second = app.nextReceived();
    var third = app.nextReceived();
    assertArrayEquals(first.pdu().getShortMessage(), second.pdu().getShortMessage());
    assertArrayEquals(first.pdu().getShortMessage(), third.pdu().getShortMessage());
    assertEquals(CHILD, third.pdu().getSourceAddr());
    assertTrue(second.atNanos() - first.atNanos() >= TimeUnit.MILLISECONDS.toNanos(150),
        "redelivered after the interval (200 ms), not at once");
    eventually("acked once", () -> smsc.deliveredCount() == 1);
    assertEquals(3, smsc.deliveryAttempts());

    // the next MO comes next: nothing more of the first one
    smsc.deliverMo(CHILD, "111", "tin thu hai");
    assertEquals("tin thu hai", text(app.next()));
    eventually("both acked", () -> smsc.deliveredCount() == 2);
    assertEquals(4, smsc.deliveryAttempts());
  }

  @Test
  void moWithoutResponseInTimeIsDeliveredAgain() throws Exception {
    smsc(Duration.ofMillis(300));
    var app = app();
    var calls = new AtomicInteger();
    app.answer = pdu -> {
      if (calls.incrementAndGet() == 1) {
        sleepQuietly(1_000); // a stuck application: its OK comes after the SMSC stopped waiting
      }
      return 0;
    };
    smsc.deliverMo(CHILD, "111", REPORT);
    var first = app.next();
    var again = app.next();
    assertArrayEquals(first.getShortMessage(), again.getShortMessage());
    eventually("acked by the second attempt", () -> smsc.deliveredCount() == 1);
    assertEquals(2, smsc.deliveryAttempts());
  }

  @Test
  void moNotAckedBeforeTheApplicationDiesGoesToTheNextApplication() throws Exception {
    smsc();
    var release = new CountDownLatch(1);
    closeAfter.push(release::countDown);
    var gateway = app();
    gateway.answer = pdu -> {
      await(release); // "killed before committing": never answers
      return 0;
    };
    smsc.deliverMo(CHILD, "111", REPORT);
    assertEquals(REPORT, text(gateway.next()));
    gateway.session.close(); // the process dies; no unbind, no deliver_sm_resp
    eventually("the dead application is gone", () -> smsc.boundApplications() == 0);

    var restarted = app();
    assertEquals(REPORT, text(restarted.next()));
    eventually("delivered once", () -> smsc.deliveredCount() == 1);
    assertEquals(2, smsc.deliveryAttempts());
  }

  // ------------------------------------------------------------------ MT

  @Test
  void submittedMtIsRecordedAndItsPartsReassembled() throws Exception {
    smsc();
    var app = app();
    var reply = "Cảm ơn em đã nhắn tin cho Tổng đài 111. Tư vấn viên sẽ gọi lại cho em sớm nhất có thể, em nhé.";
    var encoded = SmsCodec.encode(reply, 0x2A);
    assertEquals(2, encoded.parts().size(), "the fixture should need two parts");

    var ids = app.submitText("111", CHILD, reply, false);
    assertEquals(2, ids.size());
    assertNotEquals(ids.get(0), ids.get(1));

    var mts = smsc.mts();
    assertEquals(2, mts.size());
    for (int i = 0; i < 2; i++) {
      var mt = mts.get(i);
      assertEquals(ids.get(i), mt.messageId());
      assertEquals("111", mt.from());
      assertEquals(CHILD, mt.to());
      assertEquals(SmsCodec.DCS_UCS2, mt.dataCoding());
      assertTrue(mt.udhi());
      assertFalse(mt.deliveryReceiptRequested());
    }
    assertEquals(List.of(reply), smsc.mtTexts(CHILD));
    assertEquals(List.of(), smsc.mtTexts("0987654321"));
    assertEquals(List.of(reply), smsc.awaitMtTexts(CHILD, 1, WAIT));
    var timeout = assertThrows(TimeoutException.class, () -> smsc.awaitMtTexts(CHILD, 2, Duration.ofMillis(100)));
    assertTrue(timeout.getMessage().contains(reply), timeout.getMessage());
  }

  @Test
  void deliveryReceiptArrivesWhenRequested() throws Exception {
    smsc();
    var app = app();
    var id = app.submit("111", CHILD, SmsCodec.encode("Da nhan bao cao", 1),
        new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE)).get(0);
    assertTrue(smsc.mts().get(0).deliveryReceiptRequested());

    var dlr = app.next();
    assertTrue(dlr.isSmscDeliveryReceipt(), "esm_class 0x04");
    assertEquals(0x04, dlr.getEsmClass() & 0x3C);
    assertEquals(CHILD, dlr.getSourceAddr());
    assertEquals("111", dlr.getDestAddress());
    var receipted = assertInstanceOf(OptionalParameter.COctetString.class,
        dlr.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID));
    assertEquals(id, receipted.getValueAsString());
    var state = assertInstanceOf(OptionalParameter.Byte.class,
        dlr.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE));
    assertEquals(2, state.getValue());
    var text = new String(dlr.getShortMessage(), StandardCharsets.US_ASCII);
    assertTrue(Pattern.matches("id:" + id + " sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD"
        + " err:000 text:", text), text);
    var parsed = dlr.getShortMessageAsDeliveryReceipt();
    assertEquals(id, parsed.getId());
    assertEquals(DeliveryReceiptState.DELIVRD, parsed.getFinalStatus());
    eventually("receipt acked", () -> smsc.receiptsDelivered() == 1);
    assertEquals(0, smsc.deliveredCount(), "receipts are not MOs");
  }

  @Test
  void throttlingAndAFullQueueRefuseSubmits() throws Exception {
    smsc();
    var app = app();
    var part = SmsCodec.encode("Tra loi", 1);
    smsc.throttle(2);
    assertNotNull(app.submit("111", CHILD, part, new RegisteredDelivery(0)).get(0));
    assertEquals(SMPPConstant.STAT_ESME_RTHROTTLED, refusal(app, part));
    assertNotNull(app.submit("111", CHILD, part, new RegisteredDelivery(0)).get(0));
    assertEquals(SMPPConstant.STAT_ESME_RTHROTTLED, refusal(app, part));
    assertEquals(2, smsc.throttledCount());
    assertEquals(2, smsc.mts().size(), "refused submits are not recorded");

    smsc.throttle(0);
    smsc.queueFull(2);
    assertEquals(SMPPConstant.STAT_ESME_RMSGQFUL, refusal(app, part));
    assertEquals(SMPPConstant.STAT_ESME_RMSGQFUL, refusal(app, part));
    assertNotNull(app.submit("111", CHILD, part, new RegisteredDelivery(0)).get(0));
    assertEquals(3, smsc.mts().size());
    assertEquals(2, smsc.throttledCount());
  }

  private static int refusal(Client app, SmsCodec.Encoded part) {
    var e = assertThrows(NegativeResponseException.class,
        () -> app.submit("111", CHILD, part, new RegisteredDelivery(0)));
    return e.getCommandStatus();
  }

  // ------------------------------------------------------------------ faults on the connection

  @Test
  void droppedConnectionsCloseTheApplicationSession() throws Exception {
    smsc();
    var app = app();
    var closed = new CountDownLatch(1);
    app.session.addSessionStateListener((now, before, source) -> {
      if (now == SessionState.CLOSED) {
        closed.countDown();
      }
    });
    eventually("bound", () -> smsc.boundApplications() == 1);
    smsc.dropConnections();
    assertTrue(closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the client saw its session close");
    assertEquals(SessionState.CLOSED, app.session.getSessionState());
    eventually("no application bound", () -> smsc.boundApplications() == 0);

    // store and forward carries on with the next bind
    smsc.deliverMo(CHILD, "111", REPORT);
    assertEquals(REPORT, text(app().next()));
  }

  @Test
  void delayedResponsesSlowSubmitsDown() throws Exception {
    smsc();
    var app = app();
    smsc.delayResponses(Duration.ofMillis(300));
    long start = System.nanoTime();
    app.submit("111", CHILD, SmsCodec.encode("Cham", 1), new RegisteredDelivery(0));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs >= 300, "submit_sm_resp came after " + tookMs + " ms");
    smsc.delayResponses(Duration.ZERO);
    start = System.nanoTime();
    app.submit("111", CHILD, SmsCodec.encode("Nhanh", 1), new RegisteredDelivery(0));
    tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMs < 300, "without the delay submit_sm_resp came after " + tookMs + " ms");
  }

  // ------------------------------------------------------------------ handsets

  @Test
  void handsetSubmitIsAnMoAndApplicationMtReachesTheHandset() throws Exception {
    smsc();
    var app = app();
    var phone = new Client(smsc.port(), "handset", "x", CHILD);
    closeAfter.push(phone);

    var phoneIds = phone.submitText(CHILD, "111", REPORT, false);
    assertEquals(1, phoneIds.size());
    var mo = app.next();
    assertEquals(CHILD, mo.getSourceAddr());
    assertEquals("111", mo.getDestAddress());
    assertEquals(SmsCodec.DCS_UCS2, mo.getDataCoding());
    assertEquals(REPORT, text(mo));
    assertEquals(List.of(), smsc.mts(), "a handset's submit is not an MT");

    phone.submitText(CHILD, "111", LONG_REPORT, false);
    var parts = List.of(app.next(), app.next(), app.next());
    assertEquals(List.of(1, 2, 3), seqs(parts));
    assertEquals(LONG_REPORT, reassemble(parts));

    app.submitText("111", CHILD, "Tong dai 111 da nhan tin nhan cua em.", false);
    var mt = phone.next();
    assertEquals("111", mt.getSourceAddr());
    assertEquals(CHILD, mt.getDestAddress());
    assertEquals("Tong dai 111 da nhan tin nhan cua em.", text(mt));
  }

  @Test
  void sendSmsPrintsTheApplicationsRepliesReassembled() throws Exception {
    smsc();
    var echo = echoApplication();
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var cmd = new SendSmsCommand(utf8(out), utf8(err), new ByteArrayInputStream(new byte[0]), Duration.ofMillis(300));
    int code = new CommandLine(cmd).execute("--smsc", "127.0.0.1:" + smsc.port(), "--from", CHILD,
        "--text", REPORT, "--text", LONG_REPORT, "--wait", "5");

    var printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed + err.toString(StandardCharsets.UTF_8));
    var expected = "> " + REPORT + "\n< ECHO: " + REPORT + "\n> " + LONG_REPORT + "\n< ECHO: " + LONG_REPORT + "\n";
    assertEquals(expected, printed.replace("\r\n", "\n"));
    assertEquals(2, echo.get());
    assertEquals(List.of("ECHO: " + REPORT, "ECHO: " + LONG_REPORT), smsc.mtTexts(CHILD));
  }

  @Test
  void sendSmsInteractiveSendsEachLineUntilAnEmptyOne() throws Exception {
    smsc();
    echoApplication();
    var out = new ByteArrayOutputStream();
    var in = new ByteArrayInputStream("Xin chào\nCứu em\n\nnot sent\n".getBytes(StandardCharsets.UTF_8));
    var cmd = new SendSmsCommand(utf8(out), utf8(new ByteArrayOutputStream()), in, Duration.ofMillis(300));
    int code = new CommandLine(cmd).execute("--smsc", "127.0.0.1:" + smsc.port(), "--from", CHILD, "--interactive",
        "--wait", "5");
    assertEquals(0, code);
    assertEquals("> Xin chào\n< ECHO: Xin chào\n> Cứu em\n< ECHO: Cứu em\n",
        out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
  }

  @Test
  void sendSmsSaysSoWhenTheSmscCannotBeReached() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    var err = new ByteArrayOutputStream();
    var cmd = new SendSmsCommand(utf8(new ByteArrayOutputStream()), utf8(err), new ByteArrayInputStream(new byte[0]),
        Duration.ofMillis(300));
    int code = new CommandLine(cmd).execute("--smsc", "127.0.0.1:" + port, "--from", CHILD, "--text", "alo",
        "--wait-seconds", "1");
    assertEquals(1, code);
    var said = err.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("send-sms: nothing is listening at 127.0.0.1:" + port + " (waited 1 s): is `test-smsc`"
        + " running"), said);
    assertFalse(said.contains("null"), said);
  }

  @Test
  void sendSmsStartedBeforeTheSmscWaitsForItAndGetsItsReply() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var cmd = new SendSmsCommand(utf8(out), utf8(err), new ByteArrayInputStream(new byte[0]), Duration.ofMillis(300));
    var exit = new AtomicReference<Integer>();
    var thread = new Thread(() -> exit.set(new CommandLine(cmd).execute("--smsc", "127.0.0.1:" + port, "--from", CHILD,
        "--text", REPORT, "--wait", "5", "--wait-seconds", "30")));
    thread.start();
    closeAfter.push(() -> thread.join(10_000));
    // send-sms has found nothing there and says it waits: only now does the SMSC start
    eventually("send-sms waiting", () -> out.toString(StandardCharsets.UTF_8)
        .contains("Waiting up to 30 s for the SMSC at 127.0.0.1:" + port));
    smsc = TestSmsc.start(new TestSmsc.Config(port, "hotline", "hotline", Duration.ofMillis(200), Duration.ofSeconds(2)));
    closeAfter.push(smsc);
    echoApplication();
    thread.join(30_000);
    var printed = out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    assertEquals(0, exit.get(), printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.endsWith("> " + REPORT + "\n< ECHO: " + REPORT + "\n"), printed);
  }

  @Test
  void testSmscCommandPrintsItsPortAndEvents() throws Exception {
    var out = new ByteArrayOutputStream();
    var printer = utf8(out);
    var stop = new CountDownLatch(1);
    var exit = new AtomicReference<Integer>();
    var thread = new Thread(() -> exit.set(new CommandLine(new TestSmscCommand(printer, stop))
        .execute("--port", "0", "--system-id", "gw", "--password", "pw", "--throttle-every", "2")));
    thread.start();
    closeAfter.push(() -> {
      stop.countDown();
      thread.join(5_000);
    });
    var banner = Pattern.compile("test SMSC listening on port (\\d+) \\(system_id gw\\)");
    eventually("the banner", () -> banner.matcher(out.toString(StandardCharsets.UTF_8)).find());
    var m = banner.matcher(out.toString(StandardCharsets.UTF_8));
    assertTrue(m.find());
    int port = Integer.parseInt(m.group(1));

    var app = new Client(port, "gw", "pw", "");
    closeAfter.push(app);
    eventually("bound event", () -> out.toString(StandardCharsets.UTF_8).contains("application bound (transceiver"));
    var part = SmsCodec.encode("Tra loi", 1);
    app.submit("111", CHILD, part, new RegisteredDelivery(0));
    assertEquals(SMPPConstant.STAT_ESME_RTHROTTLED, refusal(app, part), "--throttle-every 2");
    eventually("MT event", () -> out.toString(StandardCharsets.UTF_8).contains("111 -> " + CHILD + ": Tra loi"));

    stop.countDown();
    thread.join(5_000);
    assertFalse(thread.isAlive());
    assertEquals(0, exit.get());
  }

  // ------------------------------------------------------------------ helpers

  /** A tiny application: every MO (reassembled) goes back to its sender as the MT "ECHO: text". */
  private AtomicInteger echoApplication() throws IOException {
    var app = app();
    ExecutorService replies = Executors.newSingleThreadExecutor();
    closeAfter.push(replies::shutdownNow);
    var r = new Reassembler();
    var echoed = new AtomicInteger();
    app.answer = pdu -> {
      String text;
      synchronized (r) {
        text = r.add(new Reassembler.Piece(pdu.getSourceAddr(), pdu.getDestAddress(), pdu.getDataCoding(),
            pdu.getShortMessage(), pdu.isUdhi(), ReceivedPart.sar(pdu.getOptionalParameters())));
      }
      if (text != null) {
        // not from the listener thread: a submit waits for its resp, which jSMPP reads on its own threads
        replies.execute(() -> {
          try {
            app.submitText(pdu.getDestAddress(), pdu.getSourceAddr(), "ECHO: " + text, false);
            echoed.incrementAndGet();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
      }
      return 0;
    };
    return echoed;
  }

  private Client app() throws IOException {
    var app = new Client(smsc.port(), "hotline", "hotline", "");
    closeAfter.push(app);
    return app;
  }

  private static String text(DeliverSm pdu) {
    var body = pdu.isUdhi() ? SmsCodec.splitUdh(pdu.getShortMessage()).body() : pdu.getShortMessage();
    return SmsCodec.decode(pdu.getDataCoding(), body);
  }

  private static PrintStream utf8(ByteArrayOutputStream out) {
    return new PrintStream(out, true, StandardCharsets.UTF_8);
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        fail("not within " + WAIT.toSeconds() + " s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A plain jSMPP client session bound as transceiver: the application, or (system_id "handset") a phone. */
  static final class Client implements AutoCloseable {
    record Received(DeliverSm pdu, long atNanos) {}

    final SMPPSession session = new SMPPSession();
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** The command_status to answer each deliver_sm with (non-zero: ProcessRequestException). */
    volatile ToIntFunction<DeliverSm> answer = pdu -> 0;

    Client(int port, String systemId, String password, String addressRange) throws IOException {
      session.setMessageReceiverListener(new MessageReceiverListener() {
        @Override
        public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
          received.add(new Received(deliverSm, System.nanoTime()));
          int status = answer.applyAsInt(deliverSm);
          if (status != 0) {
            throw new ProcessRequestException("refused by the test", status);
          }
        }

        @Override
        public void onAcceptAlertNotification(AlertNotification alertNotification) {}

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
          throw new ProcessRequestException("no data_sm", SMPPConstant.STAT_ESME_RINVCMDID);
        }
      });
      session.connectAndBind("127.0.0.1", port, new BindParameter(BindType.BIND_TRX, systemId, password, "",
          TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, addressRange), 5_000);
    }

    Received nextReceived() throws InterruptedException {
      var r = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(r, "no deliver_sm within " + WAIT.toSeconds() + " s");
      return r;
    }

    DeliverSm next() throws InterruptedException {
      return nextReceived().pdu();
    }

    /** Submits every part; returns the message ids. */
    List<String> submit(String from, String to, SmsCodec.Encoded encoded, RegisteredDelivery rd) throws Exception {
      var ids = new ArrayList<String>();
      for (var part : encoded.parts()) {
        ids.add(session.submitShortMessage("", TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, from,
            TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, to, new ESMClass(part.udhi() ? 0x40 : 0), (byte) 0,
            (byte) 0, null, null, rd, (byte) 0, new RawDataCoding(encoded.dataCoding()), (byte) 0, part.bytes())
            .getMessageId());
      }
      return ids;
    }

    List<String> submitText(String from, String to, String text, boolean receipt) throws Exception {
      return submit(from, to, SmsCodec.encode(text, text.hashCode() & 0xff),
          new RegisteredDelivery(receipt ? SMSCDeliveryReceipt.SUCCESS_FAILURE : SMSCDeliveryReceipt.DEFAULT));
    }

    @Override
    public void close() {
      if (session.getSessionState() != SessionState.CLOSED) {
        session.unbindAndClose();
      }
    }
  }
}
