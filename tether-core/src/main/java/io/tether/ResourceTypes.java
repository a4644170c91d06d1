package io.tether;

/**
 * The {@code type} names of the async resources Tether creates itself, as hooks receive them in
 * {@link AsyncHookCallbacks#init}: the JDK boundaries the agent links, and the resources of the
 * explicit API. An application's own {@link AsyncResource}s have the type they were given.
 *
 * <pre>{@code
 * AsyncHooks.createHook(new AsyncHookCallbacks() {
 *   @Override public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
 *     if (ResourceTypes.COMPLETABLE_FUTURE.equals(type)) { ... }
 *   }
 * }).enable();
 * }</pre>
 */
public final class ResourceTypes {

  /** A platform thread: linked at {@code Thread.start()}, continued by its {@code run()}. */
  public static final String THREAD = "THREAD";

  /** A virtual thread: linked at its start, continued by its task. */
  public static final String VIRTUAL_THREAD = "VIRTUAL_THREAD";

  /** A task given to an executor: linked at {@code execute}/{@code submit}/{@code invoke*}. */
  public static final String EXECUTOR_TASK = "EXECUTOR_TASK";

  /** A delayed or periodic task of a scheduled executor: each run continues it. */
  public static final String SCHEDULED_TASK = "SCHEDULED_TASK";

  /** A fork/join task, parallel streams' included: linked at {@code fork}/{@code submit}/... */
  public static final String FORK_JOIN_TASK = "FORK_JOIN_TASK";

  /** A {@code CompletableFuture} or stage; a dependent's trigger is its source stage. */
  public static final String COMPLETABLE_FUTURE = "COMPLETABLE_FUTURE";

  /** A {@code java.util.Timer} task: linked at {@code schedule*}, continued by each run. */
  public static final String TIMER_TASK = "TIMER_TASK";

  /** An {@code HttpClient.sendAsync} exchange, continued by its completion. */
  public static final String HTTP_CLIENT_EXCHANGE = "HTTP_CLIENT_EXCHANGE";

  /** An NIO.2 asynchronous I/O call, continued by its {@code CompletionHandler}. */
  public static final String NIO_COMPLETION = "NIO_COMPLETION";

  /**
   * A function bound with {@link AsyncLocalStorage#bind}, or a captured {@link
   * AsyncLocalStorage#snapshot()}, as in Node.
   */
  public static final String BOUND_ANONYMOUS_FN = "bound-anonymous-fn";

  private ResourceTypes() {}
}
