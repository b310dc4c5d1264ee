package vn.hotline.gateway.sms.smpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RawSmsc;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * Over a real bind to a raw SMSC, the deliver_sm PDUs jSMPP alone left unanswered (an sm_length shorter or longer than
 * the bytes, a TLV past the end, a TLV of length 0) or refused for good (a source address of 25 digits, none at all):
 * each is answered ESME_ROK once its text is stored, flagged repaired for a counsellor; the texter is answered when the
 * number came whole, and nobody when it did not; the link stays bound and a sound text after them is answered too.
 */
@GatewayTest
class RepairedDeliverSmTest {
  static final byte[] D111 = "111".getBytes(StandardCharsets.US_ASCII);
  static final String TEXT = "Cuu em voi";
  static final byte[] T = TEXT.getBytes(StandardCharsets.US_ASCII);

  TestDatabase db;
  RunningGateway gw;
  RawSmsc smsc;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    smsc = new RawSmsc();
    gw = house.start(smsc.env());
    smsc.acceptBind(Duration.ofSeconds(20)); // a PDU not answered in 20 s fails its test (SocketTimeoutException)
  }

  @AfterEach
  void stop() throws Exception {
    smsc.close();
  }

  static byte[] from(String number) {
    return number.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void everyInconsistentDeliverSmIsStoredFlaggedAndAnsweredAndTheLinkStaysBound() throws Exception {
    var numbers = List.of("0966000301", "0966000302", "0966000303", "0966000304");
    var longSource = "0966000305111222333444555";
    PersonalData.used(TEXT, longSource);
    numbers.forEach(PersonalData::used);
    var sarRef = RawSmsc.tlv(0x020C, 2, new byte[] {0, 7});
    var pdus = List.of(
        RawSmsc.deliverSm(from(numbers.get(0)), D111, 0, 0, 3, T, new byte[0]),               // sm_length too short
        RawSmsc.deliverSm(from(numbers.get(1)), D111, 0, 0, 200, T, new byte[0]),             // sm_length too long
        RawSmsc.deliverSm(from(numbers.get(2)), D111, 0, 0, T.length, T,                      // a TLV past the end
            concatenation(sarRef, RawSmsc.tlv(0x0424, 400, T))),
        RawSmsc.deliverSm(from(numbers.get(3)), D111, 0, 0, T.length, T, RawSmsc.tlv(0x020C, 0, new byte[0])),
        RawSmsc.deliverSm(from(longSource), D111, 0, 0, T.length, T, new byte[0]),            // 25 digits
        new byte[] {0, 1, 1});                                                                 // ends before its source
    for (var pdu : pdus) {
      assertEquals(0, smsc.deliver(pdu), "taken (ESME_ROK), not left unanswered nor refused");
    }
    for (var n : numbers) {
      assertTrue(smsc.awaitReplyTo(n, Duration.ofSeconds(20)), "the texter whose number came whole is answered");
    }

    var rows = inbound();
    assertEquals(6, rows.size(), "every text stored: " + rows);
    for (int i = 0; i < 4; i++) {
      var row = rows.get(numbers.get(i));
      assertEquals(TEXT, row.get("body"), "the whole text, readable");
      assertEquals("processed", row.get("status"));
    }
    assertEquals("pdu_sm", rows.get(numbers.get(0)).get("malformed"));
    assertEquals("pdu_sm", rows.get(numbers.get(1)).get("malformed"));
    assertEquals("pdu_tlv", rows.get(numbers.get(2)).get("malformed"));
    assertEquals("pdu_tlv", rows.get(numbers.get(3)).get("malformed"));
    var kept = rows.get(longSource);
    assertEquals("pdu_src", kept.get("malformed"), "flagged repaired for a counsellor");
    assertEquals("unanswerable", kept.get("status"), "a number cut to fit would be a stranger's");
    assertEquals(TEXT, kept.get("body"));
    var none = rows.get("");
    assertEquals("no_sender,pdu_hdr", none.get("malformed"));
    assertEquals("unanswerable", none.get("status"));
    assertEquals(6, db.count("SELECT COUNT(*) FROM audit_events WHERE event_type = ?", "sms.malformed"));
    assertEquals(6, db.count("SELECT COUNT(*) FROM sms_inbound_parts WHERE raw_sealed IS NOT NULL AND channel = ?",
        "sms-smpp"), "the bytes as read kept sealed beside each repaired text");
    var metrics = gw.management().get("/metrics").body();
    assertTrue(metrics.contains("hotline_sms_inbound_malformed_total{link=\"smpp\",reason=\"pdu_src\"} 1.0"), metrics);

    var child = "0966000399";
    PersonalData.used(child);
    assertEquals(0, smsc.deliver(RawSmsc.deliverSm(from(child), D111, 0, 0, 6, from("BAOCAO"), new byte[0])));
    assertTrue(smsc.awaitReplyTo(child, Duration.ofSeconds(20)), "a sound text after them is answered");
    assertEquals(null, inbound().get(child).get("malformed"), "and not flagged");
    assertEquals("BOUND", gw.gateway().smpp().states().get("smpp"), "still bound");
    assertFalse(smsc.submittedTo.stream().anyMatch(n -> n.isEmpty() || longSource.startsWith(n)),
        "nothing sent to an empty or cut number: " + smsc.submittedTo.size() + " replies");
  }

  static byte[] concatenation(byte[] a, byte[] b) {
    var r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** The stored texts by their sender (opened), each with its status, malformed reasons and body (opened). */
  Map<String, Map<String, String>> inbound() throws Exception {
    var out = new HashMap<String, Map<String, String>>();
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT sender_sealed, body_sealed, status, malformed FROM sms_inbound")) {
      while (rs.next()) {
        var row = new HashMap<String, String>();
        row.put("body", gw.sealer().open(rs.getString(2)));
        row.put("status", rs.getString(3));
        row.put("malformed", rs.getString(4));
        out.put(gw.sealer().open(rs.getString(1)), row);
      }
    }
    return out;
  }
}
