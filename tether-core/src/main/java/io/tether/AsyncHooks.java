package io.tether;

import io.tether.internal.ExecutionState;
import io.tether.internal.Hooks;
import java.util.Objects;

/**
 * Entry points of the async hooks API: create hooks, and ask which resource is executing.
 *
 * <pre>{@code
 * AsyncHook hook = AsyncHooks.createHook(new AsyncHookCallbacks() {
 *   @Override public void before(long asyncId) { timer.start(asyncId); }
 *   @Override public void after(long asyncId) { timer.stop(asyncId); }
 * }).enable();
 * }</pre>
 *
 * <p>Ids: every resource has a unique positive id, never reused in a JVM. On the main thread
 * outside any resource {@link #executionAsyncId()} is 1 and {@link #triggerAsyncId()} 0; on any
 * other thread running no tracked continuation both are 0.
 */
public final class AsyncHooks {

  private AsyncHooks() {}

  /**
   * Creates a hook, disabled; call {@link AsyncHook#enable()} to start receiving events.
   *
   * @param callbacks the callbacks, of which any subset may be implemented
   * @return the new hook
   */
  public static AsyncHook createHook(AsyncHookCallbacks callbacks) {
    return new AsyncHook(Objects.requireNonNull(callbacks, "callbacks must not be null"));
  }

  /** The id of the resource whose continuation runs on this thread (1 or 0 outside any). */
  public static long executionAsyncId() {
    return ExecutionState.current().asyncId;
  }

  /** The id of the resource that caused the one executing now (0 outside any). */
  public static long triggerAsyncId() {
    return ExecutionState.current().triggerAsyncId;
  }

  /**
   * The resource whose continuation runs on this thread: the {@link AsyncResource} inside its
   * {@code runInAsyncScope}, the task inside an executor task. Outside any resource, a fixed
   * non-null object standing for the thread's top level.
   */
  public static Object executionAsyncResource() {
    Object r = ExecutionState.current().resource;
    return r != null ? r : ExecutionState.TOP_LEVEL;
  }

  /**
   * Installs the handler that receives exceptions thrown by hook callbacks (see {@link
   * HookErrorHandler} for the default policy).
   *
   * @param handler the new handler
   * @return the handler it replaces
   */
  public static HookErrorHandler setHookErrorHandler(HookErrorHandler handler) {
    return Hooks.setErrorHandler(Objects.requireNonNull(handler, "handler must not be null"));
  }
}
