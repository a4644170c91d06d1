package io.tether.agent;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.tether.AgentSupport;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * {@code CompletableFuture} with Node's promise semantics: every method that registers a stage
 * links the dependent future there (triggered by its source) and replaces the stage's function with
 * one that runs in that link's context, whichever thread completes the source. Constructors adopt
 * that link (or, with hooks enabled, get their own), and the internal completion methods raise
 * {@code promiseResolve}. The functions are the future's private business, so wrapping them is
 * invisible to the application.
 */
final class FutureInstrumentation extends BoundaryInstrumentation {

  static final String[] STAGE_METHODS = {
    "thenApply", "thenApplyAsync", "thenAccept", "thenAcceptAsync", "thenRun", "thenRunAsync",
    "thenCombine", "thenCombineAsync", "thenAcceptBoth", "thenAcceptBothAsync",
    "runAfterBoth", "runAfterBothAsync", "applyToEither", "applyToEitherAsync",
    "acceptEither", "acceptEitherAsync", "runAfterEither", "runAfterEitherAsync",
    "thenCompose", "thenComposeAsync", "whenComplete", "whenCompleteAsync",
    "handle", "handleAsync", "exceptionally", "exceptionallyAsync",
    "exceptionallyCompose", "exceptionallyComposeAsync", "completeAsync"
  };

  static final String[] COMPLETIONS = {
    "completeNull", "completeValue", "completeThrowable", "completeRelay", "internalComplete"
  };

  @Override
  AgentOptions.Family family() {
    return AgentOptions.Family.FUTURES;
  }

  @Override
  ElementMatcher.Junction<TypeDescription> jdkTypes() {
    return namedOneOf("java.util.concurrent.CompletableFuture",
        "java.util.concurrent.CompletableFuture$UniCompletion");
  }

  @Override
  AgentBuilder extend(AgentBuilder builder) {
    return builder
        .type(named("java.util.concurrent.CompletableFuture"))
        .transform(advice(isPublic().and(not(isStatic()).and(namedOneOf(STAGE_METHODS))
            .or(isStatic().and(namedOneOf("supplyAsync", "runAsync")))), StageAdvice.class))
        .transform(advice(isConstructor(), ConstructorAdvice.class))
        .transform(advice(namedOneOf(COMPLETIONS).and(returns(boolean.class)),
            CompletionAdvice.class))
        .type(named("java.util.concurrent.CompletableFuture$UniCompletion"))
        .transform(advice(named("claim").and(takesArguments(0)), HandOverAdvice.class));
  }

  /** On instance stages the source is {@code this}; on the static ones there is none. */
  static final class StageAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.This(optional = true) Object source,
        @Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args) {
      Object link = AgentSupport.stageBegin(source);
      if (link != null) {
        args = AgentSupport.wrapCallbacks(args, link);
      }
      return link;
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit(@Advice.Enter Object link) {
      AgentSupport.stageEnd(link);
    }
  }

  /**
   * {@code claim} hands an async dependent to its executor when its source completes: that task is
   * the future's business (its function already runs in the stage's context), so the executor does
   * not link it as a task of its own, also when another agent wrapped it on the way in.
   */
  static final class HandOverAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter() {
      AgentSupport.futureHandOverBegin();
    }

    @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
    static void exit() {
      AgentSupport.stageEnd(null);
    }
  }

  static final class ConstructorAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object future) {
      AgentSupport.futureCreated(future);
    }
  }

  static final class CompletionAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object future, @Advice.Return boolean completed) {
      if (completed) {
        AgentSupport.futureCompleted(future);
      }
    }
  }
}
