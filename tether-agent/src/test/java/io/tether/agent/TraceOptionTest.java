package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.trace.Trace;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trace=FILE}: the agent records every hook event of a JVM of its own; the file is complete
 * on a normal exit, on {@code System.exit} and on SIGTERM, and reads up to its last whole record
 * when the JVM is killed outright.
 */
@Timeout(120)
class TraceOptionTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  @TempDir Path dir;

  private Process start(Path trace, String how) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(TraceMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    return new ProcessBuilder(
            List.of(
                java,
                "-javaagent:" + AGENT + "=trace=" + trace,
                "-cp",
                testClasses,
                TraceMain.class.getName(),
                how))
        .redirectErrorStream(true)
        .start();
  }

  private static String finish(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** The work of {@link TraceMain}: two future stages on a pool, linked from the main thread. */
  private static void assertWorkRecorded(Trace trace) {
    assertThat(trace.resources())
        .extracting(r -> r.type)
        .contains("COMPLETABLE_FUTURE", "EXECUTOR_TASK", "THREAD");
    Trace.Resource supplied =
        trace.resources().stream()
            .filter(r -> r.type.equals("COMPLETABLE_FUTURE") && r.runCount() > 0)
            .findFirst()
            .orElseThrow();
    assertThat(supplied.callSite)
        .startsWith(TraceMain.class.getName() + ".")
        .contains("(TraceMain.java:");
    assertThat(trace.threadNames()).contains("main");
  }

  @Test
  void normalExit_writesACompleteTrace() throws Exception {
    Path file = dir.resolve("normal.trace");
    String out = finish(start(file, "return"));
    assertThat(out).contains("seen traced! submitted");
    Trace trace = Trace.read(file);
    assertThat(trace.complete()).isTrue();
    assertThat(trace.dropped()).isZero();
    assertWorkRecorded(trace);
  }

  @Test
  void systemExit_writesACompleteTrace() throws Exception {
    Path file = dir.resolve("exit.trace");
    Process p = start(file, "exit");
    finish(p);
    assertThat(p.exitValue()).isEqualTo(3);
    Trace trace = Trace.read(file);
    assertThat(trace.complete()).isTrue();
    assertWorkRecorded(trace);
  }

  private static void awaitWaiting(Process p) throws Exception {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null && !line.equals("waiting")) {
      // until the program has done its work
    }
    assertThat(line).isEqualTo("waiting");
  }

  @Test
  void sigterm_writesACompleteTrace() throws Exception {
    Path file = dir.resolve("term.trace");
    Process p = start(file, "wait");
    awaitWaiting(p);
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Trace trace = Trace.read(file);
    assertThat(trace.complete()).isTrue();
    assertWorkRecorded(trace);
  }

  @Test
  void killed_leavesAFileThatReadsToItsLastWholeBlock_withAWarning() throws Exception {
    Path file = dir.resolve("kill.trace");
    Process p = start(file, "wait");
    awaitWaiting(p);
    // The writer writes a block whenever it has caught up: wait until the work is in the file.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Files.size(file) < 200 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    p.destroyForcibly(); // SIGKILL
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Trace trace = Trace.read(file);
    assertThat(trace.complete()).isFalse();
    assertThat(trace.events()).isPositive();
    assertThat(trace.warning()).startsWith("cut short at byte " + Files.size(file) + ": ");
  }

  @Test
  void unwritableTraceFile_isReportedAndTheApplicationRuns() throws Exception {
    Path file = dir.resolve("no-such-dir").resolve("x.trace");
    String out = finish(start(file, "return"));
    assertThat(out)
        .contains("tether-agent: cannot record the trace into " + file, "seen traced! submitted");
    assertThat(new File(file.toString())).doesNotExist();
  }
}
