package io.tether;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.internal.ExecutionState;
import io.tether.internal.Frame;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(20)
class AsyncExecutorsTest {

  private final AsyncLocalStorage<String> als = new AsyncLocalStorage<>("als");
  private final RecordingHook recorder = new RecordingHook();
  private final List<ExecutorService> pools = new ArrayList<>();

  private <E extends ExecutorService> E track(E pool) {
    pools.add(pool);
    return pool;
  }

  @AfterEach
  void shutdown() throws InterruptedException {
    recorder.disable();
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void execute_plainExecutor_runsInSubmitterContextWithHookEvents() throws Exception {
    // A hand-written executor with its own thread and queue.
    BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(16);
    Thread worker =
        new Thread(
            () -> {
              try {
                while (true) {
                  queue.take().run();
                }
              } catch (InterruptedException e) {
                // done
              }
            });
    worker.start();
    try {
      Executor executor = AsyncExecutors.wrap((Executor) queue::add);
      recorder.enable();
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(2);
      long[] ids = new long[2];
      als.run(
          "first",
          () ->
              executor.execute(
                  () -> {
                    seen.add(als.getStore());
                    ids[0] = AsyncHooks.executionAsyncId();
                    done.countDown();
                  }));
      als.run(
          "second",
          () ->
              executor.execute(
                  () -> {
                    seen.add(als.getStore());
                    ids[1] = AsyncHooks.executionAsyncId();
                    done.countDown();
                  }));
      Waits.await(done);
      assertThat(seen).containsExactly("first", "second");
      assertThat(recorder.idsOfType(ResourceTypes.EXECUTOR_TASK)).containsExactly(ids[0], ids[1]);
      assertThat(recorder.awaitDestroy(ids[1], 5000)).isTrue();
      assertThat(recorder.eventsOf(ids[0])).containsExactly("init", "before", "after", "destroy");
      assertThat(recorder.events()).contains("init " + ids[0] + " EXECUTOR_TASK 1");
    } finally {
      worker.interrupt();
      worker.join();
    }
  }

  @Test
  void submit_callableRunnableAndResult_allCarryContext() throws Exception {
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newFixedThreadPool(2)));
    AtomicLong seen = new AtomicLong();
    Future<String> callable = als.run("c", () -> pool.submit(als::getStore));
    Future<?> runnable =
        als.run(
            "r",
            () ->
                pool.submit(
                    () -> {
                      assertThat(als.getStore()).isEqualTo("r");
                      seen.incrementAndGet();
                    }));
    Future<String> withResult =
        als.run(
            "w",
            () ->
                pool.submit(
                    () -> {
                      assertThat(als.getStore()).isEqualTo("w");
                      seen.incrementAndGet();
                    },
                    "result"));
    assertThat(callable.get(5, TimeUnit.SECONDS)).isEqualTo("c");
    runnable.get(5, TimeUnit.SECONDS);
    assertThat(withResult.get(5, TimeUnit.SECONDS)).isEqualTo("result");
    assertThat(seen).hasValue(2);
  }

  @Test
  void invokeAllAndInvokeAny_carryContext() throws Exception {
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newFixedThreadPool(2)));
    List<Callable<String>> tasks = List.of(als::getStore, () -> als.getStore() + "!");
    List<Future<String>> all = als.call("all", () -> pool.invokeAll(tasks));
    assertThat(all.get(0).get()).isEqualTo("all");
    assertThat(all.get(1).get()).isEqualTo("all!");
    List<Future<String>> timed =
        als.call("timed", () -> pool.invokeAll(tasks, 5, TimeUnit.SECONDS));
    assertThat(timed.get(0).get()).isEqualTo("timed");
    List<Callable<String>> one = List.of(als::getStore);
    String any = als.call("any", () -> pool.invokeAny(one));
    assertThat(any).isEqualTo("any");
    String anyTimed = als.call("anyt", () -> pool.invokeAny(one, 5, TimeUnit.SECONDS));
    assertThat(anyTimed).isEqualTo("anyt");
  }

  @Test
  void submit_poolThreadCarriesNoContextBetweenTasks() throws Exception {
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newSingleThreadExecutor()));
    als.run("first", () -> pool.submit(() -> als.enterWith("entered in task")));
    assertThat(pool.submit(als::getStore).get(5, TimeUnit.SECONDS)).isNull();
    Callable<Boolean> clean =
        () ->
            ExecutionState.current().frame == Frame.EMPTY
                && ExecutionState.current().depth() == 1
                && AsyncHooks.executionAsyncId() != 0;
    assertThat(pool.submit(clean).get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void sameTaskSubmittedTwiceUnderTwoContexts_runsEachTimeInItsOwn() throws Exception {
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newFixedThreadPool(2)));
    List<String> seen = new CopyOnWriteArrayList<>();
    Runnable task = () -> seen.add(als.getStore());
    Future<?> a = als.run("A", () -> pool.submit(task));
    Future<?> b = als.run("B", () -> pool.submit(task));
    a.get(5, TimeUnit.SECONDS);
    b.get(5, TimeUnit.SECONDS);
    assertThat(seen).containsExactlyInAnyOrder("A", "B");
  }

  @Test
  void shutdownNow_returnsTheApplicationsOwnTasks() throws Exception {
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newSingleThreadExecutor()));
    CountDownLatch blocking = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    pool.execute(
        () -> {
          started.countDown();
          try {
            blocking.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    Waits.await(started);
    Runnable mine = () -> {};
    Runnable alsoMine = () -> {};
    als.run(
        "queued",
        () -> {
          pool.execute(mine);
          pool.execute(alsoMine);
        });
    List<Runnable> pending = pool.shutdownNow();
    assertThat(pending).containsExactly(mine, alsoMine);
    assertThat(pool.isShutdown()).isTrue();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.isTerminated()).isTrue();
  }

  @Test
  void rejectedTask_isDestroyedAndTheRejectionPropagates() throws Exception {
    recorder.enable();
    ThreadPoolExecutor raw =
        new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1));
    ExecutorService pool = track(AsyncExecutors.wrap(raw));
    CountDownLatch blocking = new CountDownLatch(1);
    pool.execute(
        () -> {
          try {
            blocking.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    pool.execute(() -> {});
    assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    blocking.countDown();
    List<Long> ids = recorder.idsOfType(ResourceTypes.EXECUTOR_TASK);
    assertThat(ids).hasSize(4);
    assertThat(recorder.awaitDestroy(ids.get(2), 5000)).isTrue();
    assertThat(recorder.eventsOf(ids.get(2))).containsExactly("init", "destroy");
    assertThat(recorder.awaitDestroy(ids.get(3), 5000)).isTrue();
    assertThat(recorder.eventsOf(ids.get(3))).containsExactly("init", "destroy");
  }

  @Test
  void schedule_oneShotRunnableAndCallable_runInSchedulingContext() throws Exception {
    ScheduledExecutorService ses = track(AsyncExecutors.wrap(Executors.newScheduledThreadPool(1)));
    recorder.enable();
    ScheduledFuture<String> callable =
        als.run("callable", () -> ses.schedule(als::getStore, 1, TimeUnit.MILLISECONDS));
    CountDownLatch ran = new CountDownLatch(1);
    String[] seen = new String[1];
    als.run(
        "runnable",
        () ->
            ses.schedule(
                () -> {
                  seen[0] = als.getStore();
                  ran.countDown();
                },
                1,
                TimeUnit.MILLISECONDS));
    assertThat(callable.get(5, TimeUnit.SECONDS)).isEqualTo("callable");
    Waits.await(ran);
    assertThat(seen[0]).isEqualTo("runnable");
    List<Long> ids = recorder.idsOfType(ResourceTypes.SCHEDULED_TASK);
    assertThat(ids).hasSize(2);
    assertThat(recorder.awaitDestroy(ids.get(1), 5000)).isTrue();
    assertThat(recorder.eventsOf(ids.get(0))).containsExactly("init", "before", "after", "destroy");
  }

  @Test
  void scheduleAtFixedRate_eachRunInSchedulingContext_destroyAfterCancel() throws Exception {
    ScheduledExecutorService ses = track(AsyncExecutors.wrap(Executors.newScheduledThreadPool(2)));
    recorder.enable();
    List<String> seen = new CopyOnWriteArrayList<>();
    List<Long> ids = new CopyOnWriteArrayList<>();
    CountDownLatch threeRuns = new CountDownLatch(3);
    ScheduledFuture<?> periodic =
        als.run(
            "periodic",
            () ->
                ses.scheduleAtFixedRate(
                    () -> {
                      seen.add(als.getStore());
                      ids.add(AsyncHooks.executionAsyncId());
                      als.enterWith("clobbered by a run");
                      threeRuns.countDown();
                    },
                    0,
                    1,
                    TimeUnit.MILLISECONDS));
    Waits.await(threeRuns);
    assertThat(periodic.cancel(false)).isTrue();
    assertThat(periodic.isCancelled()).isTrue();
    long id = ids.get(0);
    assertThat(recorder.awaitDestroy(id, 5000)).isTrue();
    assertThat(seen).allMatch("periodic"::equals);
    assertThat(ids).allMatch(i -> i == id);
    List<String> events = recorder.eventsOf(id);
    assertThat(events.get(0)).isEqualTo("init");
    assertThat(events.get(events.size() - 1)).isEqualTo("destroy");
    assertThat(events.stream().filter("before"::equals).count())
        .isEqualTo(events.stream().filter("after"::equals).count())
        .isGreaterThanOrEqualTo(3);
  }

  /** Cancelled while a run is in progress: destroy waits for that run's {@code after}. */
  @Test
  void scheduleAtFixedRate_cancelledDuringARun_destroyFollowsTheRunsAfter() throws Exception {
    ScheduledExecutorService ses = track(AsyncExecutors.wrap(Executors.newScheduledThreadPool(1)));
    recorder.enable();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong id = new AtomicLong();
    ScheduledFuture<?> periodic =
        als.run(
            "periodic",
            () ->
                ses.scheduleAtFixedRate(
                    () -> {
                      if (id.compareAndSet(0, AsyncHooks.executionAsyncId())) {
                        running.countDown();
                        Waits.await(release);
                      }
                    },
                    0,
                    1,
                    TimeUnit.MILLISECONDS));
    Waits.await(running);
    assertThat(periodic.cancel(false)).isTrue();
    assertThat(recorder.eventsOf(id.get()))
        .as("no destroy while the run is in progress")
        .doesNotContain("destroy");
    release.countDown();
    assertThat(recorder.awaitDestroy(id.get(), 5000)).isTrue();
    assertThat(recorder.eventsOf(id.get())).containsExactly("init", "before", "after", "destroy");
  }

  @Test
  void scheduleWithFixedDelay_taskThatThrowsEndsAndIsDestroyed() throws Exception {
    ScheduledExecutorService ses = track(AsyncExecutors.wrap(Executors.newScheduledThreadPool(1)));
    recorder.enable();
    AtomicLong id = new AtomicLong();
    ScheduledFuture<?> f =
        als.run(
            "delay",
            () ->
                ses.scheduleWithFixedDelay(
                    () -> {
                      id.set(AsyncHooks.executionAsyncId());
                      assertThat(als.getStore()).isEqualTo("delay");
                      throw new IllegalStateException("stop");
                    },
                    0,
                    1,
                    TimeUnit.MILLISECONDS));
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(recorder.awaitDestroy(id.get(), 5000)).isTrue();
    assertThat(recorder.eventsOf(id.get())).containsExactly("init", "before", "after", "destroy");
  }

  @Test
  void wrap_alreadyWrapped_isReturnedUnchanged_andTypesArePreserved() {
    ExecutorService pool = track(Executors.newSingleThreadExecutor());
    ExecutorService wrapped = AsyncExecutors.wrap(pool);
    assertThat(AsyncExecutors.wrap(wrapped)).isSameAs(wrapped);
    assertThat(AsyncExecutors.wrap((Executor) wrapped)).isSameAs(wrapped);
    ScheduledExecutorService ses = track(Executors.newSingleThreadScheduledExecutor());
    assertThat(AsyncExecutors.wrap((Executor) ses)).isInstanceOf(ScheduledExecutorService.class);
    assertThat(AsyncExecutors.wrap((ExecutorService) ses))
        .isInstanceOf(ScheduledExecutorService.class);
    assertThat(wrapped.toString()).contains("AsyncExecutors.wrap");
  }

  @Test
  void invalidArguments_namedInMessage() {
    assertThatThrownBy(() -> AsyncExecutors.wrap((Executor) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("executor");
    assertThatThrownBy(() -> AsyncExecutors.wrap((ExecutorService) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("executor");
    assertThatThrownBy(() -> AsyncExecutors.wrap((ScheduledExecutorService) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("executor");
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newSingleThreadExecutor()));
    assertThatThrownBy(() -> pool.execute(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("command");
    assertThatThrownBy(() -> pool.submit((Callable<?>) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("task");
  }

  @Test
  void exceptionInTask_reachesFutureUnchanged_contextRestored() throws Exception {
    ExecutorService pool = track(AsyncExecutors.wrap(Executors.newSingleThreadExecutor()));
    IllegalStateException boom = new IllegalStateException("boom");
    Future<?> f =
        als.run(
            "x",
            () ->
                pool.submit(
                    () -> {
                      throw boom;
                    }));
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCause(boom);
    assertThat(pool.submit(als::getStore).get(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void uncaughtExceptionHandler_seesTheTaskContext() throws Exception {
    java.util.concurrent.CompletableFuture<String> handlerSaw =
        new java.util.concurrent.CompletableFuture<>();
    ExecutorService raw =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r);
              t.setUncaughtExceptionHandler(
                  (thread, e) ->
                      handlerSaw.complete(e.getMessage() + " after task: " + als.getStore()));
              return t;
            });
    ExecutorService pool = track(AsyncExecutors.wrap(raw));
    als.run(
        "ctx",
        () ->
            pool.execute(
                () -> {
                  throw new IllegalStateException("escaped");
                }));
    // The handler runs after the task's continuation ended: the context is already restored.
    assertThat(handlerSaw.get(5, TimeUnit.SECONDS)).isEqualTo("escaped after task: null");
  }
}
