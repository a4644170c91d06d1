package io.tether.internal;

/**
 * Not public API. The nesting guard of the agent's woven methods, in the spirit of OpenTelemetry's
 * {@code CallDepth}: which of several nested JDK methods that link work links it, and where no work
 * is linked at all.
 *
 * <p>Invariants: the state lives in the thread's {@link ExecutionState} (confined to it, so no
 * synchronisation). {@link ExecutionState#linkDepth} counts the linking methods on this thread's
 * stack in three named states: {@link #OUTSIDE} (none), {@link #OUTERMOST} (inside the outermost,
 * which has not linked its work yet: only there does a task get linked) and {@link #SETTLED} or
 * deeper (a nested linking method, or the outermost once its work is linked or must not be). Every
 * entry is paired with an exit in the woven method's {@code finally}, and a continuation starts
 * {@link #OUTSIDE} whatever was on the stack below it ({@link ExecutionState#enter}). {@link
 * ExecutionState#suppressDepth} counts pools' own thread creation (nothing is linked there) and
 * {@link ExecutionState#stageDepth} {@code CompletableFuture}'s stage registration.
 */
public final class Nesting {

  /** No linking method is on this thread's stack. */
  public static final int OUTSIDE = 0;

  /** Inside the outermost linking method, which has not linked its work yet. */
  public static final int OUTERMOST = 1;

  /**
   * Inside a nested linking method, or the outermost after its work was linked (or must not be).
   */
  public static final int SETTLED = 2;

  private Nesting() {}

  /**
   * Enters a method that links work.
   *
   * @return whether this is the outermost linking method and nothing suppresses linking here; call
   *     {@link #linkEnd} on the way out in any case
   */
  static boolean linkBegin(ExecutionState s) {
    return s.linkDepth++ == OUTSIDE && s.suppressDepth == 0;
  }

  /** Leaves a method entered with {@link #linkBegin}. */
  static void linkEnd(ExecutionState s) {
    if (s.linkDepth > OUTSIDE) {
      s.linkDepth--;
    }
  }

  /**
   * Added to {@link #SETTLED} when the outermost deferred method links its work ({@link #settle}):
   * how {@link #leaveDeferred} tells that method, entered {@link #OUTSIDE}, from one nested a level
   * deeper, whose depth without the flag is the same. A bit far above any real nesting, so counting
   * up and down in nested methods keeps it.
   */
  static final int LINKED_HERE = 1 << 20;

  /**
   * Enters a method that links its work later, where the work enters the pool ({@code
   * ThreadPoolExecutor.execute}: see {@link TaskLinks#linkSubmitted}). Inside {@code
   * CompletableFuture}'s own registration of a stage the work is the future's business and is
   * entered {@link #SETTLED}. Leave with {@link #leaveDeferred}, which needs nothing kept: what it
   * takes away is what this added (the stage nesting is the same on the way out: stage methods are
   * left in {@code finally} before their callers), or all of it where {@link #settle} linked.
   */
  static void enterDeferred(ExecutionState s) {
    s.linkDepth += s.stageDepth > 0 ? SETTLED : OUTERMOST;
  }

  /** Leaves a method entered with {@link #enterDeferred}. */
  static void leaveDeferred(ExecutionState s) {
    int depth = s.linkDepth;
    s.linkDepth =
        depth == (SETTLED | LINKED_HERE)
            ? OUTSIDE
            : Math.max(OUTSIDE, depth - (s.stageDepth > 0 ? SETTLED : OUTERMOST));
  }

  /** Whether the outermost linking method is running and has not linked yet. */
  static boolean awaitsLink(ExecutionState s) {
    return s.linkDepth == OUTERMOST && s.suppressDepth == 0;
  }

  /**
   * The outermost linking method linked its work: nothing more links until it is left. Only a
   * method entered with {@link #enterDeferred} from {@link #OUTSIDE} links this way ({@link
   * #awaitsLink}), so the flag tells {@link #leaveDeferred} to go back there.
   */
  static void settle(ExecutionState s) {
    s.linkDepth = SETTLED | LINKED_HERE;
  }

  /**
   * Suspends the nesting while application code runs inside a linking method (a rejection handler
   * that runs the task in the caller): what that code links, it links afresh.
   *
   * @return the state to give back to {@link #resume}
   */
  static int suspend(ExecutionState s) {
    int depth = s.linkDepth;
    s.linkDepth = OUTSIDE;
    return depth;
  }

  /** Gives back the state that {@link #suspend} took. */
  static void resume(ExecutionState s, int depth) {
    s.linkDepth = depth;
  }

  /** Enters code that creates a pool's own threads: they link nothing and inherit nothing. */
  public static void suppressBegin(ExecutionState s) {
    s.suppressDepth++;
  }

  /** Leaves what {@link #suppressBegin} entered. */
  public static void suppressEnd(ExecutionState s) {
    if (s.suppressDepth > 0) {
      s.suppressDepth--;
    }
  }

  /**
   * Starts one of Tether's own daemon threads, under suppression: the agent links it to no one's
   * context, so it pins none and its work is never the application's.
   */
  static Thread startOwnThread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    ExecutionState s = ExecutionState.current();
    suppressBegin(s);
    try {
      t.start();
    } finally {
      suppressEnd(s);
    }
    return t;
  }

  /** Whether work linked here links nothing (a pool's own thread creation, Tether's own work). */
  static boolean suppressed(ExecutionState s) {
    return s.suppressDepth > 0;
  }

  /** Enters a {@code CompletableFuture} stage method; whether it is the outermost one. */
  static boolean stageBegin(ExecutionState s) {
    return s.stageDepth++ == 0;
  }

  /** Leaves a stage method, or {@code CompletableFuture}'s own hand-over to its executor. */
  static void stageEnd(ExecutionState s) {
    if (s.stageDepth > 0) {
      s.stageDepth--;
    }
  }
}
