package io.tether.internal;

import java.util.function.Supplier;

/**
 * Not public API. One resource the agent linked: a submission of a task, a thread, a {@code
 * CompletableFuture} stage, an I/O operation's callback.
 *
 * <p>Invariants: {@code running} and {@code over} are volatile, and each side of a race writes its
 * own before it reads the other's: a run that ends and a cancellation (or a completion of the
 * stage's future) that happens meanwhile, at least one of them sees the other and claims the one
 * destroy ({@link ResourceCore#claimDestroy}). {@code next} chains the links of one task object,
 * guarded by that object's {@link TaskLinks} slot. {@code registering} is written and read only by
 * the thread registering a stage, between {@code stageBegin} and {@code stageEnd}.
 */
public final class Link extends ResourceCore {
  final boolean periodic;
  volatile boolean running;
  volatile boolean over;

  /** Next link of the same task object, guarded by its slot. */
  Link next;

  /**
   * The state of the thread registering this stage link, from {@code stageBegin} to {@code
   * stageEnd} on that thread (so that {@code stageEnd} needs no thread-local lookup).
   */
  ExecutionState registering;

  /** Links a resource of {@code type} here, on the thread whose state is {@code s}. */
  Link(String type, long trigger, boolean periodic, ExecutionState s) {
    super(type, trigger, true, s);
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
    over = true;
    if (!running && claimDestroy()) {
      DestroyThread.add(asyncId);
    }
  }

  /** Runs a stage function of this link in its context, as a run {@link #futureDone} sees. */
  void runStage(Runnable fn) {
    if (!watched()) {
      runInScope(fn);
      return;
    }
    running = true;
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
    running = true;
    try {
      return getInScope(fn);
    } finally {
      stageRan();
    }
  }

  /** The stage function returned: if the future completed meanwhile, its destroy is due now. */
  private void stageRan() {
    running = false;
    if (over && claimDestroy()) {
      DestroyThread.add(asyncId);
    }
  }

  /** No run will start any more: destroy now, or after the run in progress. */
  void cancelled() {
    over = true;
    if (!running) {
      ended();
    }
  }

  @Override
  public String toString() {
    return type + "#" + asyncId;
  }
}
