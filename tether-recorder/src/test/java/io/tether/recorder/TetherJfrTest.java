package io.tether.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncExecutors;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.AsyncResource;
import io.tether.internal.Hooks;
import io.tether.testing.NoContextLeft;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Recording;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tether's JFR events recorded in this JVM with {@link Recording} and read back with {@link
 * RecordingFile}, without the agent: a task of a wrapped executor, linked inside {@code
 * REQUEST_ID.run}, and an {@code AsyncResource}. The agent's side ({@code jfr=true} with {@code
 * -XX:StartFlightRecording}, {@code CompletableFuture} chains) is tether-agent's {@code
 * JfrOptionTest}. On JDK 25 and later the request id is contextual: {@code jfr print} shows it on
 * the {@code jdk.ThreadPark} event of the task.
 */
@Timeout(60)
class TetherJfrTest {

  static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST_ID).andNoThreadsLeft();

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  private TetherJfr jfr;

  @AfterEach
  void tearDown() throws Exception {
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    if (jfr != null) {
      jfr.close();
    }
  }

  /** What the task saw: its async id, its thread. */
  private static final class Seen {
    final AtomicLong asyncId = new AtomicLong();
    final AtomicReference<String> thread = new AtomicReference<>();
  }

  /**
   * Records, with every Tether event and {@code jdk.ThreadPark} on: a task that parks for 10 ms,
   * submitted to the wrapped pool inside {@code REQUEST_ID.run("req-1", ...)}; returns the file.
   */
  private Path recordTask(Seen seen, long[] trigger) throws Exception {
    Path file = dir.resolve("task.jfr");
    try (Recording recording = new Recording()) {
      for (String name :
          List.of(JfrFormat.INIT, JfrFormat.RUN, JfrFormat.PROMISE_RESOLVE, JfrFormat.DESTROY)) {
        recording.enable(name);
      }
      recording.enable("jdk.ThreadPark").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      ExecutorService wrapped = AsyncExecutors.wrap(pool);
      trigger[0] = AsyncHooks.executionAsyncId();
      REQUEST_ID.run(
          "req-1",
          () ->
              wrapped.submit(
                  () -> {
                    seen.asyncId.set(AsyncHooks.executionAsyncId());
                    seen.thread.set(Thread.currentThread().getName());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                  }));
      // The task's destroy follows its after on the pool thread: a second task runs after both.
      wrapped.submit(() -> {}).get(10, TimeUnit.SECONDS);
      recording.stop();
      recording.dump(file);
    }
    return file;
  }

  private static List<RecordedEvent> events(Path file, String name) throws Exception {
    return RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .collect(Collectors.toList());
  }

  private static RecordedEvent withId(List<RecordedEvent> events, long asyncId) {
    return events.stream()
        .filter(e -> e.getLong(JfrFormat.ASYNC_ID) == asyncId)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no event with asyncId " + asyncId + ": " + events));
  }

  /** The park of the task: on its thread, parked for at least the 10 ms asked. */
  private static RecordedEvent parkOf(Path file, Seen seen) throws Exception {
    return events(file, "jdk.ThreadPark").stream()
        .filter(e -> e.getThread().getJavaName().equals(seen.thread.get()))
        .filter(e -> e.getDuration().compareTo(Duration.ofMillis(9)) >= 0)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void enable_recordsInitRunAndDestroyOfATask_runBracketingItsWork() throws Exception {
    jfr = TetherJfr.enable();
    Seen seen = new Seen();
    long[] trigger = new long[1];
    Path file = recordTask(seen, trigger);

    long id = seen.asyncId.get();
    RecordedEvent init = withId(events(file, JfrFormat.INIT), id);
    assertThat(init.getString(JfrFormat.TYPE)).isEqualTo("EXECUTOR_TASK");
    assertThat(init.getLong(JfrFormat.TRIGGER_ASYNC_ID)).isEqualTo(trigger[0]);
    assertThat(init.getThread().getJavaName()).isEqualTo(Thread.currentThread().getName());
    assertThat(init.getStackTrace().getFrames())
        .anySatisfy(
            f -> assertThat(f.getMethod().getType().getName()).isEqualTo(getClass().getName()));

    RecordedEvent run = withId(events(file, JfrFormat.RUN), id);
    assertThat(run.getThread().getJavaName()).isEqualTo(seen.thread.get());
    assertThat(run.getFields()).extracting(ValueDescriptor::getName).doesNotContain("requestId");
    RecordedEvent park = parkOf(file, seen);
    assertThat(run.getStartTime()).isBeforeOrEqualTo(park.getStartTime());
    assertThat(run.getEndTime()).isAfterOrEqualTo(park.getEndTime());

    RecordedEvent destroy = withId(events(file, JfrFormat.DESTROY), id);
    assertThat(destroy.getStartTime()).isAfterOrEqualTo(run.getEndTime());
  }

  @Test
  void asyncIds_areRelational() throws Exception {
    jfr = TetherJfr.enable();
    Path file = recordTask(new Seen(), new long[1]);
    RecordedEvent init = events(file, JfrFormat.INIT).get(0);
    for (String field : List.of(JfrFormat.ASYNC_ID, JfrFormat.TRIGGER_ASYNC_ID)) {
      assertThat(relational(init.getEventType().getField(field))).as(field).isTrue();
    }
    for (String event : List.of(JfrFormat.RUN, JfrFormat.DESTROY)) {
      RecordedEvent e = events(file, event).get(0);
      assertThat(relational(e.getEventType().getField(JfrFormat.ASYNC_ID))).as(event).isTrue();
    }
  }

  /** Whether {@code field} has an annotation that is itself annotated {@code @Relational}. */
  private static boolean relational(ValueDescriptor field) {
    return field.getAnnotationElements().stream()
        .anyMatch(
            a ->
                a.getTypeName().equals(JfrFormat.ASYNC_ID_ANNOTATION)
                    && a.getAnnotationElements().stream()
                        .map(AnnotationElement::getTypeName)
                        .anyMatch("jdk.jfr.Relational"::equals));
  }

  @Test
  void enable_withAStorage_recordsItsValueOnTheRun_contextualFromJdk25() throws Exception {
    jfr = TetherJfr.enable(REQUEST_ID);
    assertThat(jfr.contextualFields()).containsExactly("requestId");
    Seen seen = new Seen();
    Path file = recordTask(seen, new long[1]);

    RecordedEvent run = withId(events(file, JfrFormat.RUN), seen.asyncId.get());
    assertThat(run.getString("requestId")).isEqualTo("req-1");
    List<String> annotations =
        run.getEventType().getField("requestId").getAnnotationElements().stream()
            .map(AnnotationElement::getTypeName)
            .collect(Collectors.toList());
    boolean jdk25 = Runtime.version().feature() >= 25;
    assertThat(TetherJfr.contextualSupported()).isEqualTo(jdk25);
    if (!jdk25) {
      assertThat(annotations).doesNotContain("jdk.jfr.Contextual");
      return;
    }
    assertThat(annotations).contains("jdk.jfr.Contextual");
    // The run is in progress around the park, on its thread: what jfr print resolves context by.
    RecordedEvent park = parkOf(file, seen);
    assertThat(run.getThread().getJavaThreadId()).isEqualTo(park.getThread().getJavaThreadId());
    assertThat(run.getStartTime()).isBeforeOrEqualTo(park.getStartTime());
    assertThat(run.getEndTime()).isAfterOrEqualTo(park.getEndTime());
    String printed = jfrPrint(file, "jdk.ThreadPark");
    String parkOfTask =
        List.of(printed.split("\n(?=jdk\\.ThreadPark)")).stream()
            .filter(block -> block.contains("\"" + seen.thread.get() + "\""))
            .filter(block -> block.contains("Context:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no park with context:\n" + printed));
    assertThat(parkOfTask).contains("Context: Run.requestId = \"req-1\"");
  }

  /** {@code jfr print --events EVENT FILE} of this JDK. */
  private static String jfrPrint(Path file, String event) throws Exception {
    Path jfrTool = Path.of(System.getProperty("java.home"), "bin", "jfr");
    Process p =
        new ProcessBuilder(jfrTool.toString(), "print", "--events", event, file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void enableNamed_findsTheStorageOfThatNameInTheRunningContext() throws Exception {
    jfr = TetherJfr.enableNamed("requestId", "tenant");
    assertThat(jfr.contextualFields()).containsExactly("requestId", "tenant");
    Seen seen = new Seen();
    Path file = recordTask(seen, new long[1]);
    RecordedEvent run = withId(events(file, JfrFormat.RUN), seen.asyncId.get());
    assertThat(run.getString("requestId")).isEqualTo("req-1");
    assertThat(run.getString("tenant")).isNull();
  }

  @Test
  void asyncResource_initAndNestedRuns() throws Exception {
    jfr = TetherJfr.enable();
    Path file = dir.resolve("resource.jfr");
    long id;
    try (Recording recording = new Recording()) {
      recording.enable(JfrFormat.INIT);
      recording.enable(JfrFormat.RUN);
      recording.start();
      AsyncResource resource = new AsyncResource("DB_QUERY");
      id = resource.asyncId();
      resource.runInAsyncScope(() -> resource.runInAsyncScope(() -> {}));
      recording.stop();
      recording.dump(file);
    }
    RecordedEvent init = withId(events(file, JfrFormat.INIT), id);
    assertThat(init.getString(JfrFormat.TYPE)).isEqualTo("DB_QUERY");
    assertThat(init.getClass(JfrFormat.RESOURCE_CLASS).getName())
        .isEqualTo(AsyncResource.class.getName());
    List<RecordedEvent> runs =
        events(file, JfrFormat.RUN).stream()
            .filter(e -> e.getLong(JfrFormat.ASYNC_ID) == id)
            .collect(Collectors.toList());
    assertThat(runs).as("a nested run and its outer run").hasSize(2);
  }

  @Test
  void contextLeak_isRecordedAsALeakEvent_withTypesNeverValues() throws Exception {
    jfr = TetherJfr.enable();
    List<io.tether.ContextLeak> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.tether.ContextLeakHandler previous = io.tether.ContextLeaks.setHandler(reported::add);
    io.tether.ContextLeaks.enable(Duration.ofHours(1));
    Path file = dir.resolve("leak.jfr");
    try (Recording recording = new Recording()) {
      recording.enable(JfrFormat.LEAK);
      recording.start();
      io.tether.AsyncSnapshot kept = REQUEST_ID.run("s3cr3t", () -> AsyncLocalStorage.snapshot());
      io.tether.internal.Leaks.checkAfterCollection(
          System.nanoTime() + Duration.ofHours(2).toNanos());
      java.lang.ref.Reference.reachabilityFence(kept);
      recording.stop();
      recording.dump(file);
    } finally {
      io.tether.ContextLeaks.disable();
      io.tether.ContextLeaks.setHandler(previous);
    }

    assertThat(reported).hasSize(1);
    List<RecordedEvent> leaks = events(file, JfrFormat.LEAK);
    assertThat(leaks).hasSize(1);
    RecordedEvent e = leaks.get(0);
    assertThat(e.getLong(JfrFormat.ASYNC_ID)).isEqualTo(reported.get(0).asyncId());
    assertThat(e.getString(JfrFormat.HOLDER)).isEqualTo("snapshot");
    assertThat(e.getString(JfrFormat.HOLDER_CLASS)).isEqualTo("io.tether.AsyncSnapshot");
    assertThat(e.getString(JfrFormat.HOLDER_DETAIL)).isEmpty();
    assertThat(e.getString(JfrFormat.CALL_SITE))
        .startsWith(TetherJfrTest.class.getName() + ".lambda$contextLeak_isRecordedAsALeakEvent_");
    assertThat(e.getString(JfrFormat.HELD))
        .isEqualTo("AsyncLocalStorage(requestId)=java.lang.String");
    assertThat(e.getLong(JfrFormat.HELD_FOR))
        .isGreaterThanOrEqualTo(Duration.ofHours(2).toMillis());
    assertThat(e.getFields().stream().map(ValueDescriptor::getName))
        .containsExactly(
            "startTime",
            "duration",
            "eventThread",
            "stackTrace",
            JfrFormat.ASYNC_ID,
            JfrFormat.HOLDER,
            JfrFormat.HOLDER_CLASS,
            JfrFormat.HOLDER_DETAIL,
            JfrFormat.CALL_SITE,
            JfrFormat.HELD,
            JfrFormat.HELD_FOR);
    assertThat(RecordingFile.readAllEvents(file).toString()).doesNotContain("s3cr3t");
  }

  @Test
  void noRecording_noHookEnabled() throws Exception {
    jfr = TetherJfr.enable(REQUEST_ID);
    assertThat(Hooks.destroyTracked()).as("no recording is running").isFalse();
    try (Recording recording = new Recording()) {
      recording.start();
      assertThat(Hooks.destroyTracked()).as("a recording is running").isTrue();
      recording.stop();
    }
    assertThat(Hooks.destroyTracked()).isFalse();
    jfr.close();
    try (Recording recording = new Recording()) {
      recording.start();
      assertThat(Hooks.destroyTracked()).as("closed").isFalse();
    }
  }

  @Test
  void fieldName_isAJavaIdentifierNamedAfterTheStorage() {
    assertThat(RunEvents.fieldName("requestId")).isEqualTo("requestId");
    assertThat(RunEvents.fieldName("request-id")).isEqualTo("request_id");
    assertThat(RunEvents.fieldName("1st")).isEqualTo("_st");
    assertThat(RunEvents.fieldName("duration")).isEqualTo("duration_");
    assertThatThrownBy(() -> TetherJfr.enable(new AsyncLocalStorage<String>()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a name");
    assertThatThrownBy(() -> TetherJfr.enableNamed("a-b", "a_b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a_b'");
  }
}
