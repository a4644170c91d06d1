package io.tether.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A {@link PrintStream} that examples print to, from any thread, and that tests read back. */
final class Output {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  /** Everything printed so far. */
  String text() {
    stream.flush();
    return bytes.toString(StandardCharsets.UTF_8); // synchronized, as are the stream's writes
  }

  /** Everything printed so far, one element per line. */
  List<String> lines() {
    return text().lines().toList();
  }
}
