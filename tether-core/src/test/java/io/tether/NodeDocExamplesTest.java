package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every example of Node's {@code async_context.md}, translated to Java, asserting what the document
 * says it prints or returns. {@code setImmediate}/{@code setTimeout} become tasks on a wrapped
 * scheduled executor; HTTP requests become tasks on a wrapped pool (the real HTTP server version is
 * in tether-examples).
 */
@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(10)
class NodeDocExamplesTest {

  private final ScheduledExecutorService timers =
      AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());

  @AfterEach
  void shutdown() throws InterruptedException {
    timers.shutdownNow();
    assertThat(timers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void requestLogger_printsStartAndFinishWithEachRequestsId() throws Exception {
    AsyncLocalStorage<Integer> asyncLocalStorage = new AsyncLocalStorage<>();
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    ExecutorService server = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    int[] idSeq = {0};
    Runnable logStart =
        () -> {
          Integer id = asyncLocalStorage.getStore();
          out.add((id != null ? id : "-") + ": start");
        };
    BiConsumer<String, CountDownLatch> handler =
        (req, res) ->
            asyncLocalStorage.run(
                idSeq[0]++,
                () -> {
                  logStart.run();
                  timers.execute(
                      () -> {
                        Integer id = asyncLocalStorage.getStore();
                        out.add((id != null ? id : "-") + ": finish");
                        res.countDown();
                      });
                });
    try {
      for (int i = 0; i < 2; i++) {
        CountDownLatch res = new CountDownLatch(1);
        server.execute(() -> handler.accept("GET /", res));
        Waits.await(res);
      }
    } finally {
      server.shutdown();
    }
    assertThat(out).containsExactly("0: start", "0: finish", "1: start", "1: finish");
  }

  @Test
  void snapshot_returns123() {
    AsyncLocalStorage<Integer> asyncLocalStorage = new AsyncLocalStorage<>();
    AsyncSnapshot runInAsyncScope = asyncLocalStorage.run(123, () -> AsyncLocalStorage.snapshot());
    Integer result =
        asyncLocalStorage.run(321, () -> runInAsyncScope.run(asyncLocalStorage::getStore));
    assertThat(result).isEqualTo(123);
  }

  @Test
  void enterWith_storeFollowsSyncAndAsyncContinuation() throws Exception {
    AsyncLocalStorage<Map<String, Integer>> asyncLocalStorage = new AsyncLocalStorage<>();
    Map<String, Integer> store = Map.of("id", 1);
    CompletableFuture<Map<String, Integer>> inAsync = new CompletableFuture<>();
    new AsyncResource("script")
        .runInAsyncScope(
            () -> {
              asyncLocalStorage.enterWith(store);
              assertThat(asyncLocalStorage.getStore()).isSameAs(store);
              timers.execute(() -> inAsync.complete(asyncLocalStorage.getStore()));
            });
    assertThat(inAsync.get(5, TimeUnit.SECONDS)).isSameAs(store);
  }

  @Test
  void enterWith_inEventHandler_lastsForTheRestOfTheSynchronousEmit() {
    AsyncLocalStorage<Map<String, Integer>> asyncLocalStorage = new AsyncLocalStorage<>();
    Map<String, Integer> store = Map.of("id", 1);
    Map<String, List<Runnable>> listeners = new LinkedHashMap<>();
    listeners
        .computeIfAbsent("my-event", k -> new ArrayList<>())
        .add(() -> asyncLocalStorage.enterWith(store));
    List<Object> seen = new ArrayList<>();
    listeners.get("my-event").add(() -> seen.add(asyncLocalStorage.getStore()));
    new AsyncResource("script")
        .runInAsyncScope(
            () -> {
              seen.add(asyncLocalStorage.getStore());
              listeners.get("my-event").forEach(Runnable::run); // emitter.emit('my-event')
              seen.add(asyncLocalStorage.getStore());
            });
    assertThat(seen).containsExactly(null, store, store);
  }

  @Test
  void run_storeInsideAndInTimeout_undefinedInCatch() throws Exception {
    AsyncLocalStorage<Map<String, Integer>> asyncLocalStorage = new AsyncLocalStorage<>();
    Map<String, Integer> store = Map.of("id", 2);
    CompletableFuture<Map<String, Integer>> inTimeout = new CompletableFuture<>();
    Object inCatch = "not reached";
    try {
      asyncLocalStorage.run(
          store,
          () -> {
            assertThat(asyncLocalStorage.getStore()).isSameAs(store);
            timers.schedule(
                () -> inTimeout.complete(asyncLocalStorage.getStore()), 200, TimeUnit.MILLISECONDS);
            throw new RuntimeException();
          });
    } catch (RuntimeException e) {
      inCatch = asyncLocalStorage.getStore();
    }
    assertThat(inCatch).isNull();
    assertThat(inTimeout.get(5, TimeUnit.SECONDS)).isSameAs(store);
  }

  @Test
  void exit_undefinedInsideThrowsAndReenters() {
    AsyncLocalStorage<String> asyncLocalStorage = new AsyncLocalStorage<>();
    asyncLocalStorage.run(
        "store",
        () -> {
          Object inCatch = null;
          try {
            assertThat(asyncLocalStorage.getStore()).isEqualTo("store");
            asyncLocalStorage.exit(
                (Runnable)
                    () -> {
                      assertThat(asyncLocalStorage.getStore()).isNull();
                      throw new RuntimeException();
                    });
          } catch (RuntimeException e) {
            inCatch = asyncLocalStorage.getStore();
          }
          assertThat(inCatch).isEqualTo("store");
        });
  }

  @Test
  void asyncResourceOverview_idsAndScope() {
    RecordingHook recorder = new RecordingHook().enable();
    try {
      AsyncResource asyncResource = new AsyncResource("type", AsyncHooks.executionAsyncId(), false);
      long[] inScope = new long[1];
      asyncResource.runInAsyncScope(() -> inScope[0] = AsyncHooks.executionAsyncId());
      asyncResource.emitDestroy();
      assertThat(inScope[0]).isEqualTo(asyncResource.asyncId());
      assertThat(asyncResource.triggerAsyncId()).isEqualTo(1);
      assertThat(recorder.eventsOf(asyncResource.asyncId()).subList(0, 3))
          .containsExactly("init", "before", "after");
    } finally {
      recorder.disable();
    }
  }

  /** The WorkerPool example: each callback runs in the context of the runTask call. */
  @Test
  void workerPool_callbacksSeeTheirSubmittersContext() throws Exception {
    AsyncLocalStorage<Integer> als = new AsyncLocalStorage<>();
    final class WorkerPoolTaskInfo extends AsyncResource {
      private final BiConsumer<Throwable, Integer> callback;

      WorkerPoolTaskInfo(BiConsumer<Throwable, Integer> callback) {
        super("WorkerPoolTaskInfo");
        this.callback = callback;
      }

      void done(Throwable err, Integer result) {
        runInAsyncScope(() -> callback.accept(err, result));
        emitDestroy();
      }
    }
    java.util.concurrent.LinkedBlockingQueue<Object[]> inbox =
        new java.util.concurrent.LinkedBlockingQueue<>();
    // One raw worker thread: it knows nothing of contexts, as a worker_thread knows nothing.
    Thread worker =
        new Thread(
            () -> {
              try {
                while (true) {
                  Object[] msg = inbox.take();
                  int[] task = (int[]) msg[0];
                  ((WorkerPoolTaskInfo) msg[1]).done(null, task[0] + task[1]);
                }
              } catch (InterruptedException e) {
                // closed
              }
            });
    worker.start();
    List<String> printed = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch finished = new CountDownLatch(10);
    try {
      for (int i = 0; i < 10; i++) {
        int n = i;
        als.run(
            n,
            () ->
                inbox.add(
                    new Object[] {
                      new int[] {42, 100},
                      new WorkerPoolTaskInfo(
                          (err, result) -> {
                            printed.add(n + " " + err + " " + result + " ctx=" + als.getStore());
                            finished.countDown();
                          })
                    }));
      }
      Waits.await(finished);
    } finally {
      worker.interrupt();
      worker.join();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(i + " null 142 ctx=" + i);
    }
    assertThat(printed).containsExactlyElementsOf(expected);
  }
}
