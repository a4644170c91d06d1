package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.tether.AgentSupport;
import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.MemberSubstitution;

/**
 * {@code ThreadPoolExecutor} (and so every subclass, {@code ScheduledThreadPoolExecutor} among
 * them) without wrapping a task: the link is attached to the task object itself where
 * {@code execute} places it in the pool (or in {@code delayedExecute}), and the worker's
 * {@code task.run()} in {@code runWorker} becomes {@link AgentSupport#runTask}. Workers are created
 * under suppression, so they start with an empty context. Rejection, {@code remove}, {@code shutdownNow} and
 * {@code Future.cancel} detach the link, so a task that will not run holds no context.
 */
final class ThreadPoolInstrumentation extends BoundaryInstrumentation {

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.EXECUTORS;
  }

  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return namedOneOf("java.util.concurrent.ThreadPoolExecutor",
        "java.util.concurrent.ScheduledThreadPoolExecutor", "java.util.concurrent.FutureTask");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(named("java.util.concurrent.ThreadPoolExecutor"))
        .transform(advice(named("execute").and(takesArguments(Runnable.class)),
            ExecuteAdvice.class))
        .transform(advice(named("addWorker"), AddWorkerAdvice.class))
        .transform(advice(named("reject"), RejectAdvice.class))
        .transform(advice(named("remove").and(takesArguments(Runnable.class)),
            RemoveAdvice.class))
        .transform(advice(named("shutdownNow"), ShutdownNowAdvice.class))
        .transform((b, type, loader, module, domain) -> b.visit(MemberSubstitution.relaxed()
            .method(named("run").and(takesArguments(0)).and(isDeclaredBy(Runnable.class)))
            .replaceWith(runTask())
            .on(named("runWorker"))))
        .transform((b, type, loader, module, domain) -> b.visit(MemberSubstitution.relaxed()
            .method(named("offer").and(takesArguments(1))
                .and(isDeclaredBy(named("java.util.concurrent.BlockingQueue"))))
            .replaceWith(offerTask())
            .on(named("execute").and(takesArguments(Runnable.class)))))
        .type(named("java.util.concurrent.ScheduledThreadPoolExecutor"))
        .transform(advice(named("delayedExecute"), DelayedExecuteAdvice.class))
        .type(named("java.util.concurrent.FutureTask"))
        .transform(advice(named("cancel").and(takesArguments(boolean.class))
            .and(returns(boolean.class)), CancelAdvice.class));
  }

  static java.lang.reflect.Method runTask() {
    try {
      return AgentSupport.class.getMethod("runTask", Runnable.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  static java.lang.reflect.Method offerTask() {
    try {
      return AgentSupport.class.getMethod("offerTask", java.util.concurrent.BlockingQueue.class,
          Object.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code execute} links its task where the task enters the pool: as a new worker's first task
   * ({@link AddWorkerAdvice}) or into the queue ({@code offer}, replaced by
   * {@link AgentSupport#offerTask}). That is the object the worker runs, also when another agent
   * replaced {@code execute}'s argument on the way in, whichever agent was attached first.
   */
  static final class ExecuteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter() {
      return AgentSupport.submitBegin();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter int depth) {
      AgentSupport.linkResume(depth);
    }
  }

  /** A new worker's first task enters the pool; the worker's thread starts under suppression. */
  static final class AddWorkerAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter(@Advice.Argument(0) Runnable firstTask) {
      boolean linked = AgentSupport.linkSubmitted(firstTask);
      AgentSupport.suppressBegin();
      return linked;
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Argument(0) Runnable firstTask, @Advice.Enter boolean linked,
        @Advice.Thrown Throwable thrown) {
      AgentSupport.suppressEnd();
      if (linked && thrown != null) {
        AgentSupport.dropTask(firstTask);
      }
    }
  }

  static final class DelayedExecuteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(0) RunnableScheduledFuture<?> task) {
      if (AgentSupport.linkBegin()) {
        AgentSupport.linkTask(task, AgentSupport.SCHEDULED_TASK, task.isPeriodic());
      }
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.linkEnd();
    }
  }

  /** Pool threads are the pool's own: they start empty and pin no submitter's context. */
  static final class SuppressAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      AgentSupport.suppressBegin();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.suppressEnd();
    }
  }

  /**
   * A rejected task holds no context; the handler is application code (it may run the task right
   * here, as {@code CallerRunsPolicy} does), so linking inside it starts afresh.
   */
  static final class RejectAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static int enter(@Advice.Argument(0) Runnable task) {
      AgentSupport.dropTask(task);
      return AgentSupport.linkSuspend();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter int depth) {
      AgentSupport.linkResume(depth);
    }
  }

  static final class RemoveAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.Argument(0) Runnable task, @Advice.Return boolean removed) {
      if (removed) {
        AgentSupport.dropTask(task);
      }
    }
  }

  static final class ShutdownNowAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.Return List<Runnable> drained) {
      AgentSupport.dropTasks(drained);
    }
  }

  static final class CancelAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object future, @Advice.Return boolean cancelled) {
      if (cancelled) {
        AgentSupport.dropTask(future);
      }
    }
  }
}
