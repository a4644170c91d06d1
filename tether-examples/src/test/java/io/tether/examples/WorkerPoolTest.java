package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncHooks;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class WorkerPoolTest {

  private static final WorkerPool.Task SUM = new WorkerPool.Task(42, 100);

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT =
      NoContextLeft.of(WorkerPool.SUBMITTER).andNoThreadsLeft();

  @Test
  @Timeout(30)
  void run_tenTasks_printsEachInItsSubmittersContextInOrder() throws Exception {
    Output out = new Output();

    WorkerPool.run(out.stream, 2);

    assertThat(out.lines())
        .containsExactlyElementsOf(
            IntStream.range(0, 10)
                .mapToObj(i -> i + " null 142 (store: " + i + ")")
                .collect(Collectors.toList()));
  }

  /** The case Node's version gets wrong: a task that waits in the queue keeps its context. */
  @Test
  @Timeout(30)
  void runTask_moreTasksThanWorkers_queuedCallbacksSeeTheirSubmittersStore() throws Exception {
    int tasks = 50;
    Map<Integer, Object> seen = new ConcurrentHashMap<>();
    Map<Integer, Object> resources = new ConcurrentHashMap<>();
    Map<Integer, String> threads = new ConcurrentHashMap<>();
    CountDownLatch finished = new CountDownLatch(tasks);
    try (WorkerPool pool = new WorkerPool(1)) {
      for (int i = 0; i < tasks; i++) {
        int n = i;
        WorkerPool.SUBMITTER.run(
            i,
            () ->
                pool.runTask(
                    SUM,
                    (err, result) -> {
                      seen.put(n, String.valueOf(WorkerPool.SUBMITTER.getStore()));
                      resources.put(n, AsyncHooks.executionAsyncResource());
                      threads.put(n, Thread.currentThread().getName());
                      finished.countDown();
                    }));
      }
      finished.await();
    }

    for (int i = 0; i < tasks; i++) {
      assertThat(seen).containsEntry(i, String.valueOf(i));
      assertThat(resources.get(i)).isInstanceOf(WorkerPoolTaskInfo.class);
      assertThat(threads.get(i)).startsWith("worker-pool-");
    }
  }

  @Test
  @Timeout(30)
  void runTask_withHook_oneWorkerPoolTaskInfoPerTaskTriggeredBySubmitterAndDestroyed()
      throws Exception {
    int tasks = 10;
    Map<Long, Long> callbackIds = new ConcurrentHashMap<>();
    CountDownLatch finished = new CountDownLatch(tasks);
    long submitter = AsyncHooks.executionAsyncId();
    try (RecordingHook recorder = new RecordingHook().enable();
        WorkerPool pool = new WorkerPool(3)) {
      for (int i = 0; i < tasks; i++) {
        WorkerPool.SUBMITTER.run(
            i,
            () ->
                pool.runTask(
                    SUM,
                    (err, result) -> {
                      callbackIds.put(AsyncHooks.executionAsyncId(), AsyncHooks.triggerAsyncId());
                      finished.countDown();
                    }));
      }
      finished.await();

      assertThat(recorder.idsOfType(WorkerPoolTaskInfo.TYPE))
          .hasSize(tasks)
          .allSatisfy(
              id -> {
                assertThat(recorder.triggerOf(id)).isEqualTo(submitter);
                assertThat(callbackIds).containsEntry(id, submitter);
                assertThat(recorder.awaitDestroy(id)).as("destroy of %d", id).isTrue();
              });
    }
  }

  @Test
  @Timeout(30)
  void runTask_taskThrows_callbackGetsTheErrorInContextAndWorkerIsReplaced() throws Exception {
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicReference<String> success = new AtomicReference<>();
    CountDownLatch failed = new CountDownLatch(1);
    CountDownLatch succeeded = new CountDownLatch(1);
    try (WorkerPool pool = new WorkerPool(1)) {
      Thread first = pool.threads().get(0);
      WorkerPool.SUBMITTER.run(
          1,
          () ->
              pool.runTask(
                  new WorkerPool.Task(Integer.MAX_VALUE, 1),
                  (err, result) -> {
                    failure.set(
                        err.getClass().getSimpleName()
                            + " "
                            + result
                            + " "
                            + WorkerPool.SUBMITTER.getStore());
                    failed.countDown();
                  }));
      failed.await();
      WorkerPool.SUBMITTER.run(
          2,
          () ->
              pool.runTask(
                  new WorkerPool.Task(1, 2),
                  (err, result) -> {
                    success.set(err + " " + result + " " + WorkerPool.SUBMITTER.getStore());
                    succeeded.countDown();
                  }));
      succeeded.await();
      first.join();

      assertThat(pool.threads()).hasSize(1).doesNotContain(first);
    }
    assertThat(failure.get()).isEqualTo("ArithmeticException null 1");
    assertThat(success.get()).isEqualTo("null 3 2");
  }

  /** Node's usage closes the pool from the last callback; here that must not deadlock. */
  @Test
  @Timeout(30)
  void close_fromTheLastCallback_endsEveryWorker() throws Exception {
    WorkerPool pool = new WorkerPool(4);
    List<Thread> workers = pool.threads();
    AtomicInteger finished = new AtomicInteger();
    CountDownLatch closed = new CountDownLatch(1);
    for (int i = 0; i < 10; i++) {
      WorkerPool.SUBMITTER.run(
          i,
          () ->
              pool.runTask(
                  SUM,
                  (err, result) -> {
                    if (finished.incrementAndGet() == 10) {
                      pool.close();
                      closed.countDown();
                    }
                  }));
    }
    closed.await();

    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(worker.isAlive()).as(worker.getName()).isFalse();
    }
    assertThat(pool.threads()).isEmpty();
  }

  @Test
  @Timeout(30)
  void runTask_afterClose_throws() {
    WorkerPool pool = new WorkerPool(1);
    pool.close();

    assertThatThrownBy(() -> pool.runTask(SUM, (err, result) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void constructor_noThreads_throws() {
    assertThatThrownBy(() -> new WorkerPool(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numThreads");
  }
}
