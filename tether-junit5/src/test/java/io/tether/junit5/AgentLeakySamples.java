package io.tether.junit5;

import io.tether.testing.Waits;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tests for {@link DanglingWorkExtensionAgentTest} to run through the JUnit engine with the agent
 * attached: their leftovers are plain JDK async work, nothing wrapped. {@link #release()} ends
 * every leftover.
 */
@NoDanglingAsyncWork(graceMillis = 200)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLeakySamples {

  static final CountDownLatch RELEASE = new CountDownLatch(1);
  static final ExecutorService SHARED = Executors.newFixedThreadPool(1);
  static final AtomicInteger INNOCENT_RAN = new AtomicInteger();
  static volatile CompletableFuture<String> neverCompleted;
  static volatile Timer timer;

  static void release() throws InterruptedException {
    RELEASE.countDown();
    if (neverCompleted != null) {
      neverCompleted.complete("released");
    }
    if (timer != null) {
      timer.cancel();
    }
    SHARED.shutdownNow();
    SHARED.awaitTermination(10, TimeUnit.SECONDS);
  }

  static void awaitRelease() {
    Waits.awaitQuietly(RELEASE);
  }

  @Test
  @Order(1)
  void leavesAPoolTaskRunning() {
    SHARED.execute(AgentLeakySamples::awaitRelease);
  }

  /** The shared pool's one worker is still blocked by the leaky test: this one queues behind. */
  @Test
  @Order(2)
  void innocentOnItsOwnPool_isNotBlamed() throws Exception {
    ExecutorService own = Executors.newSingleThreadExecutor();
    try {
      own.submit(INNOCENT_RAN::incrementAndGet).get(10, TimeUnit.SECONDS);
      CompletableFuture.supplyAsync(() -> "x", own)
          .thenApply(x -> x + "y")
          .get(10, TimeUnit.SECONDS);
    } finally {
      own.shutdown();
      own.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(3)
  void leavesAFutureNeverCompleted() {
    neverCompleted = new CompletableFuture<>();
  }

  @Test
  @Order(4)
  void leavesAThreadAlive() {
    new Thread(AgentLeakySamples::awaitRelease, "leaked-thread").start();
  }

  @Test
  @Order(5)
  void leavesATimerTaskScheduled() {
    timer = new Timer("leaked-timer", true);
    timer.schedule(
        new TimerTask() {
          @Override
          public void run() {}
        },
        TimeUnit.HOURS.toMillis(1));
  }

  @Test
  @Order(6)
  void leavesAVirtualThreadAlive() throws Exception {
    if (Runtime.version().feature() < 21) {
      throw new org.opentest4j.TestAbortedException("virtual threads need JDK 21");
    }
    Thread.class
        .getMethod("startVirtualThread", Runnable.class)
        .invoke(null, (Runnable) AgentLeakySamples::awaitRelease);
  }
}
