package vn.hotline.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.config.Settings;

/** console.session_idle_minutes and console.session_absolute_hours: their defaults and what is refused. */
class ConsoleConfigTest {
  @TempDir Path data;

  GatewayConfig load(String... kv) {
    var env = new HashMap<String, String>(Map.of("GATEWAY_DATA_DIR", data.toString()));
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return GatewayConfig.from(Settings.load(null, env));
  }

  @Test
  void thirtyMinutesIdleAndTwelveHoursAtMostByDefault() {
    var c = load().console();
    assertEquals(30, c.sessionIdleMinutes());
    assertEquals(12, c.sessionAbsoluteHours());
    var set = load("GATEWAY_CONSOLE_SESSION_IDLE_MINUTES", "15", "GATEWAY_CONSOLE_SESSION_ABSOLUTE_HOURS", "8").console();
    assertEquals(15, set.sessionIdleMinutes());
    assertEquals(8, set.sessionAbsoluteHours());
  }

  @Test
  void anIdleTimeoutLongerThanTheAbsoluteOneOrNoneAtAllIsRefusedNamingTheKey() {
    var longer = assertThrows(ConfigException.class,
        () -> load("GATEWAY_CONSOLE_SESSION_IDLE_MINUTES", "90", "GATEWAY_CONSOLE_SESSION_ABSOLUTE_HOURS", "1"));
    assertTrue(longer.getMessage().contains("console.session_idle_minutes"), longer.getMessage());
    var zero = assertThrows(ConfigException.class, () -> load("GATEWAY_CONSOLE_SESSION_IDLE_MINUTES", "0"));
    assertTrue(zero.getMessage().contains("console.session_idle_minutes"), zero.getMessage());
    var week = assertThrows(ConfigException.class, () -> load("GATEWAY_CONSOLE_SESSION_ABSOLUTE_HOURS", "1000"));
    assertTrue(week.getMessage().contains("console.session_absolute_hours"), week.getMessage());
  }
}
