package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.ResourceTypes;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import io.tether.testing.Waits;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Thread.start, Thread subclasses, hand-written executors and java.util.Timer. */
@ExtendWith(AgentAttached.class)
@Timeout(20)
class ThreadBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  @Test
  void threadStart_runsInStartersContext_withThreadResource() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      String[] seen = new String[1];
      long[] ids = new long[2];
      Thread t =
          new Thread(
              () -> {
                seen[0] = REQUEST.getStore();
                ids[0] = AsyncHooks.executionAsyncId();
                ids[1] = AsyncHooks.triggerAsyncId();
              });
      REQUEST.run("starter", t::start);
      t.join();
      assertThat(seen[0]).isEqualTo("starter");
      assertThat(recorder.idsOfTypeFromThisThread(ResourceTypes.THREAD)).containsExactly(ids[0]);
      assertThat(ids[1]).isEqualTo(AsyncHooks.executionAsyncId());
      assertThat(recorder.awaitDestroy(ids[0])).isTrue();
      assertThat(recorder.eventsOf(ids[0])).containsExactly("init", "before", "after", "destroy");
    }
  }

  @Test
  void threadSubclassOverridingRun_runsInStartersContextOnce() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    class Worker extends Thread {
      @Override
      public void run() {
        seen.add(String.valueOf(REQUEST.getStore()));
        super.run();
      }
    }
    Worker w = new Worker();
    REQUEST.run("subclass", w::start);
    w.join();
    assertThat(seen).containsExactly("subclass");
  }

  @Test
  void threadRunCalledDirectly_runsInCallersContext() {
    Thread t = new Thread(() -> assertThat(REQUEST.getStore()).isEqualTo("direct"));
    REQUEST.run("direct", t::run);
  }

  @Test
  void uncaughtExceptionHandler_seesTheThreadsContext() throws Exception {
    CompletableFuture<String> saw = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              throw new IllegalStateException("escaped");
            });
    t.setUncaughtExceptionHandler((thread, e) -> saw.complete(REQUEST.getStore()));
    REQUEST.run("thread ctx", t::start);
    t.join();
    assertThat(saw.get(5, TimeUnit.SECONDS)).isEqualTo("thread ctx");
  }

  /** A hand-written executor with its own queue and thread, as a third-party one would be. */
  static final class QueueExecutor implements Executor {
    final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    final Thread worker =
        new Thread(
            () -> {
              try {
                while (true) {
                  queue.take().run();
                }
              } catch (InterruptedException e) {
                // closed
              }
            });

    QueueExecutor() {
      worker.start();
    }

    @Override
    public void execute(Runnable command) {
      queue.add(command);
    }
  }

  @Test
  void handWrittenExecutor_runsTasksInSubmitterContext() throws Exception {
    QueueExecutor executor = new QueueExecutor();
    try {
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(2);
      REQUEST.run(
          "one",
          () ->
              executor.execute(
                  () -> {
                    seen.add(REQUEST.getStore());
                    done.countDown();
                  }));
      REQUEST.run(
          "two",
          () ->
              executor.execute(
                  () -> {
                    seen.add(REQUEST.getStore());
                    done.countDown();
                  }));
      Waits.await(done);
      assertThat(seen).containsExactly("one", "two");
    } finally {
      executor.worker.interrupt();
      executor.worker.join();
    }
  }

  @Test
  void timer_oneShotAndPeriodic_runInSchedulingContext_cancelEnds() throws Exception {
    Timer timer = REQUEST.run("timer creator", () -> new Timer(true));
    try (RecordingHook recorder = new RecordingHook().enable()) {
      CompletableFuture<String> once = new CompletableFuture<>();
      REQUEST.run(
          "once",
          () ->
              timer.schedule(
                  new TimerTask() {
                    @Override
                    public void run() {
                      once.complete(REQUEST.getStore());
                    }
                  },
                  1));
      assertThat(once.get(5, TimeUnit.SECONDS)).isEqualTo("once");
      List<String> seen = new CopyOnWriteArrayList<>();
      List<Long> ids = new CopyOnWriteArrayList<>();
      CountDownLatch three = new CountDownLatch(3);
      TimerTask periodic =
          new TimerTask() {
            @Override
            public void run() {
              seen.add(REQUEST.getStore());
              ids.add(AsyncHooks.executionAsyncId());
              three.countDown();
            }
          };
      REQUEST.run("periodic", () -> timer.scheduleAtFixedRate(periodic, 0, 1));
      Waits.await(three);
      assertThat(periodic.cancel()).isTrue();
      assertThat(seen).allMatch("periodic"::equals);
      long id = ids.get(0);
      assertThat(recorder.idsOfTypeFromThisThread(ResourceTypes.TIMER_TASK)).contains(id);
      assertThat(recorder.awaitDestroy(id)).isTrue();
    } finally {
      timer.cancel();
    }
    // The timer's own thread was created in a context but pins none of it.
    Timer other = new Timer(true);
    try {
      CompletableFuture<String> fresh = new CompletableFuture<>();
      other.schedule(
          new TimerTask() {
            @Override
            public void run() {
              fresh.complete(String.valueOf(REQUEST.getStore()));
            }
          },
          1);
      assertThat(fresh.get(5, TimeUnit.SECONDS)).isEqualTo("null");
    } finally {
      other.cancel();
    }
  }
}
