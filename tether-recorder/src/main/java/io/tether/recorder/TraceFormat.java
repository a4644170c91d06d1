package io.tether.recorder;

/**
 * The trace file: a header, then records, each {@code kind} (one byte), {@code length} (an unsigned
 * varint) and {@code length} bytes of payload, so that a reader can skip what it does not know and
 * stop cleanly at the last whole record of a file cut short. Numbers in payloads are unsigned
 * LEB128 varints; strings are defined once ({@link #STRING}: index, UTF-8 bytes) and then referred
 * to by index.
 *
 * <pre>
 * header   "TTHRACE" 0x01 (format version), start wall time (epoch ms, varint)
 * STRING   index, UTF-8 bytes to the end of the payload
 * THREAD   thread index, thread id, name (string index)
 * INIT     async id, trigger id, type (string), thread index, time, call site (string, 0 = none)
 * BEFORE   async id, thread index, time
 * AFTER    async id, thread index, time
 * DESTROY  async id, thread index, time
 * RESOLVE  async id, thread index, time            (promiseResolve)
 * DROPPED  events dropped so far (a running total)
 * END      events written, events dropped           (the file is complete)
 * </pre>
 *
 * Times are nanoseconds since the recorder started. Thread index 0 is "unknown"; string index 0 is
 * the empty string.
 *
 * <p>Public for the tools that read traces ({@code tether-trace}) and for tests that write them:
 * this class is the format, which the recorder writes and the reader checks.
 */
public final class TraceFormat {

  /** The file's first bytes ("TTHRACE"); {@link #magic()} hands out copies. */
  static final byte[] MAGIC = {'T', 'T', 'H', 'R', 'A', 'C', 'E'};

  /** The format version, the byte after {@link #magic()}. */
  public static final int VERSION = 1;

  public static final int STRING = 1;
  public static final int THREAD = 2;
  public static final int INIT = 3;
  public static final int BEFORE = 4;
  public static final int AFTER = 5;
  public static final int DESTROY = 6;
  public static final int RESOLVE = 7;
  public static final int DROPPED = 8;
  public static final int END = 9;

  private TraceFormat() {}

  /** The file's first bytes, before {@link #VERSION}: a copy, since an array cannot be final. */
  public static byte[] magic() {
    return MAGIC.clone();
  }

  /**
   * Writes {@code value} (treated as unsigned) as a LEB128 varint into {@code buffer} at {@code
   * position} (at most 10 bytes); returns the position after it.
   */
  public static int putVarLong(byte[] buffer, int position, long value) {
    while ((value & ~0x7FL) != 0) {
      buffer[position++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buffer[position++] = (byte) value;
    return position;
  }
}
