package io.tether.log4j2;

import static io.tether.testing.Waits.await;
import static io.tether.testing.Waits.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncExecutors;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** The thread context through Tether-wrapped executors, without the agent, printed by Log4j 2. */
@Timeout(30)
class TetherThreadContextMapUnitTest {

  private static final Logger LOG = LogManager.getLogger(TetherThreadContextMapUnitTest.class);
  private static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
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
    assertThat(ThreadContext.isEmpty()).isTrue();
    PrintedLines.assertNoMoreLines();
  }

  @Test
  void installedByTheComponentProperty() {
    assertThat(TetherThreadContext.isInstalled()).isTrue();
  }

  @Test
  void run_valueIsPrintedInTasksOfAWrappedExecutor_andGoneAfter() {
    TetherThreadContext.run(
        "requestId",
        "r1",
        () -> {
          LOG.info("start");
          join(pool.submit(() -> LOG.info("task")));
          join(pool.submit(() -> join(pool.submit(() -> LOG.info("nested task")))));
        });
    LOG.info("after");

    assertThat(PrintedLines.take(4))
        .containsExactly("[r1] start", "[r1] task", "[r1] nested task", "[] after");
  }

  @Test
  void put_isSeenByWorkLinkedAfterIt_notByWorkLinkedBefore_norBySubmitterOfATask() {
    CountDownLatch release = new CountDownLatch(1);
    TetherThreadContext.run(
        "requestId",
        "r1",
        () -> {
          Future<?> before =
              pool.submit(
                  () -> {
                    await(release);
                    LOG.info("linked before put");
                  });
          ThreadContext.put("requestId", "r2");
          join(pool.submit(() -> LOG.info("linked after put")));
          join(pool.submit(() -> ThreadContext.put("requestId", "changed-in-task")));
          LOG.info("submitter");
          release.countDown();
          join(before);
        });

    assertThat(PrintedLines.take(3))
        .containsExactly("[r2] linked after put", "[r2] submitter", "[r1] linked before put");
  }

  @Test
  void concurrentRequests_onOneSharedPool_neverSeeEachOthersValues() {
    int requests = 8;
    int tasksPerRequest = 50;
    ExecutorService server = AsyncExecutors.wrap(Executors.newFixedThreadPool(requests));
    CountDownLatch allStarted = new CountDownLatch(requests);
    List<Future<?>> handled = new ArrayList<>();
    try {
      for (int r = 0; r < requests; r++) {
        String id = "req-" + r;
        handled.add(
            server.submit(
                () -> {
                  ThreadContext.put("requestId", id);
                  allStarted.countDown();
                  await(allStarted);
                  List<Future<?>> tasks = new ArrayList<>();
                  for (int t = 0; t < tasksPerRequest; t++) {
                    int n = t;
                    tasks.add(pool.submit(() -> LOG.info("of [{}] #{}", id, n)));
                  }
                  tasks.forEach(Waits::join);
                  ThreadContext.clearMap();
                }));
      }
      handled.forEach(Waits::join);
    } finally {
      server.shutdown();
    }

    List<String> lines = PrintedLines.take(requests * tasksPerRequest);
    for (String line : lines) {
      String[] parts = line.split(" "); // "[<printed id>] of [<task's id>] #<n>"
      assertThat(parts[0]).as(line).isEqualTo(parts[2]);
    }
    assertThat(lines).doesNotHaveDuplicates();
  }

  @Test
  void remove_andClear_endValuesForLaterWork_notForWorkAlreadyLinked() {
    CountDownLatch release = new CountDownLatch(1);
    TetherThreadContext.run(
        "requestId",
        "r1",
        () -> {
          ThreadContext.put("user", "alice");
          Future<?> linkedBefore =
              pool.submit(
                  () -> {
                    await(release);
                    LOG.info("user={}", ThreadContext.get("user"));
                  });
          ThreadContext.remove("user");
          assertThat(ThreadContext.containsKey("user")).isFalse();
          assertThat(ThreadContext.get("requestId")).isEqualTo("r1");
          LOG.info("after remove");
          ThreadContext.clearMap();
          assertThat(ThreadContext.getContext()).isEmpty();
          assertThat(ThreadContext.getImmutableContext()).isEmpty();
          join(pool.submit(() -> LOG.info("linked after clear")));
          release.countDown();
          join(linkedBefore);
        });

    assertThat(PrintedLines.take(3))
        .containsExactly("[r1] after remove", "[] linked after clear", "[r1] user=alice");
  }

  @Test
  void putAll_removeAll_andCopies() throws Exception {
    String seen =
        TetherThreadContext.call(
            "requestId",
            "r1",
            () -> {
              ThreadContext.putAll(Map.of("a", "1", "b", "2"));
              ThreadContext.removeAll(List.of("a", "requestId"));
              Map<String, String> copy = ThreadContext.getContext();
              copy.put("b", "changed");
              return String.valueOf(ThreadContext.getImmutableContext());
            });

    assertThat(seen).isEqualTo("{b=2}");
    assertThat(ThreadContext.isEmpty()).isTrue();
  }

  @Test
  void closeableThreadContext_restoresOnClose() {
    var closeable = org.apache.logging.log4j.CloseableThreadContext.put("requestId", "r1");
    try {
      join(pool.submit(() -> LOG.info("in closeable")));
    } finally {
      closeable.close();
    }
    LOG.info("after closeable");

    assertThat(PrintedLines.take(2)).containsExactly("[r1] in closeable", "[] after closeable");
  }
}
