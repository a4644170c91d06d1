package io.tether.trace;

import io.tether.recorder.JfrFormat;
import io.tether.recorder.TraceFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace file read back: every resource with its type, trigger, call site, the thread and time of
 * its {@code init}, its runs ({@code before}/{@code after} pairs), {@code promiseResolve} and
 * {@code destroy}.
 *
 * <p>Damaged bytes are never read as data. A file cut short (the recorder's JVM was killed, a copy
 * stopped) reads up to its last whole block, and {@link #warning()} says so: {@code cut short at
 * byte N: at least the last M events are missing}; every tool shows that warning. A file that is
 * not a trace, or is corrupt (a checksum that does not match, a length or value that cannot be, a
 * block missing or repeated, bytes after the end), is a {@link TraceFormatException}: {@code FILE:
 * corrupt at byte N: what}.
 *
 * <p>A JDK Flight Recorder recording with Tether's events ({@code jfr=true}) reads into the same
 * model ({@link JfrRecordings}): the file's first bytes tell which it is.
 */
public final class Trace {

  /** No time recorded (the event did not happen, or was dropped). */
  public static final long NONE = -1;

  /** One resource of the trace. */
  public static final class Resource {
    public final long id;
    public long trigger;
    public String type = "?";
    public String callSite = "";
    public int initThread;
    public long init = NONE;
    public long resolve = NONE;
    public long destroy = NONE;

    /** Runs as triples: thread, before time, after time ({@link #NONE} while running). */
    long[] runs = new long[0];

    int runCount;

    /**
     * The values of storages seen on its runs, by storage name, or null: a JFR recording's {@code
     * io.tether.Run} events carry those of {@code jfrContext} (the first run's wins).
     */
    Map<String, String> values;

    public final List<Resource> children = new ArrayList<>(0);
    public Resource parent;

    Resource(long id) {
      this.id = id;
    }

    public int runCount() {
      return runCount;
    }

    public int runThread(int run) {
      return (int) runs[run * 3];
    }

    public long runBefore(int run) {
      return runs[run * 3 + 1];
    }

    public long runAfter(int run) {
      return runs[run * 3 + 2];
    }

    /**
     * The value the storage of this name had on its runs, or null (none recorded).
     *
     * @param storage the storage's name
     * @return the value, as text
     */
    public String value(String storage) {
      return values == null ? null : values.get(storage);
    }

    void value(String storage, String value) {
      if (values == null) {
        values = new HashMap<>(2);
      }
      values.putIfAbsent(storage, value);
    }

    /** Time spent running, over all its runs (an unfinished run counts as nothing). */
    public long runTime() {
      long total = 0;
      for (int i = 0; i < runCount; i++) {
        if (runAfter(i) != NONE) {
          total += runAfter(i) - runBefore(i);
        }
      }
      return total;
    }

    /** From the link (init) to the first run, or {@link #NONE}. */
    public long waitTime() {
      return init == NONE || runCount == 0 ? NONE : runBefore(0) - init;
    }

    /** The last time anything happened to it. */
    public long end() {
      long end = Math.max(init, Math.max(resolve, destroy));
      for (int i = 0; i < runCount; i++) {
        end = Math.max(end, Math.max(runBefore(i), runAfter(i)));
      }
      return end;
    }

    void before(int thread, long time) {
      if ((runCount + 1) * 3 > runs.length) {
        runs = Arrays.copyOf(runs, Math.max(6, runs.length * 2));
      }
      runs[runCount * 3] = thread;
      runs[runCount * 3 + 1] = time;
      runs[runCount * 3 + 2] = NONE;
      runCount++;
    }

    /** A whole run, known at once (from a JFR recording's {@code Run} event). */
    void run(int thread, long before, long after) {
      before(thread, before);
      runs[runCount * 3 - 1] = after;
    }

    /**
     * Ends the run that {@code thread} began last and has not ended. (The recorder writes each
     * thread's events in order, but the threads' after one another, so the runs of a resource that
     * ran on several threads at once may come in any order between threads.)
     */
    void after(int thread, long time) {
      for (int i = runCount - 1; i >= 0; i--) {
        if (runs[i * 3 + 2] == NONE && runs[i * 3] == thread) {
          runs[i * 3 + 2] = time;
          return;
        }
      }
    }

    /** Its runs in the order they began. */
    void sortRuns() {
      for (int i = 1; i < runCount; i++) {
        for (int j = i; j > 0 && runs[j * 3 + 1] < runs[(j - 1) * 3 + 1]; j--) {
          for (int k = 0; k < 3; k++) {
            long swap = runs[j * 3 + k];
            runs[j * 3 + k] = runs[(j - 1) * 3 + k];
            runs[(j - 1) * 3 + k] = swap;
          }
        }
      }
    }

    /** The first time anything happened to it: its init, or what was recorded if that was not. */
    long start() {
      if (init != NONE) {
        return init;
      }
      // Called by the sort's comparator: no allocation. NONE (-1) is below every time.
      long start = Long.MAX_VALUE;
      start = resolve == NONE ? start : Math.min(start, resolve);
      start = destroy == NONE ? start : Math.min(start, destroy);
      return runCount == 0 ? start : Math.min(start, runBefore(0));
    }

    @Override
    public String toString() {
      return type + "#" + id;
    }
  }

  private final Path file;
  private long startEpochMillis;
  private final Map<Long, Resource> resources = new LinkedHashMap<>();
  private final List<String> threadNames = new ArrayList<>(List.of("?"));
  private final List<Resource> roots = new ArrayList<>();
  private long events;
  private long dropped;
  private boolean complete;
  private long duration;

  private Trace(Path file) {
    this.file = file;
  }

  /**
   * Reads {@code file}.
   *
   * @throws TraceFormatException if it is not a Tether trace or a record is malformed
   * @throws IOException if it cannot be read
   */
  public static Trace read(Path file) throws IOException {
    Trace trace = new Trace(file);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] jfr = JfrFormat.magic();
      in.mark(jfr.length);
      boolean recording = Arrays.equals(in.readNBytes(jfr.length), jfr);
      in.reset();
      if (recording) {
        JfrRecordings.read(file, trace);
      } else {
        trace.parse(in);
      }
    }
    trace.link();
    return trace;
  }

  /** Reads a trace file's {@code bytes}, named {@code file} in messages (for tests and fuzzing). */
  static Trace read(Path file, byte[] bytes) throws IOException {
    Trace trace = new Trace(file);
    trace.parse(new java.io.ByteArrayInputStream(bytes));
    trace.link();
    return trace;
  }

  public Path file() {
    return file;
  }

  public long startEpochMillis() {
    return startEpochMillis;
  }

  /** Every resource, in the order of their {@code init}. */
  public Collection<Resource> resources() {
    return resources.values();
  }

  public Resource resource(long id) {
    return resources.get(id);
  }

  /** Resources whose trigger is not a resource of the trace, in order. */
  public List<Resource> roots() {
    return roots;
  }

  /** Thread names by index (0 is unknown). */
  public List<String> threadNames() {
    return threadNames;
  }

  /** Events read. */
  public long events() {
    return events;
  }

  /** Events the recorder dropped (its buffer was full). */
  public long dropped() {
    return dropped;
  }

  /** Whether the file ends with the recorder's {@code END} record. */
  public boolean complete() {
    return complete;
  }

  /**
   * What the tools must tell about this trace beside its data, or {@code null}: for a file cut
   * short, {@code cut short at byte N: at least the last M events are missing} (or that how many is
   * not known, when the file ends between blocks or in a block's header).
   */
  public String warning() {
    return warning;
  }

  /** The length of a file cut short (where it ends), or {@link #NONE}. */
  public long cutShortAt() {
    return cutShortAt;
  }

  /**
   * Events known to be missing from a file cut short: those of the block it ends in (more may never
   * have been written); 0 when only the end is missing, {@link #NONE} when it is not known.
   */
  public long missingEvents() {
    return missingEvents;
  }

  /** The time of the last event, in nanoseconds since recording started. */
  public long duration() {
    return duration;
  }

  // ---------------------------------------------------------------------------------------------
  // The trace format (TraceFormat): a header, then blocks each checked by CRC32C. Bytes are data
  // only once their block's checksums match; a file that ends before its END block is cut short
  // (what came before is read), anything else that is not as the writer writes it is corrupt.

  private final Map<Long, String> strings = new HashMap<>();
  private byte[] payload = new byte[1 << 12];
  private long cutShortAt = NONE;
  private long missingEvents = NONE;
  private String warning;

  private void parse(InputStream in) throws IOException {
    byte[] header = in.readNBytes(TraceFormat.HEADER_LENGTH);
    byte[] magic = TraceFormat.magic();
    int prefix = Math.min(header.length, magic.length);
    if (!Arrays.equals(header, 0, prefix, magic, 0, prefix)) {
      throw new TraceFormatException(
          file, 0, "no TTHRACE or FLR header (not a Tether trace or JFR recording)");
    }
    if (header.length > magic.length && header[magic.length] != TraceFormat.VERSION) {
      throw new TraceFormatException(
          file,
          magic.length,
          "trace format version "
              + header[magic.length]
              + ", this reader reads version "
              + TraceFormat.VERSION
              + (header[magic.length] == 1 ? " (record it again with this Tether)" : ""));
    }
    if (header.length < TraceFormat.HEADER_LENGTH) {
      cutShort(header.length, NONE);
      return;
    }
    if (TraceFormat.crc(header, 0, 16) != TraceFormat.getInt(header, 16)) {
      throw new TraceFormatException(file, 0, "the header's checksum does not match");
    }
    startEpochMillis =
        (long) TraceFormat.getInt(header, 8) << 32 | (TraceFormat.getInt(header, 12) & 0xFFFFFFFFL);
    long offset = TraceFormat.HEADER_LENGTH;
    byte[] head = new byte[TraceFormat.BLOCK_HEADER_LENGTH];
    for (int number = 0; ; number++) {
      int n = in.readNBytes(head, 0, head.length);
      if (n == 0) {
        if (!complete) {
          cutShort(offset, NONE);
        }
        return;
      }
      if (complete) {
        throw new TraceFormatException(file, offset, "bytes after the END block");
      }
      if (n < head.length) {
        cutShort(offset + n, NONE);
        return;
      }
      if (TraceFormat.crc(head, 0, 12) != TraceFormat.getInt(head, 12)) {
        throw new TraceFormatException(file, offset, "a block header's checksum does not match");
      }
      long length = TraceFormat.getInt(head, 0) & 0xFFFFFFFFL;
      long blockEvents = TraceFormat.getInt(head, 4) & 0xFFFFFFFFL;
      long blockNumber = TraceFormat.getInt(head, 8) & 0xFFFFFFFFL;
      if (length > TraceFormat.MAX_BLOCK_LENGTH) {
        throw new TraceFormatException(
            file,
            offset,
            "block of " + length + " bytes, over the maximum " + TraceFormat.MAX_BLOCK_LENGTH);
      }
      if (blockEvents * MIN_EVENT_BYTES > length) {
        throw new TraceFormatException(
            file, offset, "block of " + length + " bytes cannot hold " + blockEvents + " events");
      }
      if (blockNumber != number) {
        throw new TraceFormatException(
            file,
            offset,
            "block number "
                + blockNumber
                + " where "
                + number
                + " was due (a block missing or repeated)");
      }
      int whole = (int) length + TraceFormat.BLOCK_TRAILER_LENGTH;
      if (payload.length < whole) {
        payload = new byte[Math.max(whole, payload.length * 2)];
      }
      int read = in.readNBytes(payload, 0, whole);
      if (read < whole) {
        long endBlock = endBlockIn(head, payload, read);
        if (endBlock >= 0) {
          throw new TraceFormatException(
              file,
              offset,
              "block of "
                  + length
                  + " bytes runs into the END block at byte "
                  + (offset + endBlock)
                  + " (bytes missing)");
        }
        cutShort(offset + head.length + read, blockEvents);
        return;
      }
      if (TraceFormat.crc(payload, 0, (int) length) != TraceFormat.getInt(payload, (int) length)) {
        throw new TraceFormatException(file, offset, "a block's checksum does not match");
      }
      long before = events;
      records(payload, (int) length, offset + head.length);
      if (events - before != blockEvents) {
        throw new TraceFormatException(
            file,
            offset,
            "block holds " + (events - before) + " events, its header says " + blockEvents);
      }
      offset += head.length + whole;
    }
  }

  /** The fewest bytes an event's record takes: kind, length and three one-byte numbers. */
  private static final int MIN_EVENT_BYTES = 5;

  /**
   * Where, in a block cut short whose header is {@code head} and whose {@code read} bytes are in
   * {@code rest}, a whole END block starts that ends the file, or -1. A file cut short ends
   * anywhere; one that ends with its END block but ran out inside the block before it lost bytes in
   * the middle, which is corruption. (The END block is short, so it is in these bytes if anywhere.)
   */
  private static long endBlockIn(byte[] head, byte[] rest, int read) {
    int total = head.length + read;
    byte[] tail = new byte[total];
    System.arraycopy(head, 0, tail, 0, head.length);
    System.arraycopy(rest, 0, tail, head.length, read);
    int shortest = TraceFormat.BLOCK_HEADER_LENGTH + 3 + TraceFormat.BLOCK_TRAILER_LENGTH;
    for (int p = Math.max(1, total - 64); p <= total - shortest; p++) {
      int length = total - p - TraceFormat.BLOCK_HEADER_LENGTH - TraceFormat.BLOCK_TRAILER_LENGTH;
      int body = p + TraceFormat.BLOCK_HEADER_LENGTH;
      if (TraceFormat.getInt(tail, p) == length
          && TraceFormat.crc(tail, p, 12) == TraceFormat.getInt(tail, p + 12)
          && tail[body] == TraceFormat.END
          && TraceFormat.crc(tail, body, length) == TraceFormat.getInt(tail, body + length)) {
        return p;
      }
    }
    return -1;
  }

  private void cutShort(long at, long missing) {
    cutShortAt = at;
    missingEvents = missing;
    warning =
        "cut short at byte "
            + at
            + (missing > 0
                ? ": at least the last " + missing + " events are missing"
                : missing == 0
                    ? ": the recorder's END record is missing (no events lost in its last block)"
                    : ": the last events are missing (how many is not known: the file ends"
                        + " between blocks or in a block's header)");
  }

  /** The records of a block's payload, whose checksum matched, at {@code offset} in the file. */
  private void records(byte[] bytes, int length, long offset) throws TraceFormatException {
    Payload p = new Payload(bytes, offset);
    while (p.position < length) {
      long recordOffset = offset + p.position;
      int kind = bytes[p.position++] & 0xFF;
      p.limit = length;
      long size = p.varLong();
      if (size > length - p.position) {
        throw new TraceFormatException(
            file, recordOffset, "record of " + size + " bytes runs past its block");
      }
      if (complete) {
        throw new TraceFormatException(file, recordOffset, "a record after the END record");
      }
      p.at(recordOffset, (int) (p.position + size));
      record(kind, p);
      p.position = p.limit;
    }
  }

  private void record(int kind, Payload p) throws TraceFormatException {
    switch (kind) {
      case TraceFormat.STRING:
        {
          long index = p.varLong();
          if (index != strings.size() + 1) {
            throw new TraceFormatException(
                file,
                p.offset,
                "string " + index + " defined where " + (strings.size() + 1) + " was due");
          }
          strings.put(
              index, new String(p.bytes, p.position, p.limit - p.position, StandardCharsets.UTF_8));
          return;
        }
      case TraceFormat.THREAD:
        {
          long index = p.varLong();
          if (index != threadNames.size()) {
            throw new TraceFormatException(
                file,
                p.offset,
                "thread " + index + " defined where " + threadNames.size() + " was due");
          }
          p.varLong(); // thread id
          threadNames.add(string(p));
          return;
        }
      case TraceFormat.INIT:
        {
          Resource r = resourceFor(p.varLong());
          r.trigger = p.varLong();
          r.type = string(p);
          r.initThread = thread(p);
          r.init = time(p.varLong());
          r.callSite = string(p);
          events++;
          return;
        }
      case TraceFormat.BEFORE:
        {
          Resource r = resourceFor(p.varLong());
          int thread = thread(p);
          r.before(thread, time(p.varLong()));
          events++;
          return;
        }
      case TraceFormat.AFTER:
      case TraceFormat.DESTROY:
      case TraceFormat.RESOLVE:
        {
          Resource r = resourceFor(p.varLong());
          int thread = thread(p);
          long time = time(p.varLong());
          if (kind == TraceFormat.AFTER) {
            r.after(thread, time);
          } else if (kind == TraceFormat.DESTROY) {
            r.destroy = time;
          } else {
            r.resolve = time;
          }
          events++;
          return;
        }
      case TraceFormat.DROPPED:
        dropped = p.varLong();
        return;
      case TraceFormat.END:
        {
          long written = p.varLong();
          if (written != events) {
            throw new TraceFormatException(
                file, p.offset, "END counts " + written + " events, the file holds " + events);
          }
          dropped = p.varLong();
          complete = true;
          return;
        }
      default:
        throw new TraceFormatException(file, p.offset, "unknown record kind " + kind);
    }
  }

  // What JfrRecordings fills.

  void started(long epochMillis) {
    startEpochMillis = epochMillis;
  }

  void counted(long hookEvents) {
    events += hookEvents;
  }

  void ended(boolean whole) {
    complete = whole;
    if (!whole) {
      warning = "cut short: the recording could not be read to its end (read up to its last event)";
    }
  }

  /** The index of the thread of JFR's {@code javaThreadId}, named on first sight. */
  int thread(Map<Long, Integer> byJavaId, long javaId, String name) {
    Integer known = byJavaId.get(javaId);
    if (known != null) {
      return known;
    }
    int index = threadNames.size();
    threadNames.add(name);
    byJavaId.put(javaId, index);
    return index;
  }

  long time(long t) {
    duration = Math.max(duration, t);
    return t;
  }

  private String string(Payload p) throws TraceFormatException {
    long index = p.varLong();
    if (index == 0) {
      return "";
    }
    String s = strings.get(index);
    if (s == null) {
      throw new TraceFormatException(file, p.offset, "string " + index + " used before defined");
    }
    return s;
  }

  private int thread(Payload p) throws TraceFormatException {
    long index = p.varLong();
    if (index >= threadNames.size()) {
      throw new TraceFormatException(file, p.offset, "thread " + index + " used before defined");
    }
    return (int) index;
  }

  Resource resourceFor(long id) {
    Resource r = resources.get(id);
    if (r == null) {
      r = new Resource(id);
      resources.put(id, r);
    }
    return r;
  }

  /**
   * Puts the resources in the order of their init and each one's runs in the order they began (the
   * recorder writes each thread's events in order, and the threads' one after another; a JFR
   * recording's chunks are per thread as well), then links each to its trigger.
   */
  private void link() {
    List<Resource> byStart = new ArrayList<>(resources.values());
    for (Resource r : byStart) {
      r.sortRuns();
    }
    byStart.sort(java.util.Comparator.comparingLong(Resource::start));
    resources.clear();
    for (Resource r : byStart) {
      resources.put(r.id, r);
    }
    for (Resource r : resources.values()) {
      Resource parent = r.trigger == r.id ? null : resources.get(r.trigger);
      if (parent != null && parent.init != NONE && (r.init == NONE || parent.init <= r.init)) {
        r.parent = parent;
        parent.children.add(r);
      } else {
        roots.add(r);
      }
    }
  }

  /** A record's payload, read as varints; running past its end is a malformed record. */
  private final class Payload {
    final byte[] bytes;
    long offset;
    int position;
    int limit;

    Payload(byte[] bytes, long offset) {
      this.bytes = bytes;
      this.offset = offset;
    }

    void at(long offset, int limit) {
      this.offset = offset;
      this.limit = limit;
    }

    long varLong() throws TraceFormatException {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= limit) {
          throw new TraceFormatException(file, offset, "malformed record (runs past its end)");
        }
        byte b = bytes[position++];
        value |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new TraceFormatException(file, offset, "malformed record (number too long)");
    }
  }
}
