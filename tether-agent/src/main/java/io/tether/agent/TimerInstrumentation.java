package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.tether.AgentSupport;
import java.util.TimerTask;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.MemberSubstitution;

/**
 * {@code java.util.Timer}: a task is linked in {@code Timer.sched} (periodic when it has a
 * period), each run in the timer thread's {@code mainLoop} is its continuation, and
 * {@code TimerTask.cancel} ends it. The timer's own thread is started under suppression.
 */
final class TimerInstrumentation extends BoundaryInstrumentation {

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.TIMERS;
  }

  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return namedOneOf("java.util.Timer", "java.util.TimerThread", "java.util.TimerTask");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(named("java.util.Timer"))
        .transform(advice(named("sched").and(takesArguments(3)), SchedAdvice.class))
        .transform(advice(isConstructor(), ConstructorAdvice.class))
        .type(named("java.util.TimerThread"))
        .transform((b, type, loader, module, domain) -> b.visit(MemberSubstitution.relaxed()
            .method(named("run").and(takesArguments(0))
                .and(isDeclaredBy(named("java.util.TimerTask"))))
            .replaceWith(ThreadPoolInstrumentation.runTask())
            .on(named("mainLoop"))))
        .type(named("java.util.TimerTask"))
        .transform(advice(named("cancel").and(returns(boolean.class)), CancelAdvice.class));
  }

  static final class SchedAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static boolean enter(@Advice.Argument(0) TimerTask task, @Advice.Argument(2) long period) {
      return AgentSupport.linkBegin()
          && AgentSupport.linkTask(task, AgentSupport.TIMER_TASK, period != 0);
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Argument(0) TimerTask task, @Advice.Enter boolean linked,
        @Advice.Thrown Throwable thrown) {
      AgentSupport.linkEnd();
      if (linked && thrown != null) {
        AgentSupport.dropTask(task);
      }
    }
  }

  static final class ConstructorAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      AgentSupport.suppressBegin();
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit() {
      AgentSupport.suppressEnd();
    }
  }

  static final class CancelAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This TimerTask task, @Advice.Return boolean cancelled) {
      if (cancelled) {
        AgentSupport.dropTask(task);
      }
    }
  }
}
