package vn.hotline.gateway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.hotline.gateway.config.ConfigException;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;

/** A gateway pointed at a broken province names file does not start, and says which file and which entry. */
@GatewayTest
class ProvincesFileStartupTest {
  @Test
  void aFormerProvinceInNoUnitOfTodayStopsStartup(Harness house) throws Exception {
    var shipped = Files.readString(Path.of("config/provinces.yaml"));
    var broken = house.dir().resolve("provinces.yaml");
    Files.writeString(broken, shipped.replace("\"67\": { name: Đắk Nông, today: \"68\"", "\"67\": { name: Đắk Nông, today: \"69\""));
    var e = assertThrows(ConfigException.class, () -> house.start(Map.of("GATEWAY_PROVINCES_FILE", broken.toString())));
    assertEquals(broken + ": former.67 (Đắk Nông): today: '69' is not a province code of 'provinces:'", e.getMessage());
  }
}
