package io.tether.internal;

import java.util.function.Supplier;

/**
 * Not public API. One resource the agent linked: a submission of a task, a thread, a {@code
 * CompletableFuture} stage, an I/O operation's callback.
 *
 * <p>Invariants: {@link #RUNNING} and {@link #OVER} are bits of the resource's state, beside its
 * destroy claim, each set or cleared in one atomic step that claims destroy when the other bit says
 * so: of a run that ends and a cancellation (or a completion of the stage's future) that happens
 * meanwhile, at least one sees the other and claims the one destroy. Only a stage link and a
 * periodic task's link mark their runs: a one-shot task's link is taken from its task before it
 * runs, so nothing can cancel it meanwhile. {@code next} chains the links of one task object,
 * guarded by that object's {@link TaskLinks} slot. {@code registering} is written and read only by
 * the thread registering a stage, between {@code stageBegin} and {@code stageEnd}.
 */
public final class Link extends ResourceCore {
  final boolean periodic;

  /** Next link of the same task object, guarded by its slot. */
  Link next;

  /**
   * The state of the thread registering this stage link, from {@code stageBegin} to {@code
   * stageEnd} on that thread (so that {@code stageEnd} needs no thread-local lookup).
   */
  ExecutionState registering;

  /** Links a resource of {@code type} here, on the thread whose state is {@code s}. */
  Link(String type, long trigger, boolean periodic, ExecutionState s) {
    super(type, trigger, true, s, false);
    this.periodic = periodic;
  }

  /**
   * The future of this stage link is complete: its continuation (the stage function, if it had one)
   * will not run any more, so the resource has ended. Destroy is delivered on the {@code
   * tether-destroy} thread (the completion may be a call of the application's), after the run in
   * progress if the function is running now; only a future that never completes waits for the
   * collector. Once only: the claim cancels the watch.
   */
  void futureDone() {
    if (setClaimingUnless(OVER, RUNNING)) {
      DestroyThread.add(asyncId);
    }
  }

  /** Runs a stage function of this link in its context, as a run {@link #futureDone} sees. */
  void runStage(Runnable fn) {
    if (!watched()) {
      runInScope(fn);
      return;
    }
    markRunning();
    try {
      runInScope(fn);
    } finally {
      stageRan();
    }
  }

  /** Like {@link #runStage}, for a function with a result. */
  <R> R getStage(Supplier<R> fn) {
    if (!watched()) {
      return getInScope(fn);
    }
    markRunning();
    try {
      return getInScope(fn);
    } finally {
      stageRan();
    }
  }

  /** The stage function returned: if the future completed meanwhile, its destroy is due now. */
  private void stageRan() {
    if (clearClaimingWhen(RUNNING, OVER)) {
      DestroyThread.add(asyncId);
    }
  }

  /** A periodic task's run begins: a cancellation meanwhile leaves its destroy to the run's end. */
  void runBegins() {
    if (periodic) {
      markRunning();
    }
  }

  /**
   * A task's run ended: whether its destroy is due (a one-shot task's; a periodic one's when it is
   * {@code finished} or was cancelled), for the caller to raise with {@link #ended}.
   */
  boolean runEnded(boolean finished) {
    return !periodic || runEndedOver() || finished;
  }

  /** No run will start any more: destroy now, or after the run in progress. */
  void cancelled() {
    if (markOver()) {
      ended();
    }
  }

  @Override
  public String toString() {
    return type + "#" + asyncId;
  }
}
