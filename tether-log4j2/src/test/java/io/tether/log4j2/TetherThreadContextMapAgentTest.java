package io.tether.log4j2;

import static io.tether.testing.Waits.await;
import static io.tether.testing.Waits.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The thread context across the agent's boundaries: plain pools, futures and threads. */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class TetherThreadContextMapAgentTest {

  private static final Logger LOG = LogManager.getLogger(TetherThreadContextMapAgentTest.class);
  private static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(2); // plain: only the agent carries context into it
  }

  @AfterAll
  static void shutdown() throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void leavesNoContextBehind() {
    Object left = TetherThreadContextMap.STORAGE.getStore();
    ThreadContext.clearMap();
    assertThat(left).as("thread context left behind").isNull();
    PrintedLines.assertNoMoreLines();
  }

  @Test
  void put_isPrintedInAPlainThreadPoolTask() {
    TetherThreadContext.run(
        "requestId",
        "r1",
        () -> {
          ThreadContext.put("requestId", "r2");
          join(pool.submit(() -> LOG.info("task")));
          join(pool.submit(() -> join(pool.submit(() -> LOG.info("nested")))));
        });
    join(pool.submit(() -> LOG.info("outside")));

    assertThat(PrintedLines.take(3)).containsExactly("[r2] task", "[r2] nested", "[] outside");
  }

  @Test
  void put_isPrintedInCompletableFutureStages() throws Exception {
    String result =
        TetherThreadContext.call(
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
                            return ThreadContext.get("requestId");
                          })
                      .thenApply(
                          id -> {
                            LOG.info("thenApply");
                            return id + ":" + ThreadContext.get("requestId");
                          });
              sourceMayComplete.countDown();
              return chain.join();
            });

    assertThat(result).isEqualTo("r1:r1");
    assertThat(PrintedLines.take(2)).containsExactly("[r1] supplyAsync", "[r1] thenApply");
  }

  @Test
  void put_isPrintedInAStartedThread_andTheThreadsOwnPutStaysInIt() throws Exception {
    TetherThreadContext.call(
        "requestId",
        "r1",
        () -> {
          Thread thread =
              new Thread(
                  () -> {
                    LOG.info("thread");
                    ThreadContext.put("requestId", "changed-in-thread");
                  });
          thread.start();
          thread.join();
          LOG.info("starter");
          return null;
        });

    assertThat(PrintedLines.take(2)).containsExactly("[r1] thread", "[r1] starter");
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
                ThreadContext.put("requestId", id);
                allStarted.countDown();
                await(allStarted);
                List<Future<?>> tasks = new ArrayList<>();
                for (int t = 0; t < tasksPerRequest; t++) {
                  int n = t;
                  tasks.add(pool.submit(() -> LOG.info("of [{}] #{}", id, n)));
                  tasks.add(CompletableFuture.runAsync(() -> LOG.info("of [{}] cf#{}", id, n)));
                }
                tasks.forEach(Waits::join);
              });
      servers.add(server);
      server.start();
    }
    for (Thread server : servers) {
      server.join();
    }

    List<String> lines = PrintedLines.take(requests * tasksPerRequest * 2);
    for (String line : lines) {
      String[] parts = line.split(" "); // "[<printed id>] of [<task's id>] #<n>"
      assertThat(parts[0]).as(line).isEqualTo(parts[2]);
    }
    assertThat(lines).doesNotHaveDuplicates();
  }
}
