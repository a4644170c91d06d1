package io.tether;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Executors that carry context without the agent: every task runs in the context that was current
 * where it was submitted, as the continuation of an {@code EXECUTOR_TASK} (or, for {@code
 * schedule*}, {@code SCHEDULED_TASK}) resource with hook events around it.
 *
 * <pre>{@code
 * ExecutorService pool = AsyncExecutors.wrap(Executors.newFixedThreadPool(4));
 * REQUEST_ID.run("r-7", () -> pool.submit(() -> log(REQUEST_ID.getStore())));  // logs "r-7"
 * }</pre>
 *
 * <p>Cautions: the pool's own threads see the wrappers, not the application's tasks, in {@code
 * beforeExecute}, {@code getQueue()} and rejection handlers (the agent avoids this); {@code
 * shutdownNow()} does return the application's own tasks. Wrapping an already wrapped executor
 * returns it unchanged, so a task is never wrapped twice.
 */
public final class AsyncExecutors {

  private AsyncExecutors() {}

  /**
   * Wraps {@code executor} so that its tasks run in their submitter's context. An {@link
   * ExecutorService} or {@link ScheduledExecutorService} gets the richer wrapper, typed here as
   * {@link Executor}.
   *
   * @param executor the executor to wrap
   * @return the wrapping executor
   */
  public static Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor must not be null");
    if (executor instanceof ScheduledExecutorService) {
      return wrap((ScheduledExecutorService) executor);
    }
    if (executor instanceof ExecutorService) {
      return wrap((ExecutorService) executor);
    }
    if (executor instanceof ExecutorWrappers.ContextExecutor) {
      return executor;
    }
    return new ExecutorWrappers.ContextExecutor<>(executor);
  }

  /**
   * Wraps {@code executor} so that tasks given to {@code execute}, {@code submit}, {@code
   * invokeAll} and {@code invokeAny} run in their submitter's context.
   *
   * @param executor the executor service to wrap
   * @return the wrapping executor service
   */
  public static ExecutorService wrap(ExecutorService executor) {
    Objects.requireNonNull(executor, "executor must not be null");
    if (executor instanceof ScheduledExecutorService) {
      return wrap((ScheduledExecutorService) executor);
    }
    if (executor instanceof ExecutorWrappers.ContextExecutorService) {
      return executor;
    }
    return new ExecutorWrappers.ContextExecutorService<>(executor);
  }

  /**
   * Wraps {@code executor} so that every task, one-shot or periodic, runs in the context where it
   * was scheduled; each run of a periodic task is a continuation of one {@code SCHEDULED_TASK}.
   *
   * @param executor the scheduled executor service to wrap
   * @return the wrapping scheduled executor service
   */
  public static ScheduledExecutorService wrap(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor must not be null");
    if (executor instanceof ExecutorWrappers.ContextScheduledExecutorService) {
      return executor;
    }
    return new ExecutorWrappers.ContextScheduledExecutorService(executor);
  }
}
