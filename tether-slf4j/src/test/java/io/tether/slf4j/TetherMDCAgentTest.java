package io.tether.slf4j;

import static io.tether.testing.Waits.await;
import static io.tether.testing.Waits.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The MDC across the agent's boundaries: plain JDK pools, futures and threads, no wrapping. */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class TetherMDCAgentTest {

  private static final Logger LOG = LoggerFactory.getLogger(TetherMDCAgentTest.class);
  private static final Logger ASYNC_LOG = LoggerFactory.getLogger("async");
  private static ExecutorService pool;

  @BeforeAll
  static void install() {
    TetherMDC.install();
    pool = Executors.newFixedThreadPool(2); // plain: only the agent carries context into it
  }

  @AfterAll
  static void shutdown() throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void leavesNoContextBehind() {
    Map<String, String> left = TetherMDCAdapter.VALUES.getStore();
    MDC.clear();
    assertThat(left).as("MDC left behind").isNull();
    CapturingAppender.assertNoMoreLines("LINES");
    CapturingAppender.assertNoMoreLines("ASYNC_LINES");
  }

  @Test
  void put_isPrintedInAPlainThreadPoolTask() {
    TetherMDC.run(
        "requestId",
        "r1",
        () -> {
          MDC.put("requestId", "r2");
          join(pool.submit(() -> LOG.info("task")));
          join(pool.submit(() -> join(pool.submit(() -> LOG.info("nested")))));
        });
    join(pool.submit(() -> LOG.info("outside")));

    assertThat(take(3)).containsExactly("r2 task", "r2 nested", "none outside");
  }

  @Test
  void put_isPrintedInCompletableFutureStages() throws Exception {
    String result =
        TetherMDC.call(
            "requestId",
            "r1",
            () -> {
              CountDownLatch sourceMayComplete = new CountDownLatch(1);
              CompletableFuture<String> chain =
                  CompletableFuture.supplyAsync(
                          () -> {
                            await(sourceMayComplete); // the stage below is registered before this
                            // completes
                            LOG.info("supplyAsync");
                            return MDC.get("requestId");
                          })
                      .thenApply(
                          id -> {
                            LOG.info("thenApply");
                            return id + ":" + MDC.get("requestId");
                          });
              sourceMayComplete.countDown();
              return chain.join();
            });

    assertThat(result).isEqualTo("r1:r1");
    assertThat(take(2)).containsExactly("r1 supplyAsync", "r1 thenApply");
  }

  @Test
  void put_isPrintedInAStartedThread_andTheThreadsOwnPutStaysInIt() throws Exception {
    TetherMDC.call(
        "requestId",
        "r1",
        () -> {
          Thread thread =
              new Thread(
                  () -> {
                    LOG.info("thread");
                    MDC.put("requestId", "changed-in-thread");
                  });
          thread.start();
          thread.join();
          LOG.info("starter");
          return null;
        });

    assertThat(take(2)).containsExactly("r1 thread", "r1 starter");
  }

  @Test
  void concurrentRequests_onOnePlainSharedPool_neverSeeEachOthersValues() throws Exception {
    int requests = 4;
    int tasksPerRequest = 50;
    CountDownLatch allStarted = new CountDownLatch(requests);
    List<Thread> servers = new ArrayList<>();
    for (int r = 0; r < requests; r++) {
      String id = "req-" + r;
      Thread server =
          new Thread(
              () -> {
                MDC.put("requestId", id);
                allStarted.countDown();
                await(allStarted);
                List<Future<?>> tasks = new ArrayList<>();
                for (int t = 0; t < tasksPerRequest; t++) {
                  int n = t;
                  tasks.add(pool.submit(() -> LOG.info("of {} #{}", id, n)));
                  tasks.add(CompletableFuture.runAsync(() -> LOG.info("of {} cf#{}", id, n)));
                }
                tasks.forEach(Waits::join);
              });
      servers.add(server);
      server.start();
    }
    for (Thread server : servers) {
      server.join();
    }

    List<String> lines = take(requests * tasksPerRequest * 2);
    for (String line : lines) {
      String[] parts = line.split(" "); // "<printed id> of <task's id> #<n>"
      assertThat(parts[0]).as(line).isEqualTo(parts[2]);
    }
    assertThat(lines).doesNotHaveDuplicates();
  }

  @Test
  void asyncAppender_printsTheRequestIdOfTheLoggingCall_fromEveryBoundary() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CapturingAppender.gate = gate;
    try {
      TetherMDC.run(
          "requestId",
          "r1",
          () -> {
            ASYNC_LOG.info("caller");
            join(pool.submit(() -> ASYNC_LOG.info("pool")));
            CompletableFuture.runAsync(() -> ASYNC_LOG.info("future")).join();
          });
    } finally {
      gate.countDown();
      CapturingAppender.gate = null;
    }

    assertThat(CapturingAppender.take("ASYNC_LINES", 3))
        .containsExactly("r1 caller", "r1 pool", "r1 future");
  }

  private static List<String> take(int count) {
    try {
      return CapturingAppender.take("LINES", count);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
