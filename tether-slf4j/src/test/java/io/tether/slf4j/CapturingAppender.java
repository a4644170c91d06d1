package io.tether.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Logback appender that keeps each line its encoder prints, by appender name, for the tests to
 * take (waiting for them, so that lines printed by another thread are read without sleeping).
 */
public class CapturingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  private static final Map<String, BlockingQueue<String>> LINES = new ConcurrentHashMap<>();

  /** When set, appending waits for it: lets a test decide when a deferred event is formatted. */
  static volatile CountDownLatch gate;

  private Encoder<ILoggingEvent> encoder;

  /**
   * Sets the encoder that makes each line (Joran calls this for {@code <encoder>}).
   *
   * @param encoder the encoder
   */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  @Override
  public void start() {
    LINES.putIfAbsent(getName(), new LinkedBlockingQueue<>());
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    LINES.get(getName()).add(line.strip());
  }

  /** Waits for the next {@code count} lines of the named appender, in order. */
  static List<String> take(String appender, int count) throws InterruptedException {
    List<String> lines = new ArrayList<>();
    BlockingQueue<String> queue = LINES.get(appender);
    for (int i = 0; i < count; i++) {
      String line = queue.poll(10, TimeUnit.SECONDS);
      assertThat(line)
          .as("line %d of %d from %s, after %s", i + 1, count, appender, lines)
          .isNotNull();
      lines.add(line);
    }
    return lines;
  }

  /** Asserts that the named appender printed nothing not yet taken, then forgets it all. */
  static void assertNoMoreLines(String appender) {
    List<String> rest = new ArrayList<>();
    LINES.get(appender).drainTo(rest);
    assertThat(rest).as("lines not taken from %s", appender).isEmpty();
  }
}
