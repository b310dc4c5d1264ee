package vn.hotline.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.delivery.WebhookSignature;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.testing.Await;
import vn.hotline.gateway.testing.FakeAgency;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.GatewayTest.AfterStore;
import vn.hotline.gateway.testing.GatewayTest.BeforeStore;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.TestDatabase;

/**
 * The November figures, from contacts made through the real webhooks on a real gateway, on both stores. One data
 * set per store, made once (the tests only read it):
 *
 * <ul>
 *   <li>at 2026-10-31 23:00 local (16:00 UTC): 7 danger calls answered by an operator (urgent, no category),
 *       3 advice calls answered by an operator (no report), 2 report calls about physical violence hung up after
 *       the category (abandoned), 5 SMS reports about sexual violence, self, 10-12, province 01 (completed);</li>
 *   <li>at 2026-11-01 00:30 local (2026-10-31 17:30 UTC, still October in UTC): 6 voice reports of online harm
 *       about another child, 13-15, province 79, ending in voicemail.</li>
 * </ul>
 *
 * <p>Every report reaches its agencies except police-cyber's 6, which fail and are then marked dead as if their
 * retries had run out; delivered_at is then set to known offsets from completed_at (urgent ones 1..14 s, the
 * others 60 s) so the medians are exact.
 */
@GatewayTest
class StatsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant OCT_31_LOCAL_2300 = Instant.parse("2026-10-31T16:00:00Z");
  static final Instant NOV_1_LOCAL_0030 = Instant.parse("2026-10-31T17:30:00Z");
  static final List<String> AGENCIES = List.of("police-investigation", "police-cyber", "child-protection", "education",
      "harmful-content");
  static final String ALL = "--from=2026-10-01";
  static final String ALL_TO = "--to=2026-11-30";

  static Path dir;
  static TestDatabase db;
  static RunningGateway gw;
  static final Map<String, FakeAgency> agencies = new LinkedHashMap<>();
  static Store store;
  static ApiKeyRepository keys;
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeStore // one store per run of the class, shared by its tests
  static void makeTheContacts(Harness house) throws Exception {
    dir = house.dir();
    db = house.db();
    var routing = Files.readString(Path.of("config/routing.yaml"));
    for (var a : AGENCIES) {
      var agency = new FakeAgency();
      if (a.equals("police-cyber")) {
        agency.always(FakeAgency.Answer.of(500));
      }
      agencies.put(a, agency);
      var env = a.toUpperCase().replace('-', '_');
      routing = routing.replace("${" + env + "_WEBHOOK_URL:-http://localhost:9000/" + a + "}", agency.url("/hooks"))
          .replace("${" + env + "_WEBHOOK_SECRETS:-}", WebhookSignature.newSecret());
    }
    var file = dir.resolve("routing.yaml");
    Files.writeString(file, routing);
    var clock = new MutableClock(OCT_31_LOCAL_2300);
    gw = house.start(Map.of("GATEWAY_ROUTING_FILE", file.toString(),
        "GATEWAY_DELIVERY_BREAKER_FAILURES", "100"), clock); // police-cyber's failures must not hold its 6th back
    store = Store.open(gw.config().db(), null);
    keys = new ApiKeyRepository(store, new vn.hotline.gateway.audit.AuditLog());
    var twilio = gw.twilio();

    for (int i = 0; i < 7; i++) { // danger now, answered
      twilio.dangerCallAnswered();
    }
    for (int i = 0; i < 3; i++) { // advice, answered: a contact without a report
      var call = twilio.call();
      call.dialEnded(call.press(call.press(call.incoming(), "1"), "3"), "completed");
      call.status("completed");
    }
    for (int i = 0; i < 2; i++) { // a report of physical violence, hung up at the next question
      var call = twilio.call();
      call.press(call.press(call.press(call.incoming(), "1"), "2"), "1");
      call.status("completed");
    }
    for (int i = 0; i < 5; i++) { // SMS: sexual violence, self, 10-12, Ha Noi, confirmed
      var from = "+849876543" + i + "0";
      String last = null;
      for (var text : List.of("báo cáo", "2", "1", "3", "01", "Em bị người quen xâm hại.", "xong", "0", "1", "1")) {
        last = twilio.sms(from, text).messageText();
      }
      assertTrue(Pattern.compile("ma so \\d{8}").matcher(last).find(), last);
    }
    Await.until(() -> count("SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'") == 26, "October delivered");

    clock.advance(Duration.between(OCT_31_LOCAL_2300, NOV_1_LOCAL_0030));
    for (int i = 0; i < 6; i++) { // online harm, another child, 13-15, HCMC, nobody answers: voicemail
      var call = twilio.call();
      var t = call.press(call.press(call.press(call.press(call.incoming(), "1"), "2"), "4"), "2");
      t = call.press(call.press(t, "4"), "79");
      var end = call.record(call.callbackSafe(call.dialEnded(t, "no-answer")), 42);
      assertTrue(end.has("Hangup"), end.body());
      call.status("completed");
    }
    Await.until(() -> count("SELECT COUNT(*) FROM deliveries WHERE status = 'delivered'") == 32, "all delivered");
    Await.until(() -> count("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
        + " WHERE d.agency_id = 'police-cyber'") == 6, "police-cyber tried once each");

    try (var c = db.connect()) {
      // The retry schedule is 3 days long; as if it had run out for police-cyber.
      assertEquals(6, c.createStatement().executeUpdate(
          "UPDATE deliveries SET status = 'dead' WHERE agency_id = 'police-cyber' AND status = 'pending'"));
      var delivered = new ArrayList<Object[]>();
      try (var rs = c.createStatement().executeQuery("SELECT d.id, r.completed_at, r.urgent FROM deliveries d"
          + " JOIN reports r ON r.id = d.report_id WHERE d.status = 'delivered' ORDER BY d.id")) {
        while (rs.next()) {
          delivered.add(new Object[] {rs.getString(1), rs.getObject(2, LocalDateTime.class), rs.getBoolean(3)});
        }
      }
      int urgent = 0;
      try (var ps = c.prepareStatement("UPDATE deliveries SET delivered_at = ? WHERE id = ?")) {
        for (var d : delivered) {
          var seconds = (Boolean) d[2] ? ++urgent : 60;
          ps.setObject(1, ((LocalDateTime) d[1]).plusSeconds(seconds));
          ps.setString(2, (String) d[0]);
          ps.executeUpdate();
        }
      }
      assertEquals(14, urgent);
    }
  }

  @AfterStore
  static void stop() {
    store.close();
    agencies.values().forEach(FakeAgency::close);
    agencies.clear();
  }

  // --- helpers ------------------------------------------------------------------------------------------

  record Run(int exit, String out, String err) {}

  /** Runs the stats command as the jar would, on the test store (config from the environment it is given). */
  static Run cli(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var env = Map.of("GATEWAY_DB_URL", db.gatewayUrl(), "GATEWAY_DB_USER", db.user(),
        "GATEWAY_DATA_DIR", dir.resolve("data").toString(), "TWILIO_AUTH_TOKEN", RunningGateway.TOKEN);
    var cmd = new CommandLine(new StatsCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env));
    cmd.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static JsonNode json(String by) throws IOException {
    var r = cli(ALL, ALL_TO, "--by=" + by, "--format=json");
    assertEquals(0, r.exit(), r.err());
    return JSON.readTree(r.out());
  }

  /** CSV lines as maps from header to field (no field here needs quoting). */
  static List<Map<String, String>> csv(String... args) {
    var r = cli(args);
    assertEquals(0, r.exit(), r.err());
    var lines = r.out().split("\n");
    var header = lines[0].split(",", -1);
    var out = new ArrayList<Map<String, String>>();
    for (int i = 1; i < lines.length; i++) {
      var fields = lines[i].split(",", -1);
      assertEquals(header.length, fields.length, lines[i]);
      var m = new LinkedHashMap<String, String>();
      for (int j = 0; j < header.length; j++) {
        m.put(header[j], fields[j]);
      }
      out.add(m);
    }
    return out;
  }

  /** The row of a JSON table whose grouping values are {@code values} (name, value, name, value...). */
  static JsonNode row(JsonNode table, String... values) {
    for (var r : table.get("rows")) {
      boolean match = true;
      for (int i = 0; i < values.length; i += 2) {
        match &= values[i + 1].equals(r.get(values[i]).asText());
      }
      if (match) {
        return r;
      }
    }
    throw new AssertionError("no row " + List.of(values) + " in " + table.toPrettyString());
  }

  static Map<String, String> csvRow(List<Map<String, String>> rows, String column, String value) {
    return rows.stream().filter(r -> value.equals(r.get(column))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + column + "=" + value + " in " + rows));
  }

  /** The figures of a JSON row, as text (null for a suppressed or missing figure), to compare in one go. */
  static Map<String, String> figures(JsonNode row) {
    var out = new LinkedHashMap<String, String>();
    for (var f : Statistics.FIGURES) {
      out.put(f, row.get(f).isNull() ? null : row.get(f).asText());
    }
    return out;
  }

  static Map<String, String> expect(long contacts, long reports, long urgent, long operator, long voicemail,
      long completed, long abandoned, long delivered, long dead, String median) {
    var out = new LinkedHashMap<String, String>();
    long[] v = {contacts, reports, urgent, operator, voicemail, completed, abandoned, delivered, dead};
    for (int i = 0; i < v.length; i++) {
      out.put(Statistics.FIGURES.get(i), v[i] > 0 && v[i] < 5 ? null : Long.toString(v[i]));
    }
    out.put("median_delivery_seconds", median);
    return out;
  }

  /** The same figures with those named hidden to protect a small one (complementary suppression). */
  static Map<String, String> hiding(Map<String, String> figures, String... names) {
    var out = new LinkedHashMap<>(figures);
    for (var n : names) {
      assertTrue(out.containsKey(n), n);
      out.put(n, null);
    }
    return out;
  }

  static List<String> complementary(JsonNode row) {
    var out = new ArrayList<String>();
    row.get("complementary").forEach(n -> out.add(n.asText()));
    return out;
  }

  /**
   * What a reader could do with a published table: in each sum it shows (a figure's column adds up to the total; a
   * row's four outcomes add up to its reports), a single hidden term is the difference of the others. So no sum
   * may have exactly one; and a sum with none must add up, or the check proves nothing.
   */
  static void assertNoHiddenFigureCanBeSubtracted(JsonNode table) {
    var rows = new ArrayList<JsonNode>();
    table.get("rows").forEach(rows::add);
    var all = new ArrayList<>(rows);
    all.add(table.get("total"));
    var figures = Statistics.FIGURES.subList(0, Statistics.FIGURES.size() - 1);
    if (!rows.isEmpty()) {
      for (var f : figures) {
        var hidden = all.stream().filter(r -> suppressed(r).contains(f)).count();
        assertTrue(hidden != 1, f + " has one hidden cell in its column: " + table.toPrettyString());
        if (hidden == 0) {
          assertEquals(table.get("total").get(f).asLong(), rows.stream().mapToLong(r -> r.get(f).asLong()).sum(), f);
        }
      }
    }
    var sum = List.of("reports", "reports_operator", "reports_voicemail", "reports_completed", "reports_abandoned");
    for (var r : all) {
      var hidden = sum.stream().filter(suppressed(r)::contains).count();
      assertTrue(hidden != 1, "one hidden figure among reports and its outcomes: " + r);
      if (hidden == 0) {
        assertEquals(r.get("reports").asLong(), sum.subList(1, 5).stream().mapToLong(f -> r.get(f).asLong()).sum(), r.toString());
      }
      for (var f : Statistics.FIGURES) {
        if (suppressed(r).contains(f)) {
          assertTrue(r.get(f).isNull(), "a hidden figure has no value: " + f + " in " + r);
        } else if (!f.startsWith("median")) {
          assertFalse(r.get(f).isNull(), "a count is shown unless hidden: " + f + " in " + r);
        }
      }
    }
  }

  /**
   * A row shows these figures, except that any figure may be hidden to protect a small one (then it is listed as
   * complementary); small counts are hidden and not listed as complementary.
   */
  static void assertShown(Map<String, String> expected, JsonNode row) {
    var actual = figures(row);
    for (var e : expected.entrySet()) {
      var f = e.getKey();
      if (e.getValue() == null) {
        assertTrue(actual.get(f) == null && !complementary(row).contains(f), f + " small, hidden: " + row);
      } else if (actual.get(f) == null) {
        assertTrue(complementary(row).contains(f), f + " hidden without being small or complementary: " + row);
      } else {
        assertEquals(e.getValue(), actual.get(f), f + " in " + row);
      }
    }
  }

  static List<String> suppressed(JsonNode row) {
    var out = new ArrayList<String>();
    row.get("suppressed").forEach(n -> out.add(n.asText()));
    return out;
  }

  static long count(String sql) {
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> api(String query, String key) throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(URI.create(gw.base + "/api/v1/stats" + query)).timeout(Duration.ofSeconds(20)).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }


  // --- the figures --------------------------------------------------------------------------------------

  @Test
  void theTotalsMatchWhatWasCalledAndTextedExactly() throws Exception {
    var t = json("");
    assertEquals("2026-10-01", t.get("from").asText());
    assertEquals("2026-11-30", t.get("to").asText());
    assertEquals("Asia/Ho_Chi_Minh", t.get("timezone").asText());
    assertEquals(5, t.get("suppression_threshold").asInt());
    assertEquals(0, t.get("by").size());
    assertEquals(0, t.get("rows").size(), "no grouping: the total alone");
    // 23 contacts, 20 reports; 2 abandoned is under 5, so even the total hides it, and the 5 completed too: else
    // 20 - 7 - 6 - 5 would give the 2 back
    assertEquals(hiding(expect(23, 20, 7, 7, 6, 5, 2, 32, 6, "60.0"), "reports_completed"), figures(t.get("total")));
    assertEquals(List.of("reports_completed", "reports_abandoned"), suppressed(t.get("total")));
    assertEquals(List.of("reports_completed"), complementary(t.get("total")));
    assertNoHiddenFigureCanBeSubtracted(t);

    var rows = csv(ALL, ALL_TO);
    assertEquals(1, rows.size());
    assertEquals(Map.ofEntries(Map.entry("group", "TOTAL"), Map.entry("contacts", "23"), Map.entry("reports", "20"),
        Map.entry("reports_urgent", "7"), Map.entry("reports_operator", "7"), Map.entry("reports_voicemail", "6"),
        Map.entry("reports_completed", "x"), Map.entry("reports_abandoned", "<5"),
        Map.entry("deliveries_delivered", "32"), Map.entry("deliveries_dead", "6"),
        Map.entry("median_delivery_seconds", "60")), rows.get(0));
  }

  @Test
  void byCategoryContactsWithoutAReportAreNoneAndTheGroupOfThreeIsSuppressed() throws Exception {
    var t = json("category");
    assertEquals(List.of("online_abuse_harmful_content", "physical_violence", "sexual_violence", "unknown", "none"),
        t.get("rows").findValuesAsText("category"));
    // physical_violence's 2 reports and 2 deliveries are hidden, so are the smallest others in those columns (5
    // reports of sexual violence, 6 online deliveries), and then sexual violence's 5 completed, which alone would
    // give its reports back; the total's 5 completed protect its 2 abandoned.
    var online = row(t, "category", "online_abuse_harmful_content");
    assertEquals(hiding(expect(6, 6, 0, 0, 6, 0, 0, 6, 6, "60.0"), "deliveries_delivered"), figures(online));
    assertEquals(List.of("deliveries_delivered"), complementary(online));
    var sexual = row(t, "category", "sexual_violence");
    assertEquals(hiding(expect(5, 5, 0, 0, 0, 5, 0, 10, 0, "60.0"), "reports", "reports_completed"), figures(sexual));
    assertEquals(List.of("reports", "reports_completed"), complementary(sexual));
    // the danger calls ask nothing: their reports have no category; median of 1..14 s
    assertEquals(expect(7, 7, 7, 7, 0, 0, 0, 14, 0, "7.5"), figures(row(t, "category", "unknown")));
    var physical = row(t, "category", "physical_violence");
    assertEquals(expect(2, 2, 0, 0, 0, 0, 2, 2, 0, null), figures(physical));
    assertEquals(List.of("contacts", "reports", "reports_abandoned", "deliveries_delivered", "median_delivery_seconds"),
        suppressed(physical));
    assertEquals(List.of(), complementary(physical));
    assertEquals(List.of(), complementary(row(t, "category", "unknown")));
    var none = row(t, "category", "none"); // the 3 advice calls
    assertTrue(none.get("contacts").isNull());
    assertEquals(List.of("contacts"), suppressed(none), "zeros and a median of nothing are not suppressed");
    assertEquals(0, none.get("reports").asInt());
    assertTrue(none.get("median_delivery_seconds").isNull());
    assertEquals(hiding(expect(23, 20, 7, 7, 6, 5, 2, 32, 6, "60.0"), "reports_completed"), figures(t.get("total")));
    assertNoHiddenFigureCanBeSubtracted(t);

    var rows = csv(ALL, ALL_TO, "--by", "category");
    assertEquals(List.of("online_abuse_harmful_content", "physical_violence", "sexual_violence", "unknown", "none",
        "TOTAL"), rows.stream().map(r -> r.get("category")).toList());
    var noneCsv = csvRow(rows, "category", "none");
    assertEquals("<5", noneCsv.get("contacts"));
    assertEquals("0", noneCsv.get("reports"));
    assertEquals("", noneCsv.get("median_delivery_seconds"));
    assertEquals("<5", csvRow(rows, "category", "physical_violence").get("median_delivery_seconds"));
    assertEquals("x", csvRow(rows, "category", "sexual_violence").get("reports"), "hidden to protect, not small");
    assertEquals("x", csvRow(rows, "category", "TOTAL").get("reports_completed"));
    assertEquals("7.5", csvRow(rows, "category", "unknown").get("median_delivery_seconds"));
    assertEquals("23", csvRow(rows, "category", "TOTAL").get("contacts"));
  }

  @Test
  void everyDimensionGroupsAsDefinedAndTheGroupsAddUpToTheTotal() throws Exception {
    var channel = json("channel");
    assertEquals("18", figures(row(channel, "channel", "voice")).get("contacts"));
    assertShown(expect(5, 5, 0, 0, 0, 5, 0, 10, 0, "60.0"), row(channel, "channel", "sms-twilio"));

    var province = json("province");
    assertEquals(List.of("01", "79", "unknown", "none"), province.get("rows").findValuesAsText("province"));
    assertEquals("Hà Nội", row(province, "province", "01").get("province_name").asText());
    assertEquals("Thành phố Hồ Chí Minh", row(province, "province", "79").get("province_name").asText());
    assertTrue(row(province, "province", "unknown").get("province_name").isNull());
    assertEquals("9", figures(row(province, "province", "unknown")).get("contacts"));
    assertEquals("6", figures(row(province, "province", "79")).get("contacts"));

    var age = json("age_band");
    assertEquals(List.of("10-12", "13-15", "unknown", "none"), age.get("rows").findValuesAsText("age_band"));

    var urgency = json("urgency");
    assertEquals(List.of("not_urgent", "urgent", "none"), urgency.get("rows").findValuesAsText("urgency"));
    assertShown(expect(13, 13, 0, 0, 6, 5, 2, 18, 6, "60.0"), row(urgency, "urgency", "not_urgent"));

    var outcome = json("outcome");
    assertEquals(List.of("abandoned", "completed", "operator", "voicemail"), outcome.get("rows").findValuesAsText("outcome"));
    // the advice calls ended with an operator too, but made no report
    assertShown(expect(10, 7, 7, 7, 0, 0, 0, 14, 0, "7.5"), row(outcome, "outcome", "operator"));

    // five dimensions at once: every contact in exactly one row; the raw groups add up to the total
    var table = new Statistics(store, vn.hotline.gateway.report.Provinces.load(null))
        .compute(Statistics.Query.parse("2026-10-01", "2026-11-30", "month,province,category,channel,age_band"));
    assertEquals(23, table.rows().stream().mapToLong(g -> g.counts().contacts()).sum());
    assertEquals(20, table.rows().stream().mapToLong(g -> g.counts().reports()).sum());
    assertEquals(32, table.rows().stream().mapToLong(g -> g.counts().delivered()).sum());
    assertEquals(23, table.total().contacts());
    var wide = json("month,province,category,channel,age_band");
    for (var t : List.of(channel, province, age, urgency, outcome, wide)) {
      assertNoHiddenFigureCanBeSubtracted(t);
    }
    assertEquals(5, wide.get("rows").size(), wide.toPrettyString());
    var online = row(wide, "month", "2026-11", "province", "79", "category", "online_abuse_harmful_content",
        "channel", "voice", "age_band", "13-15");
    assertShown(expect(6, 6, 0, 0, 6, 0, 0, 6, 6, "60.0"), online);
    assertEquals("Thành phố Hồ Chí Minh", online.get("province_name").asText());
  }

  @Test
  void monthsAndPeriodsAreLocalDatesInHoChiMinhCity() throws Exception {
    // 17:30 UTC on 31 October is 00:30 on 1 November in Viet Nam
    var months = json("month");
    assertNoHiddenFigureCanBeSubtracted(months);
    assertEquals(List.of("2026-10", "2026-11"), months.get("rows").findValuesAsText("month"));
    assertEquals("17", figures(row(months, "month", "2026-10")).get("contacts"));
    assertEquals("14", figures(row(months, "month", "2026-10")).get("reports"));
    assertEquals("6", figures(row(months, "month", "2026-11")).get("contacts"));

    // the November yearly figures: 1 November 2025 to 31 October 2026 leaves the 00:30 calls out
    var year = csv("--from", "2025-11-01", "--to", "2026-10-31", "--by", "month");
    assertEquals(List.of("2026-10", "TOTAL"), year.stream().map(r -> r.get("month")).toList());
    assertEquals("17", year.get(1).get("contacts"));
    assertEquals("26", year.get(1).get("deliveries_delivered"));
    assertEquals("0", year.get(1).get("deliveries_dead"));

    var firstDay = csv("--from", "2026-11-01", "--to", "2026-11-01");
    assertEquals("6", firstDay.get(0).get("contacts"));
    assertEquals("6", firstDay.get(0).get("deliveries_dead"));
    var lastDay = csv("--from", "2026-10-31", "--to", "2026-10-31");
    assertEquals("17", lastDay.get(0).get("contacts"));
  }

  @Test
  void theFiguresCarryNoReferencePseudonymNumberOrText() throws Exception {
    var out = cli(ALL, ALL_TO, "--by=month,province,category,channel,age_band,urgency,outcome", "--format=json").out()
        + cli(ALL, ALL_TO, "--by=month,province,category,channel,age_band,urgency,outcome").out();
    var secrets = new ArrayList<String>(List.of("98765", "xâm hại", "xam hai"));
    try (var c = db.connect(); var rs = c.createStatement().executeQuery(
        "SELECT c.reference, c.provider_ref, c.caller_pseudonym FROM contacts c")) {
      while (rs.next()) {
        for (int i = 1; i <= 3; i++) {
          if (rs.getString(i) != null) {
            secrets.add(rs.getString(i));
          }
        }
      }
    }
    assertEquals(23 * 3 + 3, secrets.size());
    for (var s : secrets) {
      assertFalse(out.contains(s), "the figures hold '" + s + "'");
    }
  }

  // --- the command line ---------------------------------------------------------------------------------

  @Test
  void theCommandRefusesWhatItCannotAnswerWithExit2() {
    var bad = cli("--from", "2025-11-01", "--to", "2026-10-31", "--by", "month,school");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("'school' is not something the figures can be grouped by"), bad.err());
    assertTrue(bad.err().contains("month, channel, category, province, age_band, urgency, outcome"), bad.err());
    assertEquals("", bad.out());

    var twice = cli("--from", "2025-11-01", "--to", "2026-10-31", "--by", "month,month");
    assertEquals(2, twice.exit());
    assertTrue(twice.err().contains("given twice"), twice.err());
    var date = cli("--from", "2025-11-31", "--to", "2026-10-31");
    assertEquals(2, date.exit());
    assertTrue(date.err().contains("from: '2025-11-31' is not a date (yyyy-MM-dd)"), date.err());
    var backwards = cli("--from", "2026-10-31", "--to", "2025-11-01");
    assertEquals(2, backwards.exit());
    assertTrue(backwards.err().contains("after"), backwards.err());
    assertEquals(2, cli("--from", "2025-11-01", "--to", "2026-10-31", "--format", "xlsx").exit());
    assertEquals(2, cli("--from", "2025-11-01").exit(), "--to is required");
  }

  // --- the API --------------------------------------------------------------------------------------------

  @Test
  void theApiAnswersAdminKeysWithTheCommandsJsonAndRefusesAgencies() throws Exception {
    var agency = keys.create("child-protection", "test", Instant.now()).key();
    var refused = api("?from=2026-10-01&to=2026-11-30&by=category", agency);
    assertEquals(403, refused.statusCode(), refused.body());
    assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
    assertEquals(401, api("?from=2026-10-01&to=2026-11-30", null).statusCode());

    var admin = keys.create(null, "test", Instant.now()).key();
    var r = api("?from=2026-10-01&to=2026-11-30&by=month,category", admin);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(json("month,category"), JSON.readTree(r.body()), "the API gives what the command prints");
    assertShown(expect(23, 20, 7, 7, 6, 5, 2, 32, 6, "60.0"), JSON.readTree(r.body()).get("total"));
    assertNoHiddenFigureCanBeSubtracted(JSON.readTree(r.body()));
    assertEquals(hiding(expect(23, 20, 7, 7, 6, 5, 2, 32, 6, "60.0"), "reports_completed"),
        figures(JSON.readTree(api("?from=2026-10-01&to=2026-11-30", admin).body()).get("total")));

    for (var q : List.of("?from=2026-10-01&to=2026-11-30&by=school", "?from=2026-10-01&to=2026-11-30&by=month,month",
        "?from=2026-13-01&to=2026-11-30", "?from=2026-10-01", "?from=2026-11-30&to=2026-10-01")) {
      var bad = api(q, admin);
      assertEquals(400, bad.statusCode(), q + " -> " + bad.body());
      assertEquals("application/problem+json", bad.headers().firstValue("Content-Type").orElse(""), q);
    }
  }
}
