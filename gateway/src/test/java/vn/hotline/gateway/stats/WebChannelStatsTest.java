package vn.hotline.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;
import vn.hotline.gateway.testing.MutableClock;
import vn.hotline.gateway.testing.PersonalData;
import vn.hotline.gateway.testing.RunningGateway;
import vn.hotline.gateway.testing.WebReportClient;

/**
 * Reports sent through the public web form count as a channel of their own in the yearly figures: {@code stats
 * --by channel} has a {@code web} row with their contacts and reports (five, so that suppression shows them).
 */
@GatewayTest
class WebChannelStatsTest {
  static final String SAW = "Một nhóm trên mạng chia sẻ video bạo lực với học sinh tiểu học.";

  @Test
  void webReportsAreCountedAsTheWebChannel(Harness house) {
    PersonalData.used(SAW);
    var clock = MutableClock.now();
    var gw = house.start(Map.of(), clock);
    var web = new WebReportClient(gw.base);
    for (int i = 0; i < 5; i++) {
      var token = web.token();
      clock.advance(Duration.ofSeconds(30));
      var r = web.post(WebReportClient.filled(token, SAW + " " + i));
      assertNotNull(WebReportClient.reference(r.body()), r.body());
    }
    var today = LocalDate.ofInstant(clock.instant(), ZoneId.of("Asia/Ho_Chi_Minh")).toString();
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var env = Map.of("GATEWAY_DB_URL", house.db().gatewayUrl(), "GATEWAY_DB_USER", house.db().user(),
        "GATEWAY_DATA_DIR", house.dir().resolve("data").toString(), "TWILIO_AUTH_TOKEN", RunningGateway.TOKEN);
    int exit = new CommandLine(new StatsCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env))
        .execute("--from=" + today, "--to=" + today, "--by=channel", "--format=csv");
    assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
    var lines = out.toString(StandardCharsets.UTF_8).split("\n");
    var header = Arrays.asList(lines[0].split(",", -1));
    var webRow = Arrays.stream(lines).filter(l -> l.startsWith("web,")).findFirst()
        .orElseThrow(() -> new AssertionError("no web row in:\n" + String.join("\n", lines)));
    var fields = webRow.split(",", -1);
    assertEquals("5", fields[header.indexOf("contacts")], webRow);
    assertEquals("5", fields[header.indexOf("reports")], webRow);
    assertEquals("5", fields[header.indexOf("reports_completed")], webRow);
  }
}
