package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.HookErrorHandler;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults in Tether's own path, with the agent: hook callbacks that throw, that are slow, that
 * block; a hook enabled and disabled from many threads while work flows. The application's work,
 * its results, its exceptions and its contexts are unaffected in every case, and each failure
 * reaches the {@link HookErrorHandler}, as its documentation says.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class HookFaultsTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private ExecutorService pool;
  private final Map<String, AtomicInteger> reported = new ConcurrentHashMap<>();
  private HookErrorHandler previous;

  @BeforeEach
  void setUp() {
    pool = Executors.newFixedThreadPool(3);
    previous =
        AsyncHooks.setHookErrorHandler(
            (hook, event, asyncId, error) ->
                reported.computeIfAbsent(event, e -> new AtomicInteger()).incrementAndGet());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    AsyncHooks.setHookErrorHandler(previous);
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * One request's worth of the application's work across the agent's boundaries; returns what each
   * step saw, and throws what the application's own code threw.
   */
  private List<String> requestWork(String id) throws Exception {
    return REQUEST.call(
        id,
        () -> {
          List<String> seen = new ArrayList<>();
          seen.add(pool.submit(REQUEST::getStore).get(10, TimeUnit.SECONDS));
          seen.add(
              CompletableFuture.supplyAsync(REQUEST::getStore, pool)
                  .thenApply(v -> v + "+" + REQUEST.getStore())
                  .get(10, TimeUnit.SECONDS));
          String[] inThread = new String[1];
          Thread t = new Thread(() -> inThread[0] = REQUEST.getStore());
          t.start();
          t.join(10_000);
          seen.add(inThread[0]);
          Future<?> failing =
              pool.submit(
                  () -> {
                    throw new IllegalStateException("app failure in " + REQUEST.getStore());
                  });
          try {
            failing.get(10, TimeUnit.SECONDS);
            seen.add("no failure");
          } catch (ExecutionException e) {
            seen.add(e.getCause().getMessage());
          }
          return seen;
        });
  }

  private static List<String> expected(String id) {
    return List.of(id, id + "+" + id, id, "app failure in " + id);
  }

  @Test
  void throwingCallbacks_areReported_andTheWorkIsUnaffected() throws Exception {
    AsyncHook hook =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void init(
                      long asyncId, String type, long triggerAsyncId, Object resource) {
                    throw new IllegalArgumentException("init fault");
                  }

                  @Override
                  public void before(long asyncId) {
                    throw new IllegalArgumentException("before fault");
                  }

                  @Override
                  public void after(long asyncId) {
                    throw new OutOfMemoryError("after fault (not really)");
                  }

                  @Override
                  public void promiseResolve(long asyncId) {
                    throw new IllegalArgumentException("promiseResolve fault");
                  }
                })
            .enable();
    try {
      assertThat(requestWork("r1")).isEqualTo(expected("r1"));
      assertThat(requestWork("r2")).isEqualTo(expected("r2"));
    } finally {
      hook.disable();
    }
    assertThat(reported.keySet()).contains("init", "before", "after", "promiseResolve");
    assertThat(reported.get("init").get()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void slowCallbacks_delayButDoNotChangeTheWork() throws Exception {
    AsyncHook hook =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void before(long asyncId) {
                    LockSupport.parkNanos(
                        TimeUnit.MILLISECONDS.toNanos(2)); // the fault: a slow hook
                  }

                  @Override
                  public void after(long asyncId) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                  }
                })
            .enable();
    try {
      assertThat(requestWork("slow")).isEqualTo(expected("slow"));
    } finally {
      hook.disable();
    }
    assertThat(reported).isEmpty();
  }

  @Test
  void blockingCallback_holdsOnlyItsOwnThread_andTheWorkCompletesOnceReleased() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean armed = new AtomicBoolean(true);
    AsyncHook hook =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void before(long asyncId) {
                    if (Thread.currentThread().getName().startsWith("blocked-")
                        && armed.getAndSet(false)) {
                      blocked.countDown();
                      Waits.awaitQuietly(release); // the fault: a hook that blocks its thread
                    }
                  }
                })
            .enable();
    ExecutorService blockedPool =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "blocked-1"));
    try {
      Future<String> held = REQUEST.run("held", () -> blockedPool.submit(REQUEST::getStore));
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      // Other threads' work goes on while that hook blocks its own thread.
      assertThat(requestWork("meanwhile")).isEqualTo(expected("meanwhile"));
      assertThat(held.isDone()).isFalse();
      release.countDown();
      assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("held");
    } finally {
      release.countDown();
      hook.disable();
      blockedPool.shutdown();
      assertThat(blockedPool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void hookEnabledAndDisabledFromManyThreads_whileWorkFlows() throws Exception {
    AtomicLong events = new AtomicLong();
    AsyncHook hook =
        AsyncHooks.createHook(
            new AsyncHookCallbacks() {
              @Override
              public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
                events.incrementAndGet();
              }

              @Override
              public void before(long asyncId) {
                events.incrementAndGet();
              }
            });
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService togglers = Executors.newFixedThreadPool(4);
    List<Future<?>> toggling = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int n = t;
      toggling.add(
          togglers.submit(
              () -> {
                while (!stop.get()) {
                  if (n % 2 == 0) {
                    hook.enable();
                  } else {
                    hook.disable();
                  }
                  Thread.onSpinWait();
                }
              }));
    }
    try {
      for (int i = 0; i < 30; i++) {
        assertThat(requestWork("req-" + i)).isEqualTo(expected("req-" + i));
      }
    } finally {
      stop.set(true);
      for (Future<?> f : toggling) {
        f.get(10, TimeUnit.SECONDS);
      }
      hook.disable();
      togglers.shutdown();
      assertThat(togglers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(events.get()).as("the hook saw events while enabled").isPositive();
    assertThat(reported).isEmpty();
  }

  @Test
  void applicationExceptions_passThroughUnchanged() {
    IllegalStateException boom = new IllegalStateException("boom");
    AsyncHook hook =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void after(long asyncId) {
                    throw new IllegalArgumentException("hook fault");
                  }
                })
            .enable();
    try {
      assertThatThrownBy(
              () ->
                  REQUEST.run(
                      "ctx",
                      () ->
                          CompletableFuture.supplyAsync(
                                  () -> {
                                    throw boom;
                                  },
                                  pool)
                              .join()))
          .hasCauseReference(boom);
    } finally {
      hook.disable();
    }
  }
}
