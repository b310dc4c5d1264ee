package vn.hotline.gateway.sms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.LogCapture;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.SmppLink;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.tools.TestSmsc;
import vn.hotline.gateway.util.Json;

/**
 * A child's first text is a cry for help, not a keyword ("cuu em", "em bi danh"): the report starts at once, with
 * the danger line first and the category its words suggest, confirmed with one key or corrected; what the child
 * wrote begins the description the agency receives. Chat ("hi", "ok", a wrong number) still gets the menu. Over
 * SMPP (the test SMSC over loopback) and Twilio (signed webhooks), on both stores, agencies as fake inboxes.
 */
@GatewayTest
class FreeTextStartTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String DANGER_VI = "Neu dang nguy hiem: goi 111 hoac 113.";
  static final String DANGER_EN = "If you are in danger now: call 111 or 113.";
  static final AtomicInteger NUMBERS = new AtomicInteger();

  TestDatabase db;
  TestSmsc smsc;
  FakeAgencies agencies;
  RunningGateway gw;

  @BeforeEach
  void start(Harness house) throws Exception {
    db = house.db();
    smsc = TestSmsc.start(new TestSmsc.Config(0, "hotline", "hotline", Duration.ofMillis(300), Duration.ofSeconds(1)));
    var routed = house.startRouted(SmppLink.quick(smsc.port()), Clock.systemUTC());
    gw = routed.gw();
    agencies = routed.fakes();
    Await.until(() -> "BOUND".equals(gw.gateway().smpp().states().get("smpp")), "link bound");
  }

  @AfterEach
  void stop() {
    smsc.close();
    agencies.close();
  }

  /** A child's phone on one of the two ways a text reaches 111. */
  interface Phone {
    String text(String message);

    String channel();
  }

  Phone twilio() {
    var from = "+8498" + String.format("%07d", NUMBERS.incrementAndGet());
    return new Phone() {
      public String text(String message) {
        PersonalData.used(from, message);
        return gw.twilio().sms(from, message).messageText();
      }

      public String channel() {
        return "sms-twilio";
      }
    };
  }

  Phone smpp() {
    var from = "091" + String.format("%07d", NUMBERS.incrementAndGet());
    return new Phone() {
      public String text(String message) {
        PersonalData.used(from, message);
        int before = smsc.mtTexts(from).size();
        smsc.deliverMo(from, "111", message);
        try {
          return smsc.awaitMtTexts(from, before + 1, WAIT).get(before);
        } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
          throw new AssertionError("no reply to a text over SMPP within " + WAIT, e);
        }
      }

      public String channel() {
        return "sms-smpp";
      }
    };
  }

  List<Phone> phones() {
    return List.of(smpp(), twilio());
  }

  /** A first message, what the first reply proposes (null: the category menu), in the language it starts. */
  record FirstText(String text, String proposes, String language) {}

  static final List<FirstText> CRIES = List.of(
      new FirstText("cuu em", null, "vi-VN"),
      new FirstText("Cứu em với", null, "vi-VN"),
      new FirstText("giup em voi", null, "vi-VN"),
      new FirstText("giúp em", null, "vi-VN"),
      new FirstText("SOS", null, "vi-VN"),
      new FirstText("em so qua", null, "vi-VN"),
      new FirstText("em bi danh", "bao luc than the", "vi-VN"),
      new FirstText("Em bị bố đánh, đập bằng gậy", "bao luc than the", "vi-VN"),
      new FirstText("chu em bao hanh em moi ngay", "bao luc than the", "vi-VN"),
      new FirstText("co nguoi doa dang anh em", "xam hai tren mang", "vi-VN"),
      new FirstText("nó tống tiền em, đòi tung ảnh nóng", "xam hai tren mang", "vi-VN"),
      new FirstText("em bi so soang o lop hoc them", "xam hai tinh duc", "vi-VN"),
      new FirstText("ban em bi hiep", "xam hai tinh duc", "vi-VN"),
      new FirstText("em bi bat nat o truong", "bi bat nat o truong", "vi-VN"),
      new FirstText("con bi bo doi 2 ngay roi", "bao luc tinh than, bo mac", "vi-VN"),
      new FirstText("em bi bat di lam o xuong", "boc lot lao dong", "vi-VN"),
      new FirstText("help me", null, "en-US"),
      new FirstText("please help, my stepdad hit me", "physical violence", "en-US"),
      new FirstText("help me someone threatened to post my nudes", "online abuse", "en-US"));

  static final List<String> CHAT = List.of("hi", "ok", "alo", "a", "anh oi mai gap nhe", "xin chao", "?",
      "alo co ai khong", "Chị ơi tối nay ăn gì", "nhầm số rồi");

  @TestFactory
  Stream<DynamicTest> aCryForHelpStartsTheReportWithTheDangerLineFirstAndTheCategoryItsWordsSuggest() {
    var tests = new ArrayList<DynamicTest>();
    for (var phone : phones()) {
      for (var cry : CRIES) {
        tests.add(dynamicTest(phone.channel() + ": \"" + cry.text() + "\"", () -> {
          var fresh = phone.channel().equals("sms-smpp") ? smpp() : twilio();
          int contacts = db.count("contacts");
          var reply = fresh.text(cry.text());
          var vi = cry.language().equals("vi-VN");
          assertTrue(reply.startsWith(vi ? DANGER_VI : DANGER_EN), reply);
          if (cry.proposes() == null) {
            assertTrue(reply.contains(vi ? "Ban bao cao viec gi?" : "What are you reporting?"), reply);
          } else {
            assertTrue(reply.contains((vi ? "Co phai ve " : "Is it about ") + cry.proposes()), reply);
            assertTrue(reply.contains(vi ? "Tra loi 1 Dung" : "Reply 1 Yes"), reply);
          }
          assertTrue(SmsCodec.encode(reply, 0).dataCoding() == SmsCodec.DCS_GSM7, "GSM-7: " + reply);
          assertEquals(contacts + 1, db.count("contacts"), "a report conversation started");
        }));
      }
      for (var chat : CHAT) {
        tests.add(dynamicTest(phone.channel() + ": \"" + chat + "\" is no cry", () -> {
          var fresh = phone.channel().equals("sms-smpp") ? smpp() : twilio();
          int contacts = db.count("contacts");
          var reply = fresh.text(chat);
          assertTrue(reply.startsWith("111: Nhan BAOCAO"), "the short menu: " + reply);
          assertFalse(reply.contains("nguy hiem: goi 111 hoac 113"), reply);
          assertEquals(contacts, db.count("contacts"), "nothing started");
        }));
      }
    }
    return tests.stream();
  }

  @Test
  void confirmingWithOneSendsTheProposedCategoryAndTheFirstTextBeginsTheDescription() throws Exception {
    try (var logs = LogCapture.start()) {
      for (var phone : phones()) {
        var first = "Em bị bố dượng đánh mỗi tối " + phone.channel();
        assertTrue(phone.text(first).contains("Co phai ve bao luc than the?"));
        assertTrue(phone.text("1").contains("chinh ban"), "confirmed: on as BAOCAO goes");
        var later = "Em o Quan 3, chuyen bat dau tu thang truoc.";
        var reference = finish(phone, "1", "4", "79", later);
        var report = db.row("SELECT * FROM reports WHERE reference = ?", reference);
        assertEquals(phone.channel(), report.get("channel"));
        assertEquals("physical_violence", report.get("category"));
        assertEquals("self", report.get("about"));
        assertEquals("13-15", report.get("age_band"));
        var description = gw.sealer().open((String) report.get("description_sealed"));
        assertEquals(first + "\n" + later, description, "the first text, then what came at the description");
        var sent = payload("child-protection", reference);
        assertEquals("physical_violence", sent.get("category").asText());
        assertEquals(first + "\n" + later, sent.get("description").asText());
        assertNoneInClear(first);
      }
      assertTrue(logs.matching(e -> e.getFormattedMessage() != null && e.getFormattedMessage().contains("bố dượng"))
          .isEmpty(), "nothing of the child's text is logged");
    }
  }

  @Test
  void correctingWithAnotherKeyTakesThatCategory() throws Exception {
    for (var phone : phones()) {
      var first = "co nguoi doa dang anh em " + phone.channel();
      var reply = phone.text(first);
      assertTrue(reply.contains("Co phai ve xam hai tren mang"), reply);
      assertTrue(reply.contains("3 Xam hai tinh duc"), reply);
      assertTrue(phone.text("so 3").contains("chinh ban"), "corrected: on as BAOCAO goes");
      var reference = finish(phone, "2", "khong biet", "kb", "XONG");
      var report = db.row("SELECT * FROM reports WHERE reference = ?", reference);
      assertEquals("sexual_violence", report.get("category"));
      assertEquals("other", report.get("about"));
      assertEquals("unknown", report.get("age_band"));
      assertNull(report.get("province"), "skipped");
      assertEquals(first, gw.sealer().open((String) report.get("description_sealed")),
          "the first text is the description when nothing more was told");
      var sent = payload("police-investigation", reference);
      assertEquals("sexual_violence", sent.get("category").asText());
      assertEquals(first, sent.get("description").asText());
    }
  }

  @Test
  void keywordsKeepTheirPlaceALoneGiupIsHelpAndACryInAConversationIsAnAnswer() {
    for (var phone : phones()) {
      assertTrue(phone.text("GIUP").contains("Tong dai bao ve tre em"), "a lone GIUP: the help text");
      var report = phone.text("BAOCAO");
      assertTrue(report.startsWith("111 da nhan. Nguy hiem ngay"), report);
      var unclear = phone.text("cuu em");
      assertTrue(unclear.startsWith("Xin loi, 111 chua hieu"), "inside a conversation a cry is no new start: " + unclear);
      var help = phone.text("HELP");
      assertTrue(help.contains("Tong dai bao ve tre em"), "HELP alone: the help text, in the conversation's language");
      assertTrue(help.contains("Ban bao cao viec gi?"), "and the question again: " + help);
    }
  }

  @Test
  void aCryFromANumberThatTextedStopIsAnsweredAsBaocaoWouldBe() {
    for (var phone : phones()) {
      assertTrue(phone.text("HUY").contains("khong nhan them tin nhan"));
      var reply = phone.text("cuu em voi");
      assertTrue(reply.startsWith(DANGER_VI), "a cry is asking to be answered: " + reply);
      assertTrue(phone.text("1").contains("chinh ban"), "and the conversation goes on: the opt-out is lifted, as BAOCAO lifts it");
    }
  }

  @Test
  void aWholeReportAnsweredAsAChildTextsIsCompleteAndRight() throws Exception {
    for (var phone : phones()) {
      assertTrue(phone.text("bao cao").contains("Ban bao cao viec gi?"));
      assertTrue(phone.text("so 2").contains("chinh ban"), "so 2: sexual abuse");
      assertTrue(phone.text("mot").contains("bao nhieu tuoi"), "mot: about the texter");
      assertTrue(phone.text("bốn ạ").contains("tinh/thanh pho"), "bon: 13-15");
      assertTrue(phone.text("khong biet").contains("ke chuyen"), "khong biet: the province skipped");
      var story = "Thay giao day them so soang em " + phone.channel();
      phone.text(story);
      assertTrue(phone.text("xong").contains("duong link"));
      assertTrue(phone.text("khong").contains("Tra loi 1 Dong y"), "no link");
      assertTrue(phone.text("co").contains("Co an toan"), "co: yes, send it");
      var end = phone.text("ko"); // not safe to text back
      var m = Pattern.compile("ma so (\\d{8})").matcher(end);
      assertTrue(m.find(), end);
      assertTrue(end.contains("111 se khong nhan tin cho ban"), end);
      var report = db.row("SELECT * FROM reports WHERE reference = ?", m.group(1));
      assertEquals(phone.channel(), report.get("channel"));
      assertEquals("sexual_violence", report.get("category"));
      assertEquals("self", report.get("about"));
      assertEquals("13-15", report.get("age_band"));
      assertNull(report.get("province"));
      assertEquals("completed", report.get("outcome"));
      assertEquals(story, gw.sealer().open((String) report.get("description_sealed")));
      var sent = payload("police-investigation", m.group(1));
      assertTrue(sent.get("consent").get("share_with_agencies").asBoolean(), sent.toString());
    }
  }

  /** From the about question to the end: about, age, province, what more there is to tell; returns the reference. */
  /** The rest of a report begun by a cry for help; returns its reference. */
  String finish(Phone phone, String about, String age, String province, String more) {
    assertTrue(phone.text(about).contains("bao nhieu tuoi"));
    assertTrue(phone.text(age).contains("tinh/thanh pho"));
    var story = phone.text(province);
    assertTrue(story.contains("Gui tiep neu con") && !story.contains("ke chuyen"),
        "the story begun in the first text is not asked for again, only more of it: " + story);
    if (!more.equals("XONG")) {
      assertTrue(phone.text(more).contains("XONG"));
    }
    assertTrue(phone.text("XONG").contains("duong link"));
    assertTrue(phone.text("0").contains("Tra loi 1 Dong y"));
    assertTrue(phone.text("1").contains("Co an toan"));
    var end = phone.text("2");
    var m = Pattern.compile("ma so (\\d{8})").matcher(end);
    assertTrue(m.find(), end);
    return m.group(1);
  }

  /** The report {@code reference} as {@code agency} received it (its data). */
  JsonNode payload(String agency, String reference) throws Exception {
    var inbox = agencies.get(agency);
    Await.until(() -> inbox.received().stream().anyMatch(r -> r.bodyText().contains(reference)),
        reference + " at " + agency);
    var body = inbox.received().stream().filter(r -> r.bodyText().contains(reference)).findFirst().orElseThrow();
    var data = Json.JSON.readTree(body.body()).get("data");
    assertEquals(reference, data.get("reference").asText());
    return data;
  }

  void assertNoneInClear(String secret) throws Exception {
    for (var table : List.of("contacts", "flow_sessions", "flow_steps", "reports", "sms_inbound", "sms_outbound")) {
      try (var c = db.connect(); var rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
        var md = rs.getMetaData();
        while (rs.next()) {
          for (int i = 1; i <= md.getColumnCount(); i++) {
            var v = rs.getString(i);
            assertFalse(v != null && v.contains(secret), table + "." + md.getColumnLabel(i) + " holds the text in clear");
          }
        }
      }
    }
  }
}
