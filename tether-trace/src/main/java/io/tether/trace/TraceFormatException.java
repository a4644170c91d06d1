package io.tether.trace;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not a Tether trace, or is corrupt: {@code FILE: corrupt at byte N: what} (a
 * checksum that does not match, a length or value that cannot be, ...). Nothing of such a file is
 * read as data. A file only cut short is no error: it reads, with {@link Trace#warning()}.
 */
public final class TraceFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  /** A problem whose place in the file is not known (a JFR recording's): offset -1. */
  TraceFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.offset = -1;
  }

  TraceFormatException(Path file, long offset, String problem) {
    super(file + ": corrupt at byte " + offset + ": " + problem);
    this.file = file;
    this.offset = offset;
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /** The byte offset of the block, record or header at fault, or -1 where it is not known. */
  public long offset() {
    return offset;
  }
}
