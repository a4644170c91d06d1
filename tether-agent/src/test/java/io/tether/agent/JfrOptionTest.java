package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.AnnotationElement;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jfr=true} / {@code jfrContext=NAME}: a JVM of its own started with {@code
 * -XX:StartFlightRecording} (before the agent) and the agent records Tether's events beside the
 * JDK's; read back with {@link RecordingFile}. On JDK 25 and later the request id is a contextual
 * field of the run around the task's park.
 */
@Timeout(120)
class JfrOptionTest {

  private static final String AGENT =
      System.getProperty("tether.agent.jar", "target/tether-agent.jar");

  @TempDir Path dir;

  private String run(Path recording, String options) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testClasses =
        Path.of(JfrMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-XX:StartFlightRecording=filename=" + recording,
                    "-javaagent:" + AGENT + "=" + options,
                    "-cp",
                    testClasses,
                    JfrMain.class.getName()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** The program's {@code key value...} lines. */
  private static Map<String, String[]> printed(String out) {
    Map<String, String[]> lines = new HashMap<>();
    for (String line : out.split("\\R")) {
      String[] words = line.split(" ");
      lines.put(words[0], words);
    }
    return lines;
  }

  private static List<RecordedEvent> events(List<RecordedEvent> all, String name, long asyncId) {
    return all.stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .filter(e -> e.getLong("asyncId") == asyncId)
        .collect(Collectors.toList());
  }

  @Test
  void jfrContext_recordsTasksAndFutureStages_withTheRequestIdOnTheirRuns() throws Exception {
    Path file = dir.resolve("app.jfr");
    Map<String, String[]> seen = printed(run(file, "jfrContext=requestId"));
    List<RecordedEvent> all = RecordingFile.readAllEvents(file);

    long task = Long.parseLong(seen.get("task")[1]);
    String taskThread = seen.get("task")[2];
    // The call site, as the agent numbered the application's call: the line of pool.submit.
    String site = "io\\.tether\\.agent\\.JfrMain\\.lambda\\$main\\$\\d+\\(JfrMain\\.java:\\d+\\)";
    assertThat(events(all, "io.tether.Init", task))
        .singleElement()
        .satisfies(e -> assertThat(e.getString("type")).isEqualTo("EXECUTOR_TASK"))
        .satisfies(e -> assertThat(e.getString("callSite")).matches(site));
    RecordedEvent run = events(all, "io.tether.Run", task).get(0);
    assertThat(run.getThread().getJavaName()).isEqualTo(taskThread);
    assertThat(run.getString("requestId")).isEqualTo("req-1");
    assertThat(events(all, "io.tether.Destroy", task)).hasSize(1);

    long supplied = Long.parseLong(seen.get("supplied")[1]);
    assertThat(events(all, "io.tether.Init", supplied))
        .singleElement()
        .satisfies(e -> assertThat(e.getString("type")).isEqualTo("COMPLETABLE_FUTURE"))
        .satisfies(e -> assertThat(e.getString("callSite")).matches(site));
    assertThat(events(all, "io.tether.PromiseResolve", supplied)).hasSize(1);
    long stage = Long.parseLong(seen.get("stage")[1]);
    RecordedEvent stageInit = events(all, "io.tether.Init", stage).get(0);
    assertThat(stageInit.getLong("triggerAsyncId")).isEqualTo(supplied);
    RecordedEvent stageRun = events(all, "io.tether.Run", stage).get(0);
    assertThat(stageRun.getString("requestId")).isEqualTo("req-2");
    assertThat(stageRun.getThread().getJavaName()).isEqualTo(seen.get("stage")[2]);

    // The JDK's park of the task, recorded while its run was in progress on its thread.
    RecordedEvent park =
        all.stream()
            .filter(e -> e.getEventType().getName().equals("jdk.ThreadPark"))
            .filter(e -> e.getThread().getJavaName().equals(taskThread))
            .findFirst()
            .orElseThrow();
    assertThat(run.getStartTime()).isBeforeOrEqualTo(park.getStartTime());
    assertThat(run.getEndTime()).isAfterOrEqualTo(park.getEndTime());
    List<String> annotations =
        run.getEventType().getField("requestId").getAnnotationElements().stream()
            .map(AnnotationElement::getTypeName)
            .collect(Collectors.toList());
    if (Runtime.version().feature() >= 25) {
      assertThat(annotations).contains("jdk.jfr.Contextual");
    } else {
      assertThat(annotations).doesNotContain("jdk.jfr.Contextual");
    }
  }

  @Test
  void jfrOff_noTetherEvents() throws Exception {
    Path file = dir.resolve("off.jfr");
    run(file, "");
    assertThat(RecordingFile.readAllEvents(file))
        .noneMatch(e -> e.getEventType().getName().startsWith("io.tether."));
  }
}
