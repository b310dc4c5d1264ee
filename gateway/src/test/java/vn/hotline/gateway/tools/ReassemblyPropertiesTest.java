package vn.hotline.gateway.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import vn.hotline.gateway.sms.ReceivedPart;
import vn.hotline.gateway.sms.SmsCodec;
import vn.hotline.gateway.sms.SmsCodecPropertiesTest;

/**
 * Whatever the text and whatever order its parts come in, reassembly gives the text back, once: through the test
 * tool's {@link Reassembler} and the way the gateway takes deliver_sm, both reading parts with the gateway's parser
 * ({@link ReceivedPart}).
 */
class ReassemblyPropertiesTest {
  @Property(tries = 500)
  void anyPermutationOfThePartsGivesTheTextBack(@ForAll("texts") String text, @ForAll("seeds") long seed,
      @ForAll("references") int reference) {
    var e = SmsCodec.encode(text, reference);
    var pieces = new ArrayList<Reassembler.Piece>();
    for (var p : e.parts()) {
      pieces.add(new Reassembler.Piece("0912345678", "111", e.dataCoding(), p.bytes(), p.udhi(), null));
    }
    Collections.shuffle(pieces, new Random(seed));
    var r = new Reassembler();
    for (int i = 0; i < pieces.size() - 1; i++) {
      assertNull(r.add(pieces.get(i)), "whole before its last part");
    }
    assertEquals(text, r.add(pieces.get(pieces.size() - 1)));
    assertEquals(List.of(), r.incomplete());
  }

  /** As SmppInbound and the store do it: each part read and decoded alone, the texts joined in sequence order. */
  @Property(tries = 500)
  void theGatewaysReadingOfAnyPermutationGivesTheTextBack(@ForAll("texts") String text, @ForAll("seeds") long seed,
      @ForAll("references") int reference) {
    var e = SmsCodec.encode(text, reference);
    var parts = new ArrayList<>(e.parts());
    Collections.shuffle(parts, new Random(seed));
    var bySeq = new java.util.TreeMap<Integer, String>();
    for (var p : parts) {
      var read = ReceivedPart.of(p.bytes(), p.udhi(), (SmsCodec.Concat) null);
      assertEquals(List.of(), read.malformed());
      int seq = read.concat() == null ? 1 : read.concat().seq();
      assertEquals(e.parts().size(), read.concat() == null ? 1 : read.concat().total());
      assertNull(bySeq.put(seq, SmsCodec.decode(e.dataCoding(), read.body())), "each part once");
    }
    assertEquals(text, String.join("", bySeq.values()));
  }

  @Provide
  Arbitrary<String> texts() {
    return SmsCodecPropertiesTest.vietnameseTexts();
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Provide
  Arbitrary<Integer> references() {
    return Arbitraries.integers().between(0, 255);
  }
}
