package io.tether.spring.boot;

import io.tether.AsyncResource;
import io.tether.ResourceTypes;
import org.springframework.core.task.TaskDecorator;

/**
 * A Spring {@link TaskDecorator} that runs each task in the Tether context of the code that
 * submitted it: the {@code @Async} method's caller, the code that called {@code execute} or {@code
 * schedule}. The task becomes the continuation of an {@code EXECUTOR_TASK} resource linked where it
 * was decorated, with hook events around each run, as {@link io.tether.AsyncExecutors} does.
 *
 * <pre>{@code
 * ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
 * executor.setTaskDecorator(new TetherTaskDecorator());
 * executor.initialize();
 * REQUEST_ID.run("r-7", () -> executor.execute(() -> log(REQUEST_ID.getStore())));   // "r-7"
 * }</pre>
 *
 * <p>Spring decorates a task where it is submitted ({@code ThreadPoolTaskExecutor}, {@code
 * SimpleAsyncTaskExecutor}) or scheduled ({@code ThreadPoolTaskScheduler}, {@code
 * SimpleAsyncTaskScheduler}), on the submitting thread: that is the link point. {@link
 * TetherAutoConfiguration} registers one for the executors and schedulers Spring Boot builds, when
 * the Tether agent is not attached.
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>With the agent attached, do not add it: the agent already links every task handed to the
 *       JDK pools underneath, and the decorator would make each task a second resource.
 *   <li>A periodic task is decorated once, where it is scheduled: every run is in that context.
 * </ul>
 */
public final class TetherTaskDecorator implements TaskDecorator {

  /** Creates the decorator; it keeps no state. */
  public TetherTaskDecorator() {}

  /** Returns {@code runnable} bound to the current context through a new executor-task resource. */
  @Override
  public Runnable decorate(Runnable runnable) {
    return AsyncResource.bind(runnable, ResourceTypes.EXECUTOR_TASK);
  }

  @Override
  public String toString() {
    return "TetherTaskDecorator";
  }
}
