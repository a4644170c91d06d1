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
import org.junit.jupiter.api.BeforeAll;
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

  /** Every test of this module, broken twins included: one jcstress run for both checks. */
  private static final String ALL = "^io\\.tether\\.";

  /** Names of the broken twins: a test of Tether's own classes has no other name ending so. */
  private static final String BROKEN = "Broken";

  /**
   * The JVM options given here, not every configuration jcstress detects (interpreter, C1, C2, C2
   * stressed, each actor compiled apart): the short run's time goes to iterations, three of the
   * mode's time (200 ms for quick) per test. jcstress still runs them with biased locking on and
   * off where the JDK has it (17). The serial collector keeps GC threads off the CPUs the actors
   * need.
   */
  private static final List<String> SHORT_RUN =
      List.of("-iters", "3", "-sc", "false", "-pth", "false", "-jvmArgs", "-XX:+UseSerialGC");

  private static final String MODE = System.getProperty("tether.jcstress.mode", "quick");
  private static final Path DIR =
      Paths.get(System.getProperty("tether.jcstress.dir", "target/jcstress"));

  /** The results of the run, by test name. */
  private static Map<String, TestResult> results;

  @BeforeAll
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  static void runEveryTest() throws Exception {
    results = run(ALL);
  }

  @Test
  void productionClasses_passEveryTest() {
    List<String> tested = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    results.forEach(
        (name, r) -> {
          if (name.endsWith(BROKEN)) {
            return;
          }
          tested.add(name);
          if (r.status() != Status.NORMAL || !r.grading().isPassed) {
            failed.add(
                name + ": " + r.status() + " " + r.grading().failureMessages + r.getMessages());
          }
        });
    assertThat(tested).as("tests of Tether's classes").isNotEmpty();
    assertThat(failed).as("tests that failed (see %s)", DIR).isEmpty();
  }

  @Test
  void brokenTwins_failEveryTest() {
    List<String> tested = new ArrayList<>();
    List<String> passed = new ArrayList<>();
    results.forEach(
        (name, r) -> {
          if (!name.endsWith(BROKEN)) {
            return;
          }
          tested.add(name);
          if (r.status() != Status.NORMAL || r.grading().isPassed) {
            passed.add(name + ": " + r.status() + " " + r.getCounter());
          }
        });
    assertThat(tested).as("broken twins").isNotEmpty();
    assertThat(passed).as("broken twins that jcstress did not catch (see %s)", DIR).isEmpty();
  }

  /**
   * Runs the tests whose name matches {@code filter} in a jcstress process, working in {@link
   * #DIR}, and returns their results by test name; every matching test must have one.
   */
  private static Map<String, TestResult> run(String filter)
      throws IOException, InterruptedException, ClassNotFoundException {
    assertThat(JcstressIT.class.getResource(TestList.LIST))
        .as("jcstress's list of tests (%s): its generator did not run", TestList.LIST)
        .isNotNull();
    List<String> expected =
        TestList.tests().stream()
            .filter(t -> Pattern.compile(filter).matcher(t).find())
            .sorted()
            .collect(Collectors.toList());
    assertThat(expected).as("jcstress tests matching %s", filter).isNotEmpty();

    if (!List.of("sanity", "quick", "default", "tough", "stress").contains(MODE)) {
      throw new IllegalArgumentException(
          "tether.jcstress.mode must be sanity, quick, default, tough or stress, was " + MODE);
    }
    Path work = DIR;
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
    command.addAll(List.of("-m", MODE));
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
    // jcstress exits with 1 when a test failed (and only then): the broken twins' failures.
    boolean anyFailed = byName.values().stream().anyMatch(r -> !r.grading().isPassed);
    assertThat(status).as("jcstress exit status (see %s)", log).isEqualTo(anyFailed ? 1 : 0);
    return byName;
  }
}
