package vn.hotline.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The whole configuration, validated, immutable. Built once at startup by {@link #from(Settings)}. */
public record GatewayConfig(
    Mode mode,
    URI publicUrl,
    Path dataDir,
    Path flowsDir,
    String voiceFlow,
    String fallbackNumber,
    Path provincesFile,
    Path taxonomyFile,
    Path routingFile,
    Inbox inbox,
    Delivery delivery,
    String devWebhookSecret,
    Http http,
    Db db,
    Twilio twilio,
    Operators operators,
    Sessions sessions,
    Privacy privacy,
    Retention retention,
    Limits limits,
    Sms sms,
    List<SmppLink> smppLinks,
    Console console,
    Followup followup,
    List<String> devNotices,
    Environment env) {

  public enum Mode { DEV, PRODUCTION }

  /**
   * The environment the configuration was read from, read once at the process's entry: what files refer to by
   * name (routing.yaml's ${VAR}) is looked up here, never in System.getenv(). Its values are never printed.
   */
  public record Environment(Map<String, String> variables) {
    public Environment {
      variables = Map.copyOf(variables);
    }

    @Override
    public String toString() {
      return "Environment[" + variables.size() + " variables]";
    }
  }

  /**
   * The public listener (webhooks, API, up/down health) and the management one (metrics, detailed health;
   * {@code managementPort} -1: none). A client must send a whole request within {@code requestTimeoutSeconds}
   * of starting to wait for it; a connection silent both ways for {@code idleTimeoutSeconds} is closed.
   */
  public record Http(String host, int port, int maxBodyBytes, int webhookDeadlineMs, int shutdownGraceSeconds,
      Path tlsCertFile, Path tlsKeyFile, int idleTimeoutSeconds, int requestTimeoutSeconds, int maxConnectionsPerIp,
      String managementHost, int managementPort) {
    public boolean tls() {
      return tlsCertFile != null;
    }

    public boolean management() {
      return managementPort >= 0;
    }
  }

  /** Per-source limits per minute. */
  public record Limits(int callsPerMinute, int smsPerMinute, int failedAuthPerMinute, int intakePerMinute) {
    /** Without a limit of its own for partners' submissions: the default, 60 a minute. */
    public Limits(int callsPerMinute, int smsPerMinute, int failedAuthPerMinute) {
      this(callsPerMinute, smsPerMinute, failedAuthPerMinute, 60);
    }
  }

  public record Db(String url, String user, String password, int poolSize, int connectTimeoutMs) {
    public boolean embedded() {
      return url.startsWith("jdbc:h2:");
    }

    @Override
    public String toString() {
      return "Db[" + describe() + ", user=" + user + ", password=<hidden>, poolSize=" + poolSize + "]";
    }

    /** What the startup line and health say about the store, without credentials. */
    public String describe() {
      if (embedded()) {
        return "embedded H2 (" + url.replaceFirst("^jdbc:h2:", "").replaceFirst(";.*$", "") + ")";
      }
      return "MariaDB (" + url.replaceFirst("\\?.*$", "").replaceFirst("//[^@/]*@", "//") + ")";
    }
  }

  public record Twilio(String authToken, String accountSid, URI apiBaseUrl, String smsFrom) {
    @Override
    public String toString() {
      return "Twilio[authToken=<hidden>, accountSid=" + accountSid + "]"; // a secret never reaches a log via toString
    }

    /** Whether SMS can be sent without a webhook to answer (reminders, expiry notices). */
    public boolean canSendSms() {
      return !accountSid.isEmpty() && !smsFrom.isEmpty();
    }
  }

  /** Keys for pseudonyms and for encryption at rest, as id:base64 specs. */
  public record Privacy(String pseudonymKey, String encryptionKeys) {
    @Override
    public String toString() {
      return "Privacy[<hidden>]";
    }
  }

  /** Days each class of personal data is kept (see config/gateway.yaml, retention). */
  public record Retention(int callerNumberDays, int smsDays, int freeTextDays, int recordingDays) {}

  public record Sms(String flow, int sessionIdleMinutes, int reminderAfterMinutes, int concatTimeoutSeconds,
      int dedupeWindowSeconds) {}

  /** One bind_transceiver, or a bind_receiver and a bind_transmitter side by side. */
  public enum BindMode { TRANSCEIVER, RECEIVER_TRANSMITTER }

  /** One SMPP link to a telco's SMSC. */
  public record SmppLink(String name, String host, int port, String systemId, String password, String systemType,
      BindMode bindMode, String source, String addressRange, int maxTps, int window, int enquireLinkSeconds,
      int reconnectMaxSeconds) {
    @Override
    public String toString() {
      return "SmppLink[" + name + " " + host + ":" + port + " system_id=" + systemId + "]";
    }
  }

  public enum HandoffMode { DIAL, ENQUEUE }

  public record Operators(
      HandoffMode mode,
      List<String> numbers,
      String callerId,
      int ringTimeoutSeconds,
      int queueWaitSeconds,
      String workflowSid,
      OpeningHours hours,
      int whisperTimeoutSeconds) {}

  public record Sessions(int staleAfterSeconds, int housekeepingIntervalMs) {}

  /** The counsellors' console: how long a signed-in session lasts without a request, and at most. */
  public record Console(int sessionIdleMinutes, int sessionAbsoluteHours) {}

  /**
   * Follow-up tasks (a callback or reply promised to a caller): when they are due (danger: minutes; the others:
   * hours), and after a callback nobody answered, how long until the board says to try again.
   */
  /**
   * @param callbackRingSeconds how long a child's phone rings when a counsellor calls back, before it counts as no
   *     answer (short: the call ends before most voicemail boxes pick up)
   */
  public record Followup(int dangerDueMinutes, int otherDueHours, int retryMinutes, int callbackRingSeconds) {}

  /** A single inbox for every report, when set (url empty: use the routing file). */
  public record Inbox(String url, List<String> secrets) {
    public boolean configured() {
      return !url.isEmpty();
    }

    @Override
    public String toString() {
      return "Inbox[" + url + ", secrets=<hidden>]";
    }
  }

  public record Delivery(int workers, int timeoutSeconds, int breakerFailures, int breakerCooldownSeconds) {}

  /** Placeholder number dialled in dev mode when no fallback is configured (a Twilio test number). */
  public static final String DEV_FALLBACK_NUMBER = "+15005550006";
  public static final String DEV_TOKEN_PREFIX = "dev_";
  public static final String DEV_TOKEN_FILE = "dev-twilio-auth-token";
  /** The embedded store's generated database password, owner-only under data_dir (dev and production alike). */
  public static final String EMBEDDED_DB_PASSWORD_FILE = "embedded-db-password";

  private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
  private static final Pattern WORKFLOW_SID = Pattern.compile("WW[0-9a-fA-F]{32}");

  /** Reads the environment and an optional file; the usual entry point. */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    return from(Settings.load(file, env));
  }

  public static GatewayConfig from(Settings s) {
    var notices = new ArrayList<String>();
    var mode = switch (s.get("mode").toLowerCase(Locale.ROOT)) {
      case "dev" -> Mode.DEV;
      case "production" -> Mode.PRODUCTION;
      default -> throw s.invalid("mode", "must be dev or production");
    };
    boolean prod = mode == Mode.PRODUCTION;

    var cert = s.get("http.tls_cert_file");
    var key = s.get("http.tls_key_file");
    if (cert.isEmpty() != key.isEmpty()) {
      throw s.invalid(cert.isEmpty() ? "http.tls_cert_file" : "http.tls_key_file",
          "TLS needs both http.tls_cert_file and http.tls_key_file");
    }
    for (var k : List.of("http.tls_cert_file", "http.tls_key_file")) {
      if (!s.get(k).isEmpty() && !Files.isReadable(Path.of(s.get(k)))) {
        throw s.invalid(k, "cannot read the file");
      }
    }
    var http = new Http(
        nonEmpty(s, "http.host"),
        s.integer("http.port", 0, 65535),
        s.integer("http.max_body_bytes", 1024, 10 * 1024 * 1024),
        s.integer("http.webhook_deadline_ms", 100, 10_000),
        s.integer("http.shutdown_grace_seconds", 0, 300),
        cert.isEmpty() ? null : Path.of(cert), key.isEmpty() ? null : Path.of(key),
        s.integer("http.idle_timeout_seconds", 1, 3600), s.integer("http.request_timeout_seconds", 1, 600),
        s.integer("http.max_connections_per_ip", 1, 1_000_000),
        nonEmpty(s, "management.host"), s.integer("management.port", -1, 65535));
    if (http.managementPort() > 0 && http.managementPort() == http.port()) {
      throw s.invalid("management.port", "must differ from http.port (" + http.port() + "); -1 turns it off");
    }

    URI publicUrl;
    if (s.get("public_url").isEmpty()) {
      if (prod) {
        throw s.invalid("public_url", "required in production: the https URL Twilio calls, used to check signatures");
      }
      publicUrl = URI.create("http://localhost:" + (http.port() == 0 ? 8080 : http.port()));
    } else {
      publicUrl = parseBaseUrl(s, "public_url");
      if (prod && !"https".equals(publicUrl.getScheme())) {
        throw s.invalid("public_url", "must be https in production (Twilio sends callers' answers to it)");
      }
    }

    var dataDir = Path.of(nonEmpty(s, "data_dir"));
    var flowsDir = Path.of(nonEmpty(s, "flows_dir"));
    var provinces = s.get("provinces_file").isEmpty() ? null : Path.of(s.get("provinces_file"));
    var taxonomy = s.get("taxonomy_file").isEmpty() ? null : Path.of(s.get("taxonomy_file"));
    var routing = s.get("routing_file").isEmpty() ? null : Path.of(s.get("routing_file"));
    var inboxSecrets = new ArrayList<String>();
    for (var secret : s.get("inbox.secret").split("[,\\s]+")) {
      if (!secret.isBlank()) {
        try {
          WebhookSecrets.key(secret);
        } catch (IllegalArgumentException e) {
          throw s.invalid("inbox.secret", e.getMessage());
        }
        inboxSecrets.add(secret);
      }
    }
    var inbox = new Inbox(s.get("inbox.url"), List.copyOf(inboxSecrets));
    if (inbox.configured()) {
      if (routing != null) {
        throw s.invalid("inbox.url", "set either inbox.url (one inbox) or routing_file (rules), not both");
      }
      if (!inbox.url().matches("https?://[^\\s]+")) {
        throw s.invalid("inbox.url", "must be an http(s) URL");
      }
      if (prod && !inbox.url().startsWith("https://")) {
        throw s.invalid("inbox.url", "must be https in production: reports are about children");
      }
      if (prod && inboxSecrets.isEmpty()) {
        throw s.invalid("inbox.secret", "required in production with inbox.url");
      }
    }
    var delivery = new Delivery(s.integer("delivery.workers", 1, 200), s.integer("delivery.timeout_seconds", 1, 120),
        s.integer("delivery.breaker_failures", 1, 1000), s.integer("delivery.breaker_cooldown_seconds", 1, 3600));

    String fallback = s.get("fallback_number");
    if (fallback.isEmpty()) {
      if (prod) {
        throw s.invalid("fallback_number", "required in production: the number dialled when anything fails");
      }
      fallback = DEV_FALLBACK_NUMBER;
      notices.add("fallback_number not set: failures dial the placeholder " + DEV_FALLBACK_NUMBER
          + " (set GATEWAY_FALLBACK_NUMBER)");
    } else if (!E164.matcher(fallback).matches()) {
      throw s.invalid("fallback_number", "must be an E.164 number like +842437911111");
    }

    var db = db(s, dataDir, prod);

    String token = s.get("twilio.auth_token");
    if (token.isEmpty()) {
      if (prod) {
        throw s.invalid("twilio.auth_token", "required in production");
      }
      token = devToken(dataDir);
      notices.add("Twilio auth token not set: generated one, kept in "
          + dataDir.resolve(DEV_TOKEN_FILE) + " (simulate-call reads it from there)");
    } else if (prod && token.startsWith(DEV_TOKEN_PREFIX)) {
      throw s.invalid("twilio.auth_token", "is a dev token; production needs the real Twilio auth token");
    }

    var accountSid = s.get("twilio.account_sid");
    if (!accountSid.isEmpty() && !accountSid.matches("AC[0-9a-fA-F]{32}")) {
      throw s.invalid("twilio.account_sid", "must look like AC followed by 32 hex digits");
    }
    var smsFrom = s.get("twilio.sms_from");
    if (!smsFrom.isEmpty() && !E164.matcher(smsFrom).matches() && !smsFrom.matches("MG[0-9a-fA-F]{32}")) {
      throw s.invalid("twilio.sms_from", "must be an E.164 number or a Messaging Service SID (MG...)");
    }
    var twilio = new Twilio(token, accountSid, parseBaseUrl(s, "twilio.api_base_url"), smsFrom);

    var operators = operators(s, prod, notices);
    var sessions = new Sessions(s.integer("sessions.stale_after_seconds", 60, 7 * 24 * 3600),
        s.integer("sessions.housekeeping_interval_ms", 100, 3_600_000));
    var privacy = new Privacy(
        devKey(s, "privacy.pseudonym_key", dataDir, prod, notices, "dev-pseudonym-key"),
        devKey(s, "privacy.encryption_keys", dataDir, prod, notices, "dev-encryption-keys"));
    int idle = s.integer("sms.session_idle_minutes", 2, 24 * 60);
    int remind = s.integer("sms.reminder_after_minutes", 1, 24 * 60);
    if (remind >= idle) {
      throw s.invalid("sms.reminder_after_minutes", "must be less than sms.session_idle_minutes (" + idle + ")");
    }
    var sms = new Sms(nonEmpty(s, "sms.flow"), idle, remind, s.integer("sms.concat_timeout_seconds", 5, 3600),
        s.integer("sms.dedupe_window_seconds", 60, 7 * 24 * 3600));
    var links = SmppLinks.load(s, prod);
    String devWebhookSecret = null;
    if (!prod) {
      devWebhookSecret = devSecret(dataDir, "dev-webhook-secret", WebhookSecrets::newSecret,
          v -> v.startsWith(WebhookSecrets.PREFIX));
      notices.add("agencies without a webhook secret sign with the dev secret in " + dataDir.resolve("dev-webhook-secret")
          + " (webhook-receiver --secret $(cat " + dataDir.resolve("dev-webhook-secret") + "))");
    }
    return new GatewayConfig(mode, publicUrl, dataDir, flowsDir, nonEmpty(s, "voice_flow"), fallback, provinces,
        taxonomy, routing, inbox, delivery, devWebhookSecret, http, db, twilio, operators, sessions, privacy,
        new Retention(s.integer("retention.caller_number_days", 1, 3650), s.integer("retention.sms_days", 1, 3650),
            s.integer("retention.free_text_days", 1, 36500), s.integer("retention.recording_days", 1, 3650)),
        new Limits(s.integer("limits.calls_per_minute", 1, 10_000), s.integer("limits.sms_per_minute", 1, 10_000),
            s.integer("limits.failed_auth_per_minute", 1, 100_000), s.integer("limits.intake_per_minute", 1, 100_000)),
        sms, links, console(s),
        new Followup(s.integer("followup.danger_due_minutes", 1, 24 * 60), s.integer("followup.other_due_hours", 1, 30 * 24),
            s.integer("followup.retry_minutes", 1, 24 * 60), s.integer("followup.callback_ring_seconds", 5, 60)),
        List.copyOf(notices), new Environment(s.env()));
  }

  private static Console console(Settings s) {
    int idle = s.integer("console.session_idle_minutes", 1, 24 * 60);
    int absolute = s.integer("console.session_absolute_hours", 1, 7 * 24);
    if (idle > absolute * 60) {
      throw s.invalid("console.session_idle_minutes", "must not be longer than console.session_absolute_hours ("
          + absolute + " h)");
    }
    return new Console(idle, absolute);
  }

  private static Db db(Settings s, Path dataDir, boolean prod) {
    var url = s.get("db.url");
    var allowEmbedded = s.get("db.allow_embedded_in_production").toLowerCase(Locale.ROOT);
    if (!allowEmbedded.equals("true") && !allowEmbedded.equals("false")) {
      throw s.invalid("db.allow_embedded_in_production", "must be true or false");
    }
    if (prod && (url.isEmpty() || url.startsWith("jdbc:h2:")) && allowEmbedded.equals("false")) {
      throw s.invalid("db.url", "production needs a jdbc:mariadb:// URL: the embedded H2 store lives on this one"
          + " machine's disk, with no replica and no backup of its own, so losing the disk loses every report"
          + " (set db.allow_embedded_in_production: true to accept that)");
    }
    var password = s.get("db.password");
    if (url.isEmpty()) {
      var file = dataDir.toAbsolutePath().normalize().resolve("hotline");
      // AUTO_SERVER: a second process (api-key, audit verify, stats) can use the store while serve runs. Its
      // port listens on loopback only (Store sets h2.bindAddress), and the database has a generated password.
      // WRITE_DELAY=0: a commit is in the file before the SMSC or Twilio is told, so SIGKILL loses nothing that
      // was acknowledged (H2 keeps commits in memory for 500 ms by default). See docs/reliability.md.
      url = "jdbc:h2:file:" + file + ";MODE=MariaDB;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE"
          + ";WRITE_DELAY=0";
      ownerOnlyDir(dataDir);
      if (password.isEmpty()) {
        password = devSecret(dataDir, EMBEDDED_DB_PASSWORD_FILE, () -> {
          var bytes = new byte[24];
          new SecureRandom().nextBytes(bytes);
          return HexFormat.of().formatHex(bytes);
        }, v -> v.matches("[0-9a-f]{48}"));
      }
    } else if (!url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mariadb:sequential://")
        && !url.startsWith("jdbc:h2:")) {
      // sequential: MariaDB Connector/J's failover over several hosts, always the first that answers (one writer
      // of a Galera cluster, the next when it is lost); see docs/operations.md.
      throw s.invalid("db.url", "must start with jdbc:mariadb:// or jdbc:mariadb:sequential://host1,host2,.../db"
          + " (or jdbc:h2: for the embedded store)");
    }
    if (prod && url.startsWith("jdbc:mariadb:") && password.isEmpty()) {
      throw s.invalid("db.password", "required in production for MariaDB");
    }
    return new Db(url, s.get("db.user"), password,
        s.integer("db.pool_size", 1, 200), s.integer("db.connect_timeout_ms", 250, 30_000));
  }

  /**
   * The data dir holds the store and the secrets: made owner-only (0700), and narrowed to that when it is wider,
   * so nothing in it (H2 creates its files with the process umask, often 0644) is readable by other users.
   */
  static void ownerOnlyDir(Path dir) {
    var ownerOnly = PosixFilePermissions.fromString("rwx------");
    try {
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(ownerOnly));
        } catch (UnsupportedOperationException notPosix) {
          Files.createDirectories(dir);
          return;
        }
      }
      if (Files.getFileStore(dir).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)
          && !Files.getPosixFilePermissions(dir).equals(ownerOnly)) {
        Files.setPosixFilePermissions(dir, ownerOnly);
      }
    } catch (IOException e) {
      throw new ConfigException("data_dir " + dir + " must be owner-only (chmod 700) and cannot be made so: " + e);
    }
  }

  private static Operators operators(Settings s, boolean prod, List<String> notices) {
    var mode = switch (s.get("operators.mode").toLowerCase(Locale.ROOT)) {
      case "dial" -> HandoffMode.DIAL;
      case "enqueue" -> HandoffMode.ENQUEUE;
      default -> throw s.invalid("operators.mode", "must be dial or enqueue");
    };
    var numbers = new ArrayList<String>();
    for (var n : s.get("operators.numbers").split(",")) {
      var t = n.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!E164.matcher(t).matches()) {
        throw s.invalid("operators.numbers", "entry " + (numbers.size() + 1) + " is not an E.164 number");
      }
      numbers.add(t);
    }
    if (numbers.size() > 10) {
      throw s.invalid("operators.numbers", "Twilio dials at most 10 numbers at once");
    }
    if (mode == HandoffMode.DIAL && numbers.isEmpty()) {
      if (prod) {
        throw s.invalid("operators.numbers", "dial mode needs at least one on-duty operator number");
      }
      notices.add("operators.numbers not set: handoffs dial the fallback number");
    }
    var callerId = s.get("operators.caller_id");
    if (!callerId.isEmpty() && !E164.matcher(callerId).matches()) {
      throw s.invalid("operators.caller_id", "must be an E.164 number");
    }
    var workflow = s.get("operators.workflow_sid");
    if (!workflow.isEmpty() && !WORKFLOW_SID.matcher(workflow).matches()) {
      throw s.invalid("operators.workflow_sid", "must look like WW followed by 32 hex digits");
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(s.get("operators.timezone"));
    } catch (DateTimeException e) {
      throw s.invalid("operators.timezone", "not a time zone id such as Asia/Ho_Chi_Minh");
    }
    OpeningHours hours;
    try {
      hours = OpeningHours.parse(s.get("operators.hours"), zone);
    } catch (IllegalArgumentException e) {
      throw s.invalid("operators.hours", e.getMessage());
    }
    return new Operators(mode, List.copyOf(numbers), callerId,
        s.integer("operators.ring_timeout_seconds", 5, 600),
        s.integer("operators.queue_wait_seconds", 10, 3600), workflow, hours,
        s.integer("operators.whisper_timeout_seconds", 3, 30));
  }

  /**
   * A key spec (id:base64, comma-separated) from config, or in dev a generated one kept under the data dir. Each
   * key must decode to 32 bytes; production refuses the dev key id.
   */
  private static String devKey(Settings s, String key, Path dataDir, boolean prod, List<String> notices, String file) {
    var spec = s.get(key);
    if (spec.isEmpty()) {
      if (prod) {
        throw s.invalid(key, "required in production (id:base64 of 32 random bytes)");
      }
      notices.add(key + " not set: generated a dev key, kept in " + dataDir.resolve(file));
      return devSecret(dataDir, file, () -> {
        var bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "dev:" + java.util.Base64.getEncoder().encodeToString(bytes);
      }, v -> v.startsWith("dev:"));
    }
    for (var item : spec.split(",")) {
      var t = item.trim();
      int colon = t.indexOf(':');
      if (colon <= 0) {
        throw s.invalid(key, "each key must read id:base64");
      }
      try {
        if (java.util.Base64.getDecoder().decode(t.substring(colon + 1)).length != 32) {
          throw s.invalid(key, "key '" + t.substring(0, colon) + "' must be 32 bytes");
        }
      } catch (IllegalArgumentException e) {
        throw s.invalid(key, "key '" + t.substring(0, colon) + "' is not base64");
      }
      if (prod && t.startsWith("dev:")) {
        throw s.invalid(key, "is a dev key; production needs its own");
      }
    }
    return spec;
  }

  private static String nonEmpty(Settings s, String key) {
    var v = s.get(key);
    if (v.isEmpty()) {
      throw s.invalid(key, "must not be empty");
    }
    return v;
  }

  private static URI parseBaseUrl(Settings s, String key) {
    try {
      var uri = new URI(s.get(key).replaceFirst("/+$", ""));
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw s.invalid(key, "must be an absolute http(s) URL");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw s.invalid(key, "must not have a query or fragment");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw s.invalid(key, "not a URL: " + e.getReason());
    }
  }

  /** The dev token survives restarts so a running simulate-call and the gateway keep agreeing. */
  private static String devToken(Path dataDir) {
    return devSecret(dataDir, DEV_TOKEN_FILE, () -> {
      var bytes = new byte[16];
      new SecureRandom().nextBytes(bytes);
      return DEV_TOKEN_PREFIX + HexFormat.of().formatHex(bytes);
    }, v -> v.startsWith(DEV_TOKEN_PREFIX));
  }

  /** A dev secret kept in a file of the data dir (owner-only), made once and reused across restarts. */
  private static String devSecret(Path dataDir, String name, java.util.function.Supplier<String> make,
      java.util.function.Predicate<String> looksRight) {
    var file = dataDir.resolve(name);
    try {
      ownerOnlyDir(dataDir);
      if (Files.isRegularFile(file)) {
        var existing = Files.readString(file).trim();
        if (looksRight.test(existing)) {
          return existing;
        }
      }
      var token = make.get();
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException ignored) {
        Files.createFile(file); // not a POSIX file system: default permissions
      }
      Files.writeString(file, token + "\n");
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the dev secret in " + file, e);
    }
  }
}
