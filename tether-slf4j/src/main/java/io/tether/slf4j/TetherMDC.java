package io.tether.slf4j;

import ch.qos.logback.classic.LoggerContext;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * Logback's MDC, kept in Tether's context: values put with {@link MDC#put} follow the async work
 * linked after the put (pool tasks, {@code CompletableFuture} stages, threads, timers), with no
 * copying at any hop, and never reach work of another request.
 *
 * <pre>{@code
 * TetherMDC.install();                                   // once, at startup
 *
 * TetherMDC.run("requestId", "r-42", () -> {
 *   log.info("start");                                   // r-42 start
 *   pool.execute(() -> log.info("finish"));              // r-42 finish, on a pool thread
 * });                                                    // requestId is gone again here
 * }</pre>
 *
 * <p>Semantics are those of {@link io.tether.AsyncLocalStorage}: the MDC is part of the context.
 * {@code MDC.put}, {@code remove}, {@code clear} and {@code setContextMap} change it with {@code
 * enterWith}, for the rest of the current continuation and for work linked after the call; work
 * linked before keeps the values it was linked with. {@link #run(String, String, Runnable)} adds a
 * value for a callback only, restoring the MDC afterwards.
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>Context crosses an executor only if it is wrapped ({@link io.tether.AsyncExecutors}) or the
 *       Tether agent is attached.
 *   <li>On a thread outside any continuation (a server thread without the agent, {@code main}), a
 *       value put stays until removed, as with Logback's own MDC: clear it at the end of the
 *       request, or prefer {@link #run(String, String, Runnable)}.
 *   <li>{@link #install()} replaces SLF4J's MDC adapter in place; values put before it are not
 *       carried over. Before it, {@link #run(String, String, Runnable)} and {@link #call(String,
 *       String, Callable)} throw {@link IllegalStateException} at once: their value would reach
 *       neither {@code MDC.get} nor the log lines.
 * </ul>
 */
public final class TetherMDC {

  private TetherMDC() {}

  /**
   * Makes SLF4J's {@link MDC} and Logback's default {@link LoggerContext} keep the MDC in Tether's
   * context. Idempotent; call it once, early (before the MDC is first used).
   *
   * @throws IllegalStateException if SLF4J is not bound to Logback, or SLF4J's adapter cannot be
   *     replaced (SLF4J on the module path without {@code --add-opens
   *     org.slf4j/org.slf4j=io.tether.slf4j})
   */
  public static synchronized void install() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      throw new IllegalStateException(
          "tether-slf4j needs SLF4J bound to Logback, but it is bound to "
              + factory.getClass().getName());
    }
    LoggerContext context = (LoggerContext) factory;
    if (context.getMDCAdapter() != TetherMDCAdapter.INSTANCE) {
      setLogbackAdapter(context, TetherMDCAdapter.INSTANCE);
    }
    if (MDC.getMDCAdapter() != TetherMDCAdapter.INSTANCE) {
      setSlf4jAdapter(TetherMDCAdapter.INSTANCE);
    }
  }

  /**
   * Returns whether {@link #install()} is in effect: SLF4J's {@link MDC} uses Tether's adapter.
   *
   * @return {@code true} once installed
   */
  public static boolean isInstalled() {
    return MDC.getMDCAdapter() == TetherMDCAdapter.INSTANCE;
  }

  /**
   * Runs {@code callback} with {@code key} set to {@code value} in the MDC, for the callback and
   * for all async work linked inside it; afterwards the MDC is what it was before, whatever the
   * callback put, removed or cleared.
   *
   * @param key the MDC key
   * @param value the value, {@code null} allowed
   * @param callback what to run
   * @throws IllegalStateException if {@link #install()} is not in effect (nothing is run)
   */
  public static void run(String key, String value, Runnable callback) {
    requireInstalled("run");
    TetherMDCAdapter.VALUES.run(with(key, value), callback);
  }

  /**
   * Calls {@code callback} with {@code key} set to {@code value} in the MDC, as {@link #run(String,
   * String, Runnable)} does, and returns its result.
   *
   * @param key the MDC key
   * @param value the value, {@code null} allowed
   * @param callback what to call
   * @param <R> the result type
   * @return the callback's result
   * @throws IllegalStateException if {@link #install()} is not in effect (nothing is called)
   * @throws Exception whatever the callback throws
   */
  public static <R> R call(String key, String value, Callable<R> callback) throws Exception {
    requireInstalled("call");
    return TetherMDCAdapter.VALUES.call(with(key, value), callback);
  }

  /**
   * Returns the current MDC: an unmodifiable map that never changes (a later put makes a new one),
   * empty when nothing is set. Cheaper than {@link MDC#getCopyOfContextMap()}: nothing is copied.
   * Before {@link #install()}, the MDC is SLF4J's own: this returns an unmodifiable copy of it.
   *
   * @return the current MDC's values
   */
  public static Map<String, String> current() {
    if (!isInstalled()) {
      Map<String, String> own = MDC.getCopyOfContextMap();
      return own == null ? Map.of() : Collections.unmodifiableMap(own);
    }
    Map<String, String> map = TetherMDCAdapter.VALUES.getStore();
    return map == null ? Map.of() : map;
  }

  /**
   * Fails at once where a value would otherwise be set in Tether's context that neither {@code
   * MDC.get} nor the log lines read: SLF4J's MDC is still its own until {@link #install()}.
   */
  private static void requireInstalled(String method) {
    if (!isInstalled()) {
      throw new IllegalStateException(
          "TetherMDC."
              + method
              + " needs TetherMDC.install() first (once, at startup, before the MDC is used):"
              + " without it the value would reach neither MDC.get nor the log lines");
    }
  }

  private static Map<String, String> with(String key, String value) {
    if (key == null) {
      throw new IllegalArgumentException("key cannot be null");
    }
    Map<String, String> map = TetherMDCAdapter.VALUES.getStore();
    Map<String, String> copy = map == null ? new HashMap<>(4) : new HashMap<>(map);
    copy.put(key, value);
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Logback's setter, {@code LoggerContext.setMDCAdapter}, adds the WARN status "mdcAdapter being
   * reset a second time" whenever the context has an adapter already, and it always has one:
   * Logback's SLF4J provider sets its own while SLF4J binds, before any code of the application
   * runs. A status listener (Spring Boot's, or {@code <configuration debug="true">}) prints that
   * warning. So the field behind the setter is written directly (found by type, as SLF4J's below);
   * only where Logback's package is closed to this module (the module path without {@code
   * --add-opens ch.qos.logback.classic/ch.qos.logback.classic=io.tether.slf4j}) is the setter used,
   * warning and all.
   */
  private static void setLogbackAdapter(LoggerContext context, MDCAdapter adapter) {
    try {
      for (Field field : LoggerContext.class.getDeclaredFields()) {
        if (!Modifier.isStatic(field.getModifiers()) && field.getType() == MDCAdapter.class) {
          field.setAccessible(true);
          field.set(context, adapter);
          return;
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Closed to reflection: the public setter below does the same, with its warning.
    }
    context.setMDCAdapter(adapter);
  }

  /**
   * SLF4J 2 offers no public setter: {@code LoggerFactory} hands the provider's adapter to a
   * package-private static field of {@link MDC} once, at binding. The field is found by type, not
   * by name, since its name changed across 2.0.x releases.
   */
  private static void setSlf4jAdapter(MDCAdapter adapter) {
    try {
      for (Field field : MDC.class.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == MDCAdapter.class) {
          field.setAccessible(true);
          field.set(null, adapter);
          return;
        }
      }
      throw new IllegalStateException("org.slf4j.MDC has no static MDCAdapter field");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot replace SLF4J's MDC adapter (on the module path, add"
              + " --add-opens org.slf4j/org.slf4j=io.tether.slf4j)",
          e);
    }
  }
}
