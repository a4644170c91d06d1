package io.tether.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A file a command writes ({@code -o FILE}, {@code --trace FILE}): checked before the command reads
 * or runs anything, so that a missing folder is named as such, and confirmed once written ({@code
 * tether: wrote report.html (143 KB)}, on standard error, where every confirmation goes: standard
 * output is for what a command prints, such as an export without {@code -o}).
 */
final class OutputFile {

  private final String given;
  private final Path path;

  private OutputFile(String given, Path path) {
    this.given = given;
    this.path = path;
  }

  /**
   * The file {@code given} to {@code option}, if it can be written: its folder exists, and it is
   * not a folder itself.
   *
   * @throws Failure naming the missing folder, or what else is wrong
   */
  static OutputFile check(String given, String option) throws Failure {
    Path path;
    try {
      path = Path.of(given);
    } catch (InvalidPathException e) {
      throw new Failure("not a file name: '" + given + "' (for " + option + "): " + e.getReason());
    }
    if (Files.isDirectory(path)) {
      throw new Failure(given + " is a folder; " + option + " takes the name of a file to write");
    }
    Path folder = path.toAbsolutePath().getParent();
    if (folder != null && !Files.isDirectory(folder)) {
      Path shown = path.getParent() != null ? path.getParent() : folder;
      String what = Files.exists(folder) ? "not a folder: " : "no such folder: ";
      throw new Failure(what + shown + File.separator + " (for " + option + " " + given + ")");
    }
    return new OutputFile(given, path);
  }

  /** The file's path, as given. */
  Path path() {
    return path;
  }

  /** Opens the file for writing, replacing what it held. */
  Writer open() throws IOException {
    return Files.newBufferedWriter(path, StandardCharsets.UTF_8);
  }

  /** Whether the file is there (a program may have written none). */
  boolean exists() {
    return Files.isRegularFile(path);
  }

  /**
   * Prints {@code tether: wrote FILE (SIZE)}, or {@code (SIZE; detail)}.
   *
   * @param detail what else to say about its content, or {@code null}
   */
  void confirm(PrintStream err, String detail) throws IOException {
    String size = size(Files.size(path));
    err.println(
        "tether: wrote " + given + " (" + size + (detail == null ? "" : "; " + detail) + ")");
  }

  /** A size for people: {@code 812 bytes}, {@code 143 KB}, {@code 12.4 MB} (1 KB = 1,024 bytes). */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + (bytes == 1 ? " byte" : " bytes");
    }
    if (bytes < 1024 * 1024) {
      return Math.round(bytes / 1024.0) + " KB";
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
