package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.PersonalData;

/**
 * The inbox's claim of the next pending text (SmsRepository.claimPending), on both stores, with two workers (two
 * instances, or two inbox threads) at once: each holds only the text it took, so the other takes the next one.
 */
@GatewayTest
class SmsInboxClaimTest {
  Store store;
  SmsRepository sms;
  Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  @BeforeEach
  void open(Harness house) {
    var db = house.db();
    store = Store.open(new GatewayConfig.Db(db.gatewayUrl(), db.user(), "", 4, 2000), null);
    sms = new SmsRepository(store, new Sealer(java.util.Map.of("k1", new byte[32])), new AuditLog());
    PersonalData.used("0911000001", "0911000002", "mot", "hai", "ba");
  }

  @AfterEach
  void close() {
    store.close();
  }

  void text(String pseudonym, String number, String body, Instant at) {
    sms.storePart(new SmsRepository.PartIn(Channel.SMS_SMPP, "smpp", "bind-1", pseudonym, number, "111", null, 1, 1,
        body), at, Duration.ofMinutes(10));
  }

  @Test
  void aSecondWorkerTakesTheNextTextersMessageWhileTheFirstHoldsTheOldest() {
    text("p1", "0911000001", "mot", t0);
    text("p1", "0911000001", "hai", t0.plusMillis(1)); // the same texter's next: must wait for the first
    text("p2", "0911000002", "ba", t0.plusMillis(2));
    store.inTransaction(a -> {
      var first = sms.claimPending(a);
      assertEquals(Optional.of("mot"), first.map(SmsRepository.Inbound::text));
      // another worker meanwhile (another connection, its own transaction)
      var second = store.inTransaction(b -> sms.claimPending(b));
      assertEquals(Optional.of("ba"), second.map(SmsRepository.Inbound::text),
          "not locked out by the first worker, and not the first texter's next message before its first");
      return null;
    });
  }
}
