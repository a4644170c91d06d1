package io.tether.log4j2;

import java.util.concurrent.Callable;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.apache.logging.log4j.util.StringMap;

/**
 * Scoped values for Log4j 2's {@link ThreadContext} once {@link TetherThreadContextMap} is selected
 * ({@code log4j2.threadContextMap=io.tether.log4j2.TetherThreadContextMap}).
 *
 * <pre>{@code
 * TetherThreadContext.run("requestId", "r-42", () -> {
 *   log.info("start");                                   // r-42 start
 *   pool.execute(() -> log.info("finish"));              // r-42 finish, on a pool thread
 * });                                                    // requestId is gone again here
 * }</pre>
 */
public final class TetherThreadContext {

  private TetherThreadContext() {}

  /**
   * Returns whether Log4j's {@link ThreadContext} uses {@link TetherThreadContextMap}.
   *
   * @return {@code true} when the {@code log4j2.threadContextMap} property selected it
   */
  public static boolean isInstalled() {
    return ThreadContext.getThreadContextMap() instanceof TetherThreadContextMap;
  }

  /**
   * Runs {@code callback} with {@code key} set to {@code value} in the thread context, for the
   * callback and for all async work linked inside it; afterwards the thread context is what it was
   * before, whatever the callback put, removed or cleared.
   *
   * @param key the key
   * @param value the value, {@code null} allowed
   * @param callback what to run
   */
  public static void run(String key, String value, Runnable callback) {
    TetherThreadContextMap.STORAGE.run(with(key, value), callback);
  }

  /**
   * Calls {@code callback} with {@code key} set to {@code value} in the thread context, as {@link
   * #run(String, String, Runnable)} does, and returns its result.
   *
   * @param key the key
   * @param value the value, {@code null} allowed
   * @param callback what to call
   * @param <R> the result type
   * @return the callback's result
   * @throws Exception whatever the callback throws
   */
  public static <R> R call(String key, String value, Callable<R> callback) throws Exception {
    return TetherThreadContextMap.STORAGE.call(with(key, value), callback);
  }

  private static StringMap with(String key, String value) {
    StringMap current = TetherThreadContextMap.STORAGE.getStore();
    SortedArrayStringMap copy =
        new SortedArrayStringMap((current == null ? 0 : current.size()) + 1);
    if (current != null) {
      copy.putAll(current);
    }
    copy.putValue(key, value);
    copy.freeze();
    return copy;
  }
}
