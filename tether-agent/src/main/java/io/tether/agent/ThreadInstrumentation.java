package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.tether.AgentSupport;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.asm.Advice;

/**
 * Threads: a platform thread is linked ({@code THREAD}) where it is started and its {@code run}
 * is the continuation, in {@code Thread} and in every subclass that overrides {@code run} (the
 * outermost {@code run} on the thread itself enters, a nested {@code super.run()} finds nothing
 * left to enter). A virtual thread ({@code VIRTUAL_THREAD}, JDK 21+) is linked in
 * {@code VirtualThread.start} and runs its task in {@code VirtualThread.run(Runnable)}. A thread
 * whose {@code run} throws keeps its context for the uncaught-exception handler.
 */
final class ThreadInstrumentation extends BoundaryInstrumentation {

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.THREADS;
  }

  /** The JDK's own Thread subclasses are pool and system threads: only Thread itself is needed. */
  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return namedOneOf("java.lang.Thread", "java.lang.VirtualThread");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(named("java.lang.Thread").or(named("java.lang.VirtualThread")))
        .transform(advice(named("start"), StartAdvice.class))
        .type(isSubTypeOf("java.lang.Thread", false))
        .transform(advice(named("run").and(takesArguments(0)), RunAdvice.class))
        .type(named("java.lang.VirtualThread"))
        .transform(advice(named("run").and(takesArguments(1))
            .and(takesArgument(0, Runnable.class)), VirtualRunAdvice.class));
  }

  static final class StartAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Thread thread) {
      if (AgentSupport.linkBegin() && !AgentSupport.isLinked(thread)) {
        AgentSupport.linkTask(thread, AgentSupport.threadType(thread), false);
      }
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.This Thread thread, @Advice.Thrown Throwable thrown) {
      AgentSupport.linkEnd();
      if (thrown != null) {
        AgentSupport.dropTask(thread);
      }
    }
  }

  static final class RunAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Thread thread) {
      return thread == Thread.currentThread() ? AgentSupport.beginTask(thread) : null;
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object begun, @Advice.Thrown Throwable thrown) {
      if (thrown != null) {
        AgentSupport.endTaskThrown(begun);
      } else {
        AgentSupport.endTask(begun, true);
      }
    }
  }

  static final class VirtualRunAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Thread thread) {
      return AgentSupport.beginTask(thread);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object begun) {
      AgentSupport.endTask(begun, true);
    }
  }
}
