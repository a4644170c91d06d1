package io.tether.trace;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a Tether trace, or a record in it that makes no sense, at a byte offset. */
public final class TraceFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  TraceFormatException(Path file, long offset, String problem) {
    super(file + ": " + problem + " at byte offset " + offset);
    this.file = file;
    this.offset = offset;
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /** The byte offset of the record (or header) at fault. */
  public long offset() {
    return offset;
  }
}
