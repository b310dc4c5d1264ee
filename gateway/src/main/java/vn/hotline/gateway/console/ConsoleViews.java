package vn.hotline.gateway.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.operators.Role;
import vn.hotline.gateway.operators.Sessions;

/**
 * Renders the console's pages: jte templates precompiled by the build (gateway/src/main/jte, package
 * {@code vn.hotline.gateway.console.templates}), in the reader's language. Rendering is CPU only (no I/O): it
 * runs on the event loop.
 *
 * <p>A page template takes the {@link Page} and wraps its content in the layout:
 *
 * <pre>{@code
 * @param vn.hotline.gateway.console.Page page
 * @template.console.layout(page = page, content = @`
 *   <h1>${page.title()}</h1> ...
 * `)
 * }</pre>
 *
 * and its route renders it with {@code views.render(ctx, 200, "console/board.jte", Map.of("page",
 * views.page(ctx, "board.title")))}.
 */
public final class ConsoleViews {
  /** The navigation: where each entry goes, its label, the roles that see it. Pages built later add theirs here. */
  private record NavRule(String href, String labelKey, List<Role> roles) {}

  private static final List<NavRule> NAV = List.of(
      new NavRule("/console", "nav.home", List.of(Role.ADMIN)), // counsellors and supervisors land on the board
      new NavRule("/console/board", "nav.board", List.of(Role.COUNSELLOR, Role.SUPERVISOR)),
      new NavRule("/console/tasks", "nav.tasks", List.of(Role.COUNSELLOR, Role.SUPERVISOR)),
      new NavRule("/console/supervisor", "nav.supervisor", List.of(Role.SUPERVISOR)),
      new NavRule("/console/supervisor/stats", "nav.stats", List.of(Role.SUPERVISOR, Role.ADMIN)),
      new NavRule("/console/admin/operators", "nav.admin", List.of(Role.ADMIN)),
      new NavRule("/console/admin/agencies", "nav.agencies", List.of(Role.ADMIN)));

  static final String LANG = "console.lang";
  /** The token of the login and setup forms, before there is a session (double-submit cookie). */
  static final String FORM_TOKEN = "console.form-token";

  private final TemplateEngine engine;
  private final Messages messages;

  ConsoleViews(Messages messages) {
    this.messages = messages;
    this.engine = TemplateEngine.createPrecompiled(null, ContentType.Html, ConsoleViews.class.getClassLoader(),
        "vn.hotline.gateway.console.templates");
  }

  public Messages messages() {
    return messages;
  }

  /** The words of the request's language. */
  public Messages.Bundle words(RoutingContext ctx) {
    return messages.bundle(ctx.get(LANG));
  }

  /** What the templates need for this request: language, who is signed in, navigation, CSRF token. */
  public Page page(RoutingContext ctx, String titleKey) {
    var words = words(ctx);
    Sessions.Active signed = ConsoleAuth.signed(ctx);
    var path = ctx.request().path();
    var nav = new ArrayList<Page.Nav>();
    if (signed != null) {
      for (var rule : NAV) {
        if (rule.roles().contains(signed.operator().role())) {
          nav.add(new Page.Nav(rule.href(), rule.labelKey(), rule.href().equals(path)));
        }
      }
    }
    String csrf = signed != null ? signed.csrfToken() : ctx.get(FORM_TOKEN);
    return new Page(words, path, queryWithoutLang(ctx), words.t(titleKey), signed, List.copyOf(nav),
        csrf == null ? "" : csrf);
  }

  /** Renders a template with these parameters as the whole answer. */
  public void render(RoutingContext ctx, int status, String template, Map<String, Object> params) {
    if (ctx.response().ended()) {
      return;
    }
    var out = new StringOutput(8192);
    engine.render(template, params, out);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(out.toString());
  }

  /** Renders a template to text (a fragment the live board's stream sends). */
  String renderToString(String template, Map<String, Object> params) {
    var out = new StringOutput(8192);
    engine.render(template, params, out);
    return out.toString();
  }

  /** An error page in the reader's language: {@code messageKey} says what happened and what to do. */
  public void error(RoutingContext ctx, int status, String messageKey) {
    var params = new HashMap<String, Object>();
    params.put("page", page(ctx, "error.title"));
    params.put("status", status);
    params.put("messageKey", messageKey);
    render(ctx, status, "console/error.jte", params);
  }

  private static String queryWithoutLang(RoutingContext ctx) {
    var q = ctx.request().query();
    if (q == null || q.isEmpty()) {
      return "";
    }
    var kept = new ArrayList<String>();
    for (var part : q.split("&")) {
      if (!part.isEmpty() && !part.startsWith("lang=") && !part.equals("lang")) {
        kept.add(part);
      }
    }
    return String.join("&", kept);
  }
}
