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
 * {@code ForkJoinPool} and {@code ForkJoinTask}, parallel streams included: a task is linked where
 * it is forked or submitted to a pool (the internal push methods, whose names differ between JDK
 * releases: {@code externalPush}/{@code externalSubmit} in 17, {@code poolSubmit} in 21+) and runs
 * in that context in {@code doExec}, whichever worker steals it. A task run inline by the thread
 * that invokes it was never linked and simply runs in the current context. Workers are created
 * under suppression.
 */
final class ForkJoinInstrumentation extends BoundaryInstrumentation {

  /** By name: installing the agent loads no class it instruments. */
  private static final String FORK_JOIN_TASK = "java.util.concurrent.ForkJoinTask";

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.FORKJOIN;
  }

  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return namedOneOf("java.util.concurrent.ForkJoinTask", "java.util.concurrent.ForkJoinPool");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(named("java.util.concurrent.ForkJoinTask"))
        .transform(advice(named("fork").and(takesArguments(0)), ForkAdvice.class))
        .transform(advice(named("doExec").and(takesArguments(0)), ExecAdvice.class))
        .type(named("java.util.concurrent.ForkJoinPool"))
        .transform(advice(named("externalPush").or(named("externalSubmit"))
            .and(takesArguments(1)).and(takesArgument(0, named(FORK_JOIN_TASK))),
            PushFirstArgumentAdvice.class))
        .transform(advice(named("poolSubmit").and(takesArguments(2))
            .and(takesArgument(1, named(FORK_JOIN_TASK))), PushSecondArgumentAdvice.class))
        .transform(advice(named("createWorker"),
            ThreadPoolInstrumentation.SuppressAdvice.class));
  }

  static final class ForkAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object task) {
      if (AgentSupport.linkBegin()) {
        AgentSupport.linkTask(task, AgentSupport.FORK_JOIN_TASK, false);
      }
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.linkEnd();
    }
  }

  static final class PushFirstArgumentAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(0) Object task) {
      if (AgentSupport.linkBegin()) {
        AgentSupport.linkTask(task, AgentSupport.FORK_JOIN_TASK, false);
      }
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.linkEnd();
    }
  }

  static final class PushSecondArgumentAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.Argument(1) Object task) {
      if (AgentSupport.linkBegin()) {
        AgentSupport.linkTask(task, AgentSupport.FORK_JOIN_TASK, false);
      }
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.linkEnd();
    }
  }

  static final class ExecAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This Object task) {
      return AgentSupport.beginTask(task);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object begun) {
      AgentSupport.endTask(begun, true);
    }
  }
}
