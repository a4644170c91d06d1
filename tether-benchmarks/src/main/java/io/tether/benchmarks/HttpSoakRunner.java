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
 * <p>With {@code --flight}, the agent also keeps a flight recording ({@code flight=2m}, {@code
 * flightSlow=requestId:1s}, its JFR repository and dumps in the output folder), and each sample
 * adds the server's resident memory and the size of the recording on disk, which must stay bounded:
 * the run fails if the last resident memory exceeds the first by more than 25% or 64 MB.
 *
 * <p>Run it with {@code scripts/soak.sh}. Options: {@code --minutes N} (10), {@code
 * --interval-seconds N} (60), {@code --connections N} (32), {@code --flight}, {@code --wrk BIN},
 * {@code --out DIR}.
 */
public final class HttpSoakRunner {

  private static final Pattern GC = Pattern.compile("(\\d+) live=(-?\\d+)");
  private static final Pattern STATS = Pattern.compile("requests=(\\d+) mismatches=(\\d+)");

  private HttpSoakRunner() {}

  /**
   * One sample: when, heap after GC, resources alive, requests served so far, the server's resident
   * memory and the flight recording's bytes on disk (0 without {@code --flight}).
   */
  record Sample(
      int seconds,
      long heapBytes,
      long liveResources,
      long requests,
      long residentBytes,
      long recordingBytes) {}

  public static void main(String[] args) throws Exception {
    Path jar =
        Path.of(HttpSoakRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    int minutes = 10;
    int interval = 60;
    int connections = 32;
    String wrk = "wrk";
    boolean flight = false;
    Path out = jar.getParent().resolve("soak");
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--flight")) {
        flight = true;
        i--;
        continue;
      }
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
                    + "; accepted: --minutes, --interval-seconds, --connections, --flight, --wrk,"
                    + " --out");
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
              wrk,
              flight);
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
      String wrk,
      boolean flight)
      throws Exception {
    Path repository = out.resolve("jfr-repository");
    List<String> jvm = new ArrayList<>();
    if (flight) {
      Path dumps = Files.createDirectories(out.resolve("flight-dumps"));
      Files.createDirectories(repository);
      jvm.add("-XX:FlightRecorderOptions=repository=" + repository);
      jvm.add(
          "-javaagent:"
              + agents.resolve("tether-agent.jar")
              + "=flight=2m,flightSlow=requestId:1s,flightDir="
              + dumps);
    } else {
      jvm.add("-javaagent:" + agents.resolve("tether-agent.jar"));
    }
    HttpOverheadRunner.Server server =
        processes.startJavaServer(HttpOverheadServer.class, "java-soak", "soak", jvm, out);
    System.out.printf(
        Locale.ROOT,
        "# soak: %d s under wrk (%d connections), heap after GC every"
            + " %d s%s; server pid %d, JDK %s%n",
        seconds,
        connections,
        interval,
        flight ? ", with the flight recording (flight=2m, flightSlow=requestId:1s)" : "",
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
              Long.parseLong(stats.group(1)),
              residentBytes(server.process().pid()),
              flight ? folderBytes(repository) : 0);
      samples.add(sample);
      System.out.printf(
          Locale.ROOT,
          "%5d s  heap after GC %7.1f MB  live resources %6d  requests %,d  resident %6.1f MB%s%n",
          at,
          sample.heapBytes() / 1048576.0,
          sample.liveResources(),
          sample.requests(),
          sample.residentBytes() / 1048576.0,
          flight
              ? String.format(
                  Locale.ROOT, "  recording %6.1f MB", sample.recordingBytes() / 1048576.0)
              : "");
      if (!stats.group(2).equals("0")) {
        System.out.println("MISMATCH: a stage saw another request's id (" + stats.group() + ")");
        return 1;
      }
    }
    String verdict = verdict(samples);
    if (flight && verdict.startsWith("flat")) {
      verdict = residentVerdict(samples) + "; " + verdict;
    }
    System.out.println(verdict);
    Files.writeString(
        out.resolve("soak-" + LocalDate.now() + ".txt"), verdict, StandardCharsets.UTF_8);
    return verdict.startsWith("flat") || verdict.startsWith("bounded") ? 0 : 1;
  }

  /** The resident memory of process {@code pid} (Linux: VmRSS), or 0 where it cannot be read. */
  static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux, or the process is gone: no figure
    }
    return 0;
  }

  /** The bytes of the files under {@code dir}. */
  static long folderBytes(Path dir) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (java.io.IOException e) {
                  return 0; // JFR removed it meanwhile
                }
              })
          .sum();
    }
  }

  /**
   * Whether the resident memory stayed bounded: the last sample within 25% or 64 MB of the first,
   * whichever is larger; with the recording's largest size on disk.
   */
  static String residentVerdict(List<Sample> samples) {
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    long allowed = Math.max(first.residentBytes() / 4, 64L << 20);
    long growth = last.residentBytes() - first.residentBytes();
    long recording = samples.stream().mapToLong(Sample::recordingBytes).max().orElse(0);
    return String.format(
        Locale.ROOT,
        "%s: resident memory %.1f MB at %d s, %.1f MB at %d s (%+.1f MB; allowed +%.1f MB);"
            + " the recording on disk at most %.1f MB",
        growth <= allowed ? "bounded" : "GROWING resident memory",
        first.residentBytes() / 1048576.0,
        first.seconds(),
        last.residentBytes() / 1048576.0,
        last.seconds(),
        growth / 1048576.0,
        allowed / 1048576.0,
        recording / 1048576.0);
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
