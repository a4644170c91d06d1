package io.tether.recorder;

import java.util.zip.CRC32C;

/**
 * The trace file: a header, then blocks of records, each block checked by CRC32C, so that a reader
 * tells a file cut short (the writer was killed: the file ends in a block or between blocks, with
 * no {@code END}) from a corrupt one (a checksum that does not match, a length or value that cannot
 * be), and never reads damaged bytes as data.
 *
 * <pre>
 * header   "TTHRACE" 0x02 (format version), start wall time (epoch ms, 8 bytes),
 *          CRC32C of those 16 bytes (4 bytes)                               = {@link #HEADER_LENGTH}
 * block    payload length (4), events in it (4), block number (4, from 0),
 *          CRC32C of those 12 bytes (4), payload, CRC32C of the payload (4)
 * </pre>
 *
 * Fixed-size numbers are big-endian. A payload is records, each {@code kind} (one byte), {@code
 * length} (an unsigned varint) and {@code length} bytes; numbers in records are unsigned LEB128
 * varints; strings are defined once ({@link #STRING}: the next index, UTF-8 bytes) and then
 * referred to by index; threads likewise ({@link #THREAD}: the next index).
 *
 * <pre>
 * STRING   index, UTF-8 bytes to the end of the payload
 * THREAD   thread index, thread id, name (string index)
 * INIT     async id, trigger id, type (string), thread index, time, call site (string, 0 = none)
 * BEFORE   async id, thread index, time
 * AFTER    async id, thread index, time
 * DESTROY  async id, thread index, time
 * RESOLVE  async id, thread index, time            (promiseResolve)
 * DROPPED  events dropped so far (a running total)
 * END      events written, events dropped           (the file is complete; alone in the last block)
 * </pre>
 *
 * An "event" of a block's count is a hook event: {@code INIT}, {@code BEFORE}, {@code AFTER},
 * {@code DESTROY}, {@code RESOLVE}. A block's header has its own checksum so that a flipped length
 * is corruption, not a file that seems to end early; its number finds a block missing or repeated.
 * Times are nanoseconds since the recorder started. Thread index 0 is "unknown"; string index 0 is
 * the empty string.
 *
 * <p>A new kind of record is a new constant here, a case in the reader's {@code record} switch and,
 * if it is a hook event, in {@link #isEvent}; the blocks need no change.
 *
 * <p>Public for the tools that read traces ({@code tether-trace}) and for tests that write them:
 * this class is the format, which the recorder writes and the reader checks.
 */
public final class TraceFormat {

  /** The file's first bytes ("TTHRACE"); {@link #magic()} hands out copies. */
  static final byte[] MAGIC = {'T', 'T', 'H', 'R', 'A', 'C', 'E'};

  /**
   * The format version, the byte after {@link #magic()}: 2 since blocks and checksums; 1 (records
   * without checksums) is no longer read.
   */
  public static final int VERSION = 2;

  /** Bytes of the header: magic, version, start time, checksum. */
  public static final int HEADER_LENGTH = 7 + 1 + 8 + 4;

  /** Bytes of a block's header: length, events, number, checksum. */
  public static final int BLOCK_HEADER_LENGTH = 16;

  /** Bytes after a block's payload: its checksum. */
  public static final int BLOCK_TRAILER_LENGTH = 4;

  /** The largest payload a block may have; a reader takes a longer one as corruption. */
  public static final int MAX_BLOCK_LENGTH = 1 << 20;

  /** The payload at which the recorder closes a block (a block holds one record at least). */
  static final int BLOCK_TARGET = 1 << 16;

  /** The longest string the recorder writes, in chars; longer ones are cut to it. */
  static final int MAX_STRING = 1 << 15;

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

  /** Whether a record of {@code kind} is a hook event, counted in its block's header. */
  public static boolean isEvent(int kind) {
    return kind >= INIT && kind <= RESOLVE;
  }

  /**
   * Writes {@code value} (treated as unsigned) as a LEB128 varint into {@code buffer} at {@code
   * position} (at most 10 bytes); returns the position after it.
   */
  public static int putVarLong(byte[] buffer, int position, long value) {
    if ((value & ~0x7FL) == 0) { // the most common: small indexes
      buffer[position] = (byte) value;
      return position + 1;
    }
    while ((value & ~0x7FL) != 0) {
      buffer[position++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    buffer[position++] = (byte) value;
    return position;
  }

  /** Writes {@code value} as 4 big-endian bytes at {@code position}. */
  public static void putInt(byte[] buffer, int position, int value) {
    buffer[position] = (byte) (value >>> 24);
    buffer[position + 1] = (byte) (value >>> 16);
    buffer[position + 2] = (byte) (value >>> 8);
    buffer[position + 3] = (byte) value;
  }

  /** Reads 4 big-endian bytes at {@code position}. */
  public static int getInt(byte[] buffer, int position) {
    return (buffer[position] & 0xFF) << 24
        | (buffer[position + 1] & 0xFF) << 16
        | (buffer[position + 2] & 0xFF) << 8
        | (buffer[position + 3] & 0xFF);
  }

  /** The CRC32C of {@code length} bytes at {@code offset}, as the format stores it. */
  public static int crc(byte[] buffer, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(buffer, offset, length);
    return (int) crc.getValue();
  }

  /** The file's header: magic, version, {@code startEpochMillis} and its checksum. */
  public static byte[] header(long startEpochMillis) {
    byte[] header = new byte[HEADER_LENGTH];
    System.arraycopy(MAGIC, 0, header, 0, MAGIC.length);
    header[MAGIC.length] = VERSION;
    putInt(header, 8, (int) (startEpochMillis >>> 32));
    putInt(header, 12, (int) startEpochMillis);
    putInt(header, 16, crc(header, 0, 16));
    return header;
  }

  /**
   * Seals the block in {@code buffer}: its payload is at {@link #BLOCK_HEADER_LENGTH}, {@code
   * length} bytes, and room for the trailer follows it. Fills in the header and the trailer;
   * returns the bytes of the whole block, which start at 0.
   *
   * @param events the hook events among the payload's records ({@link #isEvent})
   * @param number the block's number in the file, from 0
   */
  public static int seal(byte[] buffer, int length, int events, int number) {
    putInt(buffer, 0, length);
    putInt(buffer, 4, events);
    putInt(buffer, 8, number);
    putInt(buffer, 12, crc(buffer, 0, 12));
    int end = BLOCK_HEADER_LENGTH + length;
    putInt(buffer, end, crc(buffer, BLOCK_HEADER_LENGTH, length));
    return end + BLOCK_TRAILER_LENGTH;
  }
}
