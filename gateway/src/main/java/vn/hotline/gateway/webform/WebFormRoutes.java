package vn.hotline.gateway.webform;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.console.Messages;
import vn.hotline.gateway.contact.Channel;
import vn.hotline.gateway.intake.ContentItem;
import vn.hotline.gateway.intake.Intake;
import vn.hotline.gateway.intake.ReporterContact;
import vn.hotline.gateway.intake.Submission;
import vn.hotline.gateway.ops.HttpEdge;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.ops.RateLimits;
import vn.hotline.gateway.report.Assessment;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.Taxonomy;

/**
 * The public web report form at /report, on the public listener: for a parent, a teacher or an older child on a
 * phone, in Vietnamese (the default) or English ({@code ?lang=en}). One HTML form, posted as it is: no cookie, no
 * session, no third-party anything; {@code report.js} (served here) only shows the steps one at a time and adds
 * a proof of work.
 *
 * <p>What a sent form passes, in order: the per-IP limit ({@link #SUBMISSIONS_PER_MINUTE}, then a 429 page); the
 * honeypot (filled: a bot); the signed token ({@link FormTokens}: forged or expired shows the form again with a
 * new token, sent too fast is a bot); the proof of work when there is one ({@link ProofOfWork}: wrong is a bot).
 * A bot is refused quietly: it sees a neutral thank-you page, nothing is stored, and a meter counts it. Then the
 * fields ({@link WebForm}: a problem shows the form again, 400, with what was typed and what to correct), then the
 * intake stores the report on a worker and the end page shows its reference. A token is used once: the same form
 * sent again (a double tap) gets the same answer, not a second report.
 */
public final class WebFormRoutes {
  public static final String BASE = "/report";
  /** Nothing but this origin's own style sheet and script; the form posts only here; no framing. */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  /** Reports one IP address may send a minute (a school or a family behind one address sends a few). */
  static final int SUBMISSIONS_PER_MINUTE = 10;
  /** The largest form taken: 5,000 characters of description and 10 links, percent-encoded (up to 9 bytes each). */
  static final int BODY_LIMIT = 96 * 1024;
  private static final Logger log = LoggerFactory.getLogger(WebFormRoutes.class);
  private static final List<String> ASSETS = List.of("report.css", "report.js");

  private record Asset(String type, Buffer body) {}

  private final Intake intake;
  private final Taxonomy taxonomy;
  private final Provinces provinces;
  private final WebForm form;
  private final FormTokens tokens;
  private final RateLimits limits;
  private final Metrics metrics;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final Messages messages;
  private final Map<String, Asset> assets;
  private final TemplateEngine engine = TemplateEngine.createPrecompiled(null, ContentType.Html,
      WebFormRoutes.class.getClassLoader(), "vn.hotline.gateway.webform.templates");
  private WebFormRoutes(Intake intake, Taxonomy taxonomy, Provinces provinces, byte[] tokenKey, Metrics metrics,
      WorkerExecutor workers, Clock clock, Messages messages, Map<String, Asset> assets) {
    this.intake = intake;
    this.taxonomy = taxonomy;
    this.provinces = provinces;
    this.form = new WebForm(taxonomy, provinces);
    this.tokens = new FormTokens(tokenKey, clock);
    this.limits = new RateLimits(clock);
    this.metrics = metrics;
    this.workers = workers;
    this.clock = clock;
    this.messages = messages;
    this.assets = assets;
  }

  /**
   * Reads the form's words and files from the jar (blocking: on a worker).
   *
   * @param tokenKey the key the form's tokens are signed with (the same on every instance of a deployment)
   */
  public static WebFormRoutes build(Intake intake, Taxonomy taxonomy, Provinces provinces, byte[] tokenKey,
      Metrics metrics, WorkerExecutor workers, Clock clock) {
    var assets = new HashMap<String, Asset>();
    for (var name : ASSETS) {
      try (var in = WebFormRoutes.class.getClassLoader().getResourceAsStream("webform/assets/" + name)) {
        if (in == null) {
          throw new IllegalStateException("the web report form's " + name + " is missing from the jar");
        }
        assets.put(name, new Asset(name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
            Buffer.buffer(in.readAllBytes())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new WebFormRoutes(intake, taxonomy, provinces, tokenKey, metrics, workers, clock,
        Messages.load("webform/messages"), Map.copyOf(assets));
  }

  public void mount(Router router) {
    router.routeWithRegex("^" + BASE + "(/.*)?$").handler(this::edge);
    router.routeWithRegex("^" + BASE + "(/.*)?$").failureHandler(this::failure);
    router.post(BASE).handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.get(BASE).handler(ctx -> showForm(ctx, 200, language(ctx.request().getParam("lang")), Map.of(), List.of()));
    router.post(BASE).handler(this::submit);
    router.get(BASE + "/assets/:name").handler(this::asset);
    router.routeWithRegex("^" + BASE + "(/.*)?$").last().handler(ctx -> message(ctx, 404, "vi", "message.400"));
  }

  /** Every answer here: its headers (and never a cookie: nothing here sets one). */
  private void edge(RoutingContext ctx) {
    HttpEdge.route(ctx, ctx.request().path().startsWith(BASE + "/assets/") ? BASE + "/assets/:name" : BASE);
    ctx.response().headers()
        .set("Content-Security-Policy", CSP)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("Cache-Control", "no-store")
        .set("X-Frame-Options", "DENY")
        .set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    ctx.next();
  }

  /** A request that failed before a page answered: a page in words, never problem JSON, to a person. */
  private void failure(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    int status = ctx.statusCode();
    if (status == 413) {
      message(ctx, 413, language(ctx.request().getParam("lang")), "message.413");
    } else if (status >= 400 && status < 500) {
      message(ctx, status, language(ctx.request().getParam("lang")), "message.400");
    } else {
      ctx.next();
    }
  }

  private void asset(RoutingContext ctx) {
    var asset = assets.get(ctx.pathParam("name"));
    if (asset == null) {
      message(ctx, 404, "vi", "message.400");
      return;
    }
    ctx.response().putHeader("Content-Type", asset.type()).end(asset.body());
  }

  private void submit(RoutingContext ctx) {
    var fields = fields(ctx);
    var lang = language(fields.get("lang"));
    var ip = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    var verdict = limits.take("web-report:" + ip, SUBMISSIONS_PER_MINUTE);
    if (verdict != RateLimits.Verdict.ALLOWED) {
      metrics.webReport("rate_limited");
      if (verdict == RateLimits.Verdict.REFUSED_FIRST) {
        log.atWarn().log("web report limit reached by one address; its reports are refused this minute");
      }
      ctx.response().putHeader("Retry-After",
          Long.toString(Math.max(1, limits.secondsUntilToken("web-report:" + ip, SUBMISSIONS_PER_MINUTE))));
      message(ctx, 429, lang, "message.429");
      return;
    }
    if (!WebForm.value(fields, "website").isEmpty()) {
      quietly(ctx, lang, "honeypot");
      return;
    }
    var token = fields.get("token");
    switch (tokens.check(token)) {
      case FORGED -> {
        metrics.webReport("forged");
        showForm(ctx, 400, lang, fields, List.of(new WebForm.Problem("token", "error.token", List.of())));
        return;
      }
      case EXPIRED -> {
        metrics.webReport("expired");
        showForm(ctx, 400, lang, fields, List.of(new WebForm.Problem("token", "error.token", List.of())));
        return;
      }
      case TOO_FAST -> {
        quietly(ctx, lang, "too_fast");
        return;
      }
      case OK -> { }
    }
    var pow = WebForm.value(fields, "pow");
    if (pow.isEmpty()) {
      metrics.webReportProofOfWork("absent");
    } else if (ProofOfWork.valid(token, pow)) {
      metrics.webReportProofOfWork("valid");
    } else {
      metrics.webReportProofOfWork("invalid");
      quietly(ctx, lang, "proof_of_work");
      return;
    }
    switch (form.check(fields, lang)) {
      case WebForm.Invalid invalid -> {
        metrics.webReport("invalid");
        showForm(ctx, 400, lang, fields, invalid.problems());
      }
      case WebForm.Ok ok -> store(ctx, lang, FormTokens.nonce(token), ok.report());
    }
  }

  /**
   * Stores the report through the intake, on a worker, with the token's nonce as its idempotency key: the same form
   * sent again (a double tap, a reload of the answer) is the same report and shows the same reference, on any
   * instance, for 24 hours.
   */
  private void store(RoutingContext ctx, String lang, String nonce, WebReport report) {
    var submission = new Submission(Channel.WEB, null, null, report.category(), null,
        report.urls().stream().map(ContentItem::of).toList(), report.description().isEmpty() ? null : report.description(),
        report.ageBand(), report.province(), report.urgent(),
        report.contact() == null ? null : new ReporterContact(blankToNull(report.contact().name()),
            blankToNull(report.contact().phone()), blankToNull(report.contact().email())),
        report.language());
    workers.executeBlocking(() -> intake.submit(submission, "web-form:" + nonce), false).onComplete(ar -> {
      if (ar.succeeded()) {
        metrics.webReport(ar.result().created() ? "accepted" : "sent_again");
        render(ctx, 200, "report/done.jte", new ReportPage(messages.bundle(lang), 200, null, ar.result().reference(), null));
        return;
      }
      switch (ar.cause()) {
        case Intake.KeyReused reused -> {
          // the same form, changed after it was sent (the browser's Back): sent again, it is another report
          metrics.webReport("invalid");
          showForm(ctx, 400, lang, fields(ctx), List.of(new WebForm.Problem("token", "error.sent_already", List.of())));
        }
        case Intake.Invalid invalid -> {
          metrics.webReport("invalid");
          showForm(ctx, 400, lang, fields(ctx), List.of(problem(invalid)));
        }
        default -> {
          metrics.webReport("failed");
          log.atWarn().addKeyValue("error", HttpEdge.reason(ar.cause())).log("a web report could not be stored");
          message(ctx, 503, lang, "message.503");
        }
      }
    });
  }

  /** What the intake refused, as the form says it (the form's own checks catch all of it first). */
  private static WebForm.Problem problem(Intake.Invalid invalid) {
    var field = invalid.field();
    if (field.startsWith("content_items")) {
      return new WebForm.Problem("links", "error.links_refused", List.of());
    }
    return switch (field) {
      case "category", "subcategory" -> new WebForm.Problem("category", "error.category_unknown", List.of());
      case "description" -> new WebForm.Problem("description", "error.nothing_said", List.of());
      case "age_band" -> new WebForm.Problem("age_band", "error.age_unknown", List.of());
      case "province" -> new WebForm.Problem("province", "error.province_unknown", List.of());
      case "contact.phone" -> new WebForm.Problem("contact_phone", "error.phone_bad", List.of());
      case "contact.email" -> new WebForm.Problem("contact_email", "error.email_bad", List.of());
      case "contact.name" -> new WebForm.Problem("contact_name", "error.name_long", List.of(WebForm.NAME_MAX));
      default -> new WebForm.Problem("contact_phone", "error.contact_missing", List.of());
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** A bot's form: the neutral thank-you page, nothing stored, counted. */
  private void quietly(RoutingContext ctx, String lang, String why) {
    metrics.webReport(why);
    log.atInfo().addKeyValue("reason", why).log("a web report form was refused quietly (nothing stored)");
    render(ctx, 200, "report/done.jte", new ReportPage(messages.bundle(lang), 200, null, null, null));
  }

  private void showForm(RoutingContext ctx, int status, String lang, Map<String, String> fields,
      List<WebForm.Problem> problems) {
    var words = messages.bundle(lang);
    var filled = new HashMap<String, String>();
    for (var f : WebForm.FIELDS) {
      if (fields.containsKey(f)) {
        filled.put(f, fields.get(f));
      }
    }
    var shown = new LinkedHashMap<String, List<String>>();
    for (var p : problems) {
      // the token's problem is about the whole form: shown at the top, next to nothing
      shown.computeIfAbsent(p.field(), k -> new ArrayList<>()).add(words.t(p.key(), p.args().toArray()));
    }
    var language = "vi".equals(lang) ? "vi-VN" : "en-US";
    var categories = taxonomy.subcategoriesByCategory().keySet().stream()
        .map(code -> new ReportPage.Option(code, taxonomy.label(code, language) == null ? code : taxonomy.label(code, language)))
        .sorted(java.util.Comparator.comparing((ReportPage.Option o) -> o.value().equals("other"))
            .thenComparing(ReportPage.Option::label, java.text.Collator.getInstance(java.util.Locale.forLanguageTag(language))))
        .toList();
    var ages = Assessment.AGE_BANDS.stream().map(a -> new ReportPage.Option(a, words.t("age." + a))).toList();
    var places = provinces.byCode().entrySet().stream().sorted(Map.Entry.comparingByValue())
        .map(e -> new ReportPage.Option(e.getKey(), e.getValue())).toList();
    var page = new ReportPage(words, status, new ReportPage.Form(tokens.issue(), Map.copyOf(filled), shown,
        categories, ages, places, ProofOfWork.BITS), null, null);
    render(ctx, status, "report/form.jte", page);
  }

  private void message(RoutingContext ctx, int status, String lang, String key) {
    render(ctx, status, "report/message.jte", new ReportPage(messages.bundle(lang), status, null, null, key));
  }

  private void render(RoutingContext ctx, int status, String template, ReportPage page) {
    if (ctx.response().ended()) {
      return;
    }
    var out = new StringOutput(16384);
    engine.render(template, Map.of("page", page), out);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(out.toString());
  }

  /** The form's fields, each name's first value (the body a browser sends is UTF-8: the form says accept-charset). */
  private static Map<String, String> fields(RoutingContext ctx) {
    var out = new HashMap<String, String>();
    ctx.request().formAttributes().forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
    return out;
  }

  private static String language(String asked) {
    return asked != null && Messages.LANGUAGES.contains(asked) ? asked : Messages.DEFAULT;
  }
}
