package io.tether.internal;

import io.tether.ResourceTypes;
import java.util.concurrent.Callable;

/**
 * Not public API. Functions bound to the context current where they were bound ({@code
 * AsyncLocalStorage.bind}). Each is its own {@code bound-anonymous-fn} resource (as in Node), so
 * binding is one allocation.
 */
public final class Bound {

  private Bound() {}

  /** A bound {@link Runnable}. */
  public static final class BoundRunnable extends ResourceCore implements Runnable {
    final Runnable fn;

    /** {@code fn} bound to the current context. */
    public BoundRunnable(Runnable fn) {
      super(ResourceTypes.BOUND_ANONYMOUS_FN, CURRENT_TRIGGER, true);
      this.fn = fn;
    }

    @Override
    public void run() {
      runInScope(fn);
    }

    @Override
    public String toString() {
      return "bound(" + fn + ")";
    }
  }

  /** A bound {@link Callable}. */
  public static final class BoundCallable<R> extends ResourceCore implements Callable<R> {
    final Callable<R> fn;

    /** {@code fn} bound to the current context. */
    public BoundCallable(Callable<R> fn) {
      super(ResourceTypes.BOUND_ANONYMOUS_FN, CURRENT_TRIGGER, true);
      this.fn = fn;
    }

    @Override
    public R call() throws Exception {
      return callInScope(fn);
    }

    @Override
    public String toString() {
      return "bound(" + fn + ")";
    }
  }
}
