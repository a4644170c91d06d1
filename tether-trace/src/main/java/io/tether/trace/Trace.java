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
 * {@code destroy}. A file cut short reads up to its last whole record ({@link #complete()} is then
 * false); a file that is not a trace, or whose records make no sense, is a {@link
 * TraceFormatException} naming the byte offset.
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

    void after(long time) {
      for (int i = runCount - 1; i >= 0; i--) {
        if (runs[i * 3 + 2] == NONE) {
          runs[i * 3 + 2] = time;
          return;
        }
      }
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

  /** The time of the last event, in nanoseconds since recording started. */
  public long duration() {
    return duration;
  }

  // ---------------------------------------------------------------------------------------------

  private final Map<Integer, String> strings = new HashMap<>();
  private byte[] payload = new byte[256];

  private void parse(InputStream in) throws IOException {
    byte[] expected = TraceFormat.magic();
    byte[] magic = in.readNBytes(expected.length + 1);
    if (magic.length < expected.length + 1
        || !Arrays.equals(Arrays.copyOf(magic, expected.length), expected)) {
      throw new TraceFormatException(
          file, 0, "not a Tether trace or JFR recording (no TTHRACE or FLR header)");
    }
    if (magic[expected.length] != TraceFormat.VERSION) {
      throw new TraceFormatException(
          file, expected.length, "unsupported trace format version " + magic[expected.length]);
    }
    long offset = magic.length;
    Reader header = new Reader(in, offset);
    long start = header.varLong();
    if (start == Long.MIN_VALUE) {
      return; // cut short in the header
    }
    startEpochMillis = start;
    offset = header.offset;
    while (true) {
      int kind = in.read();
      if (kind < 0) {
        return; // end of a file that is cut short, or of one without END
      }
      long recordOffset = offset;
      Reader lengthReader = new Reader(in, offset + 1);
      long length = lengthReader.varLong();
      if (length == Long.MIN_VALUE) {
        return; // cut short in the frame
      }
      if (kind < TraceFormat.STRING || kind > TraceFormat.END || length > (1 << 24)) {
        throw new TraceFormatException(
            file, recordOffset, "corrupt record (kind " + kind + ", length " + length + ")");
      }
      if (payload.length < length) {
        payload = new byte[(int) Math.max(length, payload.length * 2L)];
      }
      int read = in.readNBytes(payload, 0, (int) length);
      if (read < length) {
        return; // cut short in the payload: the last whole record is the one before
      }
      offset = lengthReader.offset + length;
      if (complete) {
        throw new TraceFormatException(file, recordOffset, "record after the END record");
      }
      record(kind, new Payload(payload, (int) length, recordOffset));
    }
  }

  private void record(int kind, Payload p) throws TraceFormatException {
    switch (kind) {
      case TraceFormat.STRING:
        {
          int index = (int) p.varLong();
          strings.put(
              index,
              new String(p.bytes, p.position, p.length - p.position, StandardCharsets.UTF_8));
          return;
        }
      case TraceFormat.THREAD:
        {
          int index = (int) p.varLong();
          p.varLong(); // thread id
          String name = string(p);
          while (threadNames.size() <= index) {
            threadNames.add("?");
          }
          threadNames.set(index, name);
          return;
        }
      case TraceFormat.INIT:
        {
          Resource r = resourceFor(p.varLong());
          r.trigger = p.varLong();
          r.type = string(p);
          r.initThread = (int) p.varLong();
          r.init = time(p.varLong());
          r.callSite = string(p);
          events++;
          return;
        }
      case TraceFormat.BEFORE:
        {
          Resource r = resourceFor(p.varLong());
          int thread = (int) p.varLong();
          r.before(thread, time(p.varLong()));
          events++;
          return;
        }
      case TraceFormat.AFTER:
      case TraceFormat.DESTROY:
      case TraceFormat.RESOLVE:
        {
          Resource r = resourceFor(p.varLong());
          p.varLong(); // thread
          long time = time(p.varLong());
          if (kind == TraceFormat.AFTER) {
            r.after(time);
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
        p.varLong(); // written
        dropped = p.varLong();
        complete = true;
        return;
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
    int index = (int) p.varLong();
    if (index == 0) {
      return "";
    }
    String s = strings.get(index);
    if (s == null) {
      throw new TraceFormatException(file, p.offset, "string " + index + " used before defined");
    }
    return s;
  }

  Resource resourceFor(long id) {
    Resource r = resources.get(id);
    if (r == null) {
      r = new Resource(id);
      resources.put(id, r);
    }
    return r;
  }

  private void link() {
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
    final int length;
    final long offset;
    int position;

    Payload(byte[] bytes, int length, long offset) {
      this.bytes = bytes;
      this.length = length;
      this.offset = offset;
    }

    long varLong() throws TraceFormatException {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= length) {
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

  /** Varints straight from the stream (the header, record lengths). */
  private final class Reader {
    final InputStream in;
    long offset;

    Reader(InputStream in, long offset) {
      this.in = in;
      this.offset = offset;
    }

    /** The value, or {@code Long.MIN_VALUE} at the end of the stream. */
    long varLong() throws IOException {
      long start = offset;
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = in.read();
        if (b < 0) {
          return Long.MIN_VALUE;
        }
        offset++;
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new TraceFormatException(file, start, "malformed number");
    }
  }
}
