package vn.hotline.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Configuration from defaults, an optional file and an environment map. The real environment is never read, and
 * GATEWAY_DATA_DIR always points at a temporary directory because dev mode writes its token file there.
 */
class GatewayConfigTest {
  private static final String TOKEN = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c";
  private static final String DB_PASSWORD = "mariadb-pw-7Qx!z";

  @TempDir Path data;
  @TempDir Path files;

  /** An environment holding only the data dir, plus the given name/value pairs. */
  private Map<String, String> env(String... kv) {
    var env = new HashMap<String, String>();
    env.put("GATEWAY_DATA_DIR", data.toString());
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  /** A production environment with every required value set to something valid. */
  private Map<String, String> production() {
    return env(
        "GATEWAY_MODE", "production",
        "GATEWAY_PUBLIC_URL", "https://hotline.example.org/",
        "TWILIO_AUTH_TOKEN", TOKEN,
        "GATEWAY_FALLBACK_NUMBER", "+842437911111",
        "GATEWAY_OPERATORS_NUMBERS", "+84901234567, +84912345678",
        "GATEWAY_DB_URL", "jdbc:mariadb://db.internal:3306/hotline",
        "GATEWAY_DB_USER", "hotline",
        "GATEWAY_DB_PASSWORD", DB_PASSWORD,
        "GATEWAY_PRIVACY_PSEUDONYM_KEY", "p1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]),
        "GATEWAY_PRIVACY_ENCRYPTION_KEYS", "k2:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
  }

  private static GatewayConfig load(Path file, Map<String, String> env) {
    return GatewayConfig.from(Settings.load(file, env));
  }

  private static GatewayConfig load(Map<String, String> env) {
    return load(null, env);
  }

  private static ConfigException refused(Path file, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> load(file, env), "the configuration should have been refused");
  }

  private static ConfigException refused(Map<String, String> env) {
    return refused(null, env);
  }

  private static void assertMentions(Exception e, String... fragments) {
    for (var f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "expected the message to mention \"" + f + "\" but it was: " + e.getMessage());
    }
  }

  private static void assertHides(Exception e, String... secrets) {
    for (var s : secrets) {
      assertFalse(e.getMessage().contains(s), () -> "a secret leaked into the message: " + e.getMessage());
    }
  }

  private Path file(String name, String text) throws IOException {
    var f = files.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  // --- the environment is read once, into the config ---------------------------------------------------

  @Test
  void anSmppLinksPasswordEnvIsReadFromTheEnvironmentTheConfigWasGiven() throws IOException {
    // A variable no process environment has: only the map handed to the config can hold it.
    var variable = "HOTLINE_TEST_SMSC_PASSWORD_" + Long.toHexString(System.nanoTime()).toUpperCase();
    var links = Files.writeString(files.resolve("links.yaml"), "links:\n"
        + "  - name: viettel\n    host: 127.0.0.1\n    system_id: hotline\n    password_env: " + variable + "\n");

    var cfg = load(env("GATEWAY_SMPP_LINKS_FILE", links.toString(), variable, "s3cret-from-env"));

    assertEquals("s3cret-from-env", cfg.smppLinks().get(0).password());
    assertEquals(Map.of(variable, "s3cret-from-env"), Map.of(variable, cfg.env().variables().get(variable)),
        "routing.yaml's ${VAR} are looked up in the same environment");
    assertFalse(cfg.env().toString().contains("s3cret"), "the environment's values are never printed");
    var unset = assertThrows(ConfigException.class, () -> load(env("GATEWAY_SMPP_LINKS_FILE", links.toString())));
    assertTrue(unset.getMessage().contains("password_env " + variable + " is not set"), unset.getMessage());
  }

  // --- dev mode with nothing set -------------------------------------------------------------------------

  @Test
  void noConfigurationStartsInDevModeWithLocalDefaults() {
    var cfg = load(env());

    assertEquals(GatewayConfig.Mode.DEV, cfg.mode());
    assertEquals(8080, cfg.http().port());
    assertEquals("0.0.0.0", cfg.http().host());
    assertEquals(URI.create("http://localhost:8080"), cfg.publicUrl());
    assertEquals(data, cfg.dataDir());
    assertEquals(Path.of("./ivr-flows"), cfg.flowsDir());
    assertEquals("hotline-111", cfg.voiceFlow());
    assertEquals(GatewayConfig.DEV_FALLBACK_NUMBER, cfg.fallbackNumber());
    assertEquals(null, cfg.provincesFile());
    assertEquals(GatewayConfig.HandoffMode.DIAL, cfg.operators().mode());
    assertEquals(List.of(), cfg.operators().numbers());
    assertTrue(cfg.operators().hours().alwaysOpen());
    assertEquals(14400, cfg.sessions().staleAfterSeconds());
    assertFalse(cfg.devNotices().isEmpty(), "dev mode says what it filled in");
  }

  @Test
  void devModeUsesEmbeddedH2UnderTheDataDir() {
    var db = load(env()).db();

    assertTrue(db.embedded(), db.url());
    var h2File = data.toAbsolutePath().normalize().resolve("hotline");
    assertTrue(db.url().startsWith("jdbc:h2:file:" + h2File + ";"), db.url());
    assertTrue(db.describe().contains(h2File.toString()), db.describe());
  }

  @Test
  void devModeGeneratesATokenKeptInTheDataDirAndStableAcrossLoads() throws IOException {
    var first = load(env()).twilio().authToken();
    var second = load(env()).twilio().authToken();

    assertTrue(first.startsWith(GatewayConfig.DEV_TOKEN_PREFIX), first);
    assertTrue(first.length() > GatewayConfig.DEV_TOKEN_PREFIX.length() + 16, "the dev token should be random, not just a prefix");
    assertEquals(first, second, "the same data dir must give the same dev token");
    var tokenFile = data.resolve(GatewayConfig.DEV_TOKEN_FILE);
    assertEquals("dev-twilio-auth-token", tokenFile.getFileName().toString());
    assertEquals(first, Files.readString(tokenFile).trim());
  }

  @Test
  void devTokensDifferBetweenDataDirs(@TempDir Path otherData) {
    var here = load(env()).twilio().authToken();
    var there = load(env("GATEWAY_DATA_DIR", otherData.toString())).twilio().authToken();

    assertNotEquals(here, there);
  }

  @Test
  void devTokenFileNotStartingWithDevPrefixIsReplaced() throws IOException {
    Files.writeString(data.resolve(GatewayConfig.DEV_TOKEN_FILE), "something-else\n");

    var token = load(env()).twilio().authToken();

    assertTrue(token.startsWith(GatewayConfig.DEV_TOKEN_PREFIX), token);
    assertEquals(token, Files.readString(data.resolve(GatewayConfig.DEV_TOKEN_FILE)).trim());
  }

  @Test
  void devPublicUrlFollowsTheHttpPort() {
    var cfg = load(env("GATEWAY_HTTP_PORT", "9090"));

    assertEquals(9090, cfg.http().port());
    assertEquals(URI.create("http://localhost:9090"), cfg.publicUrl());
  }

  @Test
  void theListenersDefaultToAPrivateManagementPortAndBoundedClients() {
    var http = load(env()).http();

    assertEquals("127.0.0.1", http.managementHost());
    assertEquals(8081, http.managementPort());
    assertTrue(http.management());
    assertEquals(15, http.requestTimeoutSeconds());
    assertEquals(30, http.idleTimeoutSeconds());
    assertEquals(64, http.maxConnectionsPerIp());
    assertFalse(load(env("GATEWAY_MANAGEMENT_PORT", "-1")).http().management(), "-1: no management listener");
  }

  @Test
  void listenerLimitsAreValidatedNamingTheKey() {
    assertMentions(refused(env("GATEWAY_MANAGEMENT_PORT", "8080")), "management.port", "must differ from http.port");
    assertMentions(refused(env("GATEWAY_MANAGEMENT_PORT", "-2")), "management.port", "between -1 and 65535");
    assertMentions(refused(env("GATEWAY_MANAGEMENT_HOST", "")), "management.host", "must not be empty");
    assertMentions(refused(env("GATEWAY_HTTP_REQUEST_TIMEOUT_SECONDS", "0")), "http.request_timeout_seconds");
    assertMentions(refused(env("GATEWAY_HTTP_IDLE_TIMEOUT_SECONDS", "0")), "http.idle_timeout_seconds");
    assertMentions(refused(env("GATEWAY_HTTP_MAX_CONNECTIONS_PER_IP", "0")), "http.max_connections_per_ip");
  }

  // --- environment ---------------------------------------------------------------------------------------

  @Test
  void nonNumericPortIsRefusedNamingKeyVariableAndValue() {
    var e = refused(env("GATEWAY_HTTP_PORT", "abc"));

    assertMentions(e, "http.port", "GATEWAY_HTTP_PORT", "'abc'", "not a whole number");
  }

  @Test
  void outOfRangePortIsRefusedNamingTheRange() {
    var e = refused(env("GATEWAY_HTTP_PORT", "70000"));

    assertMentions(e, "http.port", "GATEWAY_HTTP_PORT", "between 0 and 65535");
  }

  @Test
  void environmentValuesAreTrimmed() {
    assertEquals(8181, load(env("GATEWAY_HTTP_PORT", " 8181 ")).http().port());
  }

  @Test
  void unknownModeIsRefused() {
    var e = refused(env("GATEWAY_MODE", "staging"));

    assertMentions(e, "mode", "GATEWAY_MODE", "must be dev or production");
  }

  @Test
  void twilioAuthTokenAliasSetsTheToken() {
    var cfg = load(env("TWILIO_AUTH_TOKEN", TOKEN));

    assertEquals(TOKEN, cfg.twilio().authToken());
    assertFalse(Files.exists(data.resolve(GatewayConfig.DEV_TOKEN_FILE)), "no dev token is made when one is given");
  }

  @Test
  void conventionalVariableSetsTheTokenToo() {
    assertEquals(TOKEN, load(env("GATEWAY_TWILIO_AUTH_TOKEN", TOKEN)).twilio().authToken());
  }

  @Test
  void aliasWinsOverTheConventionalVariable() {
    var cfg = load(env("GATEWAY_TWILIO_AUTH_TOKEN", "from-gateway-variable", "TWILIO_AUTH_TOKEN", TOKEN));

    assertEquals(TOKEN, cfg.twilio().authToken());
  }

  @Test
  void tokenFileVariableReadsTheTokenFromAFile() throws IOException {
    var secret = file("twilio-token", TOKEN + "\n");
    Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    var settings = Settings.load(null, env("TWILIO_AUTH_TOKEN_FILE", secret.toString()));
    var cfg = GatewayConfig.from(settings);

    assertEquals(TOKEN, cfg.twilio().authToken(), "the trailing newline of the file is dropped");
    assertEquals("env TWILIO_AUTH_TOKEN_FILE", settings.source("twilio.auth_token"));
  }

  @Test
  void fileVariableWorksForAnyKey() throws IOException {
    var port = file("port", "9191\n");
    Files.setPosixFilePermissions(port, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

    assertEquals(9191, load(env("GATEWAY_HTTP_PORT_FILE", port.toString())).http().port());
  }

  @Test
  void aSecretFileEveryUserCanReadIsRefused() throws IOException {
    var secret = file("open-token", TOKEN + "\n");
    Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    var e = refused(env("TWILIO_AUTH_TOKEN_FILE", secret.toString()));

    assertMentions(e, "twilio.auth_token", "TWILIO_AUTH_TOKEN_FILE", "readable by every user");
    assertHides(e, TOKEN);
  }

  @Test
  void unreadableTokenFileIsRefusedNamingKeyAndVariable() {
    var missing = files.resolve("no-such-secret");

    var e = refused(env("TWILIO_AUTH_TOKEN_FILE", missing.toString()));

    assertMentions(e, "twilio.auth_token", "TWILIO_AUTH_TOKEN_FILE", missing.toString());
  }

  @Test
  void envNamesFollowTheKeyPathWithTheAliasLast() {
    assertEquals(List.of("GATEWAY_HTTP_PORT"), Settings.envNames("http.port"));
    assertEquals(List.of("GATEWAY_OPERATORS_RING_TIMEOUT_SECONDS"), Settings.envNames("operators.ring_timeout_seconds"));
    assertEquals(List.of("GATEWAY_TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"), Settings.envNames("twilio.auth_token"));
  }

  @Test
  void sourceSaysWhereEachValueCameFrom() {
    var s = Settings.load(null, env("GATEWAY_HTTP_PORT", "9000"));

    assertEquals("env GATEWAY_HTTP_PORT", s.source("http.port"));
    assertEquals("default", s.source("http.host"));
    assertTrue(s.isSet("http.port"));
    assertFalse(s.isSet("http.host"));
  }

  // --- config file ---------------------------------------------------------------------------------------

  @Test
  void configFileOverridesDefaults() throws IOException {
    var f = file("gateway.yaml", """
        http:
          port: 9000
        operators:
          mode: enqueue
          numbers: ["+84901234567", "+84912345678"]
          hours: "mon-fri 07:30-21:30"
        """);

    var cfg = load(f, env());

    assertEquals(9000, cfg.http().port());
    assertEquals(GatewayConfig.HandoffMode.ENQUEUE, cfg.operators().mode());
    assertEquals(List.of("+84901234567", "+84912345678"), cfg.operators().numbers(), "a YAML list is a list of numbers");
    assertFalse(cfg.operators().hours().alwaysOpen());
    assertEquals(65536, cfg.http().maxBodyBytes(), "keys the file does not mention keep their defaults");
  }

  @Test
  void environmentOverridesTheConfigFile() throws IOException {
    var f = file("gateway.yaml", "http:\n  port: 9000\n");

    var s = Settings.load(f, env("GATEWAY_HTTP_PORT", "9100"));

    assertEquals(9100, GatewayConfig.from(s).http().port());
    assertEquals("env GATEWAY_HTTP_PORT", s.source("http.port"));
  }

  @Test
  void badValueFromTheConfigFileIsRefusedNamingTheFile() throws IOException {
    var f = file("gateway.yaml", "http:\n  port: eighty\n");

    var e = refused(f, env());

    assertMentions(e, "http.port", "file " + f, "'eighty'");
  }

  @Test
  void unknownKeyInTheConfigFileIsRefusedNamingTheKey() throws IOException {
    var f = file("gateway.yaml", "http:\n  prot: 9000\n");

    var e = refused(f, env());

    assertMentions(e, f.toString(), "unknown key 'http.prot'");
  }

  @Test
  void unknownTopLevelSectionInTheConfigFileIsRefused() throws IOException {
    var f = file("gateway.yaml", "twillio:\n  auth_token: " + TOKEN + "\n");

    var e = refused(f, env());

    assertMentions(e, "unknown key 'twillio.auth_token'");
    assertHides(e, TOKEN);
  }

  @Test
  void missingConfigFileIsRefused() {
    var missing = files.resolve("nope.yaml");

    var e = refused(missing, env());

    assertMentions(e, missing.toString(), "does not exist");
  }

  // --- values --------------------------------------------------------------------------------------------

  @Test
  void postgresqlUrlIsRefusedNamingDbUrl() {
    var e = refused(env("GATEWAY_DB_URL", "jdbc:postgresql://db.internal:5432/hotline"));

    assertMentions(e, "db.url", "GATEWAY_DB_URL", "jdbc:mariadb://");
  }

  @Test
  void mariadbUrlSelectsMariaDbAndDescribesItWithoutCredentials() {
    var db = load(env("GATEWAY_DB_URL", "jdbc:mariadb://hotline:" + DB_PASSWORD + "@db.internal:3306/hotline?sslMode=verify-full"))
        .db();

    assertFalse(db.embedded());
    assertEquals("MariaDB (jdbc:mariadb://db.internal:3306/hotline)", db.describe());
  }

  @Test
  void sequentialFailoverUrlOverSeveralHostsSelectsMariaDb() {
    var db = load(env("GATEWAY_DB_URL",
        "jdbc:mariadb:sequential://db1.internal:3306,db2.internal:3306,db3.internal:3306/hotline?sslMode=verify-full"))
        .db();

    assertFalse(db.embedded());
    assertEquals("MariaDB (jdbc:mariadb:sequential://db1.internal:3306,db2.internal:3306,db3.internal:3306/hotline)",
        db.describe());
  }

  @Test
  void otherMariaDbHaModesAreRefusedNamingTheOnesAccepted() {
    // loadbalance would spread writes over every node of a cluster: not the single writer the store expects
    var e = refused(env("GATEWAY_DB_URL", "jdbc:mariadb:loadbalance://db1.internal:3306,db2.internal:3306/hotline"));

    assertMentions(e, "db.url", "jdbc:mariadb://", "jdbc:mariadb:sequential://");
  }

  @Test
  void operatorsHoursWithABadSpecIsRefusedNamingOperatorsHours() {
    var e = refused(env("GATEWAY_OPERATORS_HOURS", "weekdays 9-5"));

    assertMentions(e, "operators.hours", "GATEWAY_OPERATORS_HOURS", "'weekdays 9-5'");
  }

  @Test
  void operatorsHoursAreReadInTheConfiguredTimeZone() {
    var hours = load(env("GATEWAY_OPERATORS_HOURS", "mon-fri 08:00-17:00", "GATEWAY_OPERATORS_TIMEZONE", "Europe/Paris"))
        .operators().hours();

    assertEquals(java.time.ZoneId.of("Europe/Paris"), hours.zone());
    assertEquals(1, hours.rules().size());
  }

  @Test
  void badTimeZoneIsRefused() {
    var e = refused(env("GATEWAY_OPERATORS_TIMEZONE", "Hanoi"));

    assertMentions(e, "operators.timezone", "'Hanoi'");
  }

  @Test
  void operatorNumberThatIsNotE164IsRefusedNamingTheEntry() {
    var e = refused(env("GATEWAY_OPERATORS_NUMBERS", "+84901234567,0912345678"));

    assertMentions(e, "operators.numbers", "GATEWAY_OPERATORS_NUMBERS", "entry 2 is not an E.164 number");
  }

  @Test
  void moreThanTenOperatorNumbersAreRefused() {
    var numbers = String.join(",", java.util.stream.IntStream.rangeClosed(10, 20).mapToObj(i -> "+849012345" + i).toList());

    var e = refused(env("GATEWAY_OPERATORS_NUMBERS", numbers));

    assertMentions(e, "operators.numbers", "at most 10");
  }

  @Test
  void fallbackNumberThatIsNotE164IsRefused() {
    var e = refused(env("GATEWAY_FALLBACK_NUMBER", "111"));

    assertMentions(e, "fallback_number", "E.164");
  }

  @Test
  void callerIdThatIsNotE164IsRefused() {
    var e = refused(env("GATEWAY_OPERATORS_CALLER_ID", "hotline"));

    assertMentions(e, "operators.caller_id", "E.164");
  }

  @Test
  void badWorkflowSidIsRefused() {
    var e = refused(env("GATEWAY_OPERATORS_WORKFLOW_SID", "WW123"));

    assertMentions(e, "operators.workflow_sid", "WW followed by 32 hex digits");
  }

  @Test
  void publicUrlWithAQueryIsRefused() {
    var e = refused(env("GATEWAY_PUBLIC_URL", "https://hotline.example.org/?x=1"));

    assertMentions(e, "public_url", "query or fragment");
  }

  @Test
  void publicUrlThatIsNotHttpIsRefused() {
    var e = refused(env("GATEWAY_PUBLIC_URL", "ftp://hotline.example.org"));

    assertMentions(e, "public_url", "absolute http(s) URL");
  }

  @Test
  void emptyRequiredValueIsRefused() {
    var e = refused(env("GATEWAY_VOICE_FLOW", " "));

    assertMentions(e, "voice_flow", "must not be empty");
  }

  // --- production ----------------------------------------------------------------------------------------

  @Test
  void productionWithNothingSetIsRefusedNamingPublicUrl() {
    var e = refused(env("GATEWAY_MODE", "production"));

    assertMentions(e, "config public_url", "required in production", "GATEWAY_PUBLIC_URL");
  }

  @Test
  void productionModeIsCaseInsensitive() {
    var e = refused(env("GATEWAY_MODE", "PRODUCTION"));

    assertMentions(e, "public_url", "required in production");
  }

  @Test
  void productionRefusesAPlainHttpPublicUrl() {
    var env = production();
    env.put("GATEWAY_PUBLIC_URL", "http://hotline.example.org");

    var e = refused(env);

    assertMentions(e, "public_url", "must be https in production");
  }

  @Test
  void productionRefusesAMissingFallbackNumber() {
    var env = production();
    env.remove("GATEWAY_FALLBACK_NUMBER");

    var e = refused(env);

    assertMentions(e, "fallback_number", "required in production", "GATEWAY_FALLBACK_NUMBER");
  }

  @Test
  void productionRefusesAMissingToken() {
    var env = production();
    env.remove("TWILIO_AUTH_TOKEN");

    var e = refused(env);

    assertMentions(e, "twilio.auth_token", "required in production", "TWILIO_AUTH_TOKEN");
    assertFalse(Files.exists(data.resolve(GatewayConfig.DEV_TOKEN_FILE)), "production never makes a dev token");
  }

  @Test
  void productionRefusesADevTokenNamingTwilioAuthTokenWithoutShowingIt() {
    var devToken = "dev_0123456789abcdef0123456789abcdef";
    var env = production();
    env.put("TWILIO_AUTH_TOKEN", devToken);

    var e = refused(env);

    assertMentions(e, "twilio.auth_token", "env TWILIO_AUTH_TOKEN", "dev token", "<hidden>");
    assertHides(e, devToken);
  }

  @Test
  void productionRefusesTheDevTokenLeftInTheDataDir() throws IOException {
    var devToken = load(env()).twilio().authToken(); // a dev run leaves its token behind
    var env = production();
    env.remove("TWILIO_AUTH_TOKEN");
    env.put("TWILIO_AUTH_TOKEN_FILE", data.resolve(GatewayConfig.DEV_TOKEN_FILE).toString());

    var e = refused(env);

    assertMentions(e, "twilio.auth_token", "TWILIO_AUTH_TOKEN_FILE", "dev token");
    assertHides(e, devToken);
  }

  @Test
  void productionDialModeWithoutOperatorNumbersIsRefused() {
    var env = production();
    env.remove("GATEWAY_OPERATORS_NUMBERS");

    var e = refused(env);

    assertMentions(e, "operators.numbers", "dial mode needs at least one");
  }

  @Test
  void productionEnqueueModeNeedsNoOperatorNumbers() {
    var env = production();
    env.remove("GATEWAY_OPERATORS_NUMBERS");
    env.put("GATEWAY_OPERATORS_MODE", "enqueue");

    var cfg = load(env);

    assertEquals(GatewayConfig.HandoffMode.ENQUEUE, cfg.operators().mode());
    assertEquals(List.of(), cfg.operators().numbers());
  }

  @Test
  void productionMariaDbWithoutPasswordIsRefusedNamingDbPassword() {
    var env = production();
    env.remove("GATEWAY_DB_PASSWORD");

    var e = refused(env);

    assertMentions(e, "db.password", "required in production for MariaDB");
  }

  @Test
  void productionWithoutDbUrlRefusesTheEmbeddedStoreNamingDbUrlAndWhy() {
    var env = production();
    env.remove("GATEWAY_DB_URL");
    env.remove("GATEWAY_DB_PASSWORD");

    var e = refused(env);

    assertMentions(e, "db.url", "GATEWAY_DB_URL", "jdbc:mariadb://", "embedded H2", "no backup",
        "db.allow_embedded_in_production");
  }

  @Test
  void productionRefusesAnH2UrlToo() {
    var env = production();
    env.put("GATEWAY_DB_URL", "jdbc:h2:file:/var/lib/hotline/store");

    assertMentions(refused(env), "db.url", "embedded H2");
  }

  @Test
  void productionRunsOnTheEmbeddedStoreWhenExplicitlyAllowedWithAGeneratedPassword() throws IOException {
    var env = production();
    env.remove("GATEWAY_DB_URL");
    env.remove("GATEWAY_DB_PASSWORD");
    env.put("GATEWAY_DB_ALLOW_EMBEDDED_IN_PRODUCTION", "true");

    var db = load(env).db();

    assertTrue(db.embedded(), db.url());
    var file = data.resolve(GatewayConfig.EMBEDDED_DB_PASSWORD_FILE);
    assertEquals(db.password(), Files.readString(file).trim());
  }

  @Test
  void allowEmbeddedInProductionMustBeTrueOrFalse() {
    var env = production();
    env.put("GATEWAY_DB_ALLOW_EMBEDDED_IN_PRODUCTION", "yes");

    assertMentions(refused(env), "db.allow_embedded_in_production", "true or false");
  }

  @Test
  void theEmbeddedStoreGetsAGeneratedPasswordInAnOwnerOnlyFileOfAnOwnerOnlyDataDir() throws IOException {
    var dataDir = data.resolve("fresh");
    var env = env("GATEWAY_DATA_DIR", dataDir.toString());

    var first = load(env).db();
    var second = load(env).db();

    assertTrue(first.password().matches("[0-9a-f]{48}"), "a random password, not empty");
    assertEquals(first.password(), second.password(), "the gateway and the CLI tools read the same password");
    var file = dataDir.resolve(GatewayConfig.EMBEDDED_DB_PASSWORD_FILE);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)));
    assertFalse(first.toString().contains(first.password()), first.toString());
  }

  @Test
  void anExistingDataDirOpenToOthersIsNarrowedToTheOwner() throws IOException {
    Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

    load(env());

    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
  }

  @Test
  void anExplicitDbPasswordIsUsedForTheEmbeddedStore() {
    var db = load(env("GATEWAY_DB_PASSWORD", "chosen-by-the-operator")).db();

    assertEquals("chosen-by-the-operator", db.password());
    assertFalse(Files.exists(data.resolve(GatewayConfig.EMBEDDED_DB_PASSWORD_FILE)));
  }

  @Test
  void productionWithEverythingValidStarts() {
    var cfg = load(production());

    assertEquals(GatewayConfig.Mode.PRODUCTION, cfg.mode());
    assertEquals(URI.create("https://hotline.example.org"), cfg.publicUrl(), "the trailing slash is dropped");
    assertEquals(TOKEN, cfg.twilio().authToken());
    assertEquals("+842437911111", cfg.fallbackNumber());
    assertEquals(List.of("+84901234567", "+84912345678"), cfg.operators().numbers());
    assertEquals("jdbc:mariadb://db.internal:3306/hotline", cfg.db().url());
    assertEquals("hotline", cfg.db().user());
    assertEquals(DB_PASSWORD, cfg.db().password());
    assertFalse(cfg.db().embedded());
    assertEquals(List.of(), cfg.devNotices(), "production fills nothing in");
    assertFalse(Files.exists(data.resolve(GatewayConfig.DEV_TOKEN_FILE)));
  }

  @Test
  void twilioRecordNeverShowsTheTokenInToString() {
    var cfg = load(production());

    assertFalse(cfg.twilio().toString().contains(TOKEN), cfg.twilio().toString());
    assertTrue(cfg.twilio().toString().contains("<hidden>"), cfg.twilio().toString());
    assertFalse(cfg.toString().contains(TOKEN), "the whole config's toString must not show the token either");
  }

  /** One broken value at a time in an otherwise valid production setup; the secrets set alongside never leak. */
  static Stream<Arguments> brokenProductionValues() {
    return Stream.of(
        Arguments.of("GATEWAY_HTTP_PORT", "abc", "http.port"),
        Arguments.of("GATEWAY_PUBLIC_URL", "http://hotline.example.org", "public_url"),
        Arguments.of("GATEWAY_FALLBACK_NUMBER", "111", "fallback_number"),
        Arguments.of("GATEWAY_DB_POOL_SIZE", "0", "db.pool_size"),
        Arguments.of("GATEWAY_OPERATORS_NUMBERS", "+84901234567,x", "operators.numbers"),
        Arguments.of("GATEWAY_OPERATORS_HOURS", "mon-fri 9-5", "operators.hours"),
        Arguments.of("GATEWAY_SESSIONS_STALE_AFTER_SECONDS", "1", "sessions.stale_after_seconds"),
        Arguments.of("TWILIO_AUTH_TOKEN", "dev_" + TOKEN, "twilio.auth_token"));
  }

  @ParameterizedTest(name = "{0}={1} is refused naming {2} and no secret")
  @MethodSource("brokenProductionValues")
  void secretsNeverAppearInConfigErrors(String variable, String value, String key) {
    var env = production();
    env.put(variable, value);

    var e = refused(env);

    assertMentions(e, "config " + key + " ");
    assertHides(e, TOKEN, DB_PASSWORD);
  }

  @Test
  void invalidHidesValuesOfSecretKeys() {
    var s = Settings.load(null, env("GATEWAY_DB_PASSWORD", DB_PASSWORD, "TWILIO_AUTH_TOKEN", TOKEN));

    var password = s.invalid("db.password", "test");
    var token = s.invalid("twilio.auth_token", "test");

    assertMentions(password, "config db.password (env GATEWAY_DB_PASSWORD) = '<hidden>': test");
    assertMentions(token, "config twilio.auth_token (env TWILIO_AUTH_TOKEN) = '<hidden>': test");
    assertHides(password, DB_PASSWORD);
    assertHides(token, TOKEN);
  }

  @Test
  void invalidOfADefaultValueSaysWhichVariablesSetIt() {
    var e = Settings.load(null, env()).invalid("http.port", "test");

    assertMentions(e, "config http.port (default; set GATEWAY_HTTP_PORT) = '8080': test");
  }

  // --- gaps found while writing these tests, now fixed ---------------------------------------------------

  @Test
  void passwordInsideARefusedDbUrlIsNotShown() {
    var e = refused(env("GATEWAY_DB_URL", "jdbc:postgresql://db.internal/hotline?user=hotline&password=" + DB_PASSWORD));

    assertMentions(e, "db.url");
    assertHides(e, DB_PASSWORD);
  }

  @Test
  void yamlErrorInTheConfigFileDoesNotShowTheTokenOnTheBrokenLine() throws IOException {
    var f = file("gateway.yaml", "twilio:\n  auth_token: \"" + TOKEN + "\n  other: [\n");

    var e = refused(f, env());

    assertMentions(e, f.toString(), "not valid YAML");
    assertHides(e, TOKEN);
  }

  @Test
  void configToStringNeverShowsTheDbPassword() {
    var cfg = load(production());

    assertFalse(cfg.db().toString().contains(DB_PASSWORD), cfg.db().toString());
    assertFalse(cfg.toString().contains(DB_PASSWORD));
  }

  @Test
  void commentsOnlyConfigFileChangesNothing() throws IOException {
    var f = file("gateway.yaml", "# everything at its default for now\n");

    var cfg = load(f, env());

    assertEquals(8080, cfg.http().port());
  }
}
