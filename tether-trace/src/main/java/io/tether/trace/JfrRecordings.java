package io.tether.trace;

import io.tether.recorder.JfrFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads Tether's events out of a JDK Flight Recorder recording ({@link JfrFormat}) into a {@link
 * Trace}, so that every tool works on recordings as on trace files. The JDK's own events are
 * skipped. An {@code Init}'s call site is the first frame of its stack trace that is neither the
 * JDK's nor Tether's, written {@code Class.method(line N)} (JFR keeps no file names). A {@code Run}
 * counts as two hook events ({@code before} and {@code after}), as in a trace file. Times are
 * nanoseconds since the earliest of Tether's events. A recording cut short reads up to where {@link
 * RecordingFile} stops ({@link Trace#complete()} is then false).
 */
final class JfrRecordings {

  private JfrRecordings() {}

  /** One of Tether's events, kept until all are read: a recording is not in time order. */
  private static final class Event {
    final String name;
    final long id;
    final long start;
    long end;
    long trigger;
    String type;
    String site;
    int thread;
    Map<String, String> values;

    Event(String name, long id, long start) {
      this.name = name;
      this.id = id;
      this.start = start;
    }
  }

  static void read(Path file, Trace trace) throws IOException {
    List<Event> events = new ArrayList<>();
    Map<Long, Integer> threads = new HashMap<>();
    boolean whole = true;
    try (RecordingFile in = new RecordingFile(file)) {
      while (in.hasMoreEvents()) {
        RecordedEvent e;
        try {
          e = in.readEvent();
        } catch (IOException cutShort) {
          whole = false;
          break;
        }
        String name = e.getEventType().getName();
        if (!name.startsWith("io.tether.") || name.equals(JfrFormat.LEAK)) {
          continue; // the leak detector's reports are about resources, not events of one
        }
        Event t = new Event(name, e.getLong(JfrFormat.ASYNC_ID), nanos(e.getStartTime()));
        t.end = nanos(e.getEndTime());
        RecordedThread thread = e.getThread();
        if (thread != null) {
          t.thread =
              trace.thread(
                  threads,
                  thread.getJavaThreadId(),
                  thread.getJavaName() == null ? "?" : thread.getJavaName());
        }
        if (name.equals(JfrFormat.RUN)) {
          t.values = contextValues(e);
        }
        if (name.equals(JfrFormat.INIT)) {
          t.trigger = e.getLong(JfrFormat.TRIGGER_ASYNC_ID);
          t.type = e.getString(JfrFormat.TYPE);
          String numbered =
              e.hasField(JfrFormat.CALL_SITE) ? e.getString(JfrFormat.CALL_SITE) : null;
          t.site = numbered != null && !numbered.isEmpty() ? numbered : callSite(e.getStackTrace());
        }
        events.add(t);
      }
    } catch (IOException e) {
      if (events.isEmpty()) {
        throw new TraceFormatException(file, "not a JFR recording that can be read: " + e);
      }
      whole = false;
    }
    if (events.isEmpty()) {
      trace.ended(whole);
      return;
    }
    events.sort(Comparator.comparingLong(e -> e.start));
    long base = events.get(0).start;
    trace.started(base / 1_000_000);
    for (Event e : events) {
      Trace.Resource r = trace.resourceFor(e.id);
      long start = trace.time(e.start - base);
      switch (e.name) {
        case JfrFormat.INIT:
          r.trigger = e.trigger;
          r.type = e.type == null ? "?" : e.type;
          r.callSite = e.site;
          r.initThread = e.thread;
          r.init = start;
          trace.counted(1);
          break;
        case JfrFormat.RUN:
          r.run(e.thread, start, trace.time(e.end - base));
          if (e.values != null) {
            e.values.forEach(r::value);
          }
          trace.counted(2);
          break;
        case JfrFormat.PROMISE_RESOLVE:
          r.resolve = start;
          trace.counted(1);
          break;
        case JfrFormat.DESTROY:
          r.destroy = start;
          trace.counted(1);
          break;
        default:
          break; // a Tether event of a later version
      }
    }
    trace.ended(whole);
  }

  /**
   * The storages' values on a {@code Run} event: every field besides the ones JFR gives all events
   * and {@code asyncId} ({@code jfrContext}'s storages), by name; null for none.
   */
  private static Map<String, String> contextValues(RecordedEvent e) {
    Map<String, String> values = null;
    for (ValueDescriptor field : e.getFields()) {
      String n = field.getName();
      if (n.equals(JfrFormat.ASYNC_ID)
          || n.equals("startTime")
          || n.equals("duration")
          || n.equals("eventThread")
          || n.equals("stackTrace")) {
        continue;
      }
      Object v = e.getValue(n);
      if (v != null) {
        if (values == null) {
          values = new HashMap<>(2);
        }
        values.put(n, v.toString());
      }
    }
    return values;
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** The first frame that is neither the JDK's nor Tether's, or "". */
  static String callSite(RecordedStackTrace stack) {
    if (stack == null) {
      return "";
    }
    for (RecordedFrame f : stack.getFrames()) {
      if (f.getMethod() == null || f.getMethod().getType() == null) {
        continue;
      }
      String type = f.getMethod().getType().getName();
      if (!internal(type)) {
        int line = f.getLineNumber();
        return type + "." + f.getMethod().getName() + (line > 0 ? "(line " + line + ")" : "");
      }
    }
    return "";
  }

  /**
   * The JDK's classes and Tether's (its API, internals, recorder and the agent's relocated copies):
   * the same rule as tether-core's {@code CallSites}, which the tools do not depend on.
   */
  static boolean internal(String className) {
    return className.startsWith("java.")
        || className.startsWith("javax.")
        || className.startsWith("jdk.")
        || className.startsWith("sun.")
        || className.startsWith("com.sun.")
        || className.startsWith("io.tether.internal.")
        || className.startsWith("io.tether.recorder.")
        || className.startsWith("io.tether.agent.shaded.")
        || className.startsWith("io.tether.") && className.indexOf('.', 10) < 0;
  }
}
