package io.tether.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak: {@link HttpOverheadServer} in {@code soak} mode (Tether's agent, an {@code
 * AsyncLocalStorage} per request and a hook counting resources initialised and destroyed) under
 * {@code wrk} for a set time, 10 minutes by default. At every interval (a minute by default) it
 * asks the server to collect garbage and reports the heap used after it, the resources initialised
 * and not yet destroyed, and the requests served. The heap after GC must stay flat: the run fails
 * (exit 1) if the last sample exceeds the first by more than 10% or 8 MB, whichever is larger, or
 * if a stage saw another request's id. Every process it starts is stopped when it ends, also on
 * Ctrl-C.
 *
 * <p>Run it with {@code scripts/soak.sh}. Options: {@code --minutes N} (10), {@code
 * --interval-seconds N} (60), {@code --connections N} (32), {@code --wrk BIN}, {@code --out DIR}.
 */
public final class HttpSoakRunner {

  private static final Pattern GC = Pattern.compile("(\\d+) live=(-?\\d+)");
  private static final Pattern STATS = Pattern.compile("requests=(\\d+) mismatches=(\\d+)");

  private HttpSoakRunner() {}

  /** One sample: when, heap after GC, resources alive, requests served so far. */
  record Sample(int seconds, long heapBytes, long liveResources, long requests) {}

  public static void main(String[] args) throws Exception {
    Path jar =
        Path.of(HttpSoakRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    int minutes = 10;
    int interval = 60;
    int connections = 32;
    String wrk = "wrk";
    Path out = jar.getParent().resolve("soak");
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String value = args[i + 1];
      switch (args[i]) {
        case "--minutes" -> minutes = Integer.parseInt(value);
        case "--interval-seconds" -> interval = Integer.parseInt(value);
        case "--connections" -> connections = Integer.parseInt(value);
        case "--wrk" -> wrk = value;
        case "--out" -> out = Path.of(value);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + "; accepted: --minutes, --interval-seconds, --connections, --wrk, --out");
      }
    }
    if (minutes <= 0 || interval <= 0 || connections <= 0) {
      throw new IllegalArgumentException(
          "--minutes, --interval-seconds and --connections must be" + " positive");
    }
    Files.createDirectories(out);
    Processes processes = new Processes();
    Runtime.getRuntime().addShutdownHook(new Thread(processes::stopAll, "stop-started-processes"));
    int exit;
    try {
      exit =
          soak(
              processes,
              jar.getParent().resolve("agents"),
              out,
              minutes * 60,
              interval,
              connections,
              wrk);
    } finally {
      processes.stopAll();
    }
    System.exit(exit);
  }

  private static int soak(
      Processes processes,
      Path agents,
      Path out,
      int seconds,
      int interval,
      int connections,
      String wrk)
      throws Exception {
    HttpOverheadRunner.Server server =
        processes.startJavaServer(
            HttpOverheadServer.class,
            "java-soak",
            "soak",
            List.of("-javaagent:" + agents.resolve("tether-agent.jar")),
            out);
    System.out.printf(
        Locale.ROOT,
        "# soak: %d s under wrk (%d connections), heap after GC every"
            + " %d s; server pid %d, JDK %s%n",
        seconds,
        connections,
        interval,
        server.process().pid(),
        System.getProperty("java.version"));
    Process load =
        processes.start(
            List.of(
                wrk,
                "-t1",
                "-c" + connections,
                "-d" + (seconds + 5) + "s",
                "http://127.0.0.1:" + server.port() + "/"),
            out.resolve("wrk.out"));
    List<Sample> samples = new ArrayList<>();
    long start = System.nanoTime();
    for (int at = interval; at <= seconds; at += interval) {
      long wait = start + TimeUnit.SECONDS.toNanos(at) - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait); // a clock, not a wait for work to finish
      }
      if (!load.isAlive()) {
        throw new IllegalStateException(
            "wrk stopped early: " + Files.readString(out.resolve("wrk.out")));
      }
      Matcher gc = GC.matcher(HttpOverheadRunner.get(server.port(), "/gc"));
      Matcher stats = STATS.matcher(HttpOverheadRunner.get(server.port(), "/stats"));
      if (!gc.find() || !stats.find()) {
        throw new IllegalStateException("the server's /gc or /stats answer was not understood");
      }
      Sample sample =
          new Sample(
              at,
              Long.parseLong(gc.group(1)),
              Long.parseLong(gc.group(2)),
              Long.parseLong(stats.group(1)));
      samples.add(sample);
      System.out.printf(
          Locale.ROOT,
          "%5d s  heap after GC %7.1f MB  live resources %6d" + "  requests %,d%n",
          at,
          sample.heapBytes() / 1048576.0,
          sample.liveResources(),
          sample.requests());
      if (!stats.group(2).equals("0")) {
        System.out.println("MISMATCH: a stage saw another request's id (" + stats.group() + ")");
        return 1;
      }
    }
    String verdict = verdict(samples);
    System.out.println(verdict);
    Files.writeString(
        out.resolve("soak-" + LocalDate.now() + ".txt"), verdict, StandardCharsets.UTF_8);
    return verdict.startsWith("flat") ? 0 : 1;
  }

  /** Whether the heap after GC stayed flat: the last sample against the first. */
  static String verdict(List<Sample> samples) {
    if (samples.isEmpty()) {
      return "no sample: the soak was shorter than one interval";
    }
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    long allowed = Math.max(first.heapBytes() / 10, 8L << 20);
    long growth = last.heapBytes() - first.heapBytes();
    long max = samples.stream().mapToLong(Sample::heapBytes).max().orElse(0);
    return String.format(
        Locale.ROOT,
        "%s: heap after GC %.1f MB at %d s, %.1f MB at %d s"
            + " (%+.1f MB; allowed +%.1f MB; highest %.1f MB); live resources %d then %d;"
            + " %,d requests%n",
        growth <= allowed ? "flat" : "GROWING",
        first.heapBytes() / 1048576.0,
        first.seconds(),
        last.heapBytes() / 1048576.0,
        last.seconds(),
        growth / 1048576.0,
        allowed / 1048576.0,
        max / 1048576.0,
        first.liveResources(),
        last.liveResources(),
        last.requests());
  }
}
