package vn.hotline.gateway.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Every log event of the process while open (Logback is global: tests that use it do not run in parallel). */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  private LogCapture() {
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  public List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
  }

  public List<ILoggingEvent> matching(Predicate<ILoggingEvent> p) {
    return events().stream().filter(p).toList();
  }

  /** Events at WARN or above, as "LEVEL logger: message" for a readable failure. */
  public List<String> warningsAndErrors() {
    return matching(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).stream()
        .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
  }

  public static Predicate<ILoggingEvent> message(String part) {
    return e -> e.getFormattedMessage() != null && e.getFormattedMessage().contains(part);
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
