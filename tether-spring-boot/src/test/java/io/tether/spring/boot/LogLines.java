package io.tether.spring.boot;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The lines the test applications log under {@link #LOGGER}, captured by a Logback {@link
 * ListAppender}. Attached after the application started: Spring Boot resets Logback while it
 * starts, removing appenders added before.
 */
final class LogLines implements AutoCloseable {

  /** The logger the test applications' work logs to. */
  static final String LOGGER = "tether.test.work";

  private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
  private final ListAppender<ILoggingEvent> appender = new Capturing();

  private LogLines() {
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
    logger.addAppender(appender);
  }

  static LogLines capture() {
    return new LogLines();
  }

  /** The lines logged so far (the appender appends under its own lock). */
  List<ILoggingEvent> lines() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** The lines whose message starts with {@code kind}, as {@code "executor {}"} does. */
  List<ILoggingEvent> lines(String kind) {
    return lines().stream().filter(e -> e.getMessage().startsWith(kind + " ")).toList();
  }

  /**
   * Fixes each event's thread name and MDC as it is logged: Logback reads both lazily, on the
   * thread that first asks, which would be the test's.
   */
  private static final class Capturing extends ListAppender<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      super.append(event);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
