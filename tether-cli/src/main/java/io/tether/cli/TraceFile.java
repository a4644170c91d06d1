package io.tether.cli;

import io.tether.trace.Trace;
import io.tether.trace.TraceFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/** The trace file a command reads, with one-line errors that name it and what is wrong. */
final class TraceFile {

  private TraceFile() {}

  /**
   * Reads the trace {@code given} on the command line; a trace cut short is read, and its warning
   * printed on {@code err} ({@code tether: warning: FILE: cut short at byte N: ...}).
   *
   * @throws Failure if it is missing or a folder (exit code 1), not a trace or corrupt (exit code
   *     2, the reader's message: the file and the byte offset)
   */
  static Trace read(String given, PrintStream err) throws Failure, IOException {
    Path path;
    try {
      path = Path.of(given);
    } catch (InvalidPathException e) {
      throw new Failure("not a file name: '" + given + "': " + e.getReason());
    }
    if (Files.isDirectory(path)) {
      throw new Failure(given + " is a folder, not a trace file");
    }
    if (!Files.exists(path)) {
      throw new Failure("no such file: " + given);
    }
    Trace trace;
    try {
      trace = Trace.read(path);
    } catch (TraceFormatException e) {
      throw Failure.corrupt(e.getMessage());
    }
    if (trace.warning() != null) {
      err.println("tether: warning: " + given + ": " + trace.warning());
    }
    return trace;
  }

  /** {@code 1,234 resources, 5,678 events} and, when the recorder dropped any, how many. */
  static String counts(Trace trace) {
    return String.format(
        Locale.ROOT,
        "%,d resources, %,d events%s",
        trace.resources().size(),
        trace.events(),
        trace.dropped() == 0 ? "" : String.format(Locale.ROOT, ", %,d dropped", trace.dropped()));
  }
}
