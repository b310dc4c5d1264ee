package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.casework.Casework;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.operators.Presence;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.store.BoardRepository;

/** What the live board says, in words, from a reading: labels for every step, "with you", the repeat count. */
class BoardModelTest {
  static final Instant NOW = Instant.parse("2026-03-02T03:04:05Z");
  static final ZoneId HANOI = ZoneId.of("Asia/Ho_Chi_Minh");
  final Messages messages = Messages.load();
  final Taxonomy taxonomy = Taxonomy.load(Path.of("config/taxonomy.yaml"));

  static Board.Item item(String id, Board.State state, Duration ago, String counsellor, String assigned, int earlier) {
    return new Board.Item(id, "1234567" + id.charAt(id.length() - 1), Channel.VOICE, state, "report-age",
        NOW.minus(ago), NOW.minus(ago), state == Board.State.WAITING, state == Board.State.WAITING ? "danger" : "report",
        "bullying", earlier, counsellor, assigned);
  }

  @Test
  void everyStepOfTheShippedFlowsEveryPresenceAndEveryIntentHasWordsInBothLanguages() {
    var flows = new FlowLoader(Map.of("provinces", Provinces.load(null).byCode().keySet()))
        .loadDirectory(Path.of("ivr-flows"));
    var missing = new TreeSet<String>();
    for (var lang : Messages.LANGUAGES) {
      var words = messages.bundle(lang);
      for (var flow : flows.all()) {
        for (var node : flow.nodes().keySet()) {
          if (!words.has("board.step." + node)) {
            missing.add(lang + " board.step." + node);
          }
        }
      }
      for (var p : Presence.values()) {
        for (var key : List.of("presence." + p.wire(), "presence.set." + p.wire())) {
          if (!words.has(key)) {
            missing.add(lang + " " + key);
          }
        }
      }
      for (var intent : List.of("danger", "report", "advice")) {
        if (!words.has("board.intent." + intent)) {
          missing.add(lang + " board.intent." + intent);
        }
      }
    }
    assertEquals(new TreeSet<String>(), missing);
  }

  @Test
  void aReadingReadsInWordsWithWhatIsMineMarkedAndOnlyMineLinked() {
    var me = "op-lan";
    var view = new Board.View(NOW, List.of(
        item("c-1", Board.State.WAITING, Duration.ofSeconds(75), null, null, 2),
        item("c-2", Board.State.WITH_COUNSELLOR, Duration.ofMinutes(61).plusSeconds(2), me, me, 0),
        item("c-3", Board.State.WITH_COUNSELLOR, Duration.ofSeconds(5), "op-minh", "op-minh", 0),
        item("c-4", Board.State.IN_MENU, Duration.ofSeconds(9), null, null, 0)),
        new BoardRepository.Totals(7, 3, 1, 2),
        List.of(new Board.Counsellor(me, "Nguyễn Thị Lan", Role.COUNSELLOR, Presence.AVAILABLE, NOW, true),
            new Board.Counsellor("op-minh", "Trần Văn Minh", Role.COUNSELLOR, Presence.BUSY, NOW, true)),
        Map.of(me, "Nguyễn Thị Lan", "op-minh", "Trần Văn Minh"),
        List.of(new Casework.AwaitingReview("87654321", Instant.parse("2026-03-02T02:00:00Z"), true)));

    var vi = new BoardModel(view, messages.bundle("vi"), taxonomy, HANOI, me);
    var rows = vi.rows();
    assertEquals("Đang chờ tư vấn viên", rows.get(0).stateLabel());
    assertEquals("1:15", rows.get(0).elapsed());
    assertEquals("Nguy hiểm ngay", rows.get(0).intent());
    assertEquals("Bắt nạt", rows.get(0).category(), "the category's label, from config/taxonomy.yaml");
    assertEquals(2, rows.get(0).earlierContacts());
    assertEquals("Đang với bạn", rows.get(1).stateLabel());
    assertEquals("1:01:02", rows.get(1).elapsed());
    assertEquals("Đang với Trần Văn Minh", rows.get(2).stateLabel());
    assertEquals("Trong menu: báo cáo: độ tuổi", rows.get(3).stateLabel());
    assertEquals(List.of("c-2"), vi.mine().stream().map(BoardModel.Row::contactId).toList(),
        "mine: the contact assigned to me");
    assertEquals("/console/contacts/c-2", rows.get(1).cardHref());
    assertNull(rows.get(2).cardHref(), "another counsellor's contact is not linked from my board");
    assertEquals(1, vi.waiting());
    assertEquals(1, vi.available());
    assertEquals(List.of(new BoardModel.Review("87654321", "09:00", true)), vi.reviews(), "due in the hotline's time");

    var en = new BoardModel(view, messages.bundle("en"), taxonomy, HANOI, me);
    assertEquals("With you", en.rows().get(1).stateLabel());
    assertEquals("Bullying", en.rows().get(0).category());
    assertEquals("busy", en.people().get(1).presenceLabel());
  }

  @Test
  void anEventIsItsNameThenItsDataLineByLine() {
    assertEquals("event: board\ndata: <p>\ndata: a</p>\n\n", BoardRoutes.event("board", "<p>\r\na</p>"));
    assertEquals("event: pop\ndata: /console/contacts/x\n\n", BoardRoutes.event("pop", "/console/contacts/x"));
    assertTrue(BoardModel.elapsed(Duration.ofSeconds(-3)).equals("0:00"), "never a negative clock");
  }
}
