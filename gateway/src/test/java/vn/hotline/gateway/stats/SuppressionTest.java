package vn.hotline.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.stats.Statistics.Hidden;

/** Primary and complementary suppression of the published figures, on tables built in the test (no store). */
class SuppressionTest {
  static final Statistics.Query BY_PROVINCE =
      new Statistics.Query(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 12, 31), List.of(Statistics.Dimension.PROVINCE));
  // Indexes in Statistics.FIGURES
  static final int CONTACTS = 0, REPORTS = 1, OPERATOR = 3, VOICEMAIL = 4, COMPLETED = 5, DELIVERED = 7, MEDIAN = 9;

  @Test
  void aSmallCountIsHiddenAndOneOtherTermOfEachSumItIsInToo() {
    var a = counts(20, 12, 3, 0, 9, 0);
    var b = counts(30, 20, 10, 0, 10, 0);
    var p = Statistics.publish(table(a, b));
    var rowA = p.rows().get(0);
    var rowB = p.rows().get(1);
    assertEquals(Hidden.SMALL, rowA.get(OPERATOR).hidden(), "3 calls an operator took in one province");
    assertNull(rowA.get(OPERATOR).value());
    assertEquals(Hidden.COMPLEMENTARY, rowA.get(COMPLETED).hidden(), "else 12 - 9 gives the 3 back");
    assertEquals(Hidden.COMPLEMENTARY, rowB.get(OPERATOR).hidden(), "else 13 - 10 gives the 3 back");
    assertEquals(Hidden.COMPLEMENTARY, rowB.get(COMPLETED).hidden(), "else 19 - 10 gives the hidden 9 back");
    assertEquals(Hidden.NONE, rowA.get(REPORTS).hidden());
    assertEquals(12L, rowA.get(REPORTS).value());
    for (var c : p.total()) {
      assertEquals(Hidden.NONE, c.hidden(), "the totals are large: " + c);
    }
    assertEquals(13L, p.total().get(OPERATOR).value());
  }

  @Test
  void countsFromOneToFourAreHiddenZeroAndFiveAreShown() {
    for (int v = 0; v <= 6; v++) {
      var p = Statistics.publish(new Statistics.Table(BY_PROVINCE, List.of(), contacts(v)));
      var cell = p.total().get(CONTACTS);
      if (v >= 1 && v <= 4) {
        assertEquals(Hidden.SMALL, cell.hidden(), "contacts " + v);
        assertNull(cell.value());
      } else {
        assertEquals(Hidden.NONE, cell.hidden(), "contacts " + v);
        assertEquals((long) v, cell.value());
      }
    }
  }

  @Test
  void whenTheSmallestOtherTermIsZeroTheNextNonZeroOneIsHidden() {
    var p = Statistics.publish(table(counts(10, 8, 2, 0, 6, 0)));
    var row = p.rows().get(0);
    assertEquals(Hidden.SMALL, row.get(OPERATOR).hidden());
    assertEquals(Hidden.NONE, row.get(VOICEMAIL).hidden(), "a zero reveals nothing and is shown");
    assertEquals(0L, row.get(VOICEMAIL).value());
    assertEquals(Hidden.COMPLEMENTARY, row.get(COMPLETED).hidden(), "6 < 8: the smallest non-zero other term");
  }

  @Test
  void aMedianOverFewerThanFiveDeliveriesIsHidden() {
    var few = counts(10, 10, 0, 0, 10, 0);
    few.delivered = 4;
    few.latenciesMs.addAll(List.of(1000L, 2000L, 3000L, 4000L));
    var enough = counts(10, 10, 0, 0, 10, 0);
    enough.delivered = 5;
    enough.latenciesMs.addAll(List.of(1000L, 2000L, 3000L, 4000L, 5000L));
    var p = Statistics.publish(table(few, enough));
    assertEquals(Hidden.SMALL, p.rows().get(0).get(MEDIAN).hidden());
    assertNull(p.rows().get(0).get(MEDIAN).value());
    assertEquals(Hidden.NONE, p.rows().get(1).get(MEDIAN).hidden());
    assertEquals(3.0, p.rows().get(1).get(MEDIAN).value());
    assertEquals(Hidden.SMALL, p.rows().get(0).get(DELIVERED).hidden());
    assertEquals(Hidden.COMPLEMENTARY, p.rows().get(1).get(DELIVERED).hidden(), "else 9 - 5 gives the 4 back");
  }

  static Statistics.Counts contacts(long n) {
    var c = new Statistics.Counts();
    c.contacts = n;
    return c;
  }

  /** A group whose reports are exactly its four outcomes. */
  static Statistics.Counts counts(long contacts, long reports, long operator, long voicemail, long completed,
      long abandoned) {
    var c = new Statistics.Counts();
    c.contacts = contacts;
    c.reports = reports;
    c.operator = operator;
    c.voicemail = voicemail;
    c.completed = completed;
    c.abandoned = abandoned;
    return c;
  }

  /** Rows named "01", "02", ... and their total, as Statistics.compute adds it up. */
  static Statistics.Table table(Statistics.Counts... rows) {
    var groups = new ArrayList<Statistics.Group>();
    var total = new Statistics.Counts();
    for (int i = 0; i < rows.length; i++) {
      var r = rows[i];
      groups.add(new Statistics.Group(List.of(String.format("%02d", i + 1)), r));
      total.contacts += r.contacts;
      total.reports += r.reports;
      total.urgent += r.urgent;
      total.operator += r.operator;
      total.voicemail += r.voicemail;
      total.completed += r.completed;
      total.abandoned += r.abandoned;
      total.delivered += r.delivered;
      total.dead += r.dead;
      total.latenciesMs.addAll(r.latenciesMs);
    }
    return new Statistics.Table(BY_PROVINCE, List.copyOf(groups), total);
  }
}
