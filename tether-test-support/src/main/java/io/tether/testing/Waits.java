package io.tether.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits for tests: each waits at most {@link #TIMEOUT}, then fails with an {@link
 * AssertionError} that says what it waited for, so that async work which never happens fails its
 * test in seconds and by name, not at the test's {@code @Timeout}. Interrupted, a wait fails the
 * same way and leaves the thread's interrupt status set. None throws a checked exception, so that
 * they can be called in tasks and lambdas.
 *
 * <pre>{@code
 * CountDownLatch ran = new CountDownLatch(1);
 * pool.execute(ran::countDown);
 * Waits.await(ran);
 * String seen = Waits.join(pool.submit(REQUEST::getStore));
 * }</pre>
 */
public final class Waits {

  /** How long a wait lasts at most: 10 seconds. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Waits() {}

  /**
   * Waits until {@code latch} has counted down to zero, for at most {@link #TIMEOUT}.
   *
   * @param latch the latch
   * @throws AssertionError if it has not within {@link #TIMEOUT}, or the thread is interrupted
   */
  public static void await(CountDownLatch latch) {
    try {
      if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "timed out after "
                + TIMEOUT.toSeconds()
                + " s waiting for a latch (count still "
                + latch.getCount()
                + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for a latch", e);
    }
  }

  /**
   * Waits for {@code future}'s result, for at most {@link #TIMEOUT}.
   *
   * @param future the future
   * @param <T> the result type
   * @return its result
   * @throws AssertionError if it has not completed within {@link #TIMEOUT}, completed exceptionally
   *     or was cancelled (the cause attached), or the thread is interrupted
   */
  public static <T> T join(Future<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "timed out after " + TIMEOUT.toSeconds() + " s waiting for " + future, e);
    } catch (ExecutionException e) {
      throw new AssertionError("completed exceptionally: " + future, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + future, e);
    } catch (RuntimeException e) { // cancelled
      throw new AssertionError("no result: " + future, e);
    }
  }

  /**
   * Blocks until {@code latch} has counted down to zero or the thread is interrupted, and returns
   * either way (interrupted, with the interrupt status set). Not bounded, on purpose: it is for
   * work a test leaves blocked deliberately (a leftover that must still be running when it is
   * checked, a pool's only thread kept busy, a task waiting to be cancelled), which the test itself
   * releases or interrupts in a {@code finally} block. The test stays bounded by its
   * {@code @Timeout}. For anything the test waits for, use {@link #await(CountDownLatch)}.
   *
   * @param latch the latch that releases the work
   */
  public static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
