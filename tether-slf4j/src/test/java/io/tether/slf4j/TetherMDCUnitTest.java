package io.tether.slf4j;

import static io.tether.testing.Waits.await;
import static io.tether.testing.Waits.join;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import io.tether.AsyncExecutors;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The MDC through Tether-wrapped executors, without the agent, printed by a real Logback. */
@Timeout(30)
class TetherMDCUnitTest {

  private static final Logger LOG = LoggerFactory.getLogger(TetherMDCUnitTest.class);
  private static final Logger ASYNC_LOG = LoggerFactory.getLogger("async");
  private static ExecutorService pool;

  @BeforeAll
  static void install() {
    TetherMDC.install();
    pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
  }

  @AfterAll
  static void shutdown() throws InterruptedException {
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @AfterEach
  void leavesNoContextBehind() {
    Map<String, String> left = TetherMDCAdapter.VALUES.getStore();
    Object stacks = TetherMDCAdapter.STACKS.getStore();
    MDC.clear();
    assertThat(left).as("MDC left behind").isNull();
    assertThat(stacks).as("MDC stacks left behind").isNull();
    assertThat(MDC.getCopyOfContextMap()).isNull();
    CapturingAppender.assertNoMoreLines("LINES");
    CapturingAppender.assertNoMoreLines("ASYNC_LINES");
  }

  @Test
  void install_replacesTheAdapterOfSlf4jAndOfLogback() {
    TetherMDC.install(); // idempotent

    assertThat(TetherMDC.isInstalled()).isTrue();
    assertThat(MDC.getMDCAdapter()).isSameAs(TetherMDCAdapter.INSTANCE);
    assertThat(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter())
        .isSameAs(TetherMDCAdapter.INSTANCE);
  }

  @Test
  void install_addsNoWarningToLogbacksStatus() {
    TetherMDC.install();

    // Logback's LoggerContext.setMDCAdapter adds "mdcAdapter being reset a second time" (WARN),
    // which a status listener (Spring Boot's, or <configuration debug="true">) prints.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(context.getStatusManager().getCopyOfStatusList())
        .filteredOn(status -> status.getLevel() >= Status.WARN)
        .extracting(Status::getMessage)
        .isEmpty();
  }

  @Test
  void run_valueIsPrintedInTasksOfAWrappedExecutor_andGoneAfter() throws Exception {
    TetherMDC.run(
        "requestId",
        "r1",
        () -> {
          LOG.info("start");
          join(pool.submit(() -> LOG.info("task")));
          join(pool.submit(() -> join(pool.submit(() -> LOG.info("nested task")))));
        });
    LOG.info("after");

    assertThat(CapturingAppender.take("LINES", 4))
        .containsExactly("r1 start", "r1 task", "r1 nested task", "none after");
  }

  @Test
  void put_isSeenByWorkLinkedAfterIt_notByWorkLinkedBefore() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TetherMDC.run(
        "requestId",
        "r1",
        () -> {
          Future<?> before =
              pool.submit(
                  () -> {
                    await(release);
                    LOG.info("linked before put");
                  });
          MDC.put("requestId", "r2");
          Future<?> after = pool.submit(() -> LOG.info("linked after put"));
          join(after);
          release.countDown();
          join(before);
        });

    assertThat(CapturingAppender.take("LINES", 2))
        .containsExactly("r2 linked after put", "r1 linked before put");
  }

  @Test
  void put_insideATask_neverReachesTheSubmitterOrASibling() throws Exception {
    TetherMDC.run(
        "requestId",
        "r1",
        () -> {
          join(
              pool.submit(
                  () -> {
                    MDC.put("requestId", "changed-in-task");
                    LOG.info("task");
                  }));
          LOG.info("submitter");
          join(pool.submit(() -> LOG.info("sibling")));
        });

    assertThat(CapturingAppender.take("LINES", 3))
        .containsExactly("changed-in-task task", "r1 submitter", "r1 sibling");
  }

  @Test
  void concurrentRequests_onOneSharedPool_neverSeeEachOthersValues() throws Exception {
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
                  MDC.put("requestId", id); // a server thread's request scope: put, fan out
                  allStarted.countDown();
                  await(allStarted); // every request's values are live at once
                  List<Future<?>> tasks = new ArrayList<>();
                  for (int t = 0; t < tasksPerRequest; t++) {
                    int n = t;
                    tasks.add(pool.submit(() -> LOG.info("of {} #{}", id, n)));
                  }
                  tasks.forEach(Waits::join);
                  MDC.clear();
                }));
      }
      handled.forEach(Waits::join);
    } finally {
      server.shutdown();
    }

    List<String> lines = CapturingAppender.take("LINES", requests * tasksPerRequest);
    Set<String> distinct = new HashSet<>();
    for (String line : lines) {
      String[] parts = line.split(" "); // "<printed id> of <task's id> #<n>"
      assertThat(parts[0]).as(line).isEqualTo(parts[2]);
      distinct.add(line);
    }
    assertThat(distinct).hasSize(requests * tasksPerRequest);
  }

  @Test
  void remove_andClear_endValuesForLaterWork_notForWorkAlreadyLinked() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TetherMDC.run(
        "requestId",
        "r1",
        () -> {
          MDC.put("user", "alice");
          Future<?> linkedBeforeClear =
              pool.submit(
                  () -> {
                    await(release);
                    LOG.info("user={}", MDC.get("user"));
                  });
          MDC.remove("user");
          assertThat(MDC.get("user")).isNull();
          assertThat(MDC.get("requestId")).isEqualTo("r1");
          LOG.info("after remove");

          MDC.clear();
          assertThat(MDC.getCopyOfContextMap()).isNull();
          assertThat(TetherMDC.current()).isEmpty();
          LOG.info("after clear");
          join(pool.submit(() -> LOG.info("linked after clear")));
          release.countDown();
          join(linkedBeforeClear);
        });

    assertThat(CapturingAppender.take("LINES", 4))
        .containsExactly(
            "r1 after remove", "none after clear", "none linked after clear", "r1 user=alice");
  }

  @Test
  void removeOfTheLastKey_leavesNoValueBehind_andPutCloseableRemoves() throws Exception {
    MDC.put("requestId", "r1");
    MDC.remove("requestId");
    assertThat(TetherMDCAdapter.VALUES.getStore()).isNull();

    MDC.MDCCloseable closeable = MDC.putCloseable("requestId", "r2");
    try {
      LOG.info("in closeable");
    } finally {
      closeable.close();
    }
    LOG.info("after closeable");

    assertThat(CapturingAppender.take("LINES", 2))
        .containsExactly("r2 in closeable", "none after closeable");
  }

  @Test
  void run_restoresTheMdc_whateverTheCallbackPutRemovedOrCleared() throws Exception {
    MDC.put("user", "alice");
    String result =
        TetherMDC.call(
            "requestId",
            "r1",
            () -> {
              MDC.put("extra", "x");
              MDC.remove("user");
              MDC.clear();
              return "done";
            });

    assertThat(result).isEqualTo("done");
    assertThat(TetherMDC.current()).containsExactly(Map.entry("user", "alice"));
    MDC.clear();
  }

  @Test
  void copyOfContextMap_isAModifiableCopy_andSetContextMapReplacesTheMdc() {
    MDC.put("requestId", "r1");
    Map<String, String> copy = MDC.getCopyOfContextMap();
    copy.put("requestId", "changed");
    assertThat(MDC.get("requestId")).isEqualTo("r1");

    MDC.setContextMap(Map.of("requestId", "r2", "user", "bob"));
    assertThat(TetherMDC.current())
        .containsOnly(Map.entry("requestId", "r2"), Map.entry("user", "bob"));
    MDC.setContextMap(Map.of());
    assertThat(TetherMDC.current()).isEmpty();
  }

  @Test
  void pushByKey_isAStackThatFollowsAsyncWork() throws Exception {
    MDC.pushByKey("op", "outer");
    MDC.pushByKey("op", "inner");
    assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("op")).containsExactly("inner", "outer");
    Future<String> seen =
        pool.submit(() -> String.valueOf(MDC.getMDCAdapter().getCopyOfDequeByKey("op")));

    assertThat(MDC.popByKey("op")).isEqualTo("inner");
    assertThat(seen.get()).isEqualTo("[inner, outer]");
    assertThat(MDC.popByKey("op")).isEqualTo("outer");
    assertThat(MDC.popByKey("op")).isNull();
    MDC.pushByKey("op", "again");
    MDC.getMDCAdapter().clearDequeByKey("op");
    assertThat(MDC.getMDCAdapter().getCopyOfDequeByKey("op")).isNull();
  }

  @Test
  void asyncAppender_printsTheRequestIdOfTheLoggingCall_afterTheRequestEnded() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CapturingAppender.gate = gate; // the async appender's worker formats nothing until opened
    try {
      TetherMDC.run(
          "requestId",
          "r1",
          () -> {
            ASYNC_LOG.info("on the caller");
            join(pool.submit(() -> ASYNC_LOG.info("on a pool thread")));
          });
      TetherMDC.run("requestId", "r2", () -> ASYNC_LOG.info("next request"));
      ASYNC_LOG.info("no request");
    } finally {
      gate.countDown(); // formatting happens now, on Logback's worker, outside every request
      CapturingAppender.gate = null;
    }

    assertThat(CapturingAppender.take("ASYNC_LINES", 4))
        .containsExactly(
            "r1 on the caller", "r1 on a pool thread", "r2 next request", "none no request");
  }
}
