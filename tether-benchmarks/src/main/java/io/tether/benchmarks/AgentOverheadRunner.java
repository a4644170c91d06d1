package io.tether.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One command for the whole agent comparison: the start-up time of {@link HelloWorld} as whole JVM
 * runs, then {@link AgentOverheadBenchmark} once per agent configuration (a JMH fork each, with the
 * agent in its JVM arguments), and one table of each with the ratio or difference to no agent. The
 * JMH results come twice: average wall time per operation, and the CPU time the whole JVM spent per
 * operation ({@link ProcessCpuProfiler}), which thread wake-ups disturb much less.
 *
 * <p>Configurations: {@code none}; {@code tether} (Tether's agent); {@code tether-hook} (Tether's
 * agent and one enabled async hook whose callbacks do nothing; JMH only); {@code tether-trace}
 * (Tether's agent recording a trace, {@code trace=agent-overhead/recorded.trace}: the price of the
 * recorder; JMH only); {@code tether-stacks} (Tether's agent with {@code asyncStackTraces=true};
 * JMH only); {@code otel} (the OpenTelemetry java agent, exporters off and its own logging off, so
 * that it stays offline and quiet); {@code ttl} (the TransmittableThreadLocal agent; since its jar
 * is renamed, it is put on the boot class path as TTL's documentation asks); {@code tether-before}
 * (another build of Tether's agent, given with {@code --tether-before JAR}: a change measured
 * before and after in one run, on the same machine at the same time, not against numbers from
 * another day). The agents are those that the build copies to {@code
 * tether-benchmarks/target/agents/}.
 *
 * <p>Start-up runs alternate between the configurations, after one untimed run of each (which also
 * checks that the application printed its line and shows whatever else the agent printed). Beside
 * each run's wall time, the CPU time its JVM spent (user and system, all threads, as Linux accounts
 * a reaped child to its parent: {@code /proc/self/stat}, in 10 ms ticks): on a machine that other
 * work keeps busy, waiting for a core inflates wall time much more than CPU time.
 *
 * <p>Run (about 4 minutes on 2 cores: 5 configurations x 3 benchmarks x 8 s of iterations plus the
 * forks' start-up, and 40 HelloWorld runs; run it on an otherwise idle machine):
 *
 * <pre>
 * java -cp tether-benchmarks/target/benchmarks.jar io.tether.benchmarks.AgentOverheadRunner
 * </pre>
 *
 * Options: {@code --smoke} (1 warm-up and 1 measurement iteration of 200 ms, 3 start-up runs: for
 * checking that everything runs, not for numbers), {@code --configs none,tether,...}, {@code
 * --startup-runs N} (default 10), {@code --forks N} (default 1), {@code --no-startup}, {@code
 * --no-jmh}, {@code --agents DIR}, {@code --out DIR} (JMH logs and JSON results; default {@code
 * agent-overhead/} beside {@code benchmarks.jar}), {@code --tether-before JAR} (adds the
 * configuration {@code tether-before}, right after {@code tether}, even where {@code --configs}
 * does not name it). The JVM that runs the runner is the one measured: run it with another JDK's
 * {@code java} to measure that JDK.
 */
public final class AgentOverheadRunner {

  private static final String BENCHMARK = AgentOverheadBenchmark.class.getName();
  private static final List<String> BENCHMARKS =
      List.of("executorHop", "completableFutureChain", "parallelStream");

  /**
   * The JVM arguments of every JMH fork, before the configuration's: on JDK 24+, JMH 1.37's own use
   * of {@code sun.misc.Unsafe} is allowed, so that its warning does not fill every log.
   */
  private static final List<String> JMH_JVM_ARGS =
      Runtime.version().feature() >= 24
          ? List.of("--sun-misc-unsafe-memory-access=allow")
          : List.of();

  /** The configuration of {@code --tether-before}: the other build of Tether's agent. */
  static final String BEFORE = "tether-before";

  /** One way of running the JVM: the agent (if any) and its options. */
  record Config(String name, boolean startup, List<String> jvmArgs) {}

  private final Path agents;
  private final Path out;
  private final boolean smoke;
  private final int startupRuns;
  private final int forks;
  private final List<Config> configs;

  private AgentOverheadRunner(
      Path agents, Path out, boolean smoke, int startupRuns, int forks, List<Config> configs) {
    this.agents = agents;
    this.out = out;
    this.smoke = smoke;
    this.startupRuns = startupRuns;
    this.forks = forks;
    this.configs = configs;
  }

  /**
   * Every configuration by name; {@code tether-before} only where {@code tetherBefore} (another
   * build of the agent) is given.
   */
  static Map<String, Config> allConfigs(Path agents, Path tetherBefore) {
    String tether = "-javaagent:" + agents.resolve("tether-agent.jar");
    String otel = "-javaagent:" + agents.resolve("opentelemetry-javaagent.jar");
    Path ttl = agents.resolve("ttl-agent.jar");
    Map<String, Config> all = new LinkedHashMap<>();
    all.put("none", new Config("none", true, List.of()));
    all.put("tether", new Config("tether", true, List.of(tether)));
    if (tetherBefore != null) {
      all.put(BEFORE, new Config(BEFORE, true, List.of("-javaagent:" + tetherBefore)));
    }
    all.put(
        "tether-hook",
        new Config(
            "tether-hook",
            false,
            List.of(tether, "-D" + AgentOverheadBenchmark.NOOP_HOOK_PROPERTY + "=true")));
    all.put(
        "tether-trace",
        new Config(
            "tether-trace",
            false,
            List.of(
                tether
                    + "=trace="
                    + agents.resolveSibling("agent-overhead").resolve("recorded.trace"))));
    all.put(
        "tether-stacks",
        new Config("tether-stacks", false, List.of(tether + "=asyncStackTraces=true")));
    all.put(
        "otel",
        new Config(
            "otel",
            true,
            List.of(
                otel,
                "-Dotel.traces.exporter=none",
                "-Dotel.metrics.exporter=none",
                "-Dotel.logs.exporter=none",
                "-Dotel.javaagent.logging=none")));
    all.put(
        "ttl", new Config("ttl", true, List.of("-Xbootclasspath/a:" + ttl, "-javaagent:" + ttl)));
    return all;
  }

  public static void main(String[] args) throws Exception {
    Path jar =
        Path.of(
            AgentOverheadRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path base = jar.getParent(); // target/, beside benchmarks.jar or classes/
    Path agents = base.resolve("agents");
    Path out = base.resolve("agent-overhead");
    boolean smoke = false;
    boolean startup = true;
    boolean jmh = true;
    Integer startupRuns = null;
    int forks = 1;
    String configNames = null;
    Path tetherBefore = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--smoke" -> smoke = true;
        case "--no-startup" -> startup = false;
        case "--no-jmh" -> jmh = false;
        case "--startup-runs" -> startupRuns = Integer.parseInt(args[++i]);
        case "--forks" -> forks = Integer.parseInt(args[++i]);
        case "--configs" -> configNames = args[++i];
        case "--agents" -> agents = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--tether-before" -> tetherBefore = Path.of(args[++i]).toAbsolutePath().normalize();
        default -> {
          System.err.println(
              "unknown option "
                  + args[i]
                  + "; options: --smoke, --configs LIST,"
                  + " --startup-runs N, --forks N, --no-startup, --no-jmh, --agents DIR, --out DIR,"
                  + " --tether-before JAR");
          System.exit(2);
        }
      }
    }
    agents = agents.toAbsolutePath().normalize();
    for (String name :
        List.of("tether-agent.jar", "opentelemetry-javaagent.jar", "ttl-agent.jar")) {
      if (!Files.isRegularFile(agents.resolve(name))) {
        System.err.println(
            "missing "
                + agents.resolve(name)
                + ": build first (mvn -B -q install -DskipTests), or pass --agents DIR");
        System.exit(2);
      }
    }
    if (tetherBefore != null && !Files.isRegularFile(tetherBefore)) {
      System.err.println("missing " + tetherBefore + " (--tether-before)");
      System.exit(2);
    }
    Map<String, Config> all = allConfigs(agents, tetherBefore);
    List<Config> configs = new ArrayList<>();
    for (String name : configNames == null ? all.keySet() : Arrays.asList(configNames.split(","))) {
      Config config = all.get(name.trim());
      if (config == null) {
        System.err.println("unknown configuration " + name + "; known: " + all.keySet());
        System.exit(2);
      }
      if (!configs.contains(config)) {
        configs.add(config);
      }
    }
    if (tetherBefore != null && !configs.contains(all.get(BEFORE))) {
      // Asking for the other build is asking to compare it: next to tether, where it reads best.
      int tether = configs.indexOf(all.get("tether"));
      configs.add(tether < 0 ? configs.size() : tether + 1, all.get(BEFORE));
    }
    Files.createDirectories(out);
    AgentOverheadRunner runner =
        new AgentOverheadRunner(
            agents,
            out.toAbsolutePath(),
            smoke,
            startupRuns != null ? startupRuns : smoke ? 3 : 10,
            forks,
            configs);
    boolean ok = runner.run(startup, jmh);
    System.exit(ok ? 0 : 1);
  }

  private boolean run(boolean startup, boolean jmh) throws Exception {
    System.out.println(
        "# Agent overhead on "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.home")
            + "), "
            + Runtime.getRuntime().availableProcessors()
            + " CPUs");
    System.out.println(
        "# configurations: "
            + configs.stream()
                .map(c -> c.name() + " " + c.jvmArgs())
                .collect(Collectors.joining("; ")));
    if (smoke) {
      System.out.println(
          "# SMOKE RUN: iterations cut short; the numbers below show only that"
              + " everything runs, they are no measurement");
    }
    System.out.println("# agents: " + agents + "; JMH logs and JSON results: " + out);
    boolean ok = true;
    String startupTable = null;
    if (startup) {
      startupTable = startup();
      ok &= startupTable != null;
    }
    String jmhTables = null;
    if (jmh) {
      jmhTables = jmh();
      ok &= !jmhTables.contains("FAILED");
    }
    System.out.println();
    System.out.println(
        (smoke ? "==== SMOKE RESULTS (not a measurement) ==== " : "==== RESULTS ==== ")
            + "JDK "
            + System.getProperty("java.runtime.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " CPUs");
    if (startupTable != null) {
      System.out.println(startupTable);
    }
    if (jmhTables != null) {
      System.out.println(jmhTables);
    }
    return ok;
  }

  // ---- start-up ----

  /** The start-up table, or null when a configuration failed to run the application. */
  private String startup() throws IOException, InterruptedException {
    List<Config> timed = configs.stream().filter(Config::startup).toList();
    System.out.println();
    System.out.println(
        "# start-up: "
            + startupRuns
            + " timed runs of HelloWorld per configuration,"
            + " alternating, after one untimed run each");
    boolean ok = true;
    for (Config config : timed) {
      Launch launch = launch(config);
      List<String> others =
          launch.output.lines().filter(line -> !line.equals(HelloWorld.GREETING)).toList();
      boolean greeted = launch.output.lines().anyMatch(HelloWorld.GREETING::equals);
      if (launch.exitCode != 0 || !greeted) {
        System.out.println("#   " + config.name() + ": FAILED (exit " + launch.exitCode + "):");
        launch.output.lines().limit(40).forEach(l -> System.out.println("#     " + l));
        ok = false;
      } else if (!others.isEmpty()) {
        System.out.println("#   " + config.name() + " also printed:");
        others.stream().limit(20).forEach(l -> System.out.println("#     " + l));
      }
    }
    if (!ok) {
      return null;
    }
    Map<String, List<Double>> millis = new LinkedHashMap<>();
    Map<String, List<Double>> cpuMillis = new LinkedHashMap<>();
    timed.forEach(c -> millis.put(c.name(), new ArrayList<>()));
    timed.forEach(c -> cpuMillis.put(c.name(), new ArrayList<>()));
    for (int round = 0; round < startupRuns; round++) {
      for (int k = 0; k < timed.size(); k++) {
        Config config = timed.get((round + k) % timed.size()); // a different one first each time
        Launch launch = launch(config);
        if (launch.exitCode != 0) {
          System.out.println("#   " + config.name() + ": exit " + launch.exitCode);
          return null;
        }
        millis.get(config.name()).add(launch.nanos / 1e6);
        cpuMillis.get(config.name()).add(launch.cpuMillis);
      }
      System.out.print(
          round + 1 == startupRuns ? (round + 1) + " rounds done\n" : (round + 1) + " ");
    }
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "Start-up: wall time of `java [agent] -cp benchmarks.jar %s`, %d runs each%n",
            HelloWorld.class.getName(),
            startupRuns));
    table.append(
        String.format(
            Locale.ROOT,
            "%-13s %10s %10s %10s %14s %10s %12s%n",
            "config",
            "median ms",
            "min ms",
            "max ms",
            "median - none",
            "CPU ms",
            "CPU - none"));
    double none = millis.containsKey("none") ? median(millis.get("none")) : Double.NaN;
    double noneCpu = cpuMillis.containsKey("none") ? median(cpuMillis.get("none")) : Double.NaN;
    for (Map.Entry<String, List<Double>> e : millis.entrySet()) {
      List<Double> runs = e.getValue();
      double median = median(runs);
      double cpu = median(cpuMillis.get(e.getKey()));
      table.append(
          String.format(
              Locale.ROOT,
              "%-13s %10.0f %10.0f %10.0f %14s %10s %12s%n",
              e.getKey(),
              median,
              runs.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
              runs.stream().mapToDouble(d -> d).max().orElse(Double.NaN),
              Double.isNaN(none) ? "" : String.format(Locale.ROOT, "%+.0f ms", median - none),
              Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.0f", cpu),
              Double.isNaN(cpu) || Double.isNaN(noneCpu)
                  ? ""
                  : String.format(Locale.ROOT, "%+.0f ms", cpu - noneCpu)));
    }
    if (millis.containsKey("none") && millis.containsKey("tether")) {
      double added = median(millis.get("tether")) - none;
      table.append(
          String.format(
              Locale.ROOT,
              "%s: Tether's agent adds under 300 ms: %s" + " (%+.0f ms)%n",
              targetLabel(),
              added < 300 ? "met" : "NOT met",
              added));
    }
    if (millis.containsKey("tether") && millis.containsKey(BEFORE)) {
      double after = median(millis.get("tether"));
      double before = median(millis.get(BEFORE));
      double cpuAfter = median(cpuMillis.get("tether"));
      double cpuBefore = median(cpuMillis.get(BEFORE));
      table.append(
          String.format(
              Locale.ROOT,
              "%s: Tether's agent adds no more start-up than"
                  + " %s: %s (median %.0f ms against %.0f ms, %+.0f ms; CPU %.0f ms against %.0f ms,"
                  + " %+.0f ms)%n",
              targetLabel(),
              BEFORE,
              after <= before ? "met" : "NOT met",
              after,
              before,
              after - before,
              cpuAfter,
              cpuBefore,
              cpuAfter - cpuBefore));
    }
    return table.toString();
  }

  /** One run: exit code, wall time, CPU time ({@code NaN} where not known), what it printed. */
  private record Launch(int exitCode, long nanos, double cpuMillis, String output) {}

  private Launch launch(Config config) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(config.jvmArgs());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(HelloWorld.class.getName());
    Path output = out.resolve("startup-" + config.name() + ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    double cpuBefore = childrenCpuMillis();
    long start = System.nanoTime();
    Process process = builder.start();
    int exitCode = process.waitFor(); // once it returns, the child is reaped and accounted
    long nanos = System.nanoTime() - start;
    double cpu = childrenCpuMillis() - cpuBefore;
    return new Launch(exitCode, nanos, cpu, Files.readString(output, StandardCharsets.UTF_8));
  }

  /**
   * The CPU time of this process's reaped children so far (cutime + cstime of {@code
   * /proc/self/stat}, in clock ticks of 10 ms: USER_HZ is 100 on Linux), or {@code NaN} where there
   * is no such file. Only the start-up runs are children while it is read.
   */
  private static double childrenCpuMillis() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
      // The fields after the command name, which may hold spaces, in parentheses: from field 3.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10.0;
    } catch (IOException | RuntimeException unavailable) {
      return Double.NaN;
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n == 0
        ? Double.NaN
        : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  // ---- JMH ----

  private String jmh() {
    Map<String, Map<String, Result<?>>> results = new LinkedHashMap<>(); // config -> bench -> r
    Map<String, Map<String, Result<?>>> cpu = new LinkedHashMap<>(); // the same, CPU per op
    Map<String, String> failures = new LinkedHashMap<>();
    int n = 0;
    for (Config config : configs) {
      n++;
      Path log = out.resolve("jmh-" + config.name() + ".log");
      Path json = out.resolve("jmh-" + config.name() + ".json");
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "# JMH [%d/%d] %s: %s (log: %s)%n",
          n,
          configs.size(),
          config.name(),
          config.jvmArgs(),
          log.getFileName());
      ChainedOptionsBuilder options =
          new OptionsBuilder()
              .include(Pattern.quote(BENCHMARK) + "\\.")
              .jvmArgs(JMH_JVM_ARGS.toArray(String[]::new)) // not the runner's own JVM arguments
              .jvmArgsAppend(config.jvmArgs().toArray(String[]::new))
              .forks(forks)
              .shouldFailOnError(true)
              .addProfiler(ProcessCpuProfiler.class)
              .output(log.toString())
              .result(json.toString())
              .resultFormat(ResultFormatType.JSON);
      if (smoke) {
        options
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(200))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200));
      }
      Map<String, Result<?>> byBenchmark = new LinkedHashMap<>();
      Map<String, Result<?>> cpuByBenchmark = new LinkedHashMap<>();
      try {
        Collection<RunResult> run = new Runner(options.build()).run();
        for (RunResult r : run) {
          String label = r.getParams().getBenchmark();
          String bench = label.substring(label.lastIndexOf('.') + 1);
          byBenchmark.put(bench, r.getPrimaryResult());
          Result<?> cpuResult = r.getSecondaryResults().get(ProcessCpuProfiler.LABEL);
          if (cpuResult != null) {
            cpuByBenchmark.put(bench, cpuResult);
          }
        }
      } catch (RunnerException | RuntimeException e) {
        failures.put(config.name(), String.valueOf(e.getMessage()));
        System.out.println("#   FAILED: " + e.getMessage() + "; the end of its log:");
        tail(log, 30).forEach(l -> System.out.println("#     " + l));
      }
      for (String bench : BENCHMARKS) {
        Result<?> r = byBenchmark.get(bench);
        Result<?> c = cpuByBenchmark.get(bench);
        System.out.println(
            "#   "
                + bench
                + ": "
                + (r == null ? "no result" : format(r))
                + (c == null ? "" : " (CPU " + format(c) + " " + c.getScoreUnit() + ")"));
      }
      results.put(config.name(), byBenchmark);
      cpu.put(config.name(), cpuByBenchmark);
    }
    return tables("average time", results, failures)
        + tables("CPU time of the whole JVM per operation", cpu, failures);
  }

  private String tables(
      String what, Map<String, Map<String, Result<?>>> results, Map<String, String> failures) {
    String unit =
        results.values().stream()
            .flatMap(m -> m.values().stream())
            .map(Result::getScoreUnit)
            .findFirst()
            .orElse("us/op");
    StringBuilder t = new StringBuilder();
    t.append(
        String.format(
            Locale.ROOT,
            "%nJMH AgentOverheadBenchmark, %s (%s, lower is" + " better), score ± 99.9%% error%n",
            what,
            unit));
    t.append(String.format(Locale.ROOT, "%-24s", "benchmark"));
    results.keySet().forEach(c -> t.append(String.format(Locale.ROOT, " %20s", c)));
    t.append('\n');
    for (String bench : BENCHMARKS) {
      t.append(String.format(Locale.ROOT, "%-24s", bench));
      for (String config : results.keySet()) {
        Result<?> r = results.get(config).get(bench);
        t.append(
            String.format(
                Locale.ROOT,
                " %20s",
                r != null ? format(r) : failures.containsKey(config) ? "FAILED" : "-"));
      }
      t.append('\n');
    }
    Map<String, Result<?>> none = results.get("none");
    if (none != null && !none.isEmpty()) {
      t.append(String.format(Locale.ROOT, "%n%s relative to no agent (1.00x = none)%n", what));
      t.append(String.format(Locale.ROOT, "%-24s", "benchmark"));
      results.keySet().forEach(c -> t.append(String.format(Locale.ROOT, " %12s", c)));
      t.append('\n');
      for (String bench : BENCHMARKS) {
        t.append(String.format(Locale.ROOT, "%-24s", bench));
        for (String config : results.keySet()) {
          double ratio = ratio(results, config, bench);
          t.append(
              String.format(
                  Locale.ROOT,
                  " %12s",
                  Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio)));
        }
        t.append('\n');
      }
      t.append(targets(what, results));
    }
    failures.forEach((c, m) -> t.append("FAILED: ").append(c).append(": ").append(m).append('\n'));
    return t.toString();
  }

  /** The targets, where the configurations they compare were run. */
  private String targets(String what, Map<String, Map<String, Result<?>>> results) {
    StringBuilder t = new StringBuilder();
    if (results.containsKey("tether")) {
      for (String bench : List.of("executorHop", "completableFutureChain")) {
        double ratio = ratio(results, "tether", bench);
        if (!Double.isNaN(ratio)) {
          t.append(
              String.format(
                  Locale.ROOT,
                  "%s (%s): %s with Tether's agent within 1.10x of no" + " agent: %s (%.2fx)%n",
                  targetLabel(),
                  what,
                  bench,
                  ratio <= 1.10 ? "met" : "NOT met",
                  ratio));
        }
      }
      for (String peer : List.of("otel", "ttl")) {
        if (!results.containsKey(peer)) {
          continue;
        }
        List<String> behind = new ArrayList<>();
        for (String bench : BENCHMARKS) {
          Result<?> tether = results.get("tether").get(bench);
          Result<?> other = results.get(peer).get(bench);
          if (tether != null && other != null && tether.getScore() >= other.getScore()) {
            behind.add(bench);
          }
        }
        t.append(
            String.format(
                Locale.ROOT,
                "%s (%s): Tether's agent ahead of %s: %s%n",
                targetLabel(),
                what,
                peer,
                behind.isEmpty() ? "met" : "NOT met in " + behind));
      }
    }
    return t.toString();
  }

  private String targetLabel() {
    return smoke ? "target (smoke run, meaningless)" : "target";
  }

  private static double ratio(
      Map<String, Map<String, Result<?>>> results, String config, String bench) {
    Result<?> base = results.get("none") == null ? null : results.get("none").get(bench);
    Result<?> r = results.get(config).get(bench);
    return base == null || r == null ? Double.NaN : r.getScore() / base.getScore();
  }

  private static String format(Result<?> r) {
    double error = r.getScoreError();
    return Double.isNaN(error) || error == 0
        ? String.format(Locale.ROOT, "%.2f", r.getScore())
        : String.format(Locale.ROOT, "%.2f ± %.2f", r.getScore(), error);
  }

  private static List<String> tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return List.of("(no log: " + e + ")");
    }
  }
}
