package vn.hotline.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import vn.hotline.gateway.stats.Statistics.Hidden;

/**
 * For any table of counts: no sum Statistics publishes (each figure's column adds up to its total, each row's
 * four outcomes add up to its reports) is left with exactly one hidden term, which subtraction would give back.
 */
class SuppressionPropertiesTest {
  static final int[] REPORTS_AND_OUTCOMES = {1, 3, 4, 5, 6};
  static final int SUMMED = 9; // the figures that add up; the median is not one

  @Property(tries = 1000)
  void noSumIsLeftWithASingleHiddenTerm(@ForAll("tables") Statistics.Table t) {
    var p = Statistics.publish(t);
    int n = t.rows().size();
    for (int f = 0; f < SUMMED && n > 0; f++) {
      int hidden = p.total().get(f).suppressed() ? 1 : 0;
      for (var row : p.rows()) {
        hidden += row.get(f).suppressed() ? 1 : 0;
      }
      assertNotEquals(1, hidden, "column " + Statistics.FIGURES.get(f) + " has one hidden term: " + describe(t, p));
    }
    for (int r = 0; r <= n; r++) {
      var row = r < n ? p.rows().get(r) : p.total();
      int hidden = 0;
      for (int f : REPORTS_AND_OUTCOMES) {
        hidden += row.get(f).suppressed() ? 1 : 0;
      }
      assertNotEquals(1, hidden, "row " + r + "'s reports and outcomes have one hidden term: " + describe(t, p));
    }
  }

  @Property(tries = 500)
  void everySmallCountIsHiddenAndNoZero(@ForAll("tables") Statistics.Table t) {
    var p = Statistics.publish(t);
    for (int r = 0; r <= t.rows().size(); r++) {
      var counts = r < t.rows().size() ? t.rows().get(r).counts() : t.total();
      var cells = r < t.rows().size() ? p.rows().get(r) : p.total();
      long[] v = values(counts);
      for (int f = 0; f < SUMMED; f++) {
        var c = cells.get(f);
        if (v[f] >= 1 && v[f] <= 4) {
          assertEquals(Hidden.SMALL, c.hidden(), c.toString());
        } else if (v[f] == 0) {
          assertEquals(Hidden.NONE, c.hidden(), "a zero reveals nothing: " + c);
        }
        assertEquals(c.suppressed(), c.value() == null, "a hidden figure has no value: " + c);
      }
    }
  }

  @Provide
  Arbitrary<Statistics.Table> tables() {
    var small = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 0)),
        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 4)),
        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(5, 40)));
    var row = Combinators.combine(small, small, small, small, small, small, small, small).as((contacts, operator,
        voicemail, completed, abandoned, urgentShare, delivered, dead) -> {
          var c = new Statistics.Counts();
          c.operator = operator;
          c.voicemail = voicemail;
          c.completed = completed;
          c.abandoned = abandoned;
          c.reports = (long) operator + voicemail + completed + abandoned;
          c.urgent = Math.min(c.reports, urgentShare);
          c.contacts = c.reports + contacts; // every report came from a contact
          c.delivered = delivered;
          c.dead = dead;
          return c;
        });
    return row.list().ofMinSize(0).ofMaxSize(6).map(rows -> SuppressionTest.table(rows.toArray(Statistics.Counts[]::new)));
  }

  static long[] values(Statistics.Counts c) {
    return new long[] {c.contacts, c.reports, c.urgent, c.operator, c.voicemail, c.completed, c.abandoned, c.delivered,
        c.dead};
  }

  static String describe(Statistics.Table t, Statistics.Published p) {
    var b = new StringBuilder();
    for (int r = 0; r <= t.rows().size(); r++) {
      var counts = r < t.rows().size() ? t.rows().get(r).counts() : t.total();
      var cells = r < t.rows().size() ? p.rows().get(r) : p.total();
      b.append(r < t.rows().size() ? "\n row " + r : "\n total").append(": ");
      long[] v = values(counts);
      for (int f = 0; f < SUMMED; f++) {
        b.append(v[f]).append(switch (cells.get(f).hidden()) {
          case SMALL -> "s";
          case COMPLEMENTARY -> "c";
          case NONE -> "";
        }).append(' ');
      }
    }
    return b.toString();
  }

}
