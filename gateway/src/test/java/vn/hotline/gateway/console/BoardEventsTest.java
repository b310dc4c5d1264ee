package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeTwilio;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The console's event stream (/console/board/events, Server-Sent Events) as a browser reads it: the board pushed
 * as it changes, the screen-pop only on the stream of the counsellor who pressed 1, the end of a session, and the
 * feed let go when the page goes away. Plain HTTP streams, both stores.
 */
@GatewayTest
class BoardEventsTest {
  static final String LAN_PHONE = "+84901000011";
  static final String MINH_PHONE = "+84901000012";

  TestDatabase db;
  MutableClock clock = MutableClock.now();
  RunningGateway gw;
  FakeTwilio twilio;
  ConsoleFixture accounts;
  ConsoleHttp http;
  final List<EventStream> streams = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(Harness house) {
    db = house.db();
    gw = house.start(Map.of(), clock);
    twilio = gw.twilio();
    accounts = new ConsoleFixture(gw, clock, db);
    http = new ConsoleHttp(gw.base);
    PersonalData.used(LAN_PHONE, MINH_PHONE);
  }

  @AfterEach
  void closeAll() {
    streams.forEach(EventStream::close);
    accounts.close();
  }

  /** One Server-Sent Events stream, read on a thread of its own; every event kept in order. */
  static final class EventStream implements AutoCloseable {
    record Event(String name, String data) {}

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final HttpResponse<java.util.stream.Stream<String>> response;

    EventStream(URI uri, String cookies) throws Exception {
      response = client.send(HttpRequest.newBuilder(uri).header("Cookie", cookies)
          .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
      var reader = new Thread(() -> {
        String name = "message";
        var data = new StringBuilder();
        try {
          for (var it = response.body().iterator(); it.hasNext(); ) {
            var line = it.next();
            if (line.isEmpty()) {
              if (!data.isEmpty()) {
                events.add(new Event(name, data.substring(0, data.length() - 1)));
              }
              name = "message";
              data.setLength(0);
            } else if (line.startsWith("event: ")) {
              name = line.substring(7);
            } else if (line.startsWith("data: ")) {
              data.append(line.substring(6)).append('\n');
            }
          }
        } catch (RuntimeException closed) {
          // the stream was closed
        }
      }, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    List<Event> named(String name) {
      return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    Event await(String name, Predicate<String> data, String what) {
      Await.until(() -> named(name).stream().anyMatch(e -> data.test(e.data())), what + " (events: " + names() + ")",
          Duration.ofSeconds(10));
      return named(name).stream().filter(e -> data.test(e.data())).findFirst().orElseThrow();
    }

    List<String> names() {
      return events.stream().map(Event::name).toList();
    }

    @Override
    public void close() {
      client.shutdownNow();
    }
  }

  EventStream open(String session, boolean board) throws Exception {
    var s = new EventStream(gw.base.resolve("/console/board/events" + (board ? "?board=1" : "")), session);
    streams.add(s);
    return s;
  }

  void available(String session) {
    var csrf = ConsoleHttp.hidden(http.get("/console/board", session).body(), "csrf");
    assertEquals(200, http.post("/console/presence", PresenceAndRingingTest.form("presence", "available"), session,
        Map.of("X-CSRF-Token", csrf, "HX-Request", "true")).statusCode());
  }

  @Test
  void thePopGoesOnlyToWhoPressedOneTheBoardToEveryoneAndTheFeedIsLeftWhenThePagesGo() throws Exception {
    var lan = accounts.active(Role.COUNSELLOR, LAN_PHONE);
    var minh = accounts.active(Role.COUNSELLOR, MINH_PHONE);
    var lanSession = http.signIn(lan.login(), ConsoleFixture.PASSWORD);
    var minhSession = http.signIn(minh.login(), ConsoleFixture.PASSWORD);
    available(lanSession);
    clock.advance(Duration.ofSeconds(1));
    available(minhSession);
    var feed = gw.gateway().boardFeed();
    int before = feed.watching();

    var lanPage = open(lanSession, false); // any page of hers: pops only
    var minhBoard = open(minhSession, true); // Minh's board
    assertEquals(200, minhBoard.response.statusCode());
    assertTrue(minhBoard.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    assertEquals(ConsoleRoutes.CSP, minhBoard.response.headers().firstValue("Content-Security-Policy").orElse(""));
    minhBoard.await("board", d -> d.contains("board-summary"), "the board comes at once");
    Await.until(() -> feed.watching() == before + 2, "both pages watch the one feed");

    var call = twilio.call();
    var dial = call.dangerNow();
    assertEquals(List.of(LAN_PHONE, MINH_PHONE), dial.dialled());
    var contact = (String) db.row("SELECT id FROM contacts WHERE provider_ref = ?", call.sid).get("id");
    minhBoard.await("board", d -> d.contains("id=\"contact-" + contact + "\"") && d.contains("data-state=\"waiting\""),
        "the danger call, waiting, pushed to the board");

    var leg = call.leg(dial, dial.dialled().indexOf(LAN_PHONE));
    assertTrue(leg.press(leg.pickUp(), "1").verbs().isEmpty(), "Lan pressed 1");
    var pop = lanPage.await("pop", d -> true, "Lan's page is told to open the card");
    assertEquals("/console/contacts/" + contact, pop.data());
    minhBoard.await("board", d -> d.contains("Đang với " + lan.name()), "Minh's board shows the call with Lan");
    assertEquals(List.of(), minhBoard.named("pop"), "no pop for the counsellor who did not take it");
    assertEquals(List.of(), lanPage.named("board"), "a page other than the board gets no board");
    assertEquals(1, lanPage.named("pop").size());

    var csrf = ConsoleHttp.hidden(http.get("/console/board", lanSession).body(), "csrf");
    assertEquals(303, http.post("/console/logout", PresenceAndRingingTest.form("csrf", csrf), lanSession, Map.of())
        .statusCode());
    lanPage.await("ended", d -> true, "her other pages are told the session is over");

    minhBoard.close();
    Await.until(() -> feed.watching() == before, "the browser gone, nobody watches the feed");
    var signedOut = http.get("/console/board/events?board=1", null);
    assertEquals(303, signedOut.statusCode(), "no events without signing in");
    assertTrue(signedOut.headers().firstValue("Location").orElse("").startsWith("/console/login"));
    assertFalse(String.join("", minhBoard.named("board").stream().map(EventStream.Event::data).toList())
        .contains("912345678"), "no caller's number on the board");
  }
}
