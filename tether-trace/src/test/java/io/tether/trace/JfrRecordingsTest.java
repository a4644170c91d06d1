package io.tether.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncExecutors;
import io.tether.AsyncLocalStorage;
import io.tether.AsyncResource;
import io.tether.AsyncSnapshot;
import io.tether.ContextLeak;
import io.tether.ContextLeakHandler;
import io.tether.ContextLeaks;
import io.tether.internal.Leaks;
import io.tether.recorder.JfrFormat;
import io.tether.recorder.TetherJfr;
import java.io.StringWriter;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JDK Flight Recorder recording with Tether's events reads into the same model as a trace file,
 * so the report and the exports work on it; the recording is made in this JVM ({@link TetherJfr}
 * and {@link Recording}), with the JDK's own events beside Tether's.
 */
@Timeout(60)
class JfrRecordingsTest {

  @TempDir Path dir;

  private final AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
  private final ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(request.getStore()).isNull();
  }

  /** A root resource whose run submits one task to a wrapped pool and waits for it. */
  private Path record() throws Exception {
    Path file = dir.resolve("app.jfr");
    TetherJfr jfr = TetherJfr.enable(request);
    try (Recording recording = new Recording(jdk.jfr.Configuration.getConfiguration("default"))) {
      recording.start();
      AsyncResource query = new AsyncResource("DB_QUERY");
      request.run(
          "r1",
          () ->
              query.runInAsyncScope(
                  () -> {
                    try {
                      pool.submit(() -> request.getStore()).get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    return null;
                  }));
      pool.submit(() -> {}).get(10, TimeUnit.SECONDS); // the first task's destroy is in by now
      recording.stop();
      recording.dump(file);
    } finally {
      jfr.close();
    }
    return file;
  }

  @Test
  void read_aRecording_resourcesRunsAndCallSites() throws Exception {
    Trace trace = Trace.read(record());

    assertThat(trace.complete()).isTrue();
    assertThat(trace.dropped()).isZero();
    Trace.Resource query =
        trace.resources().stream().filter(r -> r.type.equals("DB_QUERY")).findFirst().get();
    assertThat(query.callSite).startsWith(getClass().getName() + ".record(line ");
    assertThat(query.runCount()).isEqualTo(1);
    Trace.Resource task =
        query.children.stream().filter(r -> r.type.equals("EXECUTOR_TASK")).findFirst().get();
    assertThat(task.trigger).isEqualTo(query.id);
    assertThat(task.runCount()).isEqualTo(1);
    assertThat(task.runBefore(0)).isGreaterThanOrEqualTo(task.init);
    assertThat(task.runAfter(0)).isGreaterThanOrEqualTo(task.runBefore(0));
    assertThat(task.runBefore(0))
        .as("the task runs inside the query's run")
        .isBetween(query.runBefore(0), query.runAfter(0));
    assertThat(trace.threadNames().get(task.runThread(0))).startsWith("pool-");
    assertThat(task.destroy).isGreaterThanOrEqualTo(task.runAfter(0));
    assertThat(trace.events()).isGreaterThanOrEqualTo(2 + 2 + 2 + 2 + 1);
    assertThat(trace.startEpochMillis()).isPositive();
  }

  @Test
  void read_aRecordingWithALeakReport_makesNoResourceOfIt() throws Exception {
    ContextLeakHandler previous = ContextLeaks.setHandler(leak -> {});
    ContextLeaks.enable(Duration.ofHours(1));
    Path file = dir.resolve("leak.jfr");
    TetherJfr jfr = TetherJfr.enable();
    long leakId;
    try {
      // Captured before the recording: its init is not in it, its leak report is.
      AsyncSnapshot kept = request.run("r1", () -> AsyncLocalStorage.snapshot());
      try (Recording recording = new Recording()) {
        recording.enable(JfrFormat.LEAK);
        recording.start();
        List<ContextLeak> leaks =
            Leaks.checkAfterCollection(System.nanoTime() + Duration.ofHours(2).toNanos());
        assertThat(leaks).hasSize(1);
        leakId = leaks.get(0).asyncId();
        Reference.reachabilityFence(kept);
        recording.stop();
        recording.dump(file);
      }
    } finally {
      jfr.close();
      ContextLeaks.disable();
      ContextLeaks.setHandler(previous);
    }
    assertThat(RecordingFile.readAllEvents(file))
        .filteredOn(e -> e.getEventType().getName().equals(JfrFormat.LEAK))
        .hasSize(1);

    assertThat(Trace.read(file).resource(leakId)).isNull();
  }

  @Test
  void reportAndExports_workOnARecording() throws Exception {
    Trace trace = Trace.read(record());
    StringWriter html = new StringWriter();
    HtmlReport.write(trace, html);
    assertThat(html.toString()).contains("DB_QUERY", "EXECUTOR_TASK");
    StringWriter tree = new StringWriter();
    TraceExport.tree(trace, tree);
    assertThat(tree.toString()).contains("DB_QUERY#", "EXECUTOR_TASK#");
  }

  @Test
  void read_jfrMagicThenGarbage_isAFormatErrorNamingTheFile() throws Exception {
    Path file = dir.resolve("broken.jfr");
    byte[] bytes = Arrays.copyOf(JfrFormat.magic(), 64);
    Files.write(file, bytes);
    assertThatThrownBy(() -> Trace.read(file))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageStartingWith(file + ": not a JFR recording that can be read");
  }
}
