package io.tether.trace;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A trace written out for people and tools: {@link #tree} (on-async-hook's view: one tree per root,
 * children grouped under the resource that triggered them, each with start, end and duration) and
 * {@link #chrome} (Chrome's Trace Event Format: an async slice per resource from link to end, a
 * slice per run on its thread, and a flow arrow from each link to the run it caused; it opens in
 * Perfetto and {@code chrome://tracing}).
 */
public final class TraceExport {

  private TraceExport() {}

  static String ms(long nanos) {
    return nanos == Trace.NONE ? "-" : String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  /** One line per resource, indented under its trigger. */
  public static void tree(Trace trace, Writer out) throws IOException {
    out.write(
        String.format(
            Locale.ROOT,
            "# %s: %d resources, %d events, %d dropped%s%n",
            trace.file().getFileName(),
            trace.resources().size(),
            trace.events(),
            trace.dropped(),
            trace.warning() == null ? "" : "\n# warning: " + trace.warning()));
    out.write(
        "# type#asyncId (trigger triggerId) at call site [thread]: start, end, duration;"
            + " wait (link to first run), run time, runs\n");
    Deque<Object[]> stack = new ArrayDeque<>();
    List<Trace.Resource> roots = trace.roots();
    for (int i = roots.size() - 1; i >= 0; i--) {
      stack.push(new Object[] {roots.get(i), 0});
    }
    StringBuilder line = new StringBuilder(200);
    while (!stack.isEmpty()) {
      Object[] entry = stack.pop();
      Trace.Resource r = (Trace.Resource) entry[0];
      int depth = (Integer) entry[1];
      line.setLength(0);
      for (int i = 0; i < depth; i++) {
        line.append("  ");
      }
      long end = r.end();
      line.append(r.type)
          .append('#')
          .append(r.id)
          .append(" (trigger ")
          .append(r.trigger)
          .append(')');
      if (!r.callSite.isEmpty()) {
        line.append(" at ").append(r.callSite);
      }
      line.append(" [")
          .append(thread(trace, r.initThread))
          .append("]: start ")
          .append(ms(r.init))
          .append(", end ")
          .append(ms(end))
          .append(", duration ")
          .append(r.init == Trace.NONE ? "-" : ms(end - r.init))
          .append("; wait ")
          .append(ms(r.waitTime()))
          .append(", run ")
          .append(ms(r.runTime()))
          .append(", runs ")
          .append(r.runCount());
      if (r.destroy == Trace.NONE) {
        line.append(", not destroyed");
      }
      line.append('\n');
      out.write(line.toString());
      for (int i = r.children.size() - 1; i >= 0; i--) {
        stack.push(new Object[] {r.children.get(i), depth + 1});
      }
    }
    out.flush();
  }

  static String thread(Trace trace, int index) {
    List<String> names = trace.threadNames();
    return index > 0 && index < names.size() ? names.get(index) : "?";
  }

  private static String us(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e3);
  }

  /** Chrome's Trace Event Format, as one JSON object. */
  public static void chrome(Trace trace, Writer out) throws IOException {
    out.write("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"source\":\"Tether\",\"file\":");
    out.write(Json.string(String.valueOf(trace.file().getFileName())));
    out.write(",\"dropped\":" + trace.dropped() + ",\"complete\":" + trace.complete());
    if (trace.warning() != null) {
      out.write(",\"warning\":" + Json.string(trace.warning()));
    }
    out.write("},");
    out.write("\"traceEvents\":[\n");
    boolean first = true;
    List<String> names = trace.threadNames();
    for (int i = 1; i < names.size(); i++) {
      first = comma(out, first);
      out.write(
          "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":"
              + i
              + ",\"args\":{\"name\":"
              + Json.string(names.get(i))
              + "}}");
    }
    for (Trace.Resource r : trace.resources()) {
      String name = Json.string(r.type);
      String args =
          "{\"asyncId\":"
              + r.id
              + ",\"triggerId\":"
              + r.trigger
              + ",\"callSite\":"
              + Json.string(r.callSite)
              + "}";
      String id = "\"0x" + Long.toHexString(r.id) + "\"";
      if (r.init != Trace.NONE) {
        long end = Math.max(r.end(), r.init + 1_000);
        first = comma(out, first);
        out.write(
            "{\"name\":"
                + name
                + ",\"cat\":"
                + name
                + ",\"ph\":\"b\",\"id\":"
                + id
                + ",\"pid\":1,\"tid\":"
                + r.initThread
                + ",\"ts\":"
                + us(r.init)
                + ",\"args\":"
                + args
                + "}");
        out.write(
            ",\n{\"name\":"
                + name
                + ",\"cat\":"
                + name
                + ",\"ph\":\"e\",\"id\":"
                + id
                + ",\"pid\":1,\"tid\":"
                + r.initThread
                + ",\"ts\":"
                + us(end)
                + "}");
        if (r.runCount() > 0) {
          // The link: a short slice where the resource was created, the tail of the arrow.
          out.write(
              ",\n{\"name\":"
                  + Json.string("link " + r.type + "#" + r.id)
                  + ",\"cat\":\"link\","
                  + "\"ph\":\"X\",\"pid\":1,\"tid\":"
                  + r.initThread
                  + ",\"ts\":"
                  + us(r.init)
                  + ",\"dur\":1,\"args\":"
                  + args
                  + "}");
          out.write(
              ",\n{\"name\":\"causes\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":"
                  + id
                  + ",\"pid\":1,\"tid\":"
                  + r.initThread
                  + ",\"ts\":"
                  + us(r.init)
                  + "}");
        }
      }
      for (int i = 0; i < r.runCount(); i++) {
        long before = r.runBefore(i);
        long after = r.runAfter(i) == Trace.NONE ? trace.duration() : r.runAfter(i);
        first = comma(out, first);
        out.write(
            "{\"name\":"
                + Json.string(r.type + "#" + r.id)
                + ",\"cat\":\"run\",\"ph\":\"X\","
                + "\"pid\":1,\"tid\":"
                + r.runThread(i)
                + ",\"ts\":"
                + us(before)
                + ",\"dur\":"
                + us(Math.max(0, after - before))
                + ",\"args\":"
                + args
                + "}");
        if (i == 0 && r.init != Trace.NONE) {
          out.write(
              ",\n{\"name\":\"causes\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\",\"id\":"
                  + id
                  + ",\"pid\":1,\"tid\":"
                  + r.runThread(i)
                  + ",\"ts\":"
                  + us(before)
                  + "}");
        }
      }
    }
    out.write("\n]}\n");
    out.flush();
  }

  private static boolean comma(Writer out, boolean first) throws IOException {
    if (!first) {
      out.write(",\n");
    }
    return false;
  }
}
