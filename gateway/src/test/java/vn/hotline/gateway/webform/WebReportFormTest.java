package vn.hotline.gateway.webform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgencies;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;
import vn.hotline.gateway.testing.WebReportClient;

/**
 * The public web report form over plain HTTP (what a browser without JavaScript, or a bot, sends), on a real gateway
 * over both stores: a parent's report is stored as a contact of the web channel and reaches the agencies; a bot's
 * (honeypot filled, sent a second after the form was served, a wrong proof of work) gets a neutral thank-you and
 * nothing is stored; a forged or expired token, an unknown category or too long a text shows the form again with
 * what to correct and what was typed; one address is limited; no answer sets a cookie, every one has the CSP.
 */
@GatewayTest
class WebReportFormTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SAW = "Một tài khoản đăng video quay lén học sinh lớp 8 trong phòng thay đồ và đe doạ các em.";
  static final String NAME = "Nguyễn Thị Hoa";
  static final String PHONE = "0912 345 678";

  static MutableClock clock;
  static RunningGateway gw;
  static TestDatabase db;
  static FakeAgencies fakes;
  static WebReportClient web;

  @GatewayTest.BeforeStore
  static void start(Harness house) throws Exception {
    clock = MutableClock.now();
    db = house.db();
    var routed = house.startRouted(clock);
    gw = routed.gw();
    fakes = routed.fakes();
    web = new WebReportClient(gw.base);
    PersonalData.used(SAW, NAME, PHONE);
  }

  @GatewayTest.AfterStore
  static void stop() {
    fakes.close();
  }

  @BeforeEach
  void aMinuteLater() {
    clock.advance(Duration.ofMinutes(2)); // the address's limit is full again: each test sends as a new minute
  }

  /** What every answer under /report must carry, whatever it says. */
  static HttpResponse<String> checked(HttpResponse<String> r) {
    assertTrue(r.headers().allValues("Set-Cookie").isEmpty(), "no cookie is set: " + r.headers().allValues("Set-Cookie"));
    assertEquals(WebFormRoutes.CSP, r.headers().firstValue("Content-Security-Policy").orElse(null), r.uri().toString());
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
    return r;
  }

  static double meter(String name, String result) {
    var c = gw.gateway().meters().find(name).tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  int contacts() {
    return db.count("contacts");
  }

  @Test
  void theFormIsInVietnameseByDefaultAndInEnglishOnAskWithTheDangerNumbersAtTheTop() {
    var vi = checked(web.get("/report"));
    assertEquals(200, vi.statusCode());
    assertTrue(vi.body().contains("<html lang=\"vi\">"), "Vietnamese by default");
    assertTrue(vi.body().contains("href=\"tel:113\"") && vi.body().contains("href=\"tel:111\""), "the danger numbers");
    assertTrue(vi.body().indexOf("tel:113") < vi.body().indexOf("<form"), "the danger numbers come before the form");
    assertTrue(vi.body().contains("Xâm hại trên mạng, nội dung độc hại"), "the taxonomy's categories, in Vietnamese");
    assertTrue(vi.body().contains("Hà Nội") && vi.body().contains("Thành phố Hồ Chí Minh"), "the provinces to choose from");
    assertTrue(vi.body().contains("href=\"/report?lang=en\""), "a link to the English form");
    assertFalse(vi.body().contains("src=\"http") || vi.body().contains("href=\"http"), "nothing from elsewhere");

    var en = checked(web.get("/report?lang=en"));
    assertTrue(en.body().contains("<html lang=\"en\">"));
    assertTrue(en.body().contains("Online abuse or harmful content") && en.body().contains("Is a child in danger right now?"));
    assertTrue(en.body().contains("name=\"lang\" value=\"en\""), "the form remembers its language without a cookie");

    var js = checked(web.get("/report/assets/report.js"));
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
    assertEquals(200, checked(web.get("/report/assets/report.css")).statusCode());
    assertEquals(404, checked(web.get("/report/assets/other.js")).statusCode());
  }

  @Test
  void aParentsReportIsStoredAsAWebContactAndReachesTheHarmfulContentTeam() throws Exception {
    var token = web.token();
    clock.advance(Duration.ofSeconds(40)); // the time a person takes to fill it in
    var form = WebReportClient.filled(token, SAW);
    form.put("contact_name", NAME);
    form.put("contact_phone", PHONE);
    form.put("consent", "yes");
    var r = checked(web.post(form));
    assertEquals(200, r.statusCode(), r.body());
    var reference = WebReportClient.reference(r.body());
    assertNotNull(reference, "the end page shows the reference: " + r.body());
    assertTrue(r.body().contains("href=\"tel:113\"") && r.body().contains("href=\"tel:111\""), "the danger numbers at the end");

    var contact = db.row("SELECT id, channel FROM contacts WHERE reference = ?", reference);
    assertEquals("web", contact.get("channel"));
    var inbox = fakes.get("harmful-content");
    Await.until(() -> !inbox.received().isEmpty(), "the harmful-content team has the report");
    var data = JSON.readTree(inbox.received().get(0).body()).get("data");
    assertEquals("web", data.get("channel").asText());
    assertEquals(reference, data.get("reference").asText());
    assertEquals("online_abuse_harmful_content", data.get("category").asText());
    assertTrue(data.get("harmful_content_urls").toString().contains("tiktok.com/@kenh-xau"), data.toString());
    assertEquals(1.0, meter("hotline.web_report.submissions", "accepted"));

    // the same form sent again (a double tap on a slow network) is the same report, not a second one
    int before = contacts();
    var again = checked(web.post(form));
    assertEquals(reference, WebReportClient.reference(again.body()));
    assertEquals(before, contacts());
    // changed after it was sent (the browser's Back) and sent again: shown again to be sent as a new report
    form.put("description", SAW + " Tôi vừa thấy thêm một video nữa.");
    var changed = checked(web.post(form));
    assertEquals(400, changed.statusCode());
    assertTrue(changed.body().contains("Biểu mẫu này đã được gửi"), changed.body());
    assertTrue(changed.body().contains("Tôi vừa thấy thêm một video nữa."), "what was typed is kept");
    assertEquals(before, contacts());
  }

  @Test
  void aChildInDangerNowIsRoutedAsImmediateDangerToThePolice() throws Exception {
    var token = web.token();
    clock.advance(Duration.ofSeconds(25));
    var form = WebReportClient.filled(token, SAW);
    form.put("category", "physical_violence");
    form.put("links", "");
    form.put("urgent", "yes");
    var reference = WebReportClient.reference(checked(web.post(form)).body());
    assertNotNull(reference);
    var police = fakes.get("police-investigation");
    Await.until(() -> police.received().stream().anyMatch(r -> r.bodyText().contains(reference)),
        "the police have the urgent web report");
    var data = JSON.readTree(police.received().stream().filter(r -> r.bodyText().contains(reference)).findFirst()
        .orElseThrow().body()).get("data");
    assertTrue(data.get("urgent").asBoolean(), data.toString());
    assertEquals("web", data.get("channel").asText());
  }

  @Test
  void aFilledHoneypotIsThankedQuietlyAndNothingIsStored() {
    int before = contacts();
    var token = web.token();
    clock.advance(Duration.ofSeconds(30));
    var form = WebReportClient.filled(token, SAW);
    form.put("website", "http://cheap-pills.example");
    double counted = meter("hotline.web_report.submissions", "honeypot");
    var r = checked(web.post(form));
    assertEquals(200, r.statusCode(), "a bot is not told it was found out");
    assertNull(WebReportClient.reference(r.body()), "no reference: nothing was stored");
    assertTrue(r.body().contains("id=\"received\""), r.body());
    assertEquals(counted + 1, meter("hotline.web_report.submissions", "honeypot"));
    assertEquals(before, contacts(), "nothing stored");
  }

  @Test
  void aFormSentOneSecondAfterItWasServedIsThankedQuietlyAndNothingIsStored() {
    int before = contacts();
    var token = web.token();
    clock.advance(Duration.ofSeconds(1));
    double counted = meter("hotline.web_report.submissions", "too_fast");
    var r = checked(web.post(WebReportClient.filled(token, SAW)));
    assertEquals(200, r.statusCode());
    assertNull(WebReportClient.reference(r.body()));
    assertTrue(r.body().contains("id=\"received\""), r.body());
    assertEquals(counted + 1, meter("hotline.web_report.submissions", "too_fast"));
    assertEquals(before, contacts(), "nothing stored");
  }

  @Test
  void aWrongProofOfWorkIsThankedQuietlyAndARightOneIsAccepted() {
    int before = contacts();
    var token = web.token();
    clock.advance(Duration.ofSeconds(20));
    String wrong = null;
    for (int n = 0; wrong == null; n++) {
      if (!ProofOfWork.valid(token, Integer.toString(n))) {
        wrong = Integer.toString(n);
      }
    }
    var form = WebReportClient.filled(token, SAW);
    form.put("pow", wrong);
    var r = checked(web.post(form));
    assertNull(WebReportClient.reference(r.body()));
    assertEquals(before, contacts(), "nothing stored");

    var second = web.token();
    clock.advance(Duration.ofSeconds(20));
    int n = 0;
    while (!ProofOfWork.valid(second, Integer.toString(n))) {
      n++;
    }
    var right = WebReportClient.filled(second, SAW);
    right.put("pow", Integer.toString(n));
    double valid = meter("hotline.web_report.proof_of_work", "valid");
    var ok = checked(web.post(right));
    assertNotNull(WebReportClient.reference(ok.body()), ok.body());
    assertEquals(valid + 1, meter("hotline.web_report.proof_of_work", "valid"));
  }

  @Test
  void aForgedOrExpiredTokenShowsTheFormAgainWithWhatWasTypedAndStoresNothing() {
    int before = contacts();
    var token = web.token();
    clock.advance(Duration.ofSeconds(30));
    var forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    var r = checked(web.post(WebReportClient.filled(forged, SAW)));
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("Biểu mẫu này đã mở quá lâu hoặc không hợp lệ"), r.body());
    assertTrue(r.body().contains(SAW), "what was typed is kept");
    assertFalse(r.body().contains(forged), "a new token, not the forged one");

    var later = web.token();
    clock.advance(Duration.ofHours(5));
    var expired = checked(web.post(WebReportClient.filled(later, SAW)));
    assertEquals(400, expired.statusCode());
    assertTrue(expired.body().contains("Biểu mẫu này đã mở quá lâu hoặc không hợp lệ"));
    assertEquals(before, contacts(), "nothing stored");
  }

  @Test
  void anUnknownCategoryOrTooLongATextShowsTheFormAgainWithTheMessageInItsLanguage() {
    int before = contacts();
    var token = web.token();
    clock.advance(Duration.ofSeconds(30));
    var form = WebReportClient.filled(token, SAW);
    form.put("category", "lottery");
    var r = checked(web.post(form));
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("Loại sự việc này không có trong danh sách"), r.body());
    assertTrue(r.body().contains(SAW), "the description typed is kept");
    assertTrue(r.body().contains("value=\"13-15\" id=\"age-13-15\" checked"), "the age chosen is kept");

    var en = WebReportClient.filled(web.token(), "x".repeat(WebForm.DESCRIPTION_MAX + 1));
    clock.advance(Duration.ofSeconds(30));
    en.put("lang", "en");
    en.put("links", "not a link at all");
    var english = checked(web.post(en));
    assertEquals(400, english.statusCode());
    assertTrue(english.body().contains("What you wrote is longer than 5000 characters (5001 now)"), english.body());
    assertTrue(english.body().contains("Line 1 is not a link"), english.body());

    var noConsent = WebReportClient.filled(web.token(), SAW);
    clock.advance(Duration.ofSeconds(30));
    noConsent.put("contact_phone", PHONE);
    var consent = checked(web.post(noConsent));
    assertEquals(400, consent.statusCode());
    assertTrue(consent.body().contains("hãy đánh dấu ô đồng ý"), consent.body());
    assertEquals(before, contacts(), "nothing stored");
  }

  @Test
  void oneAddressIsLimitedWithA429PageAndABodyTooLargeIsA413Page() {
    int before = contacts();
    List<Integer> statuses = new java.util.ArrayList<>();
    for (int i = 0; i <= WebFormRoutes.SUBMISSIONS_PER_MINUTE; i++) {
      var form = WebReportClient.filled("t1.0.x.y", SAW);
      form.put("website", "bot");
      statuses.add(checked(web.post(form)).statusCode());
    }
    assertEquals(200, statuses.get(WebFormRoutes.SUBMISSIONS_PER_MINUTE - 1), statuses.toString());
    var limited = checked(web.post(WebReportClient.filled("t1.0.x.y", SAW)));
    assertEquals(429, limited.statusCode(), statuses.toString());
    assertTrue(limited.body().contains("Có quá nhiều báo cáo gửi từ mạng của bạn"), limited.body());
    assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    assertEquals(before, contacts());

    clock.advance(Duration.ofMinutes(2));
    var huge = checked(web.postRaw("lang=vi&description=" + "a".repeat(WebFormRoutes.BODY_LIMIT + 10)));
    assertEquals(413, huge.statusCode());
    assertTrue(huge.body().contains("Báo cáo quá dài"), huge.body());
  }
}
