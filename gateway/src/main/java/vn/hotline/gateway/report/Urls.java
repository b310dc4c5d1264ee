package vn.hotline.gateway.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds links to harmful content in what a texter wrote: full URLs, www. addresses and bare domains with a
 * path ("tiktok.com/@abc"), as children type them. Each becomes its own field of the report, so the
 * harmful-content team can act on it without reading the description. {@link #normalise} gives the one form under
 * which the same content reported many times is one content item.
 */
public final class Urls {
  private static final Pattern URL = Pattern.compile(
      "(?i)\\b((?:https?://|www\\.)[^\\s<>\"']+"
          + "|[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:com|net|org|vn|info|io|me|tv|ly|co|xyz|app|site|online|link|gg|to|cc|biz|top)"
          + "(?:/[^\\s<>\"']*)?)");

  private Urls() {}

  public static List<String> extract(String... texts) {
    var found = new LinkedHashSet<String>();
    for (var t : texts) {
      if (t == null) {
        continue;
      }
      var m = URL.matcher(t);
      while (m.find()) {
        var u = m.group(1).replaceAll("[.,;:!?)\\]}]+$", "");
        if (!u.isEmpty()) {
          found.add(u);
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** The longest URL accepted (browsers and platforms keep to about this). */
  public static final int MAX_LENGTH = 2048;

  /** Query parameters that only say who shared a link or from where: dropped, they do not change the content. */
  private static final Set<String> TRACKING = Set.of("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
      "igshid", "igsh", "si", "mibextid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "ref_src", "ref_url", "feature",
      "share_app_id", "share_item_id", "share_link_id", "sender_device", "sender_web_id", "is_from_webapp",
      "is_copy_url", "_r", "_t", "tt_from", "xmt", "spm", "share_source", "share_medium", "rdid", "__tn__", "zarsrc",
      "utm_source", "ttclid", "twclid", "epik");

  /** Short-link hosts: the path is the whole identity and is kept as given (only scheme and host case change). */
  private static final Set<String> SHORT_LINK_HOSTS = Set.of("vt.tiktok.com", "vm.tiktok.com", "fb.watch", "fb.me",
      "youtu.be", "bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "cutt.ly", "rb.gy", "t.ly", "s.id",
      "shorturl.at", "tiny.cc", "bitly.com", "shope.ee", "s.shopee.vn", "lnkd.in", "buff.ly", "rebrand.ly");

  /** The platform a host belongs to (itself and its subdomains). */
  private static final Map<String, String> PLATFORMS = Map.ofEntries(Map.entry("tiktok.com", "tiktok"),
      Map.entry("facebook.com", "facebook"), Map.entry("fb.com", "facebook"), Map.entry("fb.watch", "facebook"),
      Map.entry("fb.me", "facebook"), Map.entry("messenger.com", "messenger"), Map.entry("m.me", "messenger"),
      Map.entry("instagram.com", "instagram"), Map.entry("youtube.com", "youtube"), Map.entry("youtu.be", "youtube"),
      Map.entry("zalo.me", "zalo"), Map.entry("zalo.vn", "zalo"), Map.entry("t.me", "telegram"),
      Map.entry("telegram.me", "telegram"), Map.entry("telegram.org", "telegram"), Map.entry("twitter.com", "x"),
      Map.entry("x.com", "x"), Map.entry("t.co", "x"), Map.entry("discord.com", "discord"),
      Map.entry("discord.gg", "discord"), Map.entry("reddit.com", "reddit"), Map.entry("threads.net", "threads"),
      Map.entry("threads.com", "threads"), Map.entry("snapchat.com", "snapchat"), Map.entry("twitch.tv", "twitch"),
      Map.entry("bigo.tv", "bigo"), Map.entry("shopee.vn", "shopee"), Map.entry("roblox.com", "roblox"));

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
  private static final Pattern HOST = Pattern.compile("[\\p{L}\\p{N}_-]+(\\.[\\p{L}\\p{N}_-]+)*|\\[[0-9A-Fa-f:.]+\\]");

  /**
   * The one form of a link under which the same content is recognised: https:// assumed when no scheme is given,
   * scheme and host lower-cased (and a host's trailing dot dropped), the default port and the fragment dropped, an
   * empty path made "/", tracking parameters (utm_*, fbclid, gclid, igshid, si, mibextid, ...) dropped, the other
   * parameters kept in their order. A platform short link (vt.tiktok.com, fb.watch, youtu.be, bit.ly, ...) keeps
   * its path and query as given: what it points at is not known here.
   *
   * @throws IllegalArgumentException saying why it is not a web link (another scheme, no host, too long, spaces)
   */
  public static String normalise(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("is empty");
    }
    var u = url.strip();
    if (u.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("is longer than " + MAX_LENGTH + " characters");
    }
    if (u.chars().anyMatch(ch -> Character.isWhitespace(ch) || Character.isISOControl(ch))) {
      throw new IllegalArgumentException("contains spaces or control characters");
    }
    var scheme = "https";
    var m = SCHEME.matcher(u);
    if (m.find() && u.startsWith("//", m.end())) {
      scheme = m.group(1).toLowerCase(Locale.ROOT);
      u = u.substring(m.end() + 2);
    } else if (m.find(0) && !u.substring(m.end()).matches("\\d.*")) { // "javascript:..."; "host:8080/..." is a port
      throw new IllegalArgumentException("is not a web link (scheme '" + m.group(1) + "')");
    } else if (u.startsWith("//")) {
      u = u.substring(2);
    }
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("is not a web link (scheme '" + scheme + "'): only http and https are");
    }
    String fragment = null;
    int hash = u.indexOf('#');
    if (hash >= 0) {
      fragment = u.substring(hash);
      u = u.substring(0, hash);
    }
    int end = u.length();
    for (var stop : new char[] {'/', '?'}) {
      int i = u.indexOf(stop);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    var authority = u.substring(0, end);
    var rest = u.substring(end);
    int at = authority.lastIndexOf('@');
    var userInfo = at >= 0 ? authority.substring(0, at + 1) : "";
    var hostPort = authority.substring(at + 1);
    String port = null;
    int colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && !hostPort.substring(colon).contains("]")) {
      port = hostPort.substring(colon + 1);
      hostPort = hostPort.substring(0, colon);
      if (!port.isEmpty() && !port.matches("\\d{1,5}")) {
        throw new IllegalArgumentException("has a port that is not a number");
      }
    }
    var host = hostPort.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty() || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("has no host name");
    }
    if (port != null && (port.isEmpty() || (scheme.equals("https") && port.equals("443"))
        || (scheme.equals("http") && port.equals("80")))) {
      port = null;
    }
    var head = scheme + "://" + userInfo + host + (port == null ? "" : ":" + port);
    if (SHORT_LINK_HOSTS.contains(host)) {
      return head + rest + (fragment == null ? "" : fragment);
    }
    int q = rest.indexOf('?');
    var path = q >= 0 ? rest.substring(0, q) : rest;
    var query = q >= 0 ? rest.substring(q + 1) : null;
    if (path.isEmpty()) {
      path = "/";
    }
    var kept = new ArrayList<String>();
    if (query != null) {
      for (var p : query.split("&")) {
        if (p.isEmpty()) {
          continue;
        }
        int eq = p.indexOf('=');
        var name = (eq >= 0 ? p.substring(0, eq) : p).toLowerCase(Locale.ROOT);
        if (!name.startsWith("utm_") && !TRACKING.contains(name)) {
          kept.add(p);
        }
      }
    }
    return head + path + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
  }

  /** The platform of a normalised link by its host (tiktok, facebook, youtube, zalo, ...), or null when unknown. */
  public static String platform(String normalisedUrl) {
    var rest = normalisedUrl.substring(normalisedUrl.indexOf("://") + 3);
    int end = rest.length();
    for (var stop : new char[] {'/', '?', ':'}) {
      int i = rest.indexOf(stop);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    var host = rest.substring(rest.lastIndexOf('@', end) + 1, end);
    while (true) {
      var p = PLATFORMS.get(host);
      if (p != null) {
        return p;
      }
      int dot = host.indexOf('.');
      if (dot < 0) {
        return null;
      }
      host = host.substring(dot + 1);
    }
  }
}
