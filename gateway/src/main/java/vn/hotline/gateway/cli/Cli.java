package vn.hotline.gateway.cli;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

/**
 * What every command shares, the root command line, the operator commands and the developer tools alike: quiet
 * logs for people, errors in words. The bottom of the command line: it imports none of the gateway's packages.
 */
public final class Cli {
  /** Wide enough that no example is broken over two lines: each must work when pasted. */
  public static final int USAGE_WIDTH = 150;

  private Cli() {}

  /**
   * Tools print for people; the gateway's own JSON logs would only get in their way. The test suite keeps every
   * log line (-Dhotline.keep-logs=true), because it searches them all for personal data.
   */
  public static void quietLogs() {
    if (Boolean.getBoolean("hotline.keep-logs")) {
      return;
    }
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
  }

  /** What went wrong, in words: the exception's message, or what its kind means when it has none. */
  public static String words(Throwable e) {
    for (var t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.file.NoSuchFileException f) {
        return "no such file: " + f.getFile();
      }
      if (t instanceof java.nio.file.AccessDeniedException f) {
        return "permission denied: " + f.getFile();
      }
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof java.net.http.HttpTimeoutException) {
        return "no answer in time";
      }
    }
    return "the connection failed";
  }
}
