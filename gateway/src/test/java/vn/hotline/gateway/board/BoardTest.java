package vn.hotline.gateway.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;

/** The live board lists what is in progress, where each contact is, urgent first, and today's totals. */
@GatewayTest
class BoardTest {
  static final String TEXTER = "+84987654324";

  RunningGateway gw;
  FakeTwilio twilio;
  MutableClock clock = MutableClock.now();

  @BeforeEach
  void start(Harness house) throws Exception {
    gw = house.start(Map.of(), clock);
    twilio = gw.twilio();
  }

  @Test
  void contactsInProgressAreShownWhereTheyAreUrgentFirstWithTheCallersEarlierContacts() {
    var inMenu = twilio.call();
    inMenu.incoming();
    clock.advance(Duration.ofSeconds(5));
    var danger = twilio.call();
    danger.dangerNow(); // the same phone as the first call: a repeat contact
    twilio.sms(TEXTER, "BAOCAO");

    var board = gw.gateway().board();
    assertEquals(3, board.items().size(), board.toString());
    var first = board.items().get(0);
    assertEquals(Board.State.WAITING, first.state(), "the danger call waits for a counsellor, first");
    assertTrue(first.urgent());
    assertEquals("danger", first.intent());
    assertEquals(1, first.earlierContacts(), "the same caller called a moment before");
    var menu = board.items().stream().filter(i -> i.state() == Board.State.IN_MENU).findFirst().orElseThrow();
    assertEquals(Channel.VOICE, menu.channel());
    assertFalse(menu.urgent());
    assertEquals(0, menu.earlierContacts());
    var sms = board.items().stream().filter(i -> i.state() == Board.State.SMS).findFirst().orElseThrow();
    assertTrue(sms.channel().isSms());
    assertEquals(1, board.waiting());
    assertEquals(3, board.today().contacts());
    assertFalse(board.toString().contains("987654324") || board.toString().contains("BAOCAO"),
        "no number and no words on the board: " + board);
  }

  @Test
  void aWatcherSeesANewCallOnTheBoardWithinASecondWithoutAskingAgain() {
    var seen = new java.util.concurrent.CopyOnWriteArrayList<Board.View>();
    java.util.function.Consumer<Board.View> watcher = seen::add;
    gw.gateway().boardFeed().watch(watcher);
    try {
      Await.until(() -> !seen.isEmpty(), "the first reading arrives", Duration.ofSeconds(10));
      assertEquals(0, seen.get(seen.size() - 1).items().size());
      var call = twilio.call();
      long asked = System.nanoTime();
      var dial = call.dangerNow();
      Await.until(() -> seen.get(seen.size() - 1).waiting() == 1, "the danger call shows as waiting",
          Duration.ofSeconds(10));
      long tookMs = (System.nanoTime() - asked) / 1_000_000;
      assertTrue(tookMs < 3_000, "pushed after the webhook, not at the 5 s refresh: " + tookMs + " ms");
      call.dialEnded(dial, "completed");
      call.status("completed");
      Await.until(() -> seen.get(seen.size() - 1).items().isEmpty(), "the ended call leaves the board",
          Duration.ofSeconds(10));
    } finally {
      gw.gateway().boardFeed().unwatch(watcher);
    }
  }

  @Test
  void aCallACounsellorTookByPressingOneShowsAsWithThemNoLongerWaiting() {
    var call = twilio.call();
    var dial = call.dangerNow();
    clock.advance(Duration.ofSeconds(20));
    var leg = call.leg(dial, 0);
    leg.press(leg.pickUp(), "1");
    var item = gw.gateway().board().items().get(0);
    assertEquals(Board.State.WITH_COUNSELLOR, item.state());
    assertEquals(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), item.since(), "with the counsellor since they pressed 1");
    assertEquals(0, gw.gateway().board().waiting());
  }

  @Test
  void anEndedContactLeavesTheBoardAndCountsInTodaysTotals() {
    twilio.dangerCallAnswered();
    var board = gw.gateway().board();
    assertEquals(0, board.items().size(), board.toString());
    assertEquals(1, board.today().contacts());
    assertEquals(1, board.today().reports());
    assertEquals(1, board.today().urgent());
  }
}
