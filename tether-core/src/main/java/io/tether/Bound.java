package io.tether;

import java.util.concurrent.Callable;

/**
 * Functions bound to the context current where they were bound: {@link AsyncLocalStorage#bind}.
 * Each is its own {@code bound-anonymous-fn} resource (as in Node), so binding is one allocation.
 */
final class Bound {

  static final String TYPE = "bound-anonymous-fn";

  private Bound() {}

  static final class BoundRunnable extends ResourceCore implements Runnable {
    private final Runnable fn;

    BoundRunnable(Runnable fn) {
      super(TYPE, CURRENT_TRIGGER, true);
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

  static final class BoundCallable<R> extends ResourceCore implements Callable<R> {
    private final Callable<R> fn;

    BoundCallable(Callable<R> fn) {
      super(TYPE, CURRENT_TRIGGER, true);
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
