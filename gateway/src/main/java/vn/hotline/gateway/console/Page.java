package vn.hotline.gateway.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import vn.hotline.gateway.operators.Operator;
import vn.hotline.gateway.operators.Sessions;

/**
 * What every console template gets: the words in the reader's language, who is signed in (null on the login and
 * setup pages), the navigation their role allows, and the CSRF token forms send back. Made by
 * {@link ConsoleViews#page}; a page template passes it on to {@code console/layout.jte}.
 *
 * @param query the request's query string without its {@code lang} parameter ("" when none), for the language links
 */
public record Page(Messages.Bundle words, String path, String query, String title, Sessions.Active signed,
    List<Nav> nav, String csrf) {
  /** One entry of the navigation; {@code current} when it is the page shown. */
  public record Nav(String href, String labelKey, boolean current) {}

  public String lang() {
    return words.lang();
  }

  /** The message of {@code key} in the reader's language, {@code {0}}... replaced by {@code args}. */
  public String t(String key, Object... args) {
    return words.t(key, args);
  }

  /** The signed-in operator, or null. */
  public Operator operator() {
    return signed == null ? null : signed.operator();
  }

  /** This page again in another language. */
  public String langHref(String to) {
    return path + "?" + (query.isEmpty() ? "" : query + "&") + "lang=" + URLEncoder.encode(to, StandardCharsets.UTF_8);
  }

  public List<String> languages() {
    return Messages.LANGUAGES;
  }
}
