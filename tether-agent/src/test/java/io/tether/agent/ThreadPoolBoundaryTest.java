package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncHooks;
import io.tether.ResourceTypes;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ThreadPoolExecutor and ScheduledThreadPoolExecutor, unwrapped, under the agent. */
@ExtendWith(AgentAttached.class)
@Timeout(20)
class ThreadPoolBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final List<ExecutorService> pools = new ArrayList<>();

  private <E extends ExecutorService> E track(E pool) {
    pools.add(pool);
    return pool;
  }

  @AfterEach
  void shutdown() throws InterruptedException {
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void executeAndSubmit_runInSubmitterContext() throws Exception {
    ExecutorService pool = track(Executors.newFixedThreadPool(2));
    Future<String> a = REQUEST.run("a", () -> pool.submit(REQUEST::getStore));
    Future<String> b = REQUEST.run("b", () -> pool.submit(REQUEST::getStore));
    CompletableFuture<String> c = new CompletableFuture<>();
    REQUEST.run("c", () -> pool.execute(() -> c.complete(REQUEST.getStore())));
    assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("b");
    assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo("c");
    assertThat(pool.submit(REQUEST::getStore).get(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void hooks_executorTaskInitBeforeAfterDestroy_triggeredBySubmitter() throws Exception {
    ExecutorService pool = track(Executors.newSingleThreadExecutor());
    try (RecordingHook recorder = new RecordingHook().enable()) {
      long[] ids = new long[2];
      pool.submit(
              () -> {
                ids[0] = AsyncHooks.executionAsyncId();
                ids[1] = AsyncHooks.triggerAsyncId();
              })
          .get(5, TimeUnit.SECONDS);
      List<Long> tasks = recorder.idsOfTypeFromThisThread(ResourceTypes.EXECUTOR_TASK);
      assertThat(tasks).containsExactly(ids[0]);
      assertThat(ids[1]).isEqualTo(AsyncHooks.executionAsyncId());
      assertThat(recorder.awaitDestroy(ids[0])).isTrue();
      assertThat(recorder.eventsOf(ids[0])).containsExactly("init", "before", "after", "destroy");
    }
  }

  @Test
  void workerThreads_startEmpty_evenWhenCreatedBySubmissionInAContext() throws Exception {
    ExecutorService pool = track(Executors.newCachedThreadPool());
    CountDownLatch release = new CountDownLatch(1);
    REQUEST.run(
        "creator",
        () ->
            pool.execute(
                () -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    // A second worker is created by a submission with no context: it must see none.
    assertThat(pool.submit(REQUEST::getStore).get(5, TimeUnit.SECONDS)).isNull();
    release.countDown();
  }

  @Test
  void taskIdentity_queueHooksRemoveAndShutdownNow_seeApplicationsTasks() throws Exception {
    List<Runnable> before = new CopyOnWriteArrayList<>();
    List<Runnable> after = new CopyOnWriteArrayList<>();
    ThreadPoolExecutor pool =
        track(
            new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
              @Override
              protected void beforeExecute(Thread t, Runnable r) {
                before.add(r);
              }

              @Override
              protected void afterExecute(Runnable r, Throwable t) {
                after.add(r);
              }
            });
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Runnable blocker =
        () -> {
          started.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Runnable queued = () -> {};
    Runnable removed = () -> {};
    Runnable drained = () -> {};
    REQUEST.run(
        "ctx",
        () -> {
          pool.execute(blocker);
          pool.execute(queued);
          pool.execute(removed);
          pool.execute(drained);
        });
    Waits.await(started);
    assertThat(AgentTests.applicationTasks(pool.getQueue()))
        .containsExactly(queued, removed, drained);
    assertThat(pool.remove(removed)).isTrue();
    release.countDown();
    assertThat(before).startsWith(blocker);
    List<Runnable> left = pool.shutdownNow();
    assertThat(AgentTests.applicationTasks(left)).isSubsetOf(queued, drained);
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(after).contains(blocker);
  }

  @Test
  void rejectionHandler_seesApplicationsTask_andRejectionPropagates() throws Exception {
    List<Runnable> rejected = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    ThreadPoolExecutor pool =
        track(
            new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1),
                (r, executor) -> {
                  rejected.add(r);
                  throw new RejectedExecutionException("full");
                }));
    pool.execute(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    pool.execute(() -> {});
    Runnable third = () -> {};
    assertThatThrownBy(() -> REQUEST.run("rejected", () -> pool.execute(third)))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(AgentTests.applicationTasks(rejected)).containsExactly(third);
    release.countDown();
  }

  @Test
  void callerRunsPolicy_taskRunByCallerLinksWhatItSubmits() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ThreadPoolExecutor full =
        track(
            new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.CallerRunsPolicy()));
    ExecutorService other = track(Executors.newSingleThreadExecutor());
    full.execute(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    full.execute(() -> {});
    CompletableFuture<Future<String>> submitted = new CompletableFuture<>();
    REQUEST.run(
        "caller runs",
        () -> full.execute(() -> submitted.complete(other.submit(REQUEST::getStore))));
    release.countDown();
    assertThat(submitted.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS))
        .isEqualTo("caller runs");
  }

  @Test
  void sameTaskSubmittedTwiceUnderTwoContexts_runsEachTimeInItsOwn() throws Exception {
    ExecutorService pool = track(Executors.newSingleThreadExecutor());
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(2);
    Runnable task =
        () -> {
          seen.add(REQUEST.getStore());
          done.countDown();
        };
    REQUEST.run("first", () -> pool.execute(task));
    REQUEST.run("second", () -> pool.execute(task));
    Waits.await(done);
    assertThat(seen).containsExactly("first", "second");
  }

  @Test
  void futureCancel_seesApplicationsFuture_cancelledTaskNeverRuns() throws Exception {
    ExecutorService pool = track(Executors.newSingleThreadExecutor());
    CountDownLatch release = new CountDownLatch(1);
    pool.execute(
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    List<String> ran = new CopyOnWriteArrayList<>();
    Future<?> cancelled = REQUEST.run("cancelled", () -> pool.submit(() -> ran.add("ran")));
    assertThat(cancelled.cancel(false)).isTrue();
    release.countDown();
    assertThat(pool.submit(REQUEST::getStore).get(5, TimeUnit.SECONDS)).isNull();
    assertThat(ran).isEmpty();
  }

  @Test
  void uncaughtExceptionHandler_seesTheFailingTasksContext() throws Exception {
    CompletableFuture<String> handlerSaw = new CompletableFuture<>();
    ExecutorService pool =
        track(
            Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r);
                  t.setUncaughtExceptionHandler(
                      (thread, e) ->
                          handlerSaw.complete(e.getMessage() + "@" + REQUEST.getStore()));
                  return t;
                }));
    REQUEST.run(
        "failing",
        () ->
            pool.execute(
                () -> {
                  throw new IllegalStateException("escaped");
                }));
    assertThat(handlerSaw.get(5, TimeUnit.SECONDS)).isEqualTo("escaped@failing");
    // The replacement worker starts empty.
    assertThat(pool.submit(REQUEST::getStore).get(5, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void scheduled_oneShotAndPeriodic_eachRunInSchedulingContext() throws Exception {
    ScheduledExecutorService ses = track(Executors.newScheduledThreadPool(1));
    try (RecordingHook recorder = new RecordingHook().enable()) {
      ScheduledFuture<String> once =
          REQUEST.run("once", () -> ses.schedule(REQUEST::getStore, 1, TimeUnit.MILLISECONDS));
      assertThat(once.get(5, TimeUnit.SECONDS)).isEqualTo("once");
      List<String> seen = new CopyOnWriteArrayList<>();
      List<Long> ids = new CopyOnWriteArrayList<>();
      CountDownLatch three = new CountDownLatch(3);
      ScheduledFuture<?> periodic =
          REQUEST.run(
              "periodic",
              () ->
                  ses.scheduleAtFixedRate(
                      () -> {
                        seen.add(REQUEST.getStore());
                        ids.add(AsyncHooks.executionAsyncId());
                        REQUEST.enterWith("clobbered inside a run");
                        three.countDown();
                      },
                      0,
                      1,
                      TimeUnit.MILLISECONDS));
      Waits.await(three);
      assertThat(periodic.cancel(false)).isTrue();
      assertThat(seen).allMatch("periodic"::equals);
      long id = ids.get(0);
      assertThat(ids).allMatch(i -> i == id);
      assertThat(recorder.idsOfTypeFromThisThread(ResourceTypes.SCHEDULED_TASK)).contains(id);
      assertThat(recorder.awaitDestroy(id)).isTrue();
      List<String> events = recorder.eventsOf(id);
      assertThat(events.get(0)).isEqualTo("init");
      assertThat(events.get(events.size() - 1)).isEqualTo("destroy");
    }
  }
}
