package io.tether.log4j2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The lines that log4j2-test.xml's file appender printed (synchronously, flushed at each event),
 * read back in order: once a logging call has returned, its line is in the file.
 */
final class PrintedLines {

  private static final Path FILE = Path.of("target", "log4j2-lines.log");
  private static int taken;

  private PrintedLines() {}

  /** The next {@code count} lines printed since the last call. */
  static synchronized List<String> take(int count) {
    List<String> all = readAll();
    assertThat(all.size() - taken).as("new lines in %s", FILE).isGreaterThanOrEqualTo(count);
    List<String> next = List.copyOf(all.subList(taken, taken + count));
    taken += count;
    return next;
  }

  /** Asserts that nothing was printed that was not taken, then forgets it. */
  static synchronized void assertNoMoreLines() {
    List<String> all = readAll();
    List<String> rest = List.copyOf(all.subList(taken, all.size()));
    taken = all.size();
    assertThat(rest).as("lines not taken").isEmpty();
  }

  private static List<String> readAll() {
    try {
      return Files.exists(FILE) ? Files.readAllLines(FILE, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
