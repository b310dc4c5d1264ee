package vn.hotline.gateway.console;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The console's words, Vietnamese first and English: {@code console/messages_vi.properties} and
 * {@code console/messages_en.properties} in the jar (UTF-8). {@code {0}}, {@code {1}}... in a message are
 * replaced by the arguments. A key missing from a bundle shows as the key itself (a test checks that every key
 * is in both).
 */
public final class Messages {
  public static final String DEFAULT = "vi";
  public static final List<String> LANGUAGES = List.of("vi", "en");

  /** One language's messages. */
  public static final class Bundle {
    private final String lang;
    private final Map<String, String> messages;

    Bundle(String lang, Map<String, String> messages) {
      this.lang = lang;
      this.messages = messages;
    }

    public String lang() {
      return lang;
    }

    public String t(String key, Object... args) {
      var m = messages.get(key);
      if (m == null) {
        return key;
      }
      for (int i = 0; i < args.length; i++) {
        m = m.replace("{" + i + "}", String.valueOf(args[i]));
      }
      return m;
    }

    public boolean has(String key) {
      return messages.containsKey(key);
    }

    public Set<String> keys() {
      return new TreeSet<>(messages.keySet());
    }
  }

  private final Map<String, Bundle> bundles;

  private Messages(Map<String, Bundle> bundles) {
    this.bundles = bundles;
  }

  /** Reads both bundles from the jar (blocking: at startup, on a worker). */
  public static Messages load() {
    return load("console/messages");
  }

  /**
   * Reads both bundles of another set of words from the jar, {@code base + "_vi.properties"} and
   * {@code base + "_en.properties"} (the public web report form has its own). Blocking.
   */
  public static Messages load(String base) {
    var out = new java.util.LinkedHashMap<String, Bundle>();
    for (var lang : LANGUAGES) {
      var resource = base + "_" + lang + ".properties";
      var props = new Properties();
      try (var in = Messages.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("messages are missing from the jar: " + resource);
        }
        props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      var m = new java.util.HashMap<String, String>();
      props.forEach((k, v) -> m.put((String) k, (String) v));
      out.put(lang, new Bundle(lang, Map.copyOf(m)));
    }
    return new Messages(Map.copyOf(out));
  }

  /** The bundle of this language (one of {@link #LANGUAGES}), or the default one. */
  public Bundle bundle(String lang) {
    var b = lang == null ? null : bundles.get(lang);
    return b != null ? b : bundles.get(DEFAULT);
  }
}
