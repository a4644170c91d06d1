package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that fails a test which leaves context behind on the test thread: the
 * thread's execution context (its {@code executionAsyncId}, {@code triggerAsyncId} and {@code
 * executionAsyncResource}) must be the same after the test as before it. Optionally, the storages
 * the test used must read {@code null} afterwards, and no thread it started may outlive it.
 *
 * <pre>{@code
 * @ExtendWith(NoContextLeft.class)   // the execution context only
 * class AsyncHooksTest { ... }
 *
 * class RequestLoggerTest {
 *   @RegisterExtension
 *   static final NoContextLeft NO_CONTEXT_LEFT =
 *       NoContextLeft.of(RequestLogger.REQUEST_ID).andNoThreadsLeft();
 *   ...
 * }
 * }</pre>
 *
 * <p>The checks run after the test's {@code @AfterEach} methods, so that what those clean up (pools
 * shut down, hooks disabled) is not blamed on the test. An instance keeps no state of its own: one
 * may serve several test classes.
 */
public final class NoContextLeft implements BeforeEachCallback, AfterEachCallback {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(NoContextLeft.class);

  private final List<AsyncLocalStorage<?>> storages;
  private final boolean threads;

  /** Checks the execution context only; what {@code @ExtendWith(NoContextLeft.class)} creates. */
  public NoContextLeft() {
    this(List.of(), false);
  }

  private NoContextLeft(List<AsyncLocalStorage<?>> storages, boolean threads) {
    this.storages = storages;
    this.threads = threads;
  }

  /**
   * Checks the execution context, and that each of {@code storages} reads {@code null} after the
   * test, directly and inside a snapshot taken then (as does a storage made then: a snapshot holds
   * no stale value).
   *
   * @param storages the storages the test class uses
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static NoContextLeft of(AsyncLocalStorage<?>... storages) {
    return new NoContextLeft(List.of(storages), false);
  }

  /**
   * Also checks that no non-daemon thread started during the test is still alive after it (each is
   * given {@link Waits#TIMEOUT} to end). JUnit's own {@code @Timeout} watcher is not counted.
   *
   * @return an extension that checks what this one does, and the threads
   */
  public NoContextLeft andNoThreadsLeft() {
    return new NoContextLeft(storages, true);
  }

  /** Records the test thread's execution context, and its live threads where they are checked. */
  @Override
  public void beforeEach(ExtensionContext context) {
    context
        .getStore(NS)
        .put(
            Before.class,
            new Before(
                AsyncHooks.executionAsyncId(),
                AsyncHooks.triggerAsyncId(),
                AsyncHooks.executionAsyncResource(),
                threads ? liveNonDaemonThreads() : Set.of()));
  }

  /** Asserts that the test left no context (and no thread, where checked) behind. */
  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    Before before = context.getStore(NS).get(Before.class, Before.class);
    assertThat(AsyncHooks.executionAsyncId())
        .as("executionAsyncId after the test")
        .isEqualTo(before.executionAsyncId);
    assertThat(AsyncHooks.triggerAsyncId())
        .as("triggerAsyncId after the test")
        .isEqualTo(before.triggerAsyncId);
    assertThat(AsyncHooks.executionAsyncResource())
        .as("executionAsyncResource after the test")
        .isSameAs(before.executionAsyncResource);
    if (!storages.isEmpty()) {
      for (AsyncLocalStorage<?> storage : storages) {
        assertThat(storage.getStore()).as("%s.getStore() after the test", storage).isNull();
        assertThat(AsyncLocalStorage.snapshot().run(() -> storage.getStore()))
            .as("%s.getStore() in a snapshot after the test", storage)
            .isNull();
      }
      AsyncLocalStorage<String> fresh = new AsyncLocalStorage<>("fresh");
      assertThat(AsyncLocalStorage.snapshot().run(() -> fresh.getStore()))
          .as("a new storage in a snapshot after the test")
          .isNull();
    }
    if (threads) {
      Set<Thread> started = liveNonDaemonThreads();
      started.removeAll(before.threads);
      for (Thread thread : started) {
        thread.join(Waits.TIMEOUT.toMillis()); // ending, or lingering: wait, then judge
      }
      started.removeIf(thread -> !thread.isAlive());
      assertThat(started).as("non-daemon threads left running").isEmpty();
    }
  }

  private static Set<Thread> liveNonDaemonThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      // JUnit starts its @Timeout watcher, a non-daemon thread, on the first timed test.
      if (thread.isAlive()
          && !thread.isDaemon()
          && !thread.getName().startsWith("junit-jupiter-timeout-watcher")) {
        threads.add(thread);
      }
    }
    return threads;
  }

  /** What {@link #afterEach} compares with. */
  private static final class Before {
    final long executionAsyncId;
    final long triggerAsyncId;
    final Object executionAsyncResource;
    final Set<Thread> threads;

    Before(
        long executionAsyncId,
        long triggerAsyncId,
        Object executionAsyncResource,
        Set<Thread> threads) {
      this.executionAsyncId = executionAsyncId;
      this.triggerAsyncId = triggerAsyncId;
      this.executionAsyncResource = executionAsyncResource;
      this.threads = threads;
    }
  }
}
