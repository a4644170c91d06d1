package io.tether.internal;

import io.tether.ResourceTypes;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Not public API. {@code CompletableFuture} with Node's promise semantics: each future is a
 * resource; a stage's function runs in the context where the stage was registered, as the
 * continuation of the dependent future, whichever thread completes the source.
 *
 * <p>Invariants: a stage method's link is created at its entry ({@link #stageBegin}), handed to the
 * future its body constructs through {@link ExecutionState#pendingFuture} (same thread, between
 * {@code stageBegin} and {@code stageEnd}), and wraps the method's functional arguments. Only the
 * outermost stage method on a thread links ({@link Nesting#stageBegin}). A future's link lives in
 * the field the agent added to {@code CompletableFuture} ({@link LinkHolder}) when it could, else
 * in a weak identity map; it is written once, by the constructing thread, before the future is
 * published.
 */
public final class FutureLinks {

  /** The functional interface of a stage method's parameter: see {@link #wrapCallback}. */
  public static final int FUNCTION = 0;

  /** A {@code BiFunction} parameter. */
  public static final int BI_FUNCTION = 1;

  /** A {@code Consumer} parameter. */
  public static final int CONSUMER = 2;

  /** A {@code BiConsumer} parameter. */
  public static final int BI_CONSUMER = 3;

  /** A {@code Supplier} parameter. */
  public static final int SUPPLIER = 4;

  /** A {@code Runnable} parameter. */
  public static final int RUNNABLE = 5;

  private static final WeakIdentityMap<Link> FUTURES = new WeakIdentityMap<>();

  private FutureLinks() {}

  /**
   * Enters a public method of {@code CompletableFuture} that registers a stage on {@code source}
   * ({@code null} for the static {@code supplyAsync}/{@code runAsync}). Links the dependent future
   * that the method creates, triggered by the source.
   *
   * @return the dependent's link, to pass to {@link #wrapCallback} and {@link #stageEnd}; for a
   *     nested call, which links nothing, this thread's state, for {@link #stageEnd} alone
   */
  static Object stageBegin(Object source) {
    ExecutionState s = ExecutionState.current();
    if (!Nesting.stageBegin(s) || Nesting.suppressed(s)) {
      return s;
    }
    long trigger = ResourceCore.CURRENT_TRIGGER;
    if (source != null) {
      Link sourceLink = futureLink(source);
      if (sourceLink != null) {
        trigger = sourceLink.asyncId;
      }
    }
    Link link = new Link(ResourceTypes.COMPLETABLE_FUTURE, trigger, false, s);
    link.registering = s;
    s.pendingFuture = link;
    return link;
  }

  /** Leaves what {@link #stageBegin} entered; {@code begun} is what it returned. */
  static void stageEnd(Object begun) {
    ExecutionState s;
    if (begun instanceof Link) {
      Link link = (Link) begun;
      s = link.registering;
      link.registering = null;
      if (s.pendingFuture == link) {
        s.pendingFuture = null;
      }
    } else if (begun instanceof ExecutionState) {
      s = (ExecutionState) begun;
    } else {
      s = ExecutionState.current(); // stageBegin failed: undo its nesting all the same
    }
    Nesting.stageEnd(s);
  }

  /**
   * {@code CompletableFuture}'s own hand-over of a dependent to its executor (a completion firing
   * an async stage: {@code executor.execute(completion)} in {@code UniCompletion.claim}). Like a
   * stage method it links nothing of its own: the dependent's functions already run in their
   * stage's context. Propagates whatever {@code execute} throws.
   */
  static void handOver(Executor executor, Runnable completion) {
    ExecutionState s = ExecutionState.current();
    Nesting.stageBegin(s);
    try {
      executor.execute(completion);
    } finally {
      Nesting.stageEnd(s);
    }
  }

  /**
   * A functional argument of a method that registers a stage, declared as {@code kind}, as one of
   * that type that runs in the context of {@code link}. Without a link, or for {@code null}, the
   * argument itself.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object wrapCallback(Object fn, Object begun, int kind) {
    if (!(begun instanceof Link) || fn == null || fn instanceof ResourceCore) {
      return fn;
    }
    Link link = (Link) begun;
    switch (kind) {
      case FUNCTION:
        {
          Function f = (Function) fn;
          return (Function<Object, Object>) x -> link.getStage(() -> f.apply(x));
        }
      case BI_FUNCTION:
        {
          BiFunction f = (BiFunction) fn;
          return (BiFunction<Object, Object, Object>) (x, y) -> link.getStage(() -> f.apply(x, y));
        }
      case CONSUMER:
        {
          Consumer f = (Consumer) fn;
          return (Consumer<Object>) x -> link.runStage(() -> f.accept(x));
        }
      case BI_CONSUMER:
        {
          BiConsumer f = (BiConsumer) fn;
          return (BiConsumer<Object, Object>) (x, y) -> link.runStage(() -> f.accept(x, y));
        }
      case SUPPLIER:
        {
          Supplier f = (Supplier) fn;
          return (Supplier<Object>) () -> link.getStage(f);
        }
      case RUNNABLE:
        {
          Runnable f = (Runnable) fn;
          return (Runnable) () -> link.runStage(f);
        }
      default:
        return fn;
    }
  }

  /**
   * A {@code CompletableFuture} was constructed: it adopts the link of the stage being registered,
   * or, when hooks are enabled, gets a link of its own (no hooks, no need to track it).
   */
  static void futureCreated(Object future) {
    if (Hooks.active == null) {
      return; // nothing to track: the stage's link stays pending until its stageEnd
    }
    ExecutionState s = ExecutionState.current();
    Link link = s.pendingFuture;
    if (link != null) {
      s.pendingFuture = null;
    } else if (!Nesting.suppressed(s) && !s.inHook) {
      link = new Link(ResourceTypes.COMPLETABLE_FUTURE, ResourceCore.CURRENT_TRIGGER, false, s);
    }
    if (link != null && Hooks.active != null) {
      if (future instanceof LinkHolder) {
        LinkHolder holder = (LinkHolder) future;
        if (holder.tether$link() == null) { // the constructor's thread: no other sees it yet
          holder.tether$link(link);
        }
      } else {
        FUTURES.putIfAbsent(future, link);
      }
    }
  }

  /** The link of {@code future}: in its own field where the agent added one, else in the map. */
  private static Link futureLink(Object future) {
    return future instanceof LinkHolder
        ? (Link) ((LinkHolder) future).tether$link()
        : FUTURES.get(future);
  }

  /** A {@code CompletableFuture} was completed: raises {@code promiseResolve}. */
  static void futureCompleted(Object future) {
    Hooks.HookSet h = Hooks.active;
    if (h == null) {
      return;
    }
    Link link = futureLink(future);
    if (link != null && !link.silent && !link.destroyClaimed()) { // none after destroy (obtrude)
      h.promiseResolve(ExecutionState.current(), link.asyncId);
      if (link.watched()) {
        link.futureDone();
      }
    }
  }
}
