package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a test class checks around each test: the test thread's execution context (async ids and
 * resource) is the same afterwards as before, the storages it used read {@code null} (directly and
 * through a snapshot taken then), and no non-daemon thread started during the test outlives it.
 */
final class ContextGuard {
  private final long executionAsyncId = AsyncHooks.executionAsyncId();
  private final long triggerAsyncId = AsyncHooks.triggerAsyncId();
  private final Object executionAsyncResource = AsyncHooks.executionAsyncResource();
  private final Set<Thread> threadsBefore = liveNonDaemonThreads();

  /** Records the test thread's context and the live threads, before a test. */
  static ContextGuard record() {
    return new ContextGuard();
  }

  /** Asserts, after a test, that it left no context and no thread behind. */
  void assertNothingLeftBehind(AsyncLocalStorage<?>... storages) throws InterruptedException {
    assertThat(AsyncHooks.executionAsyncId()).as("executionAsyncId").isEqualTo(executionAsyncId);
    assertThat(AsyncHooks.triggerAsyncId()).as("triggerAsyncId").isEqualTo(triggerAsyncId);
    assertThat(AsyncHooks.executionAsyncResource()).as("executionAsyncResource")
        .isSameAs(executionAsyncResource);
    for (AsyncLocalStorage<?> storage : storages) {
      assertThat(storage.getStore()).as("%s.getStore()", storage).isNull();
      assertThat(AsyncLocalStorage.snapshot().run(() -> storage.getStore()))
          .as("%s.getStore() in a snapshot", storage).isNull();
    }
    AsyncLocalStorage<String> fresh = new AsyncLocalStorage<>("fresh");
    assertThat(AsyncLocalStorage.snapshot().run(() -> fresh.getStore())).isNull();

    Set<Thread> started = liveNonDaemonThreads();
    started.removeAll(threadsBefore);
    for (Thread thread : started) {
      thread.join(TimeUnit.SECONDS.toMillis(10)); // ending, or lingering: wait, then judge
    }
    started.removeIf(thread -> !thread.isAlive());
    assertThat(started).as("non-daemon threads left running").isEmpty();
  }

  private static Set<Thread> liveNonDaemonThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      // JUnit starts its @Timeout watcher, a non-daemon thread, on the first timed test.
      if (thread.isAlive() && !thread.isDaemon()
          && !thread.getName().startsWith("junit-jupiter-timeout-watcher")) {
        threads.add(thread);
      }
    }
    return threads;
  }
}
