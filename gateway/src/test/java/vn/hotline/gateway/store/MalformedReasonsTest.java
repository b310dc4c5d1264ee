package vn.hotline.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The reasons a malformed text was stored with always fit their 64-character columns (else the text is not stored). */
class MalformedReasonsTest {
  @Test
  void reasonsThatFitAreKeptAsTheyAreAndLongerOnesKeepTheirFirstWholeCodes() {
    assertNull(SmsRepository.fitReasons(null));
    assertEquals("pdu_sm,pdu_tlv", SmsRepository.fitReasons("pdu_sm,pdu_tlv"));
    var many = "udh_length,udh_element,no_sender,pdu_sm,pdu_tlv,pdu_hdr,pdu_src,parts_missing";
    var fit = SmsRepository.fitReasons(many);
    assertTrue(fit.length() <= 64, fit);
    assertEquals("udh_length,udh_element,no_sender,pdu_sm,pdu_tlv,pdu_hdr,+", fit);
    assertTrue(SmsRepository.fitReasons("x".repeat(80)).length() <= 64);
  }
}
