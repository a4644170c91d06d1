package io.tether;

/**
 * The callbacks of an {@link AsyncHook}: implement the ones you need, the others do nothing.
 *
 * <p>Each callback runs synchronously on the thread where its event happens, concurrently with the
 * same callback on other threads, so implementations must be thread-safe. Async work linked inside
 * a callback (a task submitted, an {@link AsyncResource} created) produces no hook events, so a
 * callback may log or queue without recursing into itself. An exception a callback throws never
 * reaches the application: it goes to the {@link HookErrorHandler} (see {@link
 * AsyncHooks#setHookErrorHandler}).
 *
 * <pre>{@code
 * AsyncHook hook = AsyncHooks.createHook(new AsyncHookCallbacks() {
 *   @Override public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
 *     System.out.printf("%d %s caused by %d%n", asyncId, type, triggerAsyncId);
 *   }
 * }).enable();
 * }</pre>
 */
public interface AsyncHookCallbacks {

  /**
   * Called when a resource is created, at its link point and on the linking thread: a task
   * submitted, a timer scheduled, an {@link AsyncResource} constructed.
   *
   * @param asyncId the new resource's id
   * @param type its type, such as {@code EXECUTOR_TASK} or an {@link AsyncResource}'s own type
   * @param triggerAsyncId the id of the resource that caused it
   * @param resource the resource object, the one {@link AsyncHooks#executionAsyncResource()}
   *     returns while its continuation runs
   */
  default void init(long asyncId, String type, long triggerAsyncId, Object resource) {}

  /**
   * Called just before the continuation of resource {@code asyncId} runs, on the running thread.
   */
  default void before(long asyncId) {}

  /** Called just after the continuation of resource {@code asyncId} ran, even if it threw. */
  default void after(long asyncId) {}

  /**
   * Called once when resource {@code asyncId} has ended: after the last run of a task, on {@link
   * AsyncResource#emitDestroy()}, or when an unfinished resource became unreachable. Never called
   * inside the application's code: a task's destroy follows its {@code after} on the same thread
   * once the task has returned; others arrive on Tether's {@code tether-destroy} thread.
   */
  default void destroy(long asyncId) {}

  /** Called when the {@code CompletableFuture} that is resource {@code asyncId} is completed. */
  default void promiseResolve(long asyncId) {}
}
