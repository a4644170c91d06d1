package io.tether;

import io.tether.internal.ResourceCore;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The context of every {@link AsyncLocalStorage} at one moment, captured by {@link
 * AsyncLocalStorage#snapshot()}: whatever runs through it, on any thread and at any time, runs in
 * exactly that context, and the caller's context is restored afterwards.
 *
 * <pre>{@code
 * AsyncSnapshot snapshot = REQUEST_ID.run("r-1", AsyncLocalStorage::snapshot);
 * REQUEST_ID.run("r-2", () -> snapshot.run(() -> REQUEST_ID.getStore()));  // "r-1"
 * }</pre>
 *
 * <p>Like Node's, a snapshot is an async resource of type {@code bound-anonymous-fn}: hooks see its
 * {@code init} where it is taken and {@code before}/{@code after} around each run. Capturing is one
 * allocation whatever the number of storages.
 */
// The superclass is internal (not exported): one object per resource, whatever the module path
// sees of it; its members are not API.
@SuppressWarnings("exports")
public final class AsyncSnapshot extends ResourceCore {

  AsyncSnapshot() {
    super(ResourceTypes.BOUND_ANONYMOUS_FN, CURRENT_TRIGGER, true);
  }

  /**
   * Runs {@code fn} in the captured context.
   *
   * @param fn what to run
   */
  public void run(Runnable fn) {
    runInScope(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Runs {@code fn} in the captured context and returns its result.
   *
   * @param fn what to run
   * @param <R> the result type
   * @return what {@code fn} returned
   */
  public <R> R run(Supplier<R> fn) {
    return getInScope(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Calls {@code fn} in the captured context; its exceptions propagate unchanged.
   *
   * @param fn what to call
   * @param <R> the result type
   * @return what {@code fn} returned
   * @throws Exception whatever {@code fn} throws
   */
  public <R> R call(Callable<R> fn) throws Exception {
    return callInScope(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Returns a {@link Runnable} that runs {@code fn} in the captured context.
   *
   * @param fn what to wrap
   * @return the wrapper
   */
  public Runnable wrap(Runnable fn) {
    Objects.requireNonNull(fn, "fn must not be null");
    return () -> runInScope(fn);
  }

  /**
   * Returns a {@link Callable} that calls {@code fn} in the captured context.
   *
   * @param fn what to wrap
   * @param <R> the result type
   * @return the wrapper
   */
  public <R> Callable<R> wrap(Callable<R> fn) {
    Objects.requireNonNull(fn, "fn must not be null");
    return () -> callInScope(fn);
  }

  @Override
  public String toString() {
    return "AsyncSnapshot{asyncId=" + asyncId + ", " + frame + "}";
  }
}
