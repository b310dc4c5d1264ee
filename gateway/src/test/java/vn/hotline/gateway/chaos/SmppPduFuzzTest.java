package vn.hotline.gateway.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RawSmsc;
import vn.hotline.gateway.testing.RunningGateway;

/**
 * Fuzz (issue 14): a raw SMSC (bytes on a socket, no SMPP library on this side) binds the gateway and sends it
 * deliver_sm PDUs with every field random or wrong: addresses of any bytes or none (longer than SMPP's 20 octets
 * too), any data_coding and esm_class, a short_message of random bytes, a broken UDH, TLVs of any tag (message_payload
 * among them) with random values; and a third of them inconsistent: an sm_length shorter or longer than the bytes that
 * follow, a TLV longer than the PDU, a TLV of length 0 where its tag needs a value, a PDU cut short anywhere. Counted:
 * every PDU answered within the socket timeout (no silence); every one taken (ESME_ROK: a text from a telco is stored
 * as well as it can be, never refused for ever, and never "try again" three times in a row); the link still bound at
 * the end, and a valid text after the noise is stored and answered.
 */
@GatewayTest(stores = GatewayTest.Stores.H2) // the store is not what is fuzzed here
class SmppPduFuzzTest {
  static final int ESME_RX_T_APPN = 0x64;

  RunningGateway gw;
  RawSmsc smsc;

  @BeforeEach
  void start(Harness house) throws Exception {
    smsc = new RawSmsc();
    gw = house.start(smsc.env());
    smsc.acceptBind(Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() throws IOException {
    smsc.close();
  }

  static byte[] randomBytes(Random r, int max) {
    var b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  static byte[] noNul(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        b[i] = (byte) '9';
      }
    }
    return b;
  }

  byte[] randomDeliverSm(Random r) {
    byte[] source = switch (r.nextInt(4)) {
      case 0 -> noNul(randomBytes(r, 25)); // any bytes, even over the 20 the spec allows
      case 1 -> new byte[0];
      default -> String.format("09%08d", r.nextInt(100_000_000)).getBytes(StandardCharsets.ISO_8859_1);
    };
    byte[] sm = switch (r.nextInt(4)) {
      case 0 -> randomBytes(r, 254);
      case 1 -> { // a UDH that says more than the message holds, or a concatenation header with nonsense
        var b = randomBytes(r, 40);
        if (b.length > 0) {
          b[0] = (byte) r.nextInt(256);
        }
        if (b.length > 5) {
          b[1] = 0;
          b[2] = 3;
        }
        yield b;
      }
      case 2 -> "BAOCAO".getBytes(StandardCharsets.ISO_8859_1);
      default -> new byte[0];
    };
    int smLength = sm.length;
    var tlvs = new ByteArrayOutputStream();
    if (r.nextInt(3) == 0) {
      int tag = r.nextBoolean() ? 0x0424 : r.nextInt(0x10000); // message_payload, or any tag
      var value = randomBytes(r, 300);
      tlvs.writeBytes(RawSmsc.tlv(tag, value.length, value));
    }
    // A third inconsistent, the frames jSMPP alone left unanswered (the gateway's RepairingPduReader reads them).
    int broken = r.nextInt(3) == 0 ? r.nextInt(5) : -1;
    switch (broken) {
      case 0 -> smLength = sm.length == 0 ? 0 : r.nextInt(sm.length); // shorter than the bytes that follow
      case 1 -> smLength = Math.min(255, sm.length + 1 + r.nextInt(60)); // longer than what is there
      case 2 -> { // a TLV that says more than the PDU holds
        var value = randomBytes(r, 40);
        tlvs.writeBytes(RawSmsc.tlv(r.nextBoolean() ? 0x0424 : 0x020C, value.length + 1 + r.nextInt(500), value));
      }
      case 3 -> tlvs.writeBytes(RawSmsc.tlv(0x020C + r.nextInt(3), 0, new byte[0])); // sar_* of length 0
      default -> { }
    }
    var body = deliverSm(source, "111".getBytes(StandardCharsets.ISO_8859_1), r.nextInt(4) == 0 ? 0x40 : r.nextInt(256),
        r.nextInt(256), smLength, sm, tlvs.toByteArray());
    return broken == 4 ? java.util.Arrays.copyOf(body, r.nextInt(body.length)) : body; // cut short anywhere
  }

  static byte[] deliverSm(byte[] source, byte[] destination, int esmClass, int dataCoding, int smLength, byte[] sm,
      byte[] tlvs) {
    return RawSmsc.deliverSm(source, destination, esmClass, dataCoding, smLength, sm, tlvs);
  }

  @Test
  void noPduIsRefusedForEverAndTheLinkStillServesAValidTextAfterTheNoise() throws Exception {
    long t0 = System.nanoTime();
    long seed = Long.getLong("chaos.fuzz_seed", System.nanoTime());
    int count = Chaos.texts(300, 5_000);
    var r = new Random(seed);
    var statuses = new TreeMap<Integer, Integer>();
    var foreverTemporary = new ArrayList<Integer>();
    var refused = new ArrayList<String>(); // index:status, a minus for a generic_nack
    for (int i = 0; i < count; i++) {
      var body = randomDeliverSm(r);
      int status;
      try {
        status = smsc.deliver(body);
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("seed " + seed + ": PDU " + i + " was never answered: "
            + java.util.HexFormat.of().formatHex(body), e);
      }
      int tries = 1;
      while (status == ESME_RX_T_APPN && tries < 3) { // the SMSC delivers it again, as a real one does
        status = smsc.deliver(body);
        tries++;
      }
      if (status == ESME_RX_T_APPN) {
        foreverTemporary.add(i);
      }
      if (status != 0 && status != ESME_RX_T_APPN) {
        refused.add(i + ":" + status);
      }
      statuses.merge(status, 1, Integer::sum);
    }
    Chaos.row(new Chaos.Row("smpp-fuzz", "H2", count, statuses.getOrDefault(0, 0), -1, foreverTemporary.size() + refused.size(), 0,
        Duration.ofNanos(System.nanoTime() - t0), "seed " + seed + ", command statuses " + statuses
        + " (lost: answered 'try again' three times in a row, or refused)"));
    assertTrue(refused.isEmpty(), "seed " + seed + ": PDUs refused for ever (index:status): " + refused);
    assertTrue(foreverTemporary.isEmpty(), "seed " + seed + ": PDUs answered 'try again' three times in a row: "
        + foreverTemporary + "; statuses " + statuses);

    var child = "0966000111";
    PersonalData.used(child);
    assertEquals(0, smsc.deliver(deliverSm(child.getBytes(StandardCharsets.ISO_8859_1), "111".getBytes(StandardCharsets.ISO_8859_1),
        0, 0, 6, "BAOCAO".getBytes(StandardCharsets.ISO_8859_1), new byte[0])), "a valid text after the noise is stored");
    // Its reply queues behind those of the noise's texts (most are answered, at the link's pace): the wait grows with them.
    assertTrue(smsc.awaitReplyTo(child, Duration.ofSeconds(20 + count / 20)), "seed " + seed + ": the valid text was answered");
    assertEquals("BOUND", gw.gateway().smpp().states().get("smpp"), "still bound");
  }
}
