package vn.hotline.gateway.sms.smpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.sms.SmsCodec;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * An SMSC with a window pushes the two parts of each concatenated UCS-2 text at the same moment, many texts at
 * once, over real SMPP, on both stores: each text is joined as its second part is committed (no part refused with
 * ESME_RX_T_APPN for a deadlock, none left waiting for the concatenation timeout's sweep).
 */
@GatewayTest
class ConcurrentPartsTest {
  static final String STORY = "Có người lạ dọa đăng ảnh của em lên mạng nếu em không gửi thêm ảnh. Em rất sợ, "
      + "không dám nói với bố mẹ, em phải làm sao bây giờ ạ?";
  static final int TEXTS = 300;
  static final int WINDOW = 40;

  Harness house;
  WindowedSmsc smsc;
  RunningGateway gw;
  // the gateway's clock stands still: the concatenation sweep can join nothing, whatever the wall clock does
  MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));

  @BeforeEach
  void start(Harness house) throws Exception {
    this.house = house;
    smsc = new WindowedSmsc();
    gw = house.start(Map.of(
        "GATEWAY_SMPP_HOST", "127.0.0.1",
        "GATEWAY_SMPP_PORT", Integer.toString(smsc.port()),
        "GATEWAY_SMPP_SYSTEM_ID", "hotline",
        "GATEWAY_SMPP_PASSWORD", "hotline",
        "GATEWAY_SMPP_SOURCE", "111",
        "GATEWAY_SMPP_RECONNECT_MAX_SECONDS", "2"), clock);
    Await.until(() -> smsc.bound() && "BOUND".equals(gw.gateway().smpp().states().get("smpp")), "link bound");
  }

  @AfterEach
  void stop() {
    smsc.close();
  }

  @Test
  void bothPartsOfManyUcs2TextsArrivingTogetherAreJoinedAsTheSecondIsCommitted() throws Exception {
    PersonalData.used(STORY);
    // each text from a number of its own, but the last ten from one child texting in a burst (several of its
    // messages open at once, told apart by their reference)
    var deliveries = new ArrayList<Runnable>();
    var statuses = new TreeMap<Integer, Integer>();
    for (int t = 0; t < TEXTS; t++) {
      var from = t < TEXTS - 10 ? "849" + (1_000_000 + t) : "8490000001";
      PersonalData.used(from);
      var encoded = SmsCodec.encode(STORY, t & 0xff);
      assertEquals(SmsCodec.DCS_UCS2, encoded.dataCoding());
      assertEquals(2, encoded.parts().size());
      for (int i = 0; i < 2; i++) {
        var part = encoded.parts().get(i);
        int n = t * 2 + i;
        deliveries.add(() -> {
          int status = smsc.deliver(from, encoded.dataCoding(), part.udhi(), part.bytes());
          synchronized (statuses) {
            statuses.put(n, status);
          }
        });
      }
    }
    // the two parts of a text are next to each other in the queue, so two of the window's threads send them together
    try (var window = Executors.newFixedThreadPool(WINDOW)) {
      var sent = new ArrayList<Future<?>>();
      deliveries.forEach(d -> sent.add(window.submit(d)));
      for (var f : sent) {
        f.get();
      }
    }
    var refused = statuses.values().stream().filter(s -> s != 0).map(s -> String.format("0x%08x", s)).toList();
    assertEquals(List.of(), refused, "every deliver_sm acknowledged ESME_ROK (0x00000064: ESME_RX_T_APPN)");
    // Acknowledged means committed, and a text is joined in the transaction of its last part: no waiting here.
    assertEquals(0, house.db().count("SELECT COUNT(*) FROM sms_inbound_parts WHERE message_id IS NULL AND part_total = ?",
        "2"), "no part left waiting for the concatenation timeout's sweep");
    assertEquals(2 * TEXTS, house.db().count("sms_inbound_parts"));
    assertEquals(TEXTS, house.db().count("SELECT COUNT(*) FROM sms_inbound WHERE parts = 2 AND missing_parts = ?", "0"),
        "every text joined whole");
    assertEquals(TEXTS, house.db().count("sms_inbound"));
    var opened = house.db().row("SELECT body_sealed FROM sms_inbound WHERE sender_pseudonym <> ? LIMIT 1", "");
    assertEquals(STORY, gw.sealer().open((String) opened.get("body_sealed")), "joined in order");
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_smpp_inbound_parts_total{link=\"smpp\",result=\"message_ready\"} " + TEXTS + ".0"),
        metrics);
    assertTrue(metrics.contains("hotline_smpp_inbound_parts_total{link=\"smpp\",result=\"waiting_for_parts\"} " + TEXTS
        + ".0"), metrics);
    // and the conversations they start go on as usual: the burst's child is answered for each text, in turn
    Await.until(() -> house.db().count("SELECT COUNT(*) FROM sms_inbound WHERE status = ?", "processed") == TEXTS,
        "every text processed by the inbox", Duration.ofSeconds(60));
  }
}
