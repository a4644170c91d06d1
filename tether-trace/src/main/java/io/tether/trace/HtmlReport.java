package io.tether.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The trace as one self-contained HTML page (no network): the async call graph aggregated by
 * resource type and call site (each node with the time its resources waited, from link to first
 * run, and the time they ran), a timeline of threads with causal arrows from link to run, the
 * slowest causal chains, and the call sites that created the most work. Everything is aggregated
 * here, so the page stays small and quick for a trace of millions of events.
 */
public final class HtmlReport {

  /** Most nodes the call graph shows (the groups with the most time); the table lists them all. */
  static final int MAX_GRAPH_GROUPS = 60;

  static final int MAX_GROUPS = 500;
  static final int BUCKETS = 400;
  static final int MAX_ARROWS = 300;
  static final int MAX_CHAINS = 10;
  static final int MAX_SITES = 20;

  private HtmlReport() {}

  /** A group of resources: one type created at one call site. */
  static final class Group {
    final int index;
    final String type;
    final String site;
    long count;
    long waitTotal;
    long waited;
    long waitMax;
    long runTotal;
    int depth = Integer.MAX_VALUE;
    final Map<Integer, Long> children = new LinkedHashMap<>();

    Group(int index, String type, String site) {
      this.index = index;
      this.type = type;
      this.site = site;
    }
  }

  private static String num(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** Writes the report of {@code trace}. */
  public static void write(Trace trace, Writer out) throws IOException {
    String template;
    try (InputStream in = HtmlReport.class.getResourceAsStream("report.html")) {
      if (in == null) {
        throw new IOException("report.html missing from the tether-trace jar");
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String marker = "/*DATA*/";
    int at = template.indexOf(marker);
    out.write(template, 0, at);
    out.write(data(trace));
    out.write(template, at + marker.length(), template.length() - at - marker.length());
    out.flush();
  }

  static String data(Trace trace) {
    Map<String, Group> byKey = new HashMap<>();
    List<Group> groups = new ArrayList<>();
    Map<Trace.Resource, Group> groupOf = new HashMap<>();
    for (Trace.Resource r : trace.resources()) {
      String key = r.type + "\u0000" + r.callSite;
      Group g = byKey.get(key);
      if (g == null) {
        g = new Group(groups.size(), r.type, r.callSite);
        byKey.put(key, g);
        groups.add(g);
      }
      groupOf.put(r, g);
      g.count++;
      long wait = r.waitTime();
      if (wait != Trace.NONE) {
        g.waitTotal += wait;
        g.waited++;
        g.waitMax = Math.max(g.waitMax, wait);
      }
      g.runTotal += r.runTime();
    }
    for (Trace.Resource r : trace.resources()) {
      if (r.parent != null) {
        Group from = groupOf.get(r.parent);
        Group to = groupOf.get(r);
        from.children.merge(to.index, 1L, Long::sum);
      }
    }
    // Depth: breadth first from the groups of root resources.
    Deque<Group> queue = new ArrayDeque<>();
    for (Trace.Resource r : trace.roots()) {
      Group g = groupOf.get(r);
      if (g.depth != 0) {
        g.depth = 0;
        queue.add(g);
      }
    }
    while (!queue.isEmpty()) {
      Group g = queue.poll();
      for (int child : g.children.keySet()) {
        Group c = groups.get(child);
        if (c.depth > g.depth + 1) {
          c.depth = g.depth + 1;
          queue.add(c);
        }
      }
    }
    List<Group> ranked = new ArrayList<>(groups);
    ranked.sort(
        Comparator.comparingLong((Group g) -> g.waitTotal + g.runTotal)
            .thenComparingLong(g -> g.count)
            .reversed());
    List<Group> shown = ranked.subList(0, Math.min(MAX_GROUPS, ranked.size()));

    StringBuilder json = new StringBuilder(1 << 16);
    json.append("{\"summary\":{\"file\":")
        .append(Json.string(String.valueOf(trace.file().getFileName())))
        .append(",\"resources\":")
        .append(trace.resources().size())
        .append(",\"events\":")
        .append(trace.events())
        .append(",\"dropped\":")
        .append(trace.dropped())
        .append(",\"complete\":")
        .append(trace.complete())
        .append(",\"warning\":")
        .append(trace.warning() == null ? "null" : Json.string(trace.warning()))
        .append(",\"durationMs\":")
        .append(num(ms(trace.duration())))
        .append(",\"threads\":")
        .append(trace.threadNames().size() - 1)
        .append(",\"groups\":")
        .append(groups.size())
        .append(",\"startEpochMillis\":")
        .append(trace.startEpochMillis())
        .append("},\"groups\":[");
    Map<Integer, Integer> position = new HashMap<>();
    for (int i = 0; i < shown.size(); i++) {
      Group g = shown.get(i);
      position.put(g.index, i);
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"type\":")
          .append(Json.string(g.type))
          .append(",\"site\":")
          .append(Json.string(g.site))
          .append(",\"count\":")
          .append(g.count)
          .append(",\"waitMs\":")
          .append(num(ms(g.waitTotal)))
          .append(",\"meanWaitMs\":")
          .append(num(g.waited == 0 ? 0 : ms(g.waitTotal) / g.waited))
          .append(",\"maxWaitMs\":")
          .append(num(ms(g.waitMax)))
          .append(",\"runMs\":")
          .append(num(ms(g.runTotal)))
          .append(",\"depth\":")
          .append(g.depth == Integer.MAX_VALUE ? 0 : g.depth)
          .append(",\"graph\":")
          .append(i < MAX_GRAPH_GROUPS)
          .append('}');
    }
    json.append("],\"edges\":[");
    boolean first = true;
    for (Group g : shown) {
      for (Map.Entry<Integer, Long> e : g.children.entrySet()) {
        Integer to = position.get(e.getKey());
        if (to == null) {
          continue;
        }
        json.append(first ? "" : ",")
            .append("{\"from\":")
            .append(position.get(g.index))
            .append(",\"to\":")
            .append(to)
            .append(",\"count\":")
            .append(e.getValue())
            .append('}');
        first = false;
      }
    }
    json.append("],");
    timeline(trace, json);
    chains(trace, json);
    sites(groups, json);
    json.append('}');
    return json.toString().replace("</", "<\\/");
  }

  private static void timeline(Trace trace, StringBuilder json) {
    int threads = trace.threadNames().size();
    long duration = Math.max(1, trace.duration());
    double bucket = (double) duration / BUCKETS;
    double[][] busy = new double[threads][BUCKETS];
    long[] firstSeen = new long[threads];
    java.util.Arrays.fill(firstSeen, Long.MAX_VALUE);
    for (Trace.Resource r : trace.resources()) {
      for (int i = 0; i < r.runCount(); i++) {
        int t = r.runThread(i);
        if (t <= 0 || t >= threads) {
          continue;
        }
        long from = r.runBefore(i);
        long to = r.runAfter(i) == Trace.NONE ? duration : r.runAfter(i);
        firstSeen[t] = Math.min(firstSeen[t], from);
        int b0 = (int) Math.min(BUCKETS - 1, from / bucket);
        int b1 = (int) Math.min(BUCKETS - 1, to / bucket);
        for (int b = b0; b <= b1; b++) {
          double start = Math.max(from, b * bucket);
          double end = Math.min(to, (b + 1) * bucket);
          if (end > start) {
            busy[t][b] += (end - start) / bucket;
          }
        }
      }
      if (r.initThread > 0 && r.initThread < threads) {
        firstSeen[r.initThread] = Math.min(firstSeen[r.initThread], Math.max(0, r.init));
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int t = 1; t < threads; t++) {
      order.add(t);
    }
    order.sort(Comparator.comparingLong(t -> firstSeen[t]));
    Map<Integer, Integer> lane = new HashMap<>();
    json.append("\"bucketMs\":").append(num(ms((long) bucket))).append(",\"threads\":[");
    for (int i = 0; i < order.size(); i++) {
      int t = order.get(i);
      lane.put(t, i);
      json.append(i > 0 ? "," : "")
          .append("{\"name\":")
          .append(Json.string(trace.threadNames().get(t)))
          .append(",\"busy\":[");
      for (int b = 0; b < BUCKETS; b++) {
        double v = Math.min(1, busy[t][b]);
        json.append(b > 0 ? "," : "").append(v == 0 ? "0" : String.format(Locale.ROOT, "%.2f", v));
      }
      json.append("]}");
    }
    json.append("],\"arrows\":[");
    PriorityQueue<Trace.Resource> slowest =
        new PriorityQueue<>(Comparator.comparingLong(Trace.Resource::waitTime));
    for (Trace.Resource r : trace.resources()) {
      if (r.waitTime() != Trace.NONE
          && lane.containsKey(r.initThread)
          && lane.containsKey(r.runThread(0))) {
        slowest.add(r);
        if (slowest.size() > MAX_ARROWS) {
          slowest.poll();
        }
      }
    }
    boolean first = true;
    for (Trace.Resource r : slowest) {
      json.append(first ? "" : ",")
          .append("{\"from\":")
          .append(lane.get(r.initThread))
          .append(",\"fromMs\":")
          .append(num(ms(r.init)))
          .append(",\"to\":")
          .append(lane.get(r.runThread(0)))
          .append(",\"toMs\":")
          .append(num(ms(r.runBefore(0))))
          .append(",\"label\":")
          .append(Json.string(r.type + "#" + r.id))
          .append('}');
      first = false;
    }
    json.append("],");
  }

  /** The longest causal chains: from a root's link to the end of its latest descendant. */
  private static void chains(Trace trace, StringBuilder json) {
    PriorityQueue<Object[]> top =
        new PriorityQueue<>(Comparator.comparingLong((Object[] e) -> (Long) e[1]));
    for (Trace.Resource r : trace.resources()) {
      if (!r.children.isEmpty() || r.init == Trace.NONE) {
        continue;
      }
      Trace.Resource root = r;
      int depth = 0;
      while (root.parent != null && depth++ < 100_000) {
        root = root.parent;
      }
      if (root.init == Trace.NONE) {
        continue;
      }
      long length = r.end() - root.init;
      top.add(new Object[] {r, length});
      if (top.size() > MAX_CHAINS) {
        top.poll();
      }
    }
    List<Object[]> chains = new ArrayList<>(top);
    chains.sort(Comparator.comparingLong((Object[] e) -> (Long) e[1]).reversed());
    json.append("\"chains\":[");
    for (int c = 0; c < chains.size(); c++) {
      Trace.Resource leaf = (Trace.Resource) chains.get(c)[0];
      List<Trace.Resource> path = new ArrayList<>();
      for (Trace.Resource r = leaf; r != null && path.size() < 10_000; r = r.parent) {
        path.add(0, r);
      }
      json.append(c > 0 ? "," : "")
          .append("{\"totalMs\":")
          .append(num(ms((Long) chains.get(c)[1])))
          .append(",\"length\":")
          .append(path.size())
          .append(",\"steps\":[");
      // The first and last steps of a long chain: where it began and how it ended.
      if (path.size() > 12) {
        List<Trace.Resource> ends = new ArrayList<>(path.subList(0, 5));
        ends.add(null);
        ends.addAll(path.subList(path.size() - 6, path.size()));
        path = ends;
      }
      for (int i = 0; i < path.size(); i++) {
        Trace.Resource r = path.get(i);
        if (r == null) {
          json.append(",null");
          continue;
        }
        json.append(i > 0 ? "," : "")
            .append("{\"label\":")
            .append(Json.string(r.type + "#" + r.id))
            .append(",\"site\":")
            .append(Json.string(r.callSite))
            .append(",\"startMs\":")
            .append(num(ms(r.init)))
            .append(",\"waitMs\":")
            .append(num(r.waitTime() == Trace.NONE ? 0 : ms(r.waitTime())))
            .append(",\"runMs\":")
            .append(num(ms(r.runTime())))
            .append('}');
      }
      json.append("]}");
    }
    json.append("],");
  }

  private static void sites(List<Group> groups, StringBuilder json) {
    Map<String, long[]> counts = new HashMap<>();
    Map<String, List<String>> types = new HashMap<>();
    for (Group g : groups) {
      counts.computeIfAbsent(g.site, s -> new long[1])[0] += g.count;
      types.computeIfAbsent(g.site, s -> new ArrayList<>()).add(g.type);
    }
    List<String> ranked = new ArrayList<>(counts.keySet());
    ranked.sort(Comparator.comparingLong((String s) -> counts.get(s)[0]).reversed());
    json.append("\"sites\":[");
    for (int i = 0; i < Math.min(MAX_SITES, ranked.size()); i++) {
      String site = ranked.get(i);
      json.append(i > 0 ? "," : "")
          .append("{\"site\":")
          .append(Json.string(site))
          .append(",\"count\":")
          .append(counts.get(site)[0])
          .append(",\"types\":")
          .append(Json.string(String.join(", ", types.get(site))))
          .append('}');
    }
    json.append(']');
  }
}
