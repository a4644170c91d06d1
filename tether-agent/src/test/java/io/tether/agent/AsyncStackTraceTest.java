package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code asyncStackTraces=true}: an exception escaping a continuation shows, in {@code
 * printStackTrace}, where its work was linked and where the work that linked it was.
 */
@Timeout(120)
class AsyncStackTraceTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");
  private static final String MAIN = AsyncStackMain.class.getName();

  private static String run(String options) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(AsyncStackMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Process p =
        new ProcessBuilder(List.of(java, "-javaagent:" + AGENT + options, "-cp", testClasses, MAIN))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String section(String out, String name) {
    int start = out.indexOf("== " + name);
    int end = out.indexOf("== ", start + 3);
    return out.substring(start, end < 0 ? out.length() : end);
  }

  @Test
  void on_exceptionsCarryTheLinkPointsOfTheirCausalChain() throws Exception {
    String out = run("=asyncStackTraces=true");

    String task = section(out, "task");
    assertThat(task)
        .contains(
            "java.lang.IllegalStateException: task failed",
            "Suppressed: io.tether.AsyncStackTrace: EXECUTOR_TASK#");
    // The failing task was linked in inner(), on a pool thread, by the task linked in outer().
    int inner = task.indexOf("at " + MAIN + ".inner(AsyncStackMain.java:");
    int outer = task.indexOf("at " + MAIN + ".outer(AsyncStackMain.java:");
    assertThat(inner).isPositive();
    assertThat(outer).isGreaterThan(inner);
    assertThat(task.substring(0, inner)).contains("linked on thread pool-");
    assertThat(task.substring(inner, outer)).contains("linked on thread main");

    assertThat(section(out, "future"))
        .contains(
            "java.lang.IllegalArgumentException: stage failed",
            "Suppressed: io.tether.AsyncStackTrace: COMPLETABLE_FUTURE#",
            "at " + MAIN + ".stageTwo(AsyncStackMain.java:");

    assertThat(section(out, "thread"))
        .contains(
            "Exception in thread \"failing\"",
            "java.lang.UnsupportedOperationException: thread failed",
            "Suppressed: io.tether.AsyncStackTrace: THREAD#",
            "at " + MAIN + ".startFailingThread(AsyncStackMain.java:");
  }

  @Test
  void off_exceptionsAreUntouched() throws Exception {
    String out = run("");
    assertThat(out)
        .contains("task failed", "stage failed", "thread failed")
        .doesNotContain("AsyncStackTrace");
  }
}
