package io.tether.examples;

import io.tether.AsyncResource;
import java.util.Objects;

/**
 * One task given to a {@link WorkerPool}, as an async resource: created in the context of the code
 * that called {@link WorkerPool#runTask}, so that {@link #done} runs the task's callback in that
 * context, whichever worker thread completes the task.
 *
 * <p>The Node original, from {@code async_context.md}:
 *
 * <pre>{@code
 * class WorkerPoolTaskInfo extends AsyncResource {
 *   constructor(callback) {
 *     super('WorkerPoolTaskInfo');
 *     this.callback = callback;
 *   }
 *
 *   done(err, result) {
 *     this.runInAsyncScope(this.callback, null, err, result);
 *     this.emitDestroy();  // `TaskInfo`s are used only once.
 *   }
 * }
 * }</pre>
 */
final class WorkerPoolTaskInfo extends AsyncResource {

  /** The type hooks receive in {@code init}. */
  static final String TYPE = "WorkerPoolTaskInfo";

  private final WorkerPool.TaskCallback callback;

  WorkerPoolTaskInfo(WorkerPool.TaskCallback callback) {
    super(TYPE);
    this.callback = Objects.requireNonNull(callback, "callback must not be null");
  }

  /**
   * Calls the callback in the context where this task was submitted, then destroys this resource: a
   * task info is used once. Destroy is emitted even if the callback throws.
   *
   * @param err the task's failure, or {@code null}
   * @param result the task's result, or {@code null} if it failed
   */
  void done(Throwable err, Integer result) {
    try {
      runInAsyncScope(() -> callback.call(err, result));
    } finally {
      emitDestroy();
    }
  }
}
