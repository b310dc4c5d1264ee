package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.tools.TestSmsc;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.SmppLink;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Children texting 111 through a telco: the gateway's SMPP link against the test SMSC over loopback, on both
 * stores. Faults (drops, throttling, out-of-order parts, a gateway dying before it commits) are the SMSC's.
 */
@GatewayTest(faulty = true)
class SmppConversationTest {
  static final String CHILD = "0912345678";
  static final Duration WAIT = Duration.ofSeconds(15);

  Harness house;
  Path dir;
  TestDatabase db;
  TestSmsc smsc;
  RunningGateway gw;
  // whole milliseconds, as the store keeps them (DATETIME(3)): a boundary a test sets is the boundary stored
  MutableClock clock = new MutableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

  @BeforeEach
  void start(Harness house) {
    this.house = house;
    dir = house.dir();
    db = house.db();
    // A short response timeout: a deliver_sm lost in a drop is retried quickly rather than after 5 s.
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300), Duration.ofSeconds(1)));
  }

  void startGateway(Map<String, String> extra) {
    startGatewayUnbound(extra);
    Await.until(() -> "BOUND".equals(gw.gateway().smpp().states().get("smpp")), "link bound: " + gw.gateway().smpp().states());
  }

  @AfterEach
  void stop() {
    smsc.close();
  }

  /** Texts 111 and returns the next reply the child's phone gets. */
  String text(String message) throws Exception {
    PersonalData.used(CHILD, message);
    int before = smsc.mtTexts(CHILD).size();
    smsc.deliverMo(CHILD, "111", message);
    var all = smsc.awaitMtTexts(CHILD, before + 1, WAIT);
    return all.get(before);
  }

  @Test
  void aWholeReportInVietnameseWithDiacriticsEndsInAReportRowAndAReferenceSms() throws Exception {
    startGateway(Map.of());
    assertTrue(text("báo cáo").contains("Ban bao cao viec gi?"));
    assertTrue(text("1").contains("chinh ban"));
    assertTrue(text("1").contains("bao nhieu tuoi"));
    assertTrue(text("3").contains("tinh/thanh pho"));
    assertTrue(text("01").contains("ke chuyen"));
    var story = "Bố dượng đánh em bằng roi mây, em bị bầm tím ở lưng và không dám về nhà. "
        .repeat(3); // about 210 characters of UCS-2: three parts on the wire
    assertTrue(text(story).contains("XONG"));
    assertTrue(text("Xong").contains("duong link"));
    assertTrue(text("0").contains("Tra loi 1 Dong y"));
    assertTrue(text("1").contains("Co an toan de tu van vien nhan tin lai cho ban khong?"));
    var end = text("1"); // safe to text back
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);

    var report = db.row("SELECT * FROM reports WHERE reference = ?", m.group(1));
    assertEquals("sms-smpp", report.get("channel"));
    assertEquals("physical_violence", report.get("category"));
    assertEquals("self", report.get("about"));
    assertEquals("10-12", report.get("age_band"));
    assertEquals("01", report.get("province"));
    assertEquals("completed", report.get("outcome"));
    assertEquals(story.strip(), gw.sealer().open((String) report.get("description_sealed")), "UCS-2 text round trip");
    assertEquals(0, db.count("SELECT COUNT(*) FROM sms_inbound WHERE status = ?", "pending"));
  }

  @Test
  void repliesWithDiacriticsGoOutAsUcs2AndLongOnesInConcatenatedParts() throws Exception {
    var flows = dir.resolve("flows");
    Files.createDirectories(flows);
    Files.copy(Path.of("ivr-flows/hotline-111.yaml"), flows.resolve("hotline-111.yaml"));
    var sms = Files.readString(Path.of("ivr-flows/sms-111.yaml")).replace(
        "vi-VN: \"Viec nay xay ra voi chinh ban? Tra loi 1. Voi mot tre khac? Tra loi 2.\"",
        "vi-VN: \"Việc này xảy ra với chính bạn? Trả lời 1. Với một trẻ khác? Trả lời 2. Mọi điều bạn kể đều được giữ bí mật.\"");
    Files.writeString(flows.resolve("sms-111.yaml"), sms);
    startGateway(Map.of("GATEWAY_FLOWS_DIR", flows.toString()));
    text("BAOCAO");
    var reply = text("2");
    assertTrue(reply.startsWith("Việc này xảy ra với chính bạn?"), reply);
    var parts = smsc.mts().stream().filter(mt -> mt.to().equals(CHILD)).toList();
    var last = parts.get(parts.size() - 1);
    assertEquals(8, last.dataCoding(), "UCS-2");
    assertTrue(last.udhi(), "more than 70 UCS-2 characters: concatenated");
  }

  @Test
  void aLongMessageWhosePartsArriveOutOfOrderIsReassembled() throws Exception {
    startGateway(Map.of());
    smsc.shuffleParts(true);
    text("BAOCAO");
    for (var k : List.of("1", "1", "3", "79")) {
      text(k);
    }
    var story = ("Phần một: chuyện bắt đầu ở nhà bà nội. ") + ("Phần hai: sau đó ở trường học. ").repeat(2)
        + "Phần ba: và cuối cùng là trên mạng xã hội, có người nhắn tin đe dọa em mỗi tối.";
    text(story);
    text("XONG");
    text("0");
    text("1");
    var end = text("1"); // safe to text back
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);
    var report = db.row("SELECT description_sealed FROM reports WHERE reference = ?", m.group(1));
    assertEquals(story, gw.sealer().open((String) report.get("description_sealed")));
  }

  @Test
  void aPartThatNeverArrivesIsGivenUpAfterTheTimeoutAndWhatArrivedIsKept() throws Exception {
    startGateway(Map.of());
    text("BAOCAO");
    for (var k : List.of("3", "2", "0", "*")) {
      text(k);
    }
    var story = "Em hàng xóm thường bị bỏ đói và nhốt trong nhà một mình. ".repeat(4);
    PersonalData.used(story);
    var encoded = SmsCodec.encode(story, 42);
    assertEquals(4, encoded.parts().size());
    smsc.deliverMoParts(CHILD, "111", encoded.dataCoding(),
        List.of(encoded.parts().get(0), encoded.parts().get(1), encoded.parts().get(3))); // part 3 is lost
    Await.until(() -> smsc.deliveredCount() >= 8, "the three parts acknowledged");
    gw.gateway().housekeepingNow();
    assertEquals(3, db.count("SELECT COUNT(*) FROM sms_inbound_parts WHERE concat_ref = ?", "42"),
        "parts are kept while the last one is awaited");
    clock.advance(Duration.ofMinutes(3));
    gw.gateway().housekeepingNow();
    var reply = smsc.awaitMtTexts(CHILD, 6, WAIT).get(5);
    assertTrue(reply.contains("XONG"), "the incomplete message was taken as part of the story: " + reply);
    text("XONG");
    text("0");
    text("1");
    var end = text("1"); // safe to text back
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);
    var description = gw.sealer().open((String) db.row("SELECT description_sealed FROM reports WHERE reference = ?",
        m.group(1)).get("description_sealed"));
    assertTrue(description.contains("[...]"), description);
    assertTrue(description.startsWith("Em hàng xóm thường bị bỏ đói"), description);
    assertTrue(description.endsWith("nhốt trong nhà một mình."), description);
  }

  @Test
  void missingPartsAreGivenUpExactlyWhenTheGatewaysClockSaysTheTimeoutIsOver() throws Exception {
    startGateway(Map.of("GATEWAY_SMS_CONCAT_TIMEOUT_SECONDS", "60"));
    var story = "Em bi danh o nha moi toi, em so lam. ".repeat(6);
    PersonalData.used(CHILD, story);
    var encoded = SmsCodec.encode(story, 99);
    assertEquals(2, encoded.parts().size());
    smsc.deliverMoParts(CHILD, "111", encoded.dataCoding(), List.of(encoded.parts().get(0))); // part 2 never comes
    Await.until(() -> smsc.deliveredCount() >= 1, "part 1 acknowledged");
    clock.advance(Duration.ofSeconds(60)); // exactly the timeout: not over yet
    gw.gateway().housekeepingNow();
    assertEquals(0, db.count("sms_inbound"), "still waiting for part 2 at exactly the timeout");
    clock.advance(Duration.ofMillis(1));
    gw.gateway().housekeepingNow();
    assertEquals(1, db.count("SELECT COUNT(*) FROM sms_inbound WHERE missing_parts = ?", "1"),
        "given up 1 ms after the timeout by the gateway's clock (the wall clock has hardly moved)");
  }

  @Test
  void theSameReplyTwiceIsTwoMessages() throws Exception {
    startGateway(Map.of());
    text("BAOCAO");
    assertTrue(text("1").contains("chinh ban"));
    assertTrue(text("1").contains("bao nhieu tuoi"), "a texter answering 1 twice is not a redelivery");
  }

  @Test
  void keywordsWorkWithAndWithoutAccentsAndSarSegmentsToo() throws Exception {
    startGateway(Map.of());
    assertTrue(text("Báo Cáo").contains("Ban bao cao viec gi?"));
    assertTrue(text("BAO CAO").startsWith("111: Bat dau bao cao moi."));
    assertTrue(text("giúp").contains("Tong dai bao ve tre em"));
    int before = smsc.mtTexts(CHILD).size();
    smsc.deliverMoSar(CHILD, "111", "hủy");
    assertTrue(smsc.awaitMtTexts(CHILD, before + 1, WAIT).get(before).contains("khong nhan them tin nhan"));
  }

  @Test
  void afterStopNoMoreMessagesGoOutUntilStart() throws Exception {
    startGateway(Map.of());
    text("BAOCAO");
    assertTrue(text("HUY").contains("khong nhan them tin nhan"));
    int before = smsc.mtTexts(CHILD).size();
    int queued = db.count("sms_outbound");
    smsc.deliverMo(CHILD, "111", "1");
    smsc.deliverMo(CHILD, "111", "alo");
    // A message is processed in the transaction that queues its replies; housekeeping runs to its end here.
    Await.until(() -> db.count("SELECT COUNT(*) FROM sms_inbound WHERE status = ?", "processed") >= 4, "processed");
    clock.advance(Duration.ofMinutes(25));
    gw.gateway().housekeepingNow();
    assertEquals(queued, db.count("sms_outbound"), "nothing queued for a number that texted HUY");
    // The queue goes out in order: a message wrongly queued above would reach the phone before this reply.
    assertTrue(text("BATDAU").contains("nhan lai tin nhan"), "nothing sent to a number that texted HUY");
    assertEquals(before + 1, smsc.mtTexts(CHILD).size(), "nothing sent to a number that texted HUY");
  }

  @Test
  void aQuietConversationGetsOneReminderThenExpires() throws Exception {
    startGateway(Map.of());
    text("BAOCAO");
    text("2");
    clock.advance(Duration.ofMinutes(21));
    gw.gateway().housekeepingNow();
    gw.gateway().housekeepingNow();
    var texts = smsc.awaitMtTexts(CHILD, 3, WAIT);
    assertTrue(texts.get(2).contains("Ban van dang bao cao chu?"), texts.toString());
    clock.advance(Duration.ofMinutes(10));
    gw.gateway().housekeepingNow();
    var expired = smsc.awaitMtTexts(CHILD, 4, WAIT).get(3);
    assertTrue(expired.contains("Phien bao cao da dong"), expired);
    var m = Pattern.compile("ma so (\\d{8})").matcher(expired);
    assertTrue(m.find());
    assertEquals("abandoned", db.row("SELECT outcome FROM reports WHERE reference = ?", m.group(1)).get("outcome"));
    gw.gateway().housekeepingNow(); // once more after the expiry: nothing is left to remind
    // Housekeeping queues synchronously; once nothing queued is left unsent, the phone has had all there is.
    Await.until(this::outboundSettled, "every queued message submitted");
    assertEquals(4, db.count("sms_outbound"), "exactly one reminder and one expiry notice queued");
    assertEquals(4, smsc.mtTexts(CHILD).size(), "exactly one reminder and one expiry notice");
  }

  @Test
  void whenTheSmscDropsTheLinkMidConversationTheGatewayRebindsAndNothingIsLost() throws Exception {
    startGateway(Map.of());
    text("BAOCAO");
    smsc.dropConnections();
    smsc.deliverMo(CHILD, "111", "4"); // queued at the SMSC while the link is down
    Await.until(() -> "BOUND".equals(gw.gateway().smpp().states().get("smpp")) && smsc.boundApplications() == 1, "rebound");
    var reply = smsc.awaitMtTexts(CHILD, 2, WAIT).get(1);
    assertTrue(reply.contains("chinh ban"), "the message sent during the drop was answered: " + reply);
    assertTrue(text("2").contains("bao nhieu tuoi"));
  }

  @Test
  void aGatewayKilledBeforeCommittingGetsTheMessageAgainAndProcessesItOnce() throws Exception {
    startGateway(Map.of());
    db.proxy().cut(); // the store is gone: the deliver_sm cannot be committed, so it is not acknowledged
    smsc.deliverMo(CHILD, "111", "BAOCAO");
    Await.until(() -> smsc.deliveryAttempts() >= 2, "the SMSC retries an unacknowledged message");
    assertEquals(0, smsc.deliveredCount());
    gw.close(); // killed
    db.proxy().restore();
    startGateway(Map.of());
    var reply = smsc.awaitMtTexts(CHILD, 1, WAIT).get(0);
    assertTrue(reply.contains("Ban bao cao viec gi?"), reply);
    assertEquals(1, db.count("sms_inbound"));
    assertEquals(1, db.count("contacts"));
  }

  @Test
  void aPartRedeliveredAfterItWasCommittedIsProcessedOnce() throws Exception {
    startGateway(Map.of());
    var encoded = SmsCodec.encode("Báo cáo", 7);
    smsc.deliverMoParts(CHILD, "111", encoded.dataCoding(), encoded.parts());
    smsc.awaitMtTexts(CHILD, 1, WAIT);
    // The link drops between our commit and our resp; the SMSC, never acknowledged, delivers it again on the new bind.
    smsc.dropConnections();
    Await.until(() -> smsc.boundApplications() == 1, "rebound");
    smsc.deliverMoParts(CHILD, "111", encoded.dataCoding(), encoded.parts());
    Await.until(() -> smsc.deliveredCount() >= 2, "second copy acknowledged");
    // Acknowledged means committed; the drain processes whatever is pending, to its end, here, and a reply is
    // queued in the transaction that marks its message processed: a second answer would be a second row now.
    gw.gateway().drainSmsInbox();
    assertEquals(1, db.count("sms_outbound"), "one reply queued");
    assertEquals(1, smsc.mtTexts(CHILD).size(), "answered once");
    assertEquals(1, db.count("sms_inbound_parts"));
    assertEquals(1, db.count("contacts"));
  }

  @Test
  void aThrottlingSmscStillGetsEveryReplyAndEveryPartIsMatchedToItsReceipt() throws Exception {
    startGateway(Map.of());
    smsc.throttle(2);
    smsc.queueFull(1);
    text("BAOCAO"); // the category menu: a two-part reply
    text("1");
    text("2");
    assertTrue(smsc.throttledCount() >= 1, "the SMSC did throttle");
    Await.until(() -> db.count("SELECT COUNT(*) FROM sms_outbound WHERE status = ?", "delivered") == 3,
        "all three replies delivered per their receipts");
    assertEquals(4, db.count("SELECT COUNT(*) FROM sms_outbound_parts WHERE status = ?", "delivered"),
        "two parts + one + one, each matched to its receipt");
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_smpp_submits_total{link=\"smpp\",result=\"throttled\"}"), metrics);
    assertTrue(metrics.contains("hotline_smpp_link_bound{link=\"smpp\"} 1.0"), metrics);
  }

  @Test
  void aWrongPasswordIsReportedClearlyAndNotHammered() throws Exception {
    // Two links started together: "smpp" with a wrong password, and "control" to an SMSC refusing binds for a
    // passing fault, which the gateway retries on its backoff (0.5-1 s, then 1-2 s). The control's third refusal
    // comes at 1.5 s at the earliest; by then a rejected link retried on that backoff would have been refused twice.
    var refused = new java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger>();
    smsc.close();
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300), Duration.ofSeconds(1)),
        e -> countRefusal(refused, "smpp", e));
    try (var control = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300),
        Duration.ofSeconds(1)), e -> countRefusal(refused, "control", e))) {
      control.rejectBinds(true);
      var links = dir.resolve("links.yaml");
      Files.writeString(links, "links:\n"
          + link("smpp", smsc.port(), "wrong") + link("control", control.port(), "hotline"));
      gw = house.start(Map.of("GATEWAY_SMPP_LINKS_FILE", links.toString()), clock);
      Await.until(() -> gw.gateway().smpp().states().get("smpp").startsWith("REFUSED"), "refused");
      var ready = gw.management().get("/health/ready");
      assertEquals(200, ready.statusCode(), "voice still works");
      assertTrue(ready.body().contains("\"status\":\"DEGRADED\""), ready.body());
      assertTrue(ready.body().contains("ESME_RINVPASWD"), ready.body());
      Await.until(() -> refusals(refused, "control") >= 3, "the control link retried twice on its backoff");
      assertTrue(gw.gateway().smpp().states().get("smpp").startsWith("REFUSED"), "still waiting, not retrying every second");
      assertEquals(1, refusals(refused, "smpp"), "one bind with the wrong password, not one a second");
      assertEquals(0, smsc.boundApplications());
    }
  }

  static void countRefusal(Map<String, java.util.concurrent.atomic.AtomicInteger> counts, String smsc, String event) {
    if (event.startsWith("bind refused")) {
      counts.computeIfAbsent(smsc, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
    }
  }

  static int refusals(Map<String, java.util.concurrent.atomic.AtomicInteger> counts, String smsc) {
    var n = counts.get(smsc);
    return n == null ? 0 : n.get();
  }

  static String link(String name, int port, String password) {
    return "  - name: " + name + "\n    host: 127.0.0.1\n    port: " + port + "\n    system_id: hotline\n"
        + "    password: " + password + "\n    source: \"111\"\n    enquire_link_seconds: 5\n"
        + "    reconnect_max_seconds: 2\n";
  }

  /** No outbound SMS is waiting to be submitted (queued, or claimed and not yet answered by the SMSC). */
  boolean outboundSettled() {
    return db.count("SELECT COUNT(*) FROM sms_outbound WHERE status IN ('queued', 'sending') AND id <> ?", "") == 0;
  }

  @Test
  void aPartWhoseUdhElementOverrunsTheHeaderIsAcknowledgedStoredFlaggedAndAnswered() throws Exception {
    startGateway(Map.of());
    PersonalData.used(CHILD, "BAOCAO");
    // UDHL 2, then an element of IEI 0x00 claiming 5 bytes: it overruns the 2-byte header; the text follows.
    var bad = new byte[] {0x02, 0x00, 0x05, 'B', 'A', 'O', 'C', 'A', 'O'};
    smsc.deliverMoParts(CHILD, "111", SmsCodec.DCS_GSM7, List.of(new SmsCodec.Part(bad, true)));
    Await.until(() -> smsc.deliveredCount() >= 1, "the SMSC got ESME_ROK for the malformed part");
    var reply = smsc.awaitMtTexts(CHILD, 1, WAIT).get(0);
    assertTrue(reply.contains("Ban bao cao viec gi?"), "decoded best effort and answered like any text: " + reply);
    assertEquals(1, smsc.deliveryAttempts(), "acknowledged the first time, so never delivered again");
    var part = db.row("SELECT malformed, raw_sealed, body_sealed FROM sms_inbound_parts WHERE part_seq = ?", "1");
    assertEquals("udh_element", part.get("malformed"));
    assertEquals("BAOCAO", gw.sealer().open((String) part.get("body_sealed")));
    assertEquals(java.util.Base64.getEncoder().encodeToString(bad), gw.sealer().open((String) part.get("raw_sealed")),
        "the bytes as they came, sealed");
    assertEquals("udh_element", db.row("SELECT malformed FROM sms_inbound WHERE parts = ?", "1").get("malformed"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "sms.malformed"));
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_sms_inbound_malformed_total{link=\"smpp\",reason=\"udh_element\"} 1.0"), metrics);
  }

  @Test
  void aPartWhoseUdhLengthRunsPastTheMessageIsAcknowledgedAndKeptWhole() throws Exception {
    startGateway(Map.of());
    PersonalData.used(CHILD, "Cuu em");
    var bad = new byte[] {0x50, 'C', 'u', 'u', ' ', 'e', 'm'}; // UDHL 80 in a 7-byte message
    smsc.deliverMoParts(CHILD, "111", SmsCodec.DCS_GSM7, List.of(new SmsCodec.Part(bad, true)));
    Await.until(() -> smsc.deliveredCount() >= 1, "the SMSC got ESME_ROK for the malformed part");
    smsc.awaitMtTexts(CHILD, 1, WAIT); // the child is answered
    assertEquals(1, smsc.deliveryAttempts(), "acknowledged the first time, so never delivered again");
    var part = db.row("SELECT malformed, body_sealed FROM sms_inbound_parts WHERE part_seq = ?", "1");
    assertEquals("udh_length", part.get("malformed"));
    assertTrue(gw.sealer().open((String) part.get("body_sealed")).endsWith("Cuu em"), "nothing of the text is dropped");
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "sms.malformed"));
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_sms_inbound_malformed_total{link=\"smpp\",reason=\"udh_length\"} 1.0"), metrics);
  }

  @Test
  void aMessageWithAnEmptySourceAddressIsAcknowledgedAndKeptForACounsellorUnanswered() throws Exception {
    startGateway(Map.of());
    PersonalData.used("Cuu em voi");
    smsc.deliverMoParts("", "111", SmsCodec.DCS_GSM7, List.of(new SmsCodec.Part("Cuu em voi".getBytes(
        java.nio.charset.StandardCharsets.US_ASCII), false)));
    Await.until(() -> smsc.deliveredCount() >= 1, "the SMSC got ESME_ROK for the message without a sender");
    assertEquals(1, smsc.deliveryAttempts(), "acknowledged the first time, so never delivered again");
    var row = db.row("SELECT malformed, status, body_sealed FROM sms_inbound WHERE parts = ?", "1");
    assertEquals("no_sender", row.get("malformed"));
    assertEquals("unanswerable", row.get("status"), "nobody to answer: not a conversation");
    assertEquals("Cuu em voi", gw.sealer().open((String) row.get("body_sealed")), "a counsellor can read it");
    assertEquals(1, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "sms.malformed"));
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_sms_inbound_malformed_total{link=\"smpp\",reason=\"no_sender\"} 1.0"), metrics);
    assertEquals(0, gw.gateway().drainSmsInbox(), "the inbox does not take it up");
    assertEquals(0, db.count("contacts"));
    assertTrue(smsc.mts().isEmpty(), "no submit_sm to an empty address");
  }

  @Test
  void aStoreThatIsDownStillGetsATemporaryErrorSoTheSmscDeliversAgain() throws Exception {
    smsc.close();
    var events = new java.util.concurrent.CopyOnWriteArrayList<String>();
    // The SMSC waits 3 s for an answer: longer than the gateway takes to find its store down (db.connect_timeout_ms,
    // 1 s), so what is asserted is the gateway's answer, not the SMSC giving up first.
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300), Duration.ofSeconds(3)),
        events::add);
    startGateway(Map.of());
    db.proxy().cut();
    smsc.deliverMo(CHILD, "111", "BAOCAO");
    Await.until(() -> smsc.deliveryAttempts() >= 2, "the SMSC retries");
    assertTrue(events.stream().anyMatch(e -> e.contains("deliver_sm_resp ESME_RX_T_APPN")), events.toString());
    assertEquals(0, smsc.deliveredCount());
    db.proxy().restore();
    Await.until(() -> smsc.deliveredCount() == 1, "stored once the store is back");
    assertTrue(smsc.awaitMtTexts(CHILD, 1, WAIT).get(0).contains("Ban bao cao viec gi?"));
  }

  /** A gateway with one SMPP link to the test SMSC, not waiting for the bind. */
  void startGatewayUnbound(Map<String, String> extra) {
    var env = new HashMap<String, String>(SmppLink.quick(smsc.port()));
    env.putAll(extra);
    gw = house.start(env, clock);
  }

}
