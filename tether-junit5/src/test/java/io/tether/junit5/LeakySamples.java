package io.tether.junit5;

import io.tether.AsyncExecutors;
import io.tether.AsyncResource;
import io.tether.testing.Waits;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tests for {@link DanglingWorkExtensionUnitTest} to run through the JUnit engine (not run by
 * surefire: the class name does not end in Test), without the agent: their leftovers are
 * AsyncResources and the tasks of Tether-wrapped executors. {@link #release()} ends every leftover,
 * so that nothing outlives the run.
 */
@NoDanglingAsyncWork(graceMillis = 200)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakySamples {

  static final CountDownLatch RELEASE = new CountDownLatch(1);
  static final ExecutorService SHARED = AsyncExecutors.wrap(Executors.newFixedThreadPool(2));
  static final ScheduledExecutorService TIMERS =
      AsyncExecutors.wrap(Executors.newSingleThreadScheduledExecutor());
  static final AtomicInteger INNOCENT_RAN = new AtomicInteger();
  static volatile AsyncResource leakedResource;

  static void release() throws InterruptedException {
    RELEASE.countDown();
    if (leakedResource != null) {
      leakedResource.emitDestroy();
    }
    SHARED.shutdownNow();
    TIMERS.shutdownNow();
    SHARED.awaitTermination(10, TimeUnit.SECONDS);
    TIMERS.awaitTermination(10, TimeUnit.SECONDS);
  }

  private static void awaitRelease() {
    Waits.awaitQuietly(RELEASE);
  }

  @Test
  @Order(1)
  void leavesATaskRunningAndOneQueued() {
    SHARED.execute(LeakySamples::awaitRelease); // running, on a worker of the shared pool
    SHARED.execute(LeakySamples::awaitRelease); // running, on the other worker
    SHARED.execute(() -> {}); // queued behind them
  }

  /** Runs after the leaky test, on the same shared pool, while its leftovers still block it. */
  @Test
  @Order(2)
  void innocentOnTheSamePool_isNotBlamed() throws Exception {
    ExecutorService own = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    try {
      own.submit(INNOCENT_RAN::incrementAndGet).get(10, TimeUnit.SECONDS);
    } finally {
      own.shutdown();
    }
  }

  @Test
  @Order(3)
  void leavesAnAsyncResourceNotDestroyed() {
    leakedResource = new AsyncResource("DB_QUERY");
  }

  @Test
  @Order(4)
  void leavesAPeriodicTaskScheduled() {
    TIMERS.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
  }

  @Test
  @Order(5)
  void waitsForItsWorkWithAwaitIdle() throws Exception {
    ExecutorService pool = AsyncExecutors.wrap(Executors.newSingleThreadExecutor());
    AtomicInteger done = new AtomicInteger();
    try {
      // A task that starts another: awaitIdle returns once both have ended.
      pool.execute(() -> pool.execute(done::incrementAndGet));
      if (!AsyncWork.awaitIdle(Duration.ofSeconds(10)) || done.get() != 1) {
        throw new AssertionError("awaitIdle returned before the work ended: " + done.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  @Order(6)
  void cleanTest_passes() throws Exception {
    AsyncResource resource = new AsyncResource("CLEAN");
    resource.runInAsyncScope(() -> null);
    resource.emitDestroy();
  }
}
