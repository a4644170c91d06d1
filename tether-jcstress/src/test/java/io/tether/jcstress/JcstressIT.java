package io.tether.jcstress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * Runs every jcstress test of this module in the short mode that {@code mvn verify} affords, in a
 * jcstress process of its own (which forks a JVM per test), and reads its results: every test of
 * Tether's classes must pass (no forbidden or unknown outcome, no error), and every {@code Broken}
 * twin must fail, which shows that its test catches the defect the twin carries. The long run is
 * {@code scripts/jcstress.sh}.
 */
class JcstressIT {

  /** Names of the broken twins: a test of Tether's own classes has no other name ending so. */
  private static final String BROKEN = "Broken$";

  private static final String PRODUCTION = "^io\\.tether\\.(?!.*Broken$)";

  /**
   * The JVM options given here, not every configuration jcstress detects (interpreter, C1, C2, C2
   * stressed, each actor compiled apart): the short run's time goes to iterations, three of the
   * mode's time (200 ms for quick) per test. jcstress still runs them with biased locking on and
   * off where the JDK has it (17). The serial collector keeps GC threads off the CPUs the actors
   * need.
   */
  private static final List<String> SHORT_RUN =
      List.of("-iters", "3", "-sc", "false", "-pth", "false", "-jvmArgs", "-XX:+UseSerialGC");

  private final String mode = System.getProperty("tether.jcstress.mode", "quick");
  private final Path dir = Paths.get(System.getProperty("tether.jcstress.dir", "target/jcstress"));

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void productionClasses_passEveryTest() throws Exception {
    Map<String, TestResult> results = run("production", PRODUCTION);
    List<String> failed = new ArrayList<>();
    results.forEach(
        (name, r) -> {
          if (r.status() == Status.NORMAL && r.grading().isPassed) {
            return;
          }
          failed.add(
              name + ": " + r.status() + " " + r.grading().failureMessages + r.getMessages());
        });
    assertThat(failed).as("tests that failed (see %s)", dir.resolve("production")).isEmpty();
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void brokenTwins_failEveryTest() throws Exception {
    Map<String, TestResult> results = run("broken", BROKEN);
    List<String> passed = new ArrayList<>();
    results.forEach(
        (name, r) -> {
          if (!(r.status() == Status.NORMAL && !r.grading().isPassed)) {
            passed.add(name + ": " + r.status() + " " + r.getCounter());
          }
        });
    assertThat(passed)
        .as("broken twins that jcstress did not catch (see %s)", dir.resolve("broken"))
        .isEmpty();
  }

  /**
   * Runs the tests whose name matches {@code filter} in a jcstress process, working in {@code
   * dir/name}, and returns their results by test name; every matching test must have one.
   */
  private Map<String, TestResult> run(String name, String filter)
      throws IOException, InterruptedException, ClassNotFoundException {
    List<String> expected =
        TestList.tests().stream()
            .filter(t -> Pattern.compile(filter).matcher(t).find())
            .sorted()
            .collect(Collectors.toList());
    assertThat(expected).as("jcstress tests matching %s", filter).isNotEmpty();

    if (!List.of("sanity", "quick", "default", "tough", "stress").contains(mode)) {
      throw new IllegalArgumentException(
          "tether.jcstress.mode must be sanity, quick, default, tough or stress, was " + mode);
    }
    Path work = dir.resolve(name);
    Files.createDirectories(work);
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 22) {
      // jcstress's JNA (CPU affinity) loads its native library: allowed, rather than warned about.
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("org.openjdk.jcstress.Main");
    command.addAll(List.of("-m", mode));
    command.addAll(SHORT_RUN);
    command.addAll(List.of("-t", filter, "-r", work.resolve("report").toString()));
    Path log = work.resolve("jcstress.log");
    Process process =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    int status = process.waitFor();

    Path blob;
    try (Stream<Path> files = Files.list(work)) {
      blob =
          files
              .filter(f -> f.getFileName().toString().endsWith(".bin.gz"))
              .max(Path::compareTo)
              .orElseThrow(() -> new AssertionError("jcstress wrote no results; see " + log));
    }
    InProcessCollector collector = new InProcessCollector();
    DiskReadCollector reader = new DiskReadCollector(blob.toString(), collector);
    reader.dump();
    reader.close();
    Map<String, TestResult> byName = new TreeMap<>();
    for (TestResult r : collector.getTestResults()) {
      TestResult seen = byName.get(r.getName());
      // One result per fork: a test fails when any of its forks does.
      if (seen == null || seen.grading().isPassed) {
        byName.put(r.getName(), r);
      }
    }
    assertThat(byName.keySet()).as("tests with results (see %s)", log).containsAll(expected);
    // jcstress exits with 1 when a test failed (and only then): the broken run's failures.
    boolean anyFailed = byName.values().stream().anyMatch(r -> !r.grading().isPassed);
    assertThat(status).as("jcstress exit status (see %s)", log).isEqualTo(anyFailed ? 1 : 0);
    return byName;
  }
}
