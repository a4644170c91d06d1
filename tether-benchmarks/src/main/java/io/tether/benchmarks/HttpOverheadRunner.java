package io.tether.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seeds' HTTP overhead experiment: {@link HttpOverheadServer} with no tracking, with Tether's
 * agent and an {@code AsyncLocalStorage}, with the agent and all hooks enabled (callbacks doing
 * nothing), and with the agent's trace recorder on; beside it the same server shape in Node 24
 * ({@code http-overhead-server.js}) with no tracking, AsyncLocalStorage and all hooks; and the
 * request in a Vert.x 5 server ({@link VertxOverheadServer}) with no agent and with the agent and
 * an {@code AsyncLocalStorage}, which exercises the agent's library declarations. In every round
 * each mode gets a fresh server process on its own loopback port, warmed up by {@code wrk} and then
 * measured by it for a bounded run; the modes are alternated over the rounds (forward in odd
 * rounds, backward in even ones, so a drift of the machine does not favour one mode).
 *
 * <p>Each run records what {@code wrk} saw (requests/s, p99 latency, errors) and what noise on a
 * small machine hurts less: the server process's own CPU time (user+sys, every thread) over the run
 * divided by the requests it served, and, where {@code perf stat} counts them, instructions per
 * request. Ratios are taken pair by pair, each mode against its own platform's no-tracking run of
 * the same round, and the table gives their median. Every process the runner starts (servers,
 * {@code wrk}, {@code perf}) is stopped when it ends, also on Ctrl-C.
 *
 * <p>Run it with {@code scripts/http-overhead.sh}, which installs {@code wrk} and Node 24 and
 * builds the project first. Options: {@code --rounds N} (3), {@code --seconds S} (10 per run),
 * {@code --warmup S} (15, before every measured run), {@code --connections N} (32), {@code
 * --wrk-threads N} (1), {@code --modes LIST} (all: {@code
 * java-none,java-als,java-hooks,java-trace,vertx-none,vertx-als,node-none,node-als, node-hooks};
 * the {@code vertx-} modes run {@link VertxOverheadServer}), {@code --node BIN} and {@code
 * --node-server FILE} (without them, Node is left out), {@code --wrk BIN}, {@code --perf-event
 * EVENT} ({@code instructions}), {@code --out DIR}.
 */
public final class HttpOverheadRunner {

  private static final List<String> ALL_MODES =
      List.of(
          "java-none",
          "java-als",
          "java-hooks",
          "java-trace",
          "vertx-none",
          "vertx-als",
          "node-none",
          "node-als",
          "node-hooks");

  private final Options options;
  private final Processes processes = new Processes();

  private HttpOverheadRunner(Options options) {
    this.options = options;
  }

  /** The runner's settings, from the command line. */
  record Options(
      int rounds,
      int seconds,
      int warmup,
      int connections,
      int wrkThreads,
      List<String> modes,
      String node,
      Path nodeServer,
      String wrk,
      String perfEvent,
      Path out,
      Path agents) {

    static Options parse(String[] args, Path base) {
      int rounds = 3;
      int seconds = 10;
      int warmup = 15;
      int connections = 32;
      int wrkThreads = 1;
      List<String> modes = ALL_MODES;
      String node = null;
      Path nodeServer = null;
      String wrk = "wrk";
      String perfEvent = "instructions";
      Path out = base.resolve("http-overhead");
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + arg + " needs a value");
        }
        String value = args[++i];
        switch (arg) {
          case "--rounds" -> rounds = positive(arg, value);
          case "--seconds" -> seconds = positive(arg, value);
          case "--warmup" -> warmup = Integer.parseInt(value);
          case "--connections" -> connections = positive(arg, value);
          case "--wrk-threads" -> wrkThreads = positive(arg, value);
          case "--modes" -> modes = List.of(value.split(","));
          case "--node" -> node = value;
          case "--node-server" -> nodeServer = Path.of(value);
          case "--wrk" -> wrk = value;
          case "--perf-event" -> perfEvent = value;
          case "--out" -> out = Path.of(value);
          default ->
              throw new IllegalArgumentException(
                  "unknown option "
                      + arg
                      + "; accepted: --rounds, --seconds, --warmup, --connections, --wrk-threads,"
                      + " --modes, --node, --node-server, --wrk, --perf-event, --out");
        }
      }
      for (String mode : modes) {
        if (!ALL_MODES.contains(mode)) {
          throw new IllegalArgumentException(
              "unknown mode '" + mode + "' in --modes; accepted: " + String.join(",", ALL_MODES));
        }
      }
      if (node == null || nodeServer == null) {
        modes = modes.stream().filter(m -> !m.startsWith("node-")).toList();
      }
      return new Options(
          rounds,
          seconds,
          warmup,
          connections,
          wrkThreads,
          modes,
          node,
          nodeServer,
          wrk,
          perfEvent,
          out,
          base.resolve("agents"));
    }

    private static int positive(String option, String value) {
      int n = Integer.parseInt(value);
      if (n <= 0) {
        throw new IllegalArgumentException(option + " must be positive, was " + value);
      }
      return n;
    }
  }

  private static final Pattern STATS = Pattern.compile("requests=(\\d+) mismatches=(\\d+)");

  /** One measured wrk run against one server. */
  record Run(
      String mode,
      int round,
      double requestsPerSecond,
      long requests,
      double p99Micros,
      double cpuMicrosPerRequest,
      double eventsPerRequest,
      String errors) {}

  /** A started server: its mode, port and process. */
  record Server(String mode, int port, Process process) {}

  public static void main(String[] args) throws Exception {
    Path jar =
        Path.of(
            HttpOverheadRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Options options = Options.parse(args, jar.getParent());
    HttpOverheadRunner runner = new HttpOverheadRunner(options);
    Thread stopAll = new Thread(runner.processes::stopAll, "stop-started-processes");
    Runtime.getRuntime().addShutdownHook(stopAll);
    int exit;
    try {
      exit = runner.run();
    } finally {
      runner.processes.stopAll();
    }
    System.exit(exit);
  }

  private int run() throws Exception {
    Files.createDirectories(options.out());
    String perfStatus = perfStatus(options.perfEvent());
    System.out.printf(
        Locale.ROOT,
        "# HTTP overhead: %s; %d rounds of %d s per mode, %d"
            + " connections, wrk %d thread(s); perf stat %s: %s%n",
        options.modes(),
        options.rounds(),
        options.seconds(),
        options.connections(),
        options.wrkThreads(),
        options.perfEvent(),
        perfStatus);
    boolean perf = perfStatus.equals("counts");
    List<Run> runs = new ArrayList<>();
    Map<String, long[]> served = new LinkedHashMap<>(); // mode -> requests, mismatches
    long traceBytes = 0;
    for (int round = 1; round <= options.rounds(); round++) {
      List<String> order = new ArrayList<>(options.modes());
      if (round % 2 == 0) {
        Collections.reverse(order);
      }
      for (String mode : order) {
        // A fresh process for every run: one process's luck with its JIT (or V8's) would
        // otherwise weigh on every round of its mode.
        Server server = startServer(mode);
        if (options.warmup() > 0) {
          wrk(server, options.warmup());
        }
        Run run = measure(server, round, perf);
        runs.add(run);
        Matcher stats = STATS.matcher(get(server.port(), "/stats"));
        if (!stats.find()) {
          throw new IllegalStateException(mode + ": /stats not understood");
        }
        long[] total = served.computeIfAbsent(mode, m -> new long[2]);
        total[0] += Long.parseLong(stats.group(1));
        total[1] += Long.parseLong(stats.group(2));
        processes.stop(server.process());
        if (mode.equals("java-trace")) {
          traceBytes =
              Math.max(traceBytes, Files.size(options.out().resolve("http-overhead.trace")));
        }
        System.out.printf(
            Locale.ROOT,
            "round %d %-10s %9.0f req/s  p99 %8.0f us  CPU %6.1f" + " us/req%s%s%n",
            round,
            mode,
            run.requestsPerSecond(),
            run.p99Micros(),
            run.cpuMicrosPerRequest(),
            perf
                ? String.format(
                    Locale.ROOT, "  %s %.0f/req", options.perfEvent(), run.eventsPerRequest())
                : "",
            run.errors().isEmpty() ? "" : "  errors: " + run.errors());
      }
    }
    List<String> checks = new ArrayList<>();
    boolean consistent = true;
    for (Map.Entry<String, long[]> entry : served.entrySet()) {
      checks.add(
          String.format(
              Locale.ROOT,
              "%s: %,d requests served (warm-up included)," + " %d mismatches",
              entry.getKey(),
              entry.getValue()[0],
              entry.getValue()[1]));
      consistent &= entry.getValue()[1] == 0;
    }
    if (served.containsKey("java-trace")) {
      checks.add("java-trace: trace file up to " + (traceBytes >> 20) + " MB per run");
    }
    String report = report(runs, perf, perfStatus, checks);
    System.out.println();
    System.out.print(report);
    Path file = options.out().resolve("http-overhead-" + LocalDate.now() + ".md");
    Files.writeString(file, report, StandardCharsets.UTF_8);
    System.out.println("written to " + file);
    Files.deleteIfExists(options.out().resolve("http-overhead.trace"));
    return consistent ? 0 : 1;
  }

  // ---- servers ----

  private Server startServer(String mode) throws IOException, InterruptedException {
    Server server;
    if (mode.startsWith("java-") || mode.startsWith("vertx-")) {
      String platform = mode.substring(0, mode.indexOf('-'));
      String javaMode = mode.substring(platform.length() + 1);
      String agent = "-javaagent:" + options.agents().resolve("tether-agent.jar");
      List<String> jvmArgs =
          switch (javaMode) {
            case "none" -> List.of();
            case "trace" ->
                List.of(agent + "=trace=" + options.out().resolve("http-overhead.trace"));
            default -> List.of(agent);
          };
      Class<?> main =
          platform.equals("java") ? HttpOverheadServer.class : VertxOverheadServer.class;
      server = processes.startJavaServer(main, mode, javaMode, jvmArgs, options.out());
    } else {
      int port = Processes.freePort();
      server =
          processes.startServer(
              mode,
              List.of(
                  options.node(),
                  options.nodeServer().toString(),
                  mode.substring("node-".length()),
                  Integer.toString(port)),
              port,
              options.out());
    }
    System.out.printf(
        Locale.ROOT,
        "started %s on 127.0.0.1:%d (pid %d)%n",
        mode,
        server.port(),
        server.process().pid());
    return server;
  }

  /** One client for every request the runners make (each client has a selector thread). */
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  // ---- one run ----

  private Run measure(Server server, int round, boolean perf) throws Exception {
    ProcessHandle handle = server.process().toHandle();
    Process perfProcess = null;
    Path perfOut = options.out().resolve("perf-" + server.mode() + ".csv");
    if (perf) {
      perfProcess =
          processes.start(
              List.of(
                  "perf",
                  "stat",
                  "-x",
                  ",",
                  "-e",
                  options.perfEvent(),
                  "-p",
                  Long.toString(handle.pid()),
                  "-o",
                  perfOut.toString(),
                  "--",
                  "sleep",
                  Integer.toString(options.seconds())),
              options.out().resolve("perf.log"));
    }
    Duration cpuBefore = cpu(handle);
    String output = wrk(server, options.seconds());
    Duration cpuAfter = cpu(handle);
    double events = Double.NaN;
    if (perfProcess != null) {
      perfProcess.waitFor(options.seconds() + 30L, TimeUnit.SECONDS);
      processes.forget(perfProcess);
      events = perfCount(Files.readString(perfOut), options.perfEvent());
    }
    WrkResult result = WrkResult.parse(output);
    double cpuMicros = cpuAfter.minus(cpuBefore).toNanos() / 1e3 / result.requests();
    return new Run(
        server.mode(),
        round,
        result.requestsPerSecond(),
        result.requests(),
        result.p99Micros(),
        cpuMicros,
        events / result.requests(),
        result.errors());
  }

  private static Duration cpu(ProcessHandle handle) {
    return handle
        .info()
        .totalCpuDuration()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the CPU time of process " + handle.pid() + " cannot be read on this system"));
  }

  private String wrk(Server server, int seconds) throws IOException, InterruptedException {
    Process process =
        processes.startPiped(
            List.of(
                options.wrk(),
                "-t" + options.wrkThreads(),
                "-c" + options.connections(),
                "-d" + seconds + "s",
                "--latency",
                "http://127.0.0.1:" + server.port() + "/"));
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("wrk against " + server.mode() + " failed: " + output);
    }
    processes.forget(process);
    return output;
  }

  /**
   * What {@code perf stat -e instructions true} says of this machine: {@code counts}, or why it
   * does not ({@code not supported} on virtual machines without a PMU, or not installed).
   */
  static String perfStatus(String event) {
    try {
      Process process =
          new ProcessBuilder("perf", "stat", "-x", ",", "-e", event, "true")
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(30, TimeUnit.SECONDS);
      if (process.exitValue() != 0) {
        return "fails: " + output.strip().lines().findFirst().orElse("exit " + process.exitValue());
      }
      return Double.isNaN(perfCount(output, event)) ? "not supported on this machine" : "counts";
    } catch (IOException | InterruptedException e) {
      return "not installed (" + e.getMessage() + ")";
    }
  }

  /** The count of {@code event} in {@code perf stat -x ,} output, or NaN if it was not counted. */
  static double perfCount(String csv, String event) {
    for (String line : csv.lines().toList()) {
      String[] fields = line.split(",");
      if (fields.length >= 3 && fields[2].startsWith(event)) {
        try {
          return Double.parseDouble(fields[0]);
        } catch (NumberFormatException notCounted) { // "<not supported>", "<not counted>"
          return Double.NaN;
        }
      }
    }
    return Double.NaN;
  }

  /** What one wrk run printed, parsed. */
  record WrkResult(double requestsPerSecond, long requests, double p99Micros, String errors) {

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)\\b");
    private static final Pattern ERRORS =
        Pattern.compile("(Socket errors:.*|Non-2xx or 3xx responses:.*)");

    static WrkResult parse(String output) {
      Matcher rate = RATE.matcher(output);
      Matcher total = TOTAL.matcher(output);
      Matcher p99 = P99.matcher(output);
      if (!rate.find() || !total.find() || !p99.find()) {
        throw new IllegalArgumentException(
            "wrk's output has no Requests/sec, request count or"
                + " 99% latency line (was it run with --latency?): "
                + output);
      }
      double p99Value = Double.parseDouble(p99.group(1));
      double micros =
          switch (p99.group(2)) {
            case "us" -> p99Value;
            case "ms" -> p99Value * 1e3;
            default -> p99Value * 1e6;
          };
      StringBuilder errors = new StringBuilder();
      Matcher error = ERRORS.matcher(output);
      while (error.find()) {
        errors.append(errors.length() == 0 ? "" : "; ").append(error.group(1).strip());
      }
      return new WrkResult(
          Double.parseDouble(rate.group(1)),
          Long.parseLong(total.group(1)),
          micros,
          errors.toString());
    }
  }

  // ---- the table ----

  static String report(List<Run> runs, boolean perf, String perfStatus, List<String> checks) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "HTTP overhead, %s, JDK %s (%s), %d cores%n%n",
            LocalDate.now(),
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            Runtime.getRuntime().availableProcessors()));
    out.append(
            "| server | mode | req/s (median) | ratio | p99 latency | CPU per request | CPU"
                + " ratio | ")
        .append(perf ? "instructions ratio |" : "instructions |")
        .append('\n');
    out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    Map<String, List<Run>> byMode = new LinkedHashMap<>();
    for (Run run : runs) {
      byMode.computeIfAbsent(run.mode(), m -> new ArrayList<>()).add(run);
    }
    Map<String, double[]> ratios = new LinkedHashMap<>();
    Map<String, Interval[]> intervals = new LinkedHashMap<>();
    for (Map.Entry<String, List<Run>> entry : byMode.entrySet()) {
      String mode = entry.getKey();
      String platform = mode.substring(0, mode.indexOf('-'));
      List<Run> none = byMode.get(platform + "-none");
      List<Run> own = entry.getValue();
      double rps = median(own.stream().map(Run::requestsPerSecond).toList());
      double p99 = median(own.stream().map(Run::p99Micros).toList());
      double cpu = median(own.stream().map(Run::cpuMicrosPerRequest).toList());
      double rpsRatio = pairedRatio(own, none, Run::requestsPerSecond);
      // CPU per request: fewer is better, so the ratio is none / mode (1.00 = no cost)
      double cpuRatio = 1 / pairedRatio(own, none, Run::cpuMicrosPerRequest);
      double eventRatio = perf ? 1 / pairedRatio(own, none, Run::eventsPerRequest) : Double.NaN;
      ratios.put(mode, new double[] {rpsRatio, cpuRatio});
      if (none != null) {
        intervals.put(
            mode,
            new Interval[] {
              medianInterval(pairedRatios(own, none, Run::requestsPerSecond)),
              medianInterval(pairedRatios(none, own, Run::cpuMicrosPerRequest))
            });
      }
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.0f | %s | %.2f ms | %.1f us | %s | %s" + " |%n",
              switch (platform) {
                case "java" -> "Java (Tether)";
                case "vertx" -> "Vert.x 5 (Tether)";
                default -> "Node 24";
              },
              label(mode.substring(platform.length() + 1)),
              rps,
              ratio(rpsRatio),
              p99 / 1e3,
              cpu,
              ratio(cpuRatio),
              perf ? ratio(eventRatio) : perfStatus));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%nRatios: each run against its own platform's"
                + " no-tracking run of the same round, median over %d rounds; CPU ratio = CPU per request"
                + " without tracking / with it (1.00 = costs nothing).%n",
            runs.stream().mapToInt(Run::round).max().orElse(0)));
    target(out, ratios, intervals, "java-als", 0.97, "AsyncLocalStorage");
    target(out, ratios, intervals, "java-hooks", 0.90, "all hooks");
    target(out, ratios, intervals, "vertx-als", 0.97, "Vert.x with AsyncLocalStorage");
    out.append(
        "(The interval: the distribution-free confidence interval of the median of the"
            + " rounds' ratios, from their order statistics. Where it straddles the target, the rounds"
            + " scatter more than the distance to the target, and this run does not settle it.)\n");
    out.append("\nChecks after the runs (a mismatch is a stage that saw another request's id):\n");
    for (String check : checks) {
      out.append("- ").append(check).append('\n');
    }
    out.append("\nEvery run:\n\n| round | mode | req/s | requests | p99 | CPU us/req |")
        .append(perf ? " events/req |" : "")
        .append(" errors |\n|---|---|---:|---:|---:|---:|")
        .append(perf ? "---:|" : "")
        .append("---|\n");
    for (Run run : runs) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %.0f | %d | %.2f ms | %.1f |%s %s |%n",
              run.round(),
              run.mode(),
              run.requestsPerSecond(),
              run.requests(),
              run.p99Micros() / 1e3,
              run.cpuMicrosPerRequest(),
              perf ? String.format(Locale.ROOT, " %.0f |", run.eventsPerRequest()) : "",
              run.errors()));
    }
    return out.toString();
  }

  private static void target(
      StringBuilder out,
      Map<String, double[]> ratios,
      Map<String, Interval[]> intervals,
      String mode,
      double target,
      String what) {
    double[] ratio = ratios.get(mode);
    Interval[] interval = intervals.get(mode);
    if (ratio == null || interval == null) {
      return;
    }
    out.append(
        String.format(
            Locale.ROOT,
            "Target %s >= %.2f of no tracking: req/s %.3f (%s)," + " CPU per request %.3f (%s)%n",
            what,
            target,
            ratio[0],
            verdict(ratio[0], interval[0], target),
            ratio[1],
            verdict(ratio[1], interval[1], target)));
  }

  /** Met or not at the median, and whether the median's interval settles it. */
  static String verdict(double median, Interval interval, double target) {
    String at = median >= target ? "met" : "NOT met";
    if (Double.isNaN(interval.low())) {
      return at;
    }
    String where =
        interval.low() >= target
            ? "all above the target"
            : interval.high() < target ? "all below the target" : "straddles the target";
    return String.format(
        Locale.ROOT,
        "%s; %.0f%% interval %.2f-%.2f, %s",
        at,
        interval.coverage() * 100,
        interval.low(),
        interval.high(),
        where);
  }

  /** An interval for a median and the probability that it holds the true median. */
  record Interval(double low, double high, double coverage) {}

  /**
   * The distribution-free confidence interval of the median of {@code values}: their k-th smallest
   * and k-th largest, k the largest with a coverage of at least 95% (the coverage of {@code [x(k),
   * x(n+1-k)]} is {@code 1 - 2 P(B < k)}, B binomial with n trials of 1/2); with too few values for
   * 95%, their whole range and its coverage. NaN bounds for no values.
   */
  static Interval medianInterval(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    if (n == 0) {
      return new Interval(Double.NaN, Double.NaN, 0);
    }
    int k = 1;
    while (k + 1 <= (n + 1) / 2 && coverage(n, k + 1) >= 0.95) {
      k++;
    }
    return new Interval(sorted.get(k - 1), sorted.get(n - k), coverage(n, k));
  }

  /** {@code 1 - 2 P(B < k)} for B binomial with {@code n} trials of probability 1/2. */
  private static double coverage(int n, int k) {
    double below = 0;
    double choose = 1; // C(n, 0)
    for (int i = 0; i < k; i++) {
      below += choose;
      choose = choose * (n - i) / (i + 1);
    }
    return Math.max(0, 1 - 2 * below / Math.pow(2, n));
  }

  private static String label(String mode) {
    return switch (mode) {
      case "none" -> "no tracking";
      case "als" -> "AsyncLocalStorage";
      case "hooks" -> "all hooks (no-op)";
      case "trace" -> "trace recorder";
      default -> mode;
    };
  }

  private static String ratio(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
  }

  /** Median over the rounds of mode / none, each pair from the same round. */
  static double pairedRatio(
      List<Run> own, List<Run> none, java.util.function.ToDoubleFunction<Run> value) {
    return none == null ? Double.NaN : median(pairedRatios(own, none, value));
  }

  /** Each round's {@code value} of {@code own} / that of {@code base} in the same round. */
  static List<Double> pairedRatios(
      List<Run> own, List<Run> base, java.util.function.ToDoubleFunction<Run> value) {
    List<Double> ratios = new ArrayList<>();
    for (Run run : own) {
      for (Run other : base) {
        if (other.round() == run.round()) {
          ratios.add(value.applyAsDouble(run) / value.applyAsDouble(other));
        }
      }
    }
    return ratios;
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n == 0
        ? Double.NaN
        : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
