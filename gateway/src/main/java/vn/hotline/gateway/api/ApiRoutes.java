package vn.hotline.gateway.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.contact.DeliveryStatus;
import vn.hotline.gateway.delivery.Editions;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.delivery.WebhookPayload;
import vn.hotline.gateway.intake.ContentItem;
import vn.hotline.gateway.intake.Intake;
import vn.hotline.gateway.intake.ReporterContact;
import vn.hotline.gateway.intake.Submission;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.stats.Statistics;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;
import vn.hotline.gateway.util.OnWorker;

/**
 * The integrator API (/api/v1), routed and validated from its OpenAPI document (served at
 * /api/v1/openapi.yaml). Every call carries an agency's API key; an agency sees only reports and deliveries that
 * are its own (anything else is 404, so existence is not revealed); an admin key sees all. A partner's key (scope
 * intake) submits reports to /intake/reports ({@link Intake}) and reads back its own, and reaches nothing else;
 * no other key submits.
 */
public final class ApiRoutes {
  public static final String BASE = "/api/v1";
  private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
  private static final String CALLER = "api.caller";

  private final ApiKeyRepository keys;
  private final ReportRepository reports;
  private final DeliveryRepository deliveries;
  private final Routing routing;
  private final WebhookPayload payloads;
  private final Editions editions;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final Runnable wakeDelivery;
  private final String openapi;
  private final Statistics statistics;
  private final TwilioWebhookGuard limits;
  private final int failedAuthPerMinute;
  private Intake intake;
  private int intakePerMinute = 60;
  private String publicUrl = "";

  /**
   * {@code limits} counts failed authentications per IP in the same "auth" bucket as bad Twilio signatures, at
   * {@code failedAuthPerMinute}.
   */
  public ApiRoutes(ApiKeyRepository keys, ReportRepository reports, DeliveryRepository deliveries, Routing routing,
      WebhookPayload payloads, Editions editions, WorkerExecutor workers, Clock clock, Runnable wakeDelivery,
      Statistics statistics, TwilioWebhookGuard limits, int failedAuthPerMinute) {
    this.keys = keys;
    this.reports = reports;
    this.deliveries = deliveries;
    this.routing = routing;
    this.payloads = payloads;
    this.editions = editions;
    this.workers = workers;
    this.clock = clock;
    this.wakeDelivery = wakeDelivery;
    this.statistics = statistics;
    this.limits = limits;
    this.failedAuthPerMinute = failedAuthPerMinute;
    try (var in = ApiRoutes.class.getResourceAsStream("/api/openapi.yaml")) {
      this.openapi = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Opens /intake to partner keys: submissions go to {@code intake}, at most {@code perMinute} a minute per partner;
   * status URLs are absolute under {@code publicUrl}. Without it the intake routes answer 503.
   */
  public ApiRoutes withIntake(Intake intake, int perMinute, String publicUrl) {
    this.intake = intake;
    this.intakePerMinute = perMinute;
    this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    return this;
  }

  /** Reads and resolves the OpenAPI document; started early, since it takes a while, and handed to {@link #mount}. */
  public static Future<OpenAPIContract> contract(Vertx vertx) {
    return OpenAPIContract.from(vertx, "api/openapi.yaml");
  }

  /** Mounts the API, routed and validated from {@code contract}. */
  public void mount(Vertx vertx, Router router, OpenAPIContract contract) {
    router.get(BASE + "/openapi.yaml").handler(ctx -> {
      HttpEdge.route(ctx, BASE + "/openapi.yaml");
      ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(openapi);
    });
    // A GET has no body in this API; the body handler would even fail on a GET with a form body (a 500).
    router.route(BASE + "/*").handler(ApiRoutes::refuseBodyOnGet);
    router.route(BASE + "/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.route(BASE + "/*").failureHandler(ApiRoutes::clientFailure);
    router.route(BASE + "/*").handler(this::authenticate);
    router.post(BASE + INTAKE_REPORTS).handler(this::intakeGate);
    {
      // The body is already read (capped) by the BodyHandler above; the validator takes it from there.
      var builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
      builder.getRoutes().forEach(r -> r.setDoSecurity(false)); // our Bearer handler above checks the key
      builder.getRoute("listReports").addHandler(ctx -> run(ctx, "/reports", r -> listReports(r)));
      builder.getRoute("getReport").addHandler(ctx -> run(ctx, "/reports/{id}", r -> getReport(r)));
      builder.getRoute("acknowledgeReport").addHandler(ctx -> run(ctx, "/reports/{id}/acknowledge", r -> acknowledge(r)));
      builder.getRoute("listDeliveries").addHandler(ctx -> run(ctx, "/deliveries", r -> listDeliveries(r)));
      builder.getRoute("replayDeadDeliveries").addHandler(ctx -> run(ctx, "/deliveries/replay-dead", r -> replayDead(r)));
      builder.getRoute("listAttempts").addHandler(ctx -> run(ctx, "/deliveries/{id}/attempts", r -> attempts(r)));
      builder.getRoute("replayDelivery").addHandler(ctx -> run(ctx, "/deliveries/{id}/replay", r -> replay(r)));
      builder.getRoute("disableAgency").addHandler(ctx -> run(ctx, "/agencies/{agency}/disable", r -> setAgency(r, false)));
      builder.getRoute("enableAgency").addHandler(ctx -> run(ctx, "/agencies/{agency}/enable", r -> setAgency(r, true)));
      builder.getRoute("getStats").addHandler(ctx -> run(ctx, "/stats", r -> stats(r)));
      builder.getRoute("submitIntakeReport").addHandler(ctx -> run(ctx, INTAKE_REPORTS, r -> submit(r)));
      builder.getRoute("getIntakeReport").addHandler(ctx -> run(ctx, INTAKE_REPORTS + "/{reference}", r -> intakeStatus(r)));
      router.route(BASE + "/*").subRouter(builder.createRouter());
    }
  }

  static final String INTAKE_REPORTS = "/intake/reports";

  /**
   * Before the contract reads a submission: a body that is not JSON is 415, and a partner over its rate is 429 with
   * Retry-After (other keys go on, to be refused 403 by {@link #answer}). In memory, on the event loop.
   */
  private void intakeGate(RoutingContext ctx) {
    var type = ctx.request().getHeader("Content-Type");
    var media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!media.equals("application/json")) {
      HttpEdge.problem(ctx, 415, "send the report as Content-Type: application/json"
          + (type == null ? "" : ", not " + media));
      return;
    }
    var caller = caller(ctx);
    if (caller.partner() && !limits.allow("intake", caller.partnerId(), intakePerMinute)) {
      ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, limits.waitSeconds("intake", caller.partnerId(),
          intakePerMinute))));
      HttpEdge.problem(ctx, 429, "more than " + intakePerMinute + " reports a minute from partner " + caller.partnerId()
          + "; try again after Retry-After seconds");
      return;
    }
    ctx.next();
  }

  private static void refuseBodyOnGet(RoutingContext ctx) {
    var req = ctx.request();
    var length = req.getHeader("Content-Length");
    boolean body = req.getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    if (body && (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD)) {
      HttpEdge.route(ctx, BASE + "/*");
      HttpEdge.problem(ctx, 400, "a " + req.method() + " request carries no body; send parameters in the query string");
      return;
    }
    ctx.next();
  }

  /** What a client sent that failed before a handler answered is a 4xx with the reason, never a 500. */
  private static void clientFailure(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status >= 400 && status < 500) {
      HttpEdge.problem(ctx, status, reason(ctx.failure()));
    } else if (ctx.failure() instanceof DecodeException || ctx.failure() instanceof BadRequest
        // thrown, not reported, by the contract's request extraction (e.g. a query value it cannot URL-decode again)
        || ctx.failure() instanceof io.vertx.openapi.validation.ValidatorException) {
      HttpEdge.problem(ctx, 400, reason(ctx.failure()));
    } else {
      ctx.next(); // a fault of ours: logged and answered 500 by the router's error handler
    }
  }

  /**
   * Why a request failed: for a body the contract refuses, the innermost value at fault and why ("the request body
   * is invalid at content_items/0: Instance does not have required property \"url\""; the validator's own reason
   * names only the top-level property); else {@link HttpEdge#reason}.
   */
  static String reason(Throwable failure) {
    var plain = HttpEdge.reason(failure);
    var t = failure instanceof io.vertx.ext.web.handler.HttpException && failure.getCause() != null ? failure.getCause()
        : failure;
    if (!(t instanceof io.vertx.openapi.validation.SchemaValidationException e) || e.getOutputUnit() == null
        || !plain.startsWith("The value of the request body is invalid")) {
      return plain;
    }
    io.vertx.json.schema.OutputUnit deepest = null;
    var todo = new java.util.ArrayDeque<io.vertx.json.schema.OutputUnit>(List.of(e.getOutputUnit()));
    while (!todo.isEmpty()) {
      var u = todo.pop();
      if (u.getErrors() != null) {
        todo.addAll(u.getErrors());
      }
      if (u.getError() == null || u.getInstanceLocation() == null) {
        continue;
      }
      int length = u.getInstanceLocation().length();
      // deeper first; at the same depth a specific reason (required, enum, type) over "does not match schema"
      if (deepest == null || length > deepest.getInstanceLocation().length()
          || (length == deepest.getInstanceLocation().length() && deepest.getError().contains("does not match")
              && !u.getError().contains("does not match"))) {
        deepest = u;
      }
    }
    if (deepest == null) {
      return plain;
    }
    var at = deepest.getInstanceLocation().replaceFirst("^#?/?", "");
    return "the request body is invalid at " + (at.isEmpty() ? "its top level" : at) + ": " + deepest.getError();
  }

  /** A client's value that a handler cannot use: answered 400 with this message. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  private void authenticate(RoutingContext ctx) {
    HttpEdge.route(ctx, BASE + "/*");
    var ip = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    // An address that has spent its failures is refused whatever key it sends now: a 401 for a wrong guess and a
    // 200 for a right one would let guessing go on at full speed.
    long wait = limits.waitSeconds("auth", ip, failedAuthPerMinute);
    if (wait > 0 && !limits.allow("auth", ip, failedAuthPerMinute)) {
      tooManyFailures(ctx, wait);
      return;
    }
    var header = ctx.request().getHeader("Authorization");
    var key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    if (key == null || key.isEmpty()) {
      failed(ctx, ip, "send the API key as Authorization: Bearer <key>");
      return;
    }
    workers.executeBlocking(() -> keys.authenticate(key), false).onComplete(ar -> {
      if (ar.failed()) {
        HttpEdge.problem(ctx, 503, "the store is not answering; try again shortly");
      } else if (ar.result().isEmpty()) {
        failed(ctx, ip, "unknown or revoked API key");
      } else {
        ctx.put(CALLER, ar.result().get());
        ctx.next();
      }
    });
  }

  /** A failed authentication spends one of the address's tokens: 401 while it has some, 429 after. */
  private void failed(RoutingContext ctx, String ip, String detail) {
    if (limits.allow("auth", ip, failedAuthPerMinute)) {
      unauthorized(ctx, detail);
    } else {
      tooManyFailures(ctx, limits.waitSeconds("auth", ip, failedAuthPerMinute));
    }
  }

  private static void tooManyFailures(RoutingContext ctx, long waitSeconds) {
    ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, waitSeconds)));
    HttpEdge.problem(ctx, 429, "too many requests with a missing or wrong API key from this address;"
        + " try again after Retry-After seconds");
  }

  private static void unauthorized(RoutingContext ctx, String detail) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    HttpEdge.problem(ctx, 401, detail);
  }

  /** What a handler answers: a status and a JSON body, or a problem. */
  record Answer(int status, Object body, String problem, Map<String, String> headers) {
    Answer(int status, Object body, String problem) {
      this(status, body, problem, Map.of());
    }

    static Answer ok(Object body) {
      return new Answer(200, body, null);
    }

    static Answer problem(int status, String detail) {
      return new Answer(status, null, detail);
    }
  }

  /**
   * What a handler may know of its request, read on the event loop: the RoutingContext is not to be touched from
   * the worker the handler runs on.
   */
  record Request(ApiKeyRepository.Caller caller, String method, Map<String, String> path, Map<String, List<String>> query,
      Buffer body, String idempotencyKey) {
    String path(String name) {
      return path.get(name);
    }

    /** The first value of a query parameter. */
    Optional<String> query(String name) {
      return query.getOrDefault(name, List.of()).stream().findFirst();
    }

    static Request of(RoutingContext ctx) {
      var query = new LinkedHashMap<String, List<String>>();
      for (var name : ctx.queryParams().names()) {
        query.put(name, List.copyOf(ctx.queryParam(name)));
      }
      var body = ctx.body() == null ? null : ctx.body().buffer();
      return new Request(ApiRoutes.caller(ctx), ctx.request().method().name(), Map.copyOf(ctx.pathParams()), Map.copyOf(query),
          body == null ? null : body.copy(), ctx.request().getHeader("Idempotency-Key"));
    }
  }

  /** A handler: runs on a worker with the request's values. */
  interface Handler {
    Answer handle(Request request) throws Exception;
  }

  private void run(RoutingContext ctx, String route, Handler handler) {
    HttpEdge.route(ctx, BASE + route);
    var request = Request.of(ctx);
    workers.executeBlocking(() -> answer(request, route, handler), false).onComplete(ar -> {
      if (ar.failed() && ar.cause() instanceof BadRequest bad) {
        HttpEdge.problem(ctx, 400, bad.getMessage());
        return;
      }
      if (ar.failed()) {
        log.atWarn().addKeyValue("route", route).addKeyValue("error", ar.cause().toString()).log("API call failed");
        HttpEdge.problem(ctx, 503, "the store is not answering; try again shortly");
        return;
      }
      var a = ar.result();
      a.headers().forEach(ctx.response()::putHeader);
      if (a.problem() != null) {
        HttpEdge.problem(ctx, a.status(), a.problem());
      } else {
        ctx.response().setStatusCode(a.status()).putHeader("Content-Type", "application/json")
            .end(a.body() instanceof JsonObject j ? j.encode() : String.valueOf(a.body()));
      }
    });
  }

  @OnWorker
  private Answer answer(Request request, String route, Handler handler) throws Exception {
    var refused = refusal(request.caller(), route);
    var answer = refused != null ? refused : handler.handle(request);
    keys.recordAccess(request.caller(), request.method() + " " + route, answer.status(), clock.instant());
    return answer;
  }

  /** 403 for a key that may not use this route: partners only the intake, and only partners the intake. */
  private static Answer refusal(ApiKeyRepository.Caller caller, String route) {
    boolean intakeRoute = route.startsWith(INTAKE_REPORTS);
    if (caller.partner() && !intakeRoute) {
      return Answer.problem(403, "a partner key only submits reports (POST " + BASE + INTAKE_REPORTS
          + ") and reads back their status");
    }
    if (intakeRoute && !caller.partner()) {
      return Answer.problem(403, "only a partner key submits reports here; an agency receives them (make a partner"
          + " key with: api-key create --partner <id> --scopes intake)");
    }
    if (intakeRoute && !caller.scopes().contains(ApiKeyRepository.SCOPE_INTAKE)) {
      return Answer.problem(403, "this partner key has no intake scope");
    }
    return null;
  }

  private static ApiKeyRepository.Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  private static String actor(Request r) {
    return r.caller().actor();
  }

  /** A partner's report: 201 with its reference and status URL; a retry with the same key and body 200, the same. */
  @OnWorker
  private Answer submit(Request r) {
    if (intake == null) {
      return Answer.problem(503, "this gateway takes no submitted reports");
    }
    var partner = r.caller().partnerId();
    var body = json(r.body());
    Intake.Receipt receipt;
    try {
      receipt = intake.submit(submission(partner, body), r.idempotencyKey());
    } catch (Intake.Invalid e) {
      return Answer.problem(400, e.getMessage());
    } catch (Intake.KeyReused e) {
      return Answer.problem(422, e.getMessage());
    }
    var statusUrl = publicUrl + BASE + INTAKE_REPORTS + "/" + receipt.reference();
    var out = new JsonObject().put("reference", receipt.reference()).put("status_url", statusUrl)
        .put("status", intakeStatus(partner, receipt.reference()).map(Intake.Status::status).orElse("received"));
    var headers = new LinkedHashMap<String, String>();
    headers.put("Location", statusUrl);
    if (!receipt.created()) {
      headers.put("Idempotent-Replayed", "true");
    }
    return new Answer(receipt.created() ? 201 : 200, out, null, headers);
  }

  /** The body as the contract let it through, as a {@link Submission} of this partner. */
  private static Submission submission(String partner, JsonObject b) {
    var items = new java.util.ArrayList<ContentItem>();
    var given = b.getJsonArray("content_items", new JsonArray());
    for (int i = 0; i < given.size(); i++) {
      var item = given.getJsonObject(i);
      var hash = item.getJsonObject("hash");
      items.add(new ContentItem(item.getString("url"), item.getString("platform"),
          item.getString("kind") == null ? null : ContentItem.Kind.of(item.getString("kind")),
          hash == null ? null : new ContentItem.Hash(hash.getString("algorithm"), hash.getString("value"))));
    }
    var reporter = b.getJsonObject("reporter");
    var contact = reporter == null || !Boolean.TRUE.equals(reporter.getBoolean("consent_to_contact")) ? null
        : new ReporterContact(reporter.getString("name"), reporter.getString("phone"), reporter.getString("email"));
    return new Submission(Channel.PARTNER, partner, b.getString("partner_ref"), b.getString("category"),
        b.getString("subcategory"), items, b.getString("description"), b.getString("age_band"), b.getString("province"),
        "immediate".equals(b.getString("urgency")), contact, b.getString("language"));
  }

  @OnWorker
  private Answer intakeStatus(Request r) {
    var reference = r.path("reference");
    return intakeStatus(r.caller().partnerId(), reference)
        .map(s -> {
          var referrals = new JsonArray();
          s.referrals().forEach(f -> referrals.add(new JsonObject().put("agency", f.agency()).put("state", f.state())
              .put("delivered_at", str(f.deliveredAt())).put("acknowledged_at", str(f.acknowledgedAt()))
              .put("case_number", f.caseNumber())));
          return Answer.ok(new JsonObject().put("reference", s.reference()).put("partner_ref", s.partnerRef())
              .put("received_at", s.receivedAt().toString()).put("status", s.status()).put("referrals", referrals));
        })
        .orElse(Answer.problem(404, "no report " + reference + " was submitted by you"));
  }

  /**
   * A partner's own report's status: each agency's latest delivery (a counsellor's later version goes as another),
   * acknowledged when the agency acknowledged any.
   */
  @OnWorker
  private Optional<Intake.Status> intakeStatus(String partner, String reference) {
    if (intake == null) {
      return Optional.empty();
    }
    return intake.ofPartner(partner, reference).map(s -> {
      var byAgency = new LinkedHashMap<String, List<DeliveryRepository.Delivery>>();
      deliveries.forReport(s.reportId()).forEach(d -> byAgency.computeIfAbsent(d.agencyId(), a -> new java.util.ArrayList<>())
          .add(d));
      var referrals = byAgency.entrySet().stream().map(e -> {
        var latest = e.getValue().stream().max(java.util.Comparator.comparingInt(DeliveryRepository.Delivery::version))
            .orElseThrow();
        var ack = e.getValue().stream().filter(d -> d.acknowledgedAt() != null).findFirst().orElse(null);
        var delivered = e.getValue().stream().map(DeliveryRepository.Delivery::deliveredAt).filter(java.util.Objects::nonNull)
            .min(java.util.Comparator.naturalOrder()).orElse(null);
        var state = switch (DeliveryStatus.of(latest.status())) {
          case HELD -> "held";
          case PENDING -> delivered != null ? "delivered" : "queued";
          case DELIVERED -> "delivered";
          case DEAD -> "failed";
        };
        return new Intake.Referral(e.getKey(), state, delivered, ack == null ? null : ack.acknowledgedAt(),
            ack == null ? null : ack.caseNumber());
      }).toList();
      return Intake.status(s, referrals);
    });
  }

  @OnWorker
  private Answer listReports(Request r) {
    var caller = r.caller();
    var since = r.query("since").map(ApiRoutes::parseSince).orElse(Instant.EPOCH);
    var after = decodeCursor(r.query("cursor").orElse(null));
    int limit = r.query("limit").map(Integer::parseInt).orElse(50);
    var page = reports.forAgency(caller.agencyId(), since, after, limit + 1);
    var items = new JsonArray();
    page.stream().limit(limit).forEach(report -> items.add(view(report, caller)));
    var next = page.size() > limit ? encodeCursor(page.get(limit - 1).id()) : null;
    return Answer.ok(new JsonObject().put("items", items).put("next_cursor", next));
  }

  @OnWorker
  private Answer getReport(Request r) {
    var caller = r.caller();
    var report = reports.findById(r.path("id"));
    if (report.isEmpty() || (!caller.admin() && delivery(report.get().id(), caller.agencyId()) == null)) {
      return Answer.problem(404, "no report " + r.path("id") + " was delivered to you");
    }
    return Answer.ok(view(report.get(), caller));
  }

  @OnWorker
  private Answer acknowledge(Request r) {
    var caller = r.caller();
    if (caller.admin()) {
      return Answer.problem(403, "a report is acknowledged by the agency that took it on, with an agency key");
    }
    var caseNumber = json(r.body()).getString("case_number");
    var wrong = caseNumberProblem(caseNumber);
    if (wrong != null) {
      return Answer.problem(400, wrong);
    }
    var id = r.path("id");
    var ack = deliveries.acknowledge(id, caller.agencyId(), caseNumber, clock.instant()).orElse(null);
    if (ack == null) {
      return Answer.problem(404, "no report " + id + " was delivered to you");
    }
    if (!ack.caseNumber().equals(caseNumber)) {
      return Answer.problem(409, "report " + id + " was already acknowledged with case number " + ack.caseNumber()
          + " at " + ack.acknowledgedAt() + "; a case number once given is kept");
    }
    return Answer.ok(new JsonObject().put("report_id", id).put("agency", caller.agencyId())
        .put("case_number", ack.caseNumber()).put("acknowledged_at", ack.acknowledgedAt().toString()));
  }

  static final int CASE_NUMBER_MAX = 64;

  /** Why a case number cannot be kept (control or invisible formatting characters, blank, too long), or null. */
  static String caseNumberProblem(String caseNumber) {
    if (caseNumber == null || caseNumber.isBlank()) {
      return "case_number must not be blank";
    }
    if (caseNumber.length() > CASE_NUMBER_MAX) {
      return "case_number is longer than " + CASE_NUMBER_MAX + " characters";
    }
    for (int i = 0; i < caseNumber.length(); ) {
      int cp = caseNumber.codePointAt(i);
      switch (Character.getType(cp)) {
        case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
            Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR ->
          {
            return String.format("case_number must not contain control or formatting characters (U+%04X at %d)", cp, i);
          }
        default -> { }
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  /** RFC 3339 with either case of T and Z, a space for T, and "+" sent unencoded (a query string makes it a space). */
  private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
      .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T').append(DateTimeFormatter.ISO_LOCAL_TIME)
      .appendOffset("+HH:MM", "Z").toFormatter();
  private static final java.util.regex.Pattern UNENCODED_PLUS = java.util.regex.Pattern.compile(" (\\d\\d:\\d\\d)$");

  static Instant parseSince(String value) {
    var text = UNENCODED_PLUS.matcher(value).replaceFirst("+$1");
    if (text.length() > 10 && text.charAt(10) == ' ') {
      text = text.substring(0, 10) + 'T' + text.substring(11);
    }
    try {
      return OffsetDateTime.parse(text, RFC3339).toInstant();
    } catch (DateTimeParseException e) {
      throw new BadRequest("since must be an RFC 3339 date-time with an offset, such as 2026-12-01T00:00:00+07:00"
          + " (send + as %2B) or 2026-11-30T17:00:00Z; '" + value + "' is not one");
    }
  }

  @OnWorker
  private Answer listDeliveries(Request r) {
    var caller = r.caller();
    var status = r.query("status").orElse(null);
    var before = decodeCursor(r.query("cursor").orElse(null));
    int limit = r.query("limit").map(Integer::parseInt).orElse(50);
    var page = deliveries.list(caller.agencyId(), status, before, limit + 1);
    var items = new JsonArray();
    page.stream().limit(limit).forEach(d -> items.add(json(d)));
    var next = page.size() > limit ? encodeCursor(page.get(limit - 1).id()) : null;
    return Answer.ok(new JsonObject().put("items", items).put("next_cursor", next));
  }

  @OnWorker
  private Answer attempts(Request r) {
    var d = ownDelivery(r);
    if (d == null) {
      return Answer.problem(404, "no delivery " + r.path("id") + " of yours");
    }
    var items = new JsonArray();
    deliveries.attempts(d.id()).forEach(a -> items.add(new JsonObject().put("attempt", a.attempt())
        .put("started_at", a.startedAt().toString()).put("latency_ms", a.latencyMs())
        .put("http_status", a.httpStatus()).put("outcome", a.outcome()).put("error", a.error())));
    return Answer.ok(new JsonObject().put("items", items));
  }

  @OnWorker
  private Answer replay(Request r) {
    var d = ownDelivery(r);
    if (d == null) {
      return Answer.problem(404, "no delivery " + r.path("id") + " of yours");
    }
    deliveries.replay(d.id(), actor(r), clock.instant());
    wakeDelivery.run();
    return new Answer(202, json(deliveries.find(d.id()).orElseThrow()), null);
  }

  @OnWorker
  private Answer replayDead(Request r) {
    int n = deliveries.replayDead(r.caller().agencyId(), actor(r), clock.instant());
    wakeDelivery.run();
    return Answer.ok(new JsonObject().put("replayed", n));
  }

  @OnWorker
  private Answer setAgency(Request r, boolean enabled) {
    if (!r.caller().admin()) {
      return Answer.problem(403, "only an admin key can switch agency endpoints");
    }
    var agency = r.path("agency");
    if (routing.agency(agency) == null) {
      return Answer.problem(404, "no agency '" + agency + "' in the routing");
    }
    var body = r.body() == null || r.body().length() == 0 ? new JsonObject() : json(r.body());
    var reason = enabled ? "enabled through the API" : body.getString("reason", "disabled through the API");
    deliveries.setEnabled(agency, enabled, reason, actor(r), clock.instant());
    if (enabled) {
      wakeDelivery.run();
    }
    log.atInfo().addKeyValue("agency", agency).addKeyValue("enabled", enabled).log("agency endpoint switched by an admin");
    return Answer.ok(new JsonObject().put("agency", agency).put("enabled", enabled).put("reason", reason));
  }

  /** The suppressed figures of docs/statistics.md, as the stats command prints them in JSON; admin keys only. */
  @OnWorker
  private Answer stats(Request r) {
    if (!r.caller().admin()) {
      return Answer.problem(403, "only an admin key can read the statistics");
    }
    Statistics.Query query;
    try {
      query = Statistics.Query.parse(r.query("from").orElse(null),
          r.query("to").orElse(null), r.query("by").orElse(null));
    } catch (IllegalArgumentException e) {
      return Answer.problem(400, e.getMessage());
    }
    return Answer.ok(statistics.toJson(statistics.compute(query)));
  }

  @OnWorker
  private DeliveryRepository.Delivery ownDelivery(Request r) {
    var d = deliveries.find(r.path("id")).orElse(null);
    var caller = r.caller();
    // a delivery held for review is not the agency's until it is sent
    return d == null || (!caller.admin() && (!d.agencyId().equals(caller.agencyId())
        || DeliveryStatus.HELD.wire().equals(d.status()))) ? null : d;
  }

  /** The agency's delivery of the report that carries the latest version; none held for review. */
  @OnWorker
  private DeliveryRepository.Delivery delivery(String reportId, String agencyId) {
    return deliveries.forReport(reportId).stream().filter(d -> d.agencyId().equals(agencyId))
        .filter(d -> !DeliveryStatus.HELD.wire().equals(d.status()))
        .max(java.util.Comparator.comparingInt(DeliveryRepository.Delivery::version)).orElse(null);
  }

  /** The report as this caller may see it: its agency's fields, or everything for an admin. */
  @OnWorker
  private JsonObject view(Report r, ApiKeyRepository.Caller caller) {
    if (caller.admin()) {
      var all = new HashSet<>(Routing.OPTIONAL_FIELDS);
      all.remove("routing");
      return new JsonObject(payloads.report(editions.current(r), all, null, null).toString());
    }
    var agency = routing.agency(caller.agencyId());
    var d = delivery(r.id(), caller.agencyId());
    var fields = agency == null ? java.util.Set.<String>of() : agency.fields();
    // the version its latest delivery carries: an agency never sees a version that was not sent to it
    var edition = d == null ? editions.of(r, 1, false) : editions.of(r, d.version(), d.reviewDueAt() != null);
    return new JsonObject(payloads.report(edition, fields, caller.agencyId(), d == null ? "default" : d.rule()).toString());
  }

  private static JsonObject json(DeliveryRepository.Delivery d) {
    return new JsonObject().put("id", d.id()).put("report_id", d.reportId()).put("agency", d.agencyId())
        .put("rule", d.rule()).put("status", d.status()).put("attempts", d.attempts())
        .put("next_attempt_at", str(d.nextAttemptAt())).put("last_status", d.lastStatus()).put("last_error", d.lastError())
        .put("created_at", str(d.createdAt())).put("delivered_at", str(d.deliveredAt()))
        .put("acknowledged_at", str(d.acknowledgedAt())).put("case_number", d.caseNumber())
        .put("event", d.eventType()).put("version", d.version());
  }

  /** The body as JSON, as RequestBody.asJsonObject reads it: null when there is none. */
  private static JsonObject json(Buffer body) {
    return body == null || body.length() == 0 ? null : body.toJsonObject();
  }

  private static String str(Instant t) {
    return t == null ? null : t.toString();
  }

  private static String encodeCursor(String id) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeCursor(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadRequest("cursor is not one this API gave: send the next_cursor of the previous page as it came");
    }
  }
}
