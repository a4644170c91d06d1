package io.tether.internal;

import java.util.concurrent.Future;

/**
 * Not public API. Running a linked task: where a worker (a pool's, a timer's, a thread's own {@code
 * run}) is about to run a task object, the task's link (from {@link TaskLinks}) is entered, {@code
 * before} and {@code after} bracket the run, and the worker's own context is restored.
 *
 * <p>Invariants: every {@link #begin} that returns a link is matched by exactly one {@link #end} or
 * {@link #endThrown} on the same thread, so the thread's context is restored whatever the task did.
 * A one-shot link is destroyed after its run; a periodic one after the run that threw, the run that
 * found it cancelled ({@link Link#cancelled}), or its last.
 */
public final class TaskRuns {

  private TaskRuns() {}

  /**
   * Called where a worker is about to run {@code task}: enters the context of its link, if it has
   * one, and raises {@code before}.
   *
   * @return the link entered, to pass to {@link #end}, or {@code null}
   */
  static Link begin(Object task) {
    Link link = TaskLinks.takeToRun(task);
    if (link == null) {
      return null;
    }
    link.runBegins();
    link.enterScope();
    return link;
  }

  /**
   * Ends what {@link #begin} began: raises {@code after}, restores the worker's context, and raises
   * {@code destroy} after the last run (a one-shot task, or a periodic one now done).
   *
   * @param finished whether a periodic task will not run again
   */
  static void end(Link link, ExecutionState s, boolean finished) {
    link.exitScope(s);
    finish(link, finished);
  }

  private static void finish(Link link, boolean finished) {
    if (link.runEnded(finished)) {
      link.ended();
    }
  }

  /**
   * Ends what {@link #begin} began when the task threw and its thread is about to die (a pool
   * worker, a thread's {@code run}): raises {@code after} and {@code destroy} but keeps the task's
   * context current, so that {@code afterExecute} and the thread's uncaught-exception handler see
   * it.
   */
  static void endThrown(Link link, ExecutionState s) {
    Hooks.HookSet h = Hooks.active;
    if (h != null && !link.silent) {
      h.after(s, link.asyncId);
    }
    link.runEnded(true);
    link.ended();
  }

  /** Runs {@code task} as a worker runs it: in its link's context (woven into pool run loops). */
  static void run(Runnable task) {
    Link link = TaskLinks.takeToRun(task);
    if (link == null) {
      task.run();
      return;
    }
    link.runBegins();
    ExecutionState s = ExecutionState.current();
    Frame oldFrame = s.frame;
    Object oldResource = s.resource;
    Link oldPending = s.pendingFuture;
    link.enterKeeping(s);
    boolean threw = true;
    try {
      task.run();
      threw = false;
    } catch (RuntimeException | Error e) {
      AsyncStackTraces.attach(e, link);
      throw e;
    } finally {
      if (threw) {
        endThrown(link, s);
      } else {
        link.leaveKeeping(s, oldFrame, oldResource, oldPending);
        finish(link, link.periodic && task instanceof Future && ((Future<?>) task).isDone());
      }
    }
  }
}
