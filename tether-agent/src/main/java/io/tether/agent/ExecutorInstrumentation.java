package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.tether.AgentSupport;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.asm.Advice;

/**
 * Every other {@code Executor} (third-party and hand-written ones): the task given to
 * {@code execute} is replaced by a context-carrying wrapper, since where such an executor runs its
 * tasks is unknown. The JDK's own executors are left to their precise instrumentations (which keep
 * task identity), and an executor that delegates to another wraps once: the outermost.
 */
final class ExecutorInstrumentation extends BoundaryInstrumentation {

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.EXECUTORS;
  }

  /** Only the application's executors: the JDK's have precise instrumentations of their own. */
  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return none();
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(not(nameStartsWith("java.")).and(not(nameStartsWith("jdk.")))
            .and(not(nameStartsWith("sun."))).and(not(nameStartsWith("com.sun.")))
            .and(not(isInterface()))
            .and(isSubTypeOf("java.util.concurrent.Executor", true))
            .and(not(isSubTypeOf("java.util.concurrent.ThreadPoolExecutor", false)))
            .and(not(isSubTypeOf("java.util.concurrent.ForkJoinPool", false))))
        .transform(advice(named("execute").and(takesArguments(Runnable.class))
            .and(not(isAbstract())), ExecuteAdvice.class));
  }

  static final class ExecuteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
      if (AgentSupport.linkBegin()) {
        task = AgentSupport.wrapRunnable(task, AgentSupport.EXECUTOR_TASK);
      }
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.linkEnd();
    }
  }
}
