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

  /**
   * Threads record into buffers of their own, which the writer takes one after another, so a
   * resource run on several threads at once has its befores and afters in the file in any order
   * between threads: each run is still the before and after of one thread, and the runs and the
   * resources are read back in time order.
   */
  @Test
  void threadsRecordingAtOnce_everyEventReadBack_runsPairedByThread() throws Exception {
    Path file = dir.resolve("threads.trace");
    int threads = 4;
    int each = 300;
    AsyncResource shared = new AsyncResource("SHARED");
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
    List<Long> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TraceRecorder recorder = TraceRecorder.start(file, 1 << 12)) {
      Thread[] started = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        started[t] =
            new Thread(
                () -> {
                  for (int i = 0; i < each; i++) {
                    AsyncResource own = new AsyncResource("OWN");
                    ids.add(own.asyncId());
                    own.runInAsyncScope(() -> null);
                  }
                  // All four inside a run of the same resource at once, then out one by one.
                  shared.runInAsyncScope(
                      () -> {
                        try {
                          together.await(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                          throw new IllegalStateException(e);
                        }
                        return null;
                      });
                },
                "recording-" + t);
        started[t].start();
      }
      for (Thread t : started) {
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(t.isAlive()).isFalse();
      }
      assertThat(recorder.dropped()).isZero();
    }
    Trace trace = Trace.read(file);
    assertThat(trace.complete()).isTrue();
    assertThat(ids).hasSize(threads * each);
    for (long id : ids) {
      Trace.Resource r = trace.resource(id);
      assertThat(r.type).isEqualTo("OWN");
      assertThat(r.runCount()).as("runs of %s", id).isEqualTo(1);
      assertThat(r.runThread(0)).isEqualTo(r.initThread);
      assertThat(r.runAfter(0)).isGreaterThanOrEqualTo(r.runBefore(0));
    }
    Trace.Resource runTogether = trace.resource(shared.asyncId());
    assertThat(runTogether.runCount()).isEqualTo(threads);
    java.util.Set<Integer> runThreads = new java.util.HashSet<>();
    for (int i = 0; i < threads; i++) {
      runThreads.add(runTogether.runThread(i));
      assertThat(TraceExport.thread(trace, runTogether.runThread(i))).startsWith("recording-");
      assertThat(runTogether.runAfter(i)).isGreaterThanOrEqualTo(runTogether.runBefore(i));
      if (i > 0) {
        assertThat(runTogether.runBefore(i)).isGreaterThanOrEqualTo(runTogether.runBefore(i - 1));
      }
    }
    assertThat(runThreads).as("one run on each thread").hasSize(threads);
    long previous = Long.MIN_VALUE;
    for (Trace.Resource r : trace.resources()) {
      if (r.init != Trace.NONE) {
        assertThat(r.init)
            .as("resources in the order of their init")
            .isGreaterThanOrEqualTo(previous);
        previous = r.init;
      }
    }
  }

  /**
   * The file as the writer leaves it when it takes one thread's buffer after another: a later
   * thread's events before an earlier one's, and a resource's runs on two threads interleaved.
   */
  @Test
  void eventsOfThreadsOutOfTimeOrder_readInTimeOrder_eachAfterEndingItsThreadsRun()
      throws Exception {
    Path file = dir.resolve("out-of-order.trace");
    try (TraceFiles t = new TraceFiles(file)) {
      int first = t.thread("first");
      int second = t.thread("second");
      // The writer's first pass: the second thread's buffer, then the first's.
      t.init(3, 1, "LATER", second, 110, "app.Main.later(Main.java:2)");
      t.init(2, 1, "EARLIER", first, 100, "app.Main.earlier(Main.java:1)");
      t.event(TraceFormat.BEFORE, 2, first, 120);
      // Its second pass: the second thread began a run of the same resource.
      t.event(TraceFormat.BEFORE, 2, second, 150);
      // Its third: the first thread's run ended, then the second's.
      t.event(TraceFormat.AFTER, 2, first, 200);
      t.event(TraceFormat.AFTER, 2, second, 300);
      t.end(6);
    }
    Trace trace = Trace.read(file);
    assertThat(trace.resources().stream().map(r -> r.type)).containsExactly("EARLIER", "LATER");
    Trace.Resource r = trace.resource(2);
    assertThat(r.runCount()).isEqualTo(2);
    assertThat(TraceExport.thread(trace, r.runThread(0))).isEqualTo("first");
    assertThat(new long[] {r.runBefore(0), r.runAfter(0)}).containsExactly(120, 200);
    assertThat(TraceExport.thread(trace, r.runThread(1))).isEqualTo("second");
    assertThat(new long[] {r.runBefore(1), r.runAfter(1)}).containsExactly(150, 300);
  }

  /**
   * Fifty short-lived threads, one task each: virtual threads on JDK 21 and later (they share one
   * ring: a buffer each would cost memory by the million), platform threads before (a buffer each,
   * forgotten once the thread ended). Every event is read back.
   */
  @Test
  void shortLivedThreads_virtualWhereTheJdkHasThem_everyEventRecorded() throws Exception {
    Path file = dir.resolve("short-lived.trace");
    List<Long> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TraceRecorder recorder = TraceRecorder.start(file)) {
      Runnable work =
          () -> {
            AsyncResource own = new AsyncResource("SHORT_LIVED");
            ids.add(own.asyncId());
            own.runInAsyncScope(() -> null);
          };
      List<Thread> started = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        if (Runtime.version().feature() >= 21) {
          started.add(
              (Thread)
                  Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, work));
        } else {
          Thread t = new Thread(work);
          t.start();
          started.add(t);
        }
      }
      for (Thread t : started) {
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(t.isAlive()).isFalse();
      }
      assertThat(recorder.dropped()).isZero();
    }
    Trace trace = Trace.read(file);
    assertThat(ids).hasSize(50);
    for (long id : ids) {
      Trace.Resource r = trace.resource(id);
      assertThat(r.type).isEqualTo("SHORT_LIVED");
      assertThat(r.runCount()).isEqualTo(1);
      assertThat(r.runThread(0)).isEqualTo(r.initThread);
    }
  }

  private static long count(String text, String needle) {
    long n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
