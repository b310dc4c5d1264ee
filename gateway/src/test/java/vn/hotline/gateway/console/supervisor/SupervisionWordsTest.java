package vn.hotline.gateway.console.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.console.Messages;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.stats.Statistics;

/** The supervisor view's words made from values (states, statuses, channels, figures) are in both languages. */
class SupervisionWordsTest {
  @Test
  void everyWordTheViewBuildsFromAValueIsInBothLanguages() {
    var keys = new ArrayList<String>();
    for (var s : Board.State.values()) {
      keys.add(Supervision.stateKey(s));
    }
    keys.add("supervisor.state.assigned");
    for (var p : Presence.values()) {
      keys.add("supervisor.presence." + p.wire());
    }
    for (var c : Channel.values()) {
      keys.add("supervisor.channel." + c.wire());
    }
    for (var i : List.of("danger", "report", "advice", "none")) {
      keys.add("supervisor.intent." + i);
    }
    for (var d : Statistics.Dimension.values()) {
      keys.add("stats.dim." + d.key());
      keys.add("stats.col." + d.key());
    }
    for (var f : Statistics.FIGURES) {
      keys.add("stats.col." + f);
    }
    keys.add("stats.col.group");
    keys.add("stats.col.province_name");
    var m = Messages.load();
    var missing = new TreeSet<String>();
    for (var lang : Messages.LANGUAGES) {
      for (var k : keys) {
        if (!m.bundle(lang).has(k)) {
          missing.add(lang + ": " + k);
        }
      }
    }
    assertEquals(new TreeSet<String>(), missing);
  }

  @Test
  void waitingTimesReadLikeAClock() {
    assertEquals("0:00", Supervision.clockText(Duration.ofMillis(-5)));
    assertEquals("0:42", Supervision.clockText(Duration.ofSeconds(42)));
    assertEquals("3:05", Supervision.clockText(Duration.ofSeconds(185)));
    assertEquals("1:00:01", Supervision.clockText(Duration.ofSeconds(3601)));
  }
}
