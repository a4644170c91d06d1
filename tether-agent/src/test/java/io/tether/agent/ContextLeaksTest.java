package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import io.tether.ContextLeak;
import io.tether.ContextLeakHandler;
import io.tether.ContextLeaks;
import io.tether.internal.Leaks;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The context leak detector under the agent, one test per holder the JDK's boundaries make: a
 * periodic task of a scheduled pool and of a {@code Timer}, a thread, a dependent stage of a future
 * that never completes; and plenty of short-lived work, never reported. The clock is the test's:
 * each check passes a time past the threshold of an hour, so the detector's own sweeps, on real
 * time, find nothing overdue meanwhile.
 */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class ContextLeaksTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  static final Duration THRESHOLD = Duration.ofHours(1);
  static final long LATER = THRESHOLD.toNanos() + TimeUnit.MINUTES.toNanos(1);

  /** A long-lived future of the application, never completed: its dependents wait forever. */
  static final CompletableFuture<String> NEVER = new CompletableFuture<>();

  /** A request's value: its type is reported, never the value itself. */
  static final class Session {
    final String token;

    Session(String token) {
      this.token = token;
    }

    @Override
    public String toString() {
      return token;
    }
  }

  private static final AsyncLocalStorage<Session> SESSION = new AsyncLocalStorage<>("session");

  private final List<ContextLeak> handled = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();
  private final List<Timer> timers = new ArrayList<>();
  private ContextLeakHandler previous;

  @BeforeEach
  void enable() {
    previous = ContextLeaks.setHandler(handled::add);
    ContextLeaks.enable(THRESHOLD);
  }

  @AfterEach
  void disable() throws InterruptedException {
    ContextLeaks.disable();
    ContextLeaks.setHandler(previous);
    timers.forEach(Timer::cancel);
    for (ExecutorService pool : pools) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static List<ContextLeak> checkLater() {
    return Leaks.checkAfterCollection(System.nanoTime() + LATER);
  }

  private static void inRequest(String id, Runnable request) {
    REQUEST.run(id, () -> SESSION.run(new Session("t0ken-" + id), request));
  }

  /** The one leak found, with the request's storages and value types and the call site. */
  private static ContextLeak theLeak(
      List<ContextLeak> leaks, ContextLeak.Holder holder, String callingMethod) {
    assertThat(leaks).hasSize(1);
    ContextLeak leak = leaks.get(0);
    assertThat(leak.holder()).isEqualTo(holder);
    assertThat(leak.callSite())
        .startsWith(
            ContextLeaksTest.class.getName() + "." + callingMethod + "(ContextLeaksTest.java:");
    assertThat(leak.held())
        .containsExactly(
            Map.entry("AsyncLocalStorage(request)", String.class.getName()),
            Map.entry("AsyncLocalStorage(session)", Session.class.getName()));
    assertThat(leak.message()).doesNotContain("t0ken");
    return leak;
  }

  // The captures, each in a method of its own: the call site the detector must find.

  private static ScheduledFuture<?> everyMillisecond(ScheduledExecutorService s, Runnable r) {
    return s.scheduleAtFixedRate(r, 0, 1, TimeUnit.MILLISECONDS);
  }

  private static void everyMillisecond(Timer timer, TimerTask task) {
    timer.scheduleAtFixedRate(task, 0, 1);
  }

  private static void startWorker(Thread thread) {
    thread.start();
  }

  private static CompletableFuture<String> dependentOfNever() {
    return NEVER.thenApply(s -> s + REQUEST.getStore());
  }

  @Test
  void scheduleAtFixedRate_insideARequest_isReportedOnceUntilCancelled()
      throws InterruptedException {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    pools.add(scheduler);
    CountDownLatch ran = new CountDownLatch(2);
    List<ScheduledFuture<?>> scheduled = new ArrayList<>();
    inRequest("r-1", () -> scheduled.add(everyMillisecond(scheduler, ran::countDown)));
    Waits.await(ran);

    ContextLeak leak = theLeak(checkLater(), ContextLeak.Holder.PERIODIC_TASK, "everyMillisecond");
    assertThat(leak.holderClass())
        .isEqualTo("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask");
    assertThat(handled).containsExactly(leak);
    assertThat(checkLater()).as("reported once").isEmpty();

    scheduled.get(0).cancel(false);
    // A run in progress when it was cancelled ends first (the task is forgotten when its link is
    // over): the scheduler's end waits for it.
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).as("the scheduler ended").isTrue();
    assertThat(checkLater()).isEmpty();
    assertThat(Leaks.watched()).as("the cancelled task is forgotten").isZero();
  }

  @Test
  void timerAtFixedRate_insideARequest_isReportedWithTheTasksClass() {
    Timer timer = new Timer("leaky-timer", true);
    timers.add(timer);
    CountDownLatch ran = new CountDownLatch(2);
    Heartbeat heartbeat = new Heartbeat(ran);
    inRequest("r-2", () -> everyMillisecond(timer, heartbeat));
    Waits.await(ran);

    ContextLeak leak = theLeak(checkLater(), ContextLeak.Holder.PERIODIC_TASK, "everyMillisecond");
    assertThat(leak.holderClass()).isEqualTo(Heartbeat.class.getName());

    heartbeat.cancel();
    assertThat(checkLater()).isEmpty();
  }

  @Test
  void threadStartedInsideARequest_isReportedWhileItRuns_notOnceItEnded() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread worker =
        new Thread(
            () -> {
              started.countDown();
              Waits.awaitQuietly(release);
            },
            "request-worker");
    worker.setDaemon(true); // a failed assertion below must not keep the JVM waiting for it
    inRequest("r-3", () -> startWorker(worker));
    Waits.await(started);

    ContextLeak leak =
        theLeak(Leaks.check(System.nanoTime() + LATER), ContextLeak.Holder.THREAD, "startWorker");
    assertThat(leak.holderClass()).isEqualTo(Thread.class.getName());
    assertThat(leak.holderDetail()).isEqualTo("\"request-worker\"");
    assertThat(leak.message())
        .startsWith(
            "[tether] context leak: thread java.lang.Thread (\"request-worker\"), captured at ");

    release.countDown();
    worker.join();
    assertThat(checkLater()).isEmpty();
    assertThat(Leaks.watched()).isZero();
  }

  @Test
  void dependentOfAFutureNeverCompleted_isReportedAsAListener() {
    List<CompletableFuture<?>> dependents = new ArrayList<>();
    inRequest("r-4", () -> dependents.add(dependentOfNever()));

    ContextLeak leak = theLeak(checkLater(), ContextLeak.Holder.LISTENER, "dependentOfNever");
    assertThat(leak.holderClass()).isEqualTo(CompletableFuture.class.getName());
    assertThat(leak.holderDetail()).isEqualTo("a dependent stage, its source not completed");
    dependents.clear();
  }

  @Test
  void shortLivedWork_isNeverReported() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    pools.add(pool);
    pools.add(scheduler);
    Timer timer = new Timer("short-timer", true);
    timers.add(timer);
    for (int i = 0; i < 100; i++) {
      String id = "r-" + i;
      CountDownLatch timed = new CountDownLatch(2);
      List<Thread> threads = new ArrayList<>();
      List<ScheduledFuture<?>> periodic = new ArrayList<>();
      inRequest(
          id,
          () -> {
            Waits.join(pool.submit(() -> assertThat(REQUEST.getStore()).isEqualTo(id)));
            CompletableFuture<String> twice =
                CompletableFuture.supplyAsync(REQUEST::getStore, pool)
                    .thenApplyAsync(s -> s + REQUEST.getStore());
            assertThat(Waits.join(twice)).isEqualTo(id + id);
            Waits.join(scheduler.schedule(REQUEST::getStore, 1, TimeUnit.MILLISECONDS));
            timer.schedule(new Heartbeat(timed), 1);
            periodic.add(
                scheduler.scheduleWithFixedDelay(timed::countDown, 0, 1, TimeUnit.MILLISECONDS));
            Thread t = new Thread(() -> assertThat(REQUEST.getStore()).isEqualTo(id));
            t.start();
            threads.add(t);
            AsyncLocalStorage.snapshot().run(() -> assertThat(REQUEST.getStore()).isEqualTo(id));
          });
      Waits.await(timed);
      periodic.get(0).cancel(false);
      threads.get(0).join();
    }
    // A task is forgotten when its run is over, which comes after what it completed or counted
    // down: let every pool, the common pool and the timer finish what they were running.
    pool.shutdown();
    scheduler.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("the pool ended").isTrue();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).as("the scheduler ended").isTrue();
    assertThat(ForkJoinPool.commonPool().awaitQuiescence(10, TimeUnit.SECONDS))
        .as("the common pool idle")
        .isTrue();
    CountDownLatch timerIdle = new CountDownLatch(1);
    timer.schedule(
        new TimerTask() {
          @Override
          public void run() {
            timerIdle.countDown();
          }
        },
        0);
    Waits.await(timerIdle);

    assertThat(checkLater()).isEmpty();
    assertThat(handled).isEmpty();
    // A snapshot or a task object is forgotten once collected: a few more collections and sweeps,
    // bounded, for one a collection left (a strongly held one would be reported above).
    for (int i = 0; i < 10 && Leaks.watched() > 0; i++) {
      assertThat(checkLater()).isEmpty();
    }
    assertThat(Leaks.watched()).as("every capture forgotten").isZero();
  }

  /** A periodic task of the application. */
  static final class Heartbeat extends TimerTask {
    private final CountDownLatch ran;

    Heartbeat(CountDownLatch ran) {
      this.ran = ran;
    }

    @Override
    public void run() {
      ran.countDown();
    }
  }
}
