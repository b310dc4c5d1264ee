package vn.hotline.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.store.StoreCommand;
import vn.hotline.gateway.testing.GatewayTest;
import vn.hotline.gateway.testing.Harness;

/** The hotline's operators make a partner's key with api-key create --partner X --scopes intake. */
@GatewayTest
class ApiKeyPartnerCommandTest {
  Map<String, String> env;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start(Harness house) {
    var db = house.db();
    env = Map.of("GATEWAY_DB_URL", db.gatewayUrl(), "GATEWAY_DB_USER", db.user(),
        "GATEWAY_DATA_DIR", house.dir().resolve("data").toString());
  }

  Run apiKey(String... args) {
    var cl = new CommandLine(new ApiKeyCommand());
    for (var sub : cl.getSubcommands().values()) {
      ((StoreCommand) sub.getCommand()).env = env;
    }
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var stdout = System.out;
    var stderr = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = cl.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @Test
  void aPartnerKeyIsPrintedOnceAndSpeaksForThatPartnerWithItsScope() throws Exception {
    var made = apiKey("create", "--partner", "viettel", "--scopes", "intake", "--label", "Viettel T&S");
    assertEquals(0, made.exit(), made.err());
    var m = Pattern.compile("(?m)^key: *(hgk_\\S+)$").matcher(made.out());
    assertTrue(m.find(), made.out());
    try (var store = Store.open(GatewayConfig.load(null, env).db(), null)) {
      var caller = new ApiKeyRepository(store, new vn.hotline.gateway.audit.AuditLog()).authenticate(m.group(1)).orElseThrow();
      assertEquals("viettel", caller.partnerId());
      assertEquals(Set.of("intake"), caller.scopes());
      assertEquals(false, caller.admin(), "a partner key is no admin key");
    }
    var list = apiKey("list");
    assertTrue(list.out().contains("partner:viettel") && !list.out().contains(m.group(1)), list.out());
  }

  @Test
  void aPartnerKeyNeedsAPlainIdAndTheIntakeScopeAndNothingElse() {
    for (var args : new String[][] {{"create", "--partner", "Viettel Telecom", "--scopes", "intake"},
        {"create", "--partner", "viettel"}, {"create", "--partner", "viettel", "--scopes", "reports"},
        {"create", "--partner", "viettel", "--agency", "police-cyber", "--scopes", "intake"},
        {"create", "--agency", "police-cyber", "--scopes", "intake"}}) {
      var r = apiKey(args);
      assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.out());
      assertTrue(r.err().startsWith("api-key create:"), r.err());
      assertTrue(!r.out().contains("hgk_"), "no key made");
    }
  }
}
