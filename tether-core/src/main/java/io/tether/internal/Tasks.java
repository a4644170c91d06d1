package io.tether.internal;

import io.tether.ResourceTypes;
import java.util.concurrent.Callable;

/**
 * Not public API. The application's tasks as async resources, for {@code AsyncExecutors}: each
 * wrapper is linked where the task is handed to an executor and runs the task in the context of
 * that link point.
 */
public final class Tasks {

  private Tasks() {}

  /** The application's own task behind {@code task}, if {@code task} is one of our wrappers. */
  public static Object unwrap(Object task) {
    if (task instanceof OneShot) {
      return ((OneShot) task).task;
    }
    if (task instanceof Periodic) {
      return ((Periodic) task).task;
    }
    if (task instanceof OneShotCallable) {
      return ((OneShotCallable<?>) task).task;
    }
    return task;
  }

  /** The wrapper was dropped before it ran (rejected, or drained by {@code shutdownNow}). */
  public static void dropped(Object task) {
    if (task instanceof ResourceCore) {
      ((ResourceCore) task).ended();
    }
  }

  /** A task that runs once; destroy follows its run. */
  public static final class OneShot extends ResourceCore implements Runnable {
    final Runnable task;

    /** {@code task} linked here as a resource of {@code type}. */
    public OneShot(Runnable task, String type) {
      super(type, CURRENT_TRIGGER, true);
      this.task = task;
    }

    @Override
    public void run() {
      try {
        runInScope(task);
      } finally {
        ended();
      }
    }

    @Override
    public String toString() {
      return String.valueOf(task);
    }
  }

  /** A callable that runs once; destroy follows its call. */
  public static final class OneShotCallable<V> extends ResourceCore implements Callable<V> {
    final Callable<V> task;

    /** {@code task} linked here as a resource of {@code type}. */
    public OneShotCallable(Callable<V> task, String type) {
      super(type, CURRENT_TRIGGER, true);
      this.task = task;
    }

    @Override
    public V call() throws Exception {
      try {
        return callInScope(task);
      } finally {
        ended();
      }
    }

    @Override
    public String toString() {
      return String.valueOf(task);
    }
  }

  /**
   * A periodic task: every run is a continuation of the one resource, in the scheduling context.
   * Destroy follows the last run: the one that threw (which ends a periodic schedule), or the one
   * in progress when the schedule was cancelled, or at once if it was cancelled between runs.
   * {@code running} and {@code over} are volatile and written before the other is read, so at least
   * one side of a race between a run and a cancel sees the other and raises destroy.
   */
  public static final class Periodic extends ResourceCore implements Runnable {
    final Runnable task;

    /** {@code task} linked here as a periodic {@code SCHEDULED_TASK}. */
    public Periodic(Runnable task) {
      super(ResourceTypes.SCHEDULED_TASK, CURRENT_TRIGGER, true);
      this.task = task;
    }

    @Override
    public void run() {
      markRunning();
      boolean threw = true;
      try {
        runInScope(task);
        threw = false;
      } finally {
        if (runEndedOver() || threw) {
          ended();
        }
      }
    }

    /** The schedule was cancelled: no run will start any more. */
    public void cancelled() {
      if (markOver()) {
        ended();
      }
    }

    @Override
    public String toString() {
      return String.valueOf(task);
    }
  }
}
