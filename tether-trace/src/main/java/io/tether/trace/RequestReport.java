package io.tether.trace;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The per-request view ({@code tether report --by STORAGE}): the work of a trace grouped by the
 * value of one storage (a request id), the slowest requests first, each as a waterfall of its
 * resources (waiting in a queue from link to first run, waiting for a future or I/O, running) with
 * its critical path marked: the chain of triggers that ends with the request's last event.
 *
 * <pre>{@code
 * Trace trace = Trace.read(Path.of("app.jfr"));   // recorded with jfrContext=requestId
 * List<RequestReport.Request> slowest = RequestReport.requests(trace, "requestId");
 * }</pre>
 *
 * <p>A resource belongs to the request whose value its runs had; one that never ran belongs to its
 * trigger's. Resources that ran on the JVM's or Tether's own threads ({@code tether-destroy},
 * {@code tether-flight}, {@code DestroyJavaVM}, ...) are listed apart, after the application's. The
 * page is bounded: at most {@code top} requests, at most {@link #MAX_ROWS} rows each.
 */
public final class RequestReport {

  /** The most rows one request's waterfall shows; the rest are counted. */
  public static final int MAX_ROWS = 150;

  private static final int LABEL_WIDTH = 380;
  private static final int BAR_WIDTH = 640;
  private static final int ROW_HEIGHT = 16;
  private static final int LABEL_CHARS = 54;

  /** A part of a resource's life. */
  public enum Phase {
    /** From its link to its first run, in a queue. */
    QUEUED,
    /** From its link to its run or resolution, waiting for a future or I/O. */
    WAITING,
    /** Running. */
    RUNNING
  }

  /**
   * One phase of one resource, in nanoseconds since the trace began.
   *
   * @param phase what it was doing
   * @param start when it began
   * @param end when it ended
   */
  public record Segment(Phase phase, long start, long end) {}

  /**
   * One resource of a request.
   *
   * @param resource the resource
   * @param critical whether it is on the request's critical path
   * @param ownThread whether it ran on (or was linked from) the JVM's or Tether's own threads
   * @param segments its phases, in time order
   */
  public record Row(
      Trace.Resource resource, boolean critical, boolean ownThread, List<Segment> segments) {}

  /**
   * One value of the storage and its work.
   *
   * @param value the storage's value
   * @param start its first event
   * @param end its last event
   * @param rows its resources: the application's by link time, then those of the JVM's and Tether's
   *     threads
   * @param criticalPath the critical path, from the request's first resource to its last
   */
  public record Request(
      String value, long start, long end, List<Row> rows, List<Trace.Resource> criticalPath) {

    /**
     * How long it took.
     *
     * @return nanoseconds
     */
    public long duration() {
      return end - start;
    }
  }

  private RequestReport() {}

  /**
   * The requests of {@code trace} by the values of the storage {@code storage}, slowest first.
   *
   * @param trace the trace
   * @param storage the storage's name
   * @return the requests; empty when no resource has a value of that storage
   */
  public static List<Request> requests(Trace trace, String storage) {
    Map<Long, String> memo = new HashMap<>();
    Map<String, List<Trace.Resource>> byValue = new LinkedHashMap<>();
    for (Trace.Resource r : trace.resources()) {
      String v = valueOf(r, storage, memo);
      if (v != null) {
        byValue.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
      }
    }
    List<Request> requests = new ArrayList<>();
    byValue.forEach((value, resources) -> requests.add(request(trace, value, resources)));
    requests.sort(Comparator.comparingLong(Request::duration).reversed());
    return requests;
  }

  /**
   * Why the trace has no requests by {@code storage}, in one line, or null when it has some.
   *
   * @param trace the trace
   * @param storage the storage's name
   * @return the reason, naming what to record, or null
   */
  public static String missing(Trace trace, String storage) {
    if (!requests(trace, storage).isEmpty()) {
      return null;
    }
    String file = String.valueOf(trace.file().getFileName());
    return hasValues(trace)
        ? file + " has no values of the storage '" + storage + "'"
        : file
            + " has no storage values: record a JFR recording with the agent's jfrContext="
            + storage
            + " (or flight=...,flightSlow="
            + storage
            + ":DURATION)";
  }

  /** Whether any resource of the trace has a value of some storage. */
  static boolean hasValues(Trace trace) {
    for (Trace.Resource r : trace.resources()) {
      if (r.values != null) {
        return true;
      }
    }
    return false;
  }

  private static String valueOf(Trace.Resource r, String storage, Map<Long, String> memo) {
    List<Trace.Resource> path = new ArrayList<>();
    String v = null;
    for (Trace.Resource at = r; at != null; at = at.parent) {
      if (memo.containsKey(at.id)) {
        v = memo.get(at.id);
        break;
      }
      path.add(at);
      v = at.value(storage);
      if (v != null || at.runCount() > 0) {
        break; // its own runs decide: a resource that ran without a value has none
      }
    }
    for (Trace.Resource p : path) {
      memo.put(p.id, v);
    }
    return v;
  }

  private static Request request(Trace trace, String value, List<Trace.Resource> resources) {
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    Trace.Resource last = null;
    Set<Long> members = new HashSet<>();
    for (Trace.Resource r : resources) {
      members.add(r.id);
      if (r.init != Trace.NONE) {
        start = Math.min(start, r.init);
      }
      long e = r.end();
      if (e > end) {
        end = e;
        last = r;
      }
    }
    if (start == Long.MAX_VALUE) {
      start = end;
    }
    List<Trace.Resource> critical = new ArrayList<>();
    for (Trace.Resource at = last; at != null && members.contains(at.id); at = at.parent) {
      critical.add(0, at);
    }
    Set<Long> onPath = new HashSet<>();
    for (Trace.Resource r : critical) {
      onPath.add(r.id);
    }
    List<Row> application = new ArrayList<>();
    List<Row> own = new ArrayList<>();
    List<String> threads = trace.threadNames();
    for (Trace.Resource r : resources) {
      boolean isOwn = ownThread(threads, r);
      Row row = new Row(r, onPath.contains(r.id), isOwn, segments(r, end));
      (isOwn ? own : application).add(row);
    }
    Comparator<Row> byLink = Comparator.comparingLong(row -> row.resource().init);
    application.sort(byLink);
    own.sort(byLink);
    application.addAll(own);
    return new Request(value, start, end, application, critical);
  }

  private static boolean waitsForSomething(String type) {
    return type.contains("FUTURE")
        || type.contains("PROMISE")
        || type.contains("EXCHANGE")
        || type.contains("COMPLETION")
        || type.contains("CALL");
  }

  private static List<Segment> segments(Trace.Resource r, long requestEnd) {
    List<Segment> segments = new ArrayList<>();
    Phase before = waitsForSomething(r.type) ? Phase.WAITING : Phase.QUEUED;
    if (r.runCount() == 0) {
      if (r.init != Trace.NONE) {
        long until = r.resolve != Trace.NONE ? r.resolve : r.end();
        segments.add(new Segment(Phase.WAITING, r.init, Math.max(r.init, until)));
      }
      return segments;
    }
    if (r.init != Trace.NONE && r.runBefore(0) > r.init) {
      segments.add(new Segment(before, r.init, r.runBefore(0)));
    }
    for (int i = 0; i < r.runCount(); i++) {
      long after = r.runAfter(i) == Trace.NONE ? requestEnd : r.runAfter(i);
      segments.add(new Segment(Phase.RUNNING, r.runBefore(i), after));
    }
    return segments;
  }

  /** The JVM's threads and Tether's own, whose work is not the application's. */
  static boolean ownThreadName(String name) {
    return name.startsWith("tether-")
        || name.equals("DestroyJavaVM")
        || name.equals("Reference Handler")
        || name.equals("Finalizer")
        || name.equals("Signal Dispatcher")
        || name.equals("Common-Cleaner")
        || name.equals("Attach Listener")
        || name.startsWith("JFR ")
        || name.equals("Notification Thread");
  }

  private static boolean ownThread(List<String> threads, Trace.Resource r) {
    if (r.initThread > 0 && r.initThread < threads.size()) {
      if (ownThreadName(threads.get(r.initThread))) {
        return true;
      }
    }
    for (int i = 0; i < r.runCount(); i++) {
      int t = r.runThread(i);
      if (t > 0 && t < threads.size() && ownThreadName(threads.get(t))) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // The page.

  /**
   * Writes the page: a table of the {@code top} slowest requests, then each one's waterfall.
   *
   * @param trace the trace
   * @param storage the storage's name
   * @param top how many requests to show
   * @param out where the page goes
   * @throws IllegalArgumentException if the trace has no values of any storage, or none of this one
   *     (the message says how to record them)
   * @throws IOException if writing fails
   */
  public static void write(Trace trace, String storage, int top, Writer out) throws IOException {
    List<Request> all = requests(trace, storage);
    if (all.isEmpty()) {
      throw new IllegalArgumentException(missing(trace, storage));
    }
    List<Request> shown = all.subList(0, Math.min(top, all.size()));
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(storage))
        .append(" requests: ")
        .append(esc(String.valueOf(trace.file().getFileName())))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style></head><body>\n<h1>The slowest ")
        .append(shown.size())
        .append(" of ")
        .append(all.size())
        .append(" requests by <code>")
        .append(esc(storage))
        .append("</code></h1>\n")
        .append(
            trace.warning() == null
                ? ""
                : "<p class=\"warning\">" + esc(trace.warning()) + "</p>\n")
        .append(
            "<p class=\"legend\"><span class=\"k queued\"></span> waiting in a"
                + " queue <span class=\"k waiting\"></span> waiting for a future or I/O"
                + " <span class=\"k running\"></span> running <span class=\"k crit\"></span> on the"
                + " critical path (the chain of triggers to the request's last event)</p>\n")
        .append("<table class=\"summary\"><tr><th>")
        .append(esc(storage))
        .append("</th><th>time</th><th>resources</th><th>critical path</th></tr>\n");
    for (int i = 0; i < shown.size(); i++) {
      Request q = shown.get(i);
      h.append("<tr><td><a href=\"#r")
          .append(i)
          .append("\">")
          .append(esc(q.value()))
          .append("</a></td><td>")
          .append(ms(q.duration()))
          .append(" ms</td><td>")
          .append(q.rows().size())
          .append("</td><td>")
          .append(esc(pathText(q.criticalPath())))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    for (int i = 0; i < shown.size(); i++) {
      waterfall(h, trace, shown.get(i), i);
    }
    h.append("</body></html>\n");
    out.write(h.toString());
  }

  private static String pathText(List<Trace.Resource> path) {
    StringBuilder b = new StringBuilder();
    for (Trace.Resource r : path) {
      if (b.length() > 0) {
        b.append(" \u2192 ");
      }
      b.append(r.type);
    }
    return shorten(b.toString(), 120);
  }

  private static void waterfall(StringBuilder h, Trace trace, Request q, int index) {
    List<Row> rows = q.rows();
    int shown = Math.min(rows.size(), MAX_ROWS);
    long span = Math.max(1, q.duration());
    int height = (shown + 1) * ROW_HEIGHT + 4;
    h.append("<h2 id=\"r")
        .append(index)
        .append("\">")
        .append(esc(q.value()))
        .append(" <small>")
        .append(ms(q.duration()))
        .append(" ms, ")
        .append(rows.size())
        .append(" resources</small></h2>\n<svg width=\"")
        .append(LABEL_WIDTH + BAR_WIDTH + 10)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\">\n");
    // The time axis: 0 and the request's duration.
    h.append("<text class=\"axis\" x=\"")
        .append(LABEL_WIDTH)
        .append("\" y=\"11\">0 ms</text><text class=\"axis\" x=\"")
        .append(LABEL_WIDTH + BAR_WIDTH)
        .append("\" y=\"11\" text-anchor=\"end\">")
        .append(ms(q.duration()))
        .append(" ms</text>\n");
    boolean ownStarted = false;
    List<String> threads = trace.threadNames();
    for (int i = 0; i < shown; i++) {
      Row row = rows.get(i);
      Trace.Resource r = row.resource();
      int y = (i + 1) * ROW_HEIGHT;
      String cls = row.critical() ? "row crit" : row.ownThread() ? "row own" : "row";
      if (row.ownThread() && !ownStarted) {
        ownStarted = true;
        h.append("<line class=\"sep\" x1=\"0\" x2=\"")
            .append(LABEL_WIDTH + BAR_WIDTH)
            .append("\" y1=\"")
            .append(y)
            .append("\" y2=\"")
            .append(y)
            .append("\"/>\n");
      }
      String label = r.type + "#" + r.id + (r.callSite.isEmpty() ? "" : " " + simple(r.callSite));
      h.append("<g class=\"").append(cls).append("\"><title>").append(esc(tooltip(r, threads)));
      h.append("</title><text x=\"2\" y=\"")
          .append(y + 12)
          .append("\">")
          .append(esc(shorten(label, LABEL_CHARS)))
          .append("</text>");
      for (Segment s : row.segments()) {
        double x = LABEL_WIDTH + (double) (s.start() - q.start()) * BAR_WIDTH / span;
        double w = Math.max(1, (double) (s.end() - s.start()) * BAR_WIDTH / span);
        h.append("<rect class=\"")
            .append(s.phase().name().toLowerCase(Locale.ROOT))
            .append("\" x=\"")
            .append(num(x))
            .append("\" y=\"")
            .append(y + 3)
            .append("\" width=\"")
            .append(num(Math.min(w, LABEL_WIDTH + BAR_WIDTH - x)))
            .append("\" height=\"")
            .append(ROW_HEIGHT - 5)
            .append("\"/>");
      }
      h.append("</g>\n");
    }
    h.append("</svg>\n");
    if (rows.size() > shown) {
      h.append("<p class=\"more\">and ")
          .append(rows.size() - shown)
          .append(" more resources</p>\n");
    }
  }

  private static String tooltip(Trace.Resource r, List<String> threads) {
    StringBuilder t = new StringBuilder();
    t.append(r.type).append(" asyncId ").append(r.id).append(", trigger ").append(r.trigger);
    if (!r.callSite.isEmpty()) {
      t.append("\nlinked at ").append(r.callSite);
    }
    if (r.initThread > 0 && r.initThread < threads.size()) {
      t.append(" on ").append(threads.get(r.initThread));
    }
    if (r.runCount() > 0) {
      int thread = r.runThread(0);
      t.append("\nran ")
          .append(r.runCount())
          .append(r.runCount() == 1 ? " time" : " times")
          .append(", ")
          .append(ms(r.runTime()))
          .append(" ms");
      if (thread > 0 && thread < threads.size()) {
        t.append(", on ").append(threads.get(thread));
      }
    }
    if (r.waitTime() != Trace.NONE) {
      t.append("\nwaited ").append(ms(r.waitTime())).append(" ms before its first run");
    }
    return t.toString();
  }

  /**
   * A call site without its package, its line after a colon: {@code LoadedServer.handle:97} (the
   * tooltip has it all).
   */
  static String simple(String callSite) {
    int paren = callSite.indexOf('(');
    String head = paren < 0 ? callSite : callSite.substring(0, paren);
    int method = head.lastIndexOf('.');
    int type = method < 0 ? -1 : head.lastIndexOf('.', method - 1);
    String tail = paren < 0 ? "" : callSite.substring(paren + 1, callSite.length() - 1);
    String line = tail.replaceFirst("^(line |[^:]*:)", "");
    return head.substring(type + 1) + (line.isEmpty() ? "" : ":" + line);
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String CSS =
      "body{font:13px system-ui,sans-serif;margin:16px;color:#222}"
          + "h1{font-size:18px}h2{font-size:15px;margin:18px 0 4px}h2 small{color:#666;"
          + "font-weight:normal}table.summary{border-collapse:collapse}"
          + "table.summary td,table.summary th{border:1px solid #ddd;padding:2px 8px;"
          + "text-align:left}svg{display:block}text{font:11px monospace;fill:#222}"
          + "text.axis{fill:#777}.row.own text{fill:#999}.row.crit text{font-weight:bold;"
          + "fill:#a00}rect.queued{fill:#bbb}rect.waiting{fill:#e8a33d}rect.running{fill:#3b7dd8}"
          + ".row.crit rect{stroke:#a00;stroke-width:1}line.sep{stroke:#ccc;stroke-dasharray:4}"
          + ".legend .k{display:inline-block;width:14px;height:10px;margin:0 4px 0 12px}"
          + ".k.queued{background:#bbb}.k.waiting{background:#e8a33d}.k.running{background:"
          + "#3b7dd8}.k.crit{border:2px solid #a00;width:10px;height:6px}p.more{color:#666}"
          + "p.warning{background:#fff3cd;border:1px solid #e0c060;padding:4px 8px}\n";
}
