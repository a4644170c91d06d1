package io.tether.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncExecutors;
import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import io.tether.AsyncResource;
import io.tether.recorder.TraceFormat;
import io.tether.recorder.TraceRecorder;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder writes what the hooks see; the reader reads it back, whole or cut short, and the
 * exports work on what it read. (The recorder's ring, which needs its test gate, is tested in
 * tether-recorder; the command line, in tether-cli.)
 */
@Timeout(30)
class TraceRoundTripTest {

  @TempDir Path dir;

  private final AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
  private ExecutorService pool;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (pool != null) {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(request.getStore()).isNull();
  }

  /** A root resource whose run submits one task to a wrapped pool; returns the file. */
  private Path recordScenario(String name) throws Exception {
    Path file = dir.resolve(name);
    pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
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
      // Destroy is delivered later, on Tether's destroy thread: wait until the recorder's hook,
      // enabled before this one and so called before it, has seen it.
      CountDownLatch destroyed = new CountDownLatch(1);
      AsyncHook after =
          AsyncHooks.createHook(
                  new AsyncHookCallbacks() {
                    @Override
                    public void destroy(long asyncId) {
                      if (asyncId == query.asyncId()) {
                        destroyed.countDown();
                      }
                    }
                  })
              .enable();
      try {
        query.emitDestroy();
        assertThat(destroyed.await(10, TimeUnit.SECONDS)).isTrue();
      } finally {
        after.disable();
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(recorder.dropped()).isZero();
    }
    return file;
  }

  @Test
  void recordsInitBeforeAfterDestroy_withTriggersThreadsAndCallSites() throws Exception {
    Trace trace = Trace.read(recordScenario("scenario.trace"));

    assertThat(trace.complete()).isTrue();
    assertThat(trace.dropped()).isZero();
    Trace.Resource query =
        trace.resources().stream().filter(r -> r.type.equals("DB_QUERY")).findFirst().orElseThrow();
    assertThat(query.callSite)
        .startsWith(TraceRoundTripTest.class.getName() + ".recordScenario(")
        .contains("TraceRoundTripTest.java:");
    assertThat(query.runCount()).isEqualTo(1);
    assertThat(query.destroy).isNotEqualTo(Trace.NONE);
    assertThat(TraceExport.thread(trace, query.initThread))
        .isEqualTo(Thread.currentThread().getName());

    Trace.Resource task =
        trace.resources().stream()
            .filter(r -> r.type.equals("EXECUTOR_TASK"))
            .findFirst()
            .orElseThrow();
    assertThat(task.trigger).isEqualTo(query.id);
    assertThat(task.parent).isSameAs(query);
    assertThat(query.children).contains(task);
    assertThat(task.runCount()).isEqualTo(1);
    assertThat(task.runBefore(0)).isGreaterThanOrEqualTo(task.init);
    assertThat(task.runAfter(0)).isGreaterThanOrEqualTo(task.runBefore(0));
    assertThat(TraceExport.thread(trace, task.runThread(0)))
        .isNotEqualTo(Thread.currentThread().getName());
    assertThat(task.destroy).isGreaterThanOrEqualTo(task.runAfter(0));
    assertThat(trace.events()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void fileCutAtAnyByte_readsUpToItsLastWholeBlock_andSaysWhereItWasCut() throws Exception {
    byte[] whole = Files.readAllBytes(recordScenario("whole.trace"));
    long events = Trace.read(dir.resolve("whole.trace")).events();
    Path cut = dir.resolve("cut.trace");
    long previous = 0;
    for (int length = 0; length < whole.length; length++) {
      Files.write(cut, Arrays.copyOf(whole, length));
      Trace trace = Trace.read(cut);
      assertThat(trace.complete()).as("cut at %d", length).isFalse();
      assertThat(trace.cutShortAt()).as("cut at %d", length).isEqualTo(length);
      assertThat(trace.warning()).startsWith("cut short at byte " + length + ": ");
      assertThat(trace.events()).as("cut at %d", length).isBetween(previous, events);
      previous = trace.events();
    }
    assertThat(previous).isEqualTo(events);
    assertThat(Trace.read(dir.resolve("whole.trace")).warning()).isNull();
  }

  @Test
  void foreignFile_isAnErrorAtOffsetZero() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello, not a trace");
    assertThatThrownBy(() -> Trace.read(text))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage(
            text
                + ": corrupt at byte 0: no TTHRACE or FLR header (not a Tether trace or JFR"
                + " recording)");
  }

  @Test
  void corruptRecord_isAnErrorNamingItsBlock() throws Exception {
    byte[] bytes = Files.readAllBytes(recordScenario("good.trace"));
    int first = TraceFormat.HEADER_LENGTH; // the first block
    bytes[first + TraceFormat.BLOCK_HEADER_LENGTH] = 42; // its first record's kind
    Path bad = dir.resolve("bad.trace");
    Files.write(bad, bytes);
    assertThatThrownBy(() -> Trace.read(bad))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage(bad + ": corrupt at byte " + first + ": a block's checksum does not match")
        .satisfies(e -> assertThat(((TraceFormatException) e).offset()).isEqualTo(first));
  }

  @Test
  void olderFormatVersion_isRefusedNamingTheVersion() throws Exception {
    byte[] bytes = Files.readAllBytes(recordScenario("old.trace"));
    bytes[TraceFormat.magic().length] = 1;
    Path old = dir.resolve("old.trace");
    Files.write(old, bytes);
    assertThatThrownBy(() -> Trace.read(old))
        .isInstanceOf(TraceFormatException.class)
        .hasMessage(
            old
                + ": corrupt at byte 7: trace format version 1, this reader reads version 2"
                + " (record it again with this Tether)");
  }

  @Test
  void tree_nestsEachResourceUnderItsTrigger() throws Exception {
    Trace trace = Trace.read(recordScenario("tree.trace"));
    StringWriter out = new StringWriter();
    TraceExport.tree(trace, out);
    List<String> lines = out.toString().lines().collect(Collectors.toList());
    int query = indexOf(lines, "DB_QUERY#");
    assertThat(lines.get(query))
        .doesNotStartWith(" ")
        .contains("start ", "end ", "duration ", "runs 1");
    assertThat(lines.get(query + 1))
        .startsWith("  EXECUTOR_TASK#")
        .contains(
            "(trigger "
                + trace.resources().stream()
                    .filter(r -> r.type.equals("DB_QUERY"))
                    .findFirst()
                    .orElseThrow()
                    .id
                + ")");
  }

  private static int indexOf(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line starts with " + prefix + " in " + lines);
  }

  @Test
  void chrome_hasASliceAndAFlowPerRun() throws Exception {
    Trace trace = Trace.read(recordScenario("chrome.trace"));
    StringWriter out = new StringWriter();
    TraceExport.chrome(trace, out);
    String json = out.toString();
    long runs = trace.resources().stream().mapToLong(Trace.Resource::runCount).sum();
    assertThat(json).startsWith("{").contains("\"traceEvents\":[").endsWith("]}\n");
    assertThat(count(json, "\"cat\":\"run\",\"ph\":\"X\"")).isEqualTo(runs);
    assertThat(count(json, "\"ph\":\"f\"")).isEqualTo(count(json, "\"ph\":\"s\""));
    assertThat(count(json, "\"ph\":\"b\"")).isEqualTo(count(json, "\"ph\":\"e\""));
    assertThat(json).contains("\"thread_name\"", "DB_QUERY", "EXECUTOR_TASK");
  }

  private static long count(String text, String needle) {
    long n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
