package io.tether;

import io.tether.internal.Bound;
import io.tether.internal.Diagnostics;
import io.tether.internal.ExecutionState;
import io.tether.internal.Frame;
import io.tether.internal.Leaks;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * A value that follows asynchronous work: what {@link #run(Object, Runnable)} sets is what {@link
 * #getStore()} returns inside the callback and in every task, stage, timer or thread linked from
 * inside it, wherever and whenever that work runs.
 *
 * <pre>{@code
 * static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
 *
 * REQUEST_ID.run("r-42", () -> {
 *   log("start");                                   // REQUEST_ID.getStore() is "r-42"
 *   executor.execute(() -> log("finish"));          // "r-42" too, on the pool thread
 * });
 * }</pre>
 *
 * <p>Each instance is an independent storage: any number may exist and their values never mix.
 * Reading is allocation-free and capturing the context of all storages at once is a single
 * reference read. {@code null} plays the role of JavaScript's {@code undefined}.
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>Context crosses an executor only if the executor is wrapped ({@link AsyncExecutors}) or the
 *       Tether agent is attached; otherwise use {@link #bind(Runnable)} or {@link #snapshot()}.
 *   <li>Prefer {@link #run} to {@link #enterWith}: a value entered with {@code enterWith} stays
 *       until the enclosing continuation ends, which on a thread outside any continuation is the
 *       rest of the thread.
 * </ul>
 *
 * @param <T> the type of the stored value
 */
public final class AsyncLocalStorage<T> {

  static {
    // -Dtether.leaks=30s: the context leak detector, on from the first storage (a frame with no
    // storage holds nothing to leak). The constant is inlined: without the property, nothing of
    // the detector is loaded.
    String leaks = System.getProperty(Leaks.PROPERTY);
    if (leaks != null) {
      Leaks.enableFromProperty(leaks);
    }
  }

  private final String name;
  private final T defaultValue;

  /**
   * The key of this storage's entries in frames: entries set under another key are stale, as {@link
   * #disable()} replaces it. Volatile so that a disable on one thread is seen by reads on every
   * other (an opaque read measured the same).
   */
  private volatile Frame.Key key = new Frame.Key(this);

  /** Set by {@link #disable()}, cleared by the next {@code run} or {@code enterWith}. */
  private volatile boolean disabled;

  /**
   * Whether {@code run} or {@code enterWith} ever set this storage; kept only under {@code
   * -Dtether.diagnostics=true}, where a read that finds no value is worth a look only then. Not
   * volatile: a task sees the write made before it was handed to an executor, as the hand-off
   * orders them.
   */
  private boolean setSomewhere;

  /** Creates a storage with no name and no default value. */
  public AsyncLocalStorage() {
    this("", null);
  }

  /**
   * Creates a named storage with no default value.
   *
   * @param name a name for diagnostics, returned by {@link #name()}
   */
  public AsyncLocalStorage(String name) {
    this(name, null);
  }

  /**
   * Creates a named storage whose {@link #getStore()} returns {@code defaultValue} where no value
   * was ever set for it.
   *
   * @param name a name for diagnostics, returned by {@link #name()}
   * @param defaultValue what {@link #getStore()} returns where this storage has no entry; an
   *     explicit {@code null} set by {@code run}, {@code exit} or {@code enterWith} wins over it
   */
  public AsyncLocalStorage(String name, T defaultValue) {
    this.name = Objects.requireNonNull(name, "name must not be null");
    this.defaultValue = defaultValue;
  }

  /** The name given at construction; {@code ""} when none was given. */
  public String name() {
    return name;
  }

  /**
   * Returns the value current for this storage: the one set by the innermost {@link #run} or the
   * latest {@link #enterWith} in this continuation, or linked from where this work was linked;
   * {@code null} inside {@link #exit} and after {@link #disable()}; otherwise the default value.
   * Allocates nothing.
   */
  @SuppressWarnings("unchecked")
  public T getStore() {
    Frame f = ExecutionState.current().frame;
    Object v = f.get(key);
    return v != Frame.NONE ? (T) v : noEntry(f);
  }

  /** {@link #getStore()} where the frame has no live entry of this storage. */
  private T noEntry(Frame f) {
    if (disabled || f.indexOfStorage(this) >= 0) { // set before a disable: stale
      return null;
    }
    if (Diagnostics.ENABLED && setSomewhere) {
      Diagnostics.noEntry(this);
    }
    return defaultValue;
  }

  /**
   * Runs {@code callback} synchronously with {@code store} as this storage's value, in the callback
   * and in all async work linked inside it; afterwards restores this storage's previous value (and
   * only this storage's). Exceptions propagate unchanged.
   *
   * @param store the value, {@code null} allowed
   * @param callback what to run
   */
  public void run(T store, Runnable callback) {
    Objects.requireNonNull(callback, "callback must not be null");
    ExecutionState s = ExecutionState.current();
    Frame prior = s.frame;
    Frame inside = set(prior, store);
    s.setFrame(inside);
    try {
      callback.run();
    } finally {
      restore(s, prior, inside);
    }
  }

  /**
   * Like {@link #run(Object, Runnable)}, returning what {@code callback} returns.
   *
   * @param store the value, {@code null} allowed
   * @param callback what to run
   * @param <R> the result type
   * @return the callback's result
   */
  public <R> R run(T store, Supplier<R> callback) {
    Objects.requireNonNull(callback, "callback must not be null");
    ExecutionState s = ExecutionState.current();
    Frame prior = s.frame;
    Frame inside = set(prior, store);
    s.setFrame(inside);
    try {
      return callback.get();
    } finally {
      restore(s, prior, inside);
    }
  }

  /**
   * Like {@link #run(Object, Supplier)} for a {@link Callable}: its checked exceptions propagate
   * unchanged.
   *
   * @param store the value, {@code null} allowed
   * @param callback what to call
   * @param <R> the result type
   * @return the callback's result
   * @throws Exception whatever {@code callback} throws
   */
  public <R> R call(T store, Callable<R> callback) throws Exception {
    Objects.requireNonNull(callback, "callback must not be null");
    ExecutionState s = ExecutionState.current();
    Frame prior = s.frame;
    Frame inside = set(prior, store);
    s.setFrame(inside);
    try {
      return callback.call();
    } finally {
      restore(s, prior, inside);
    }
  }

  /**
   * Runs {@code callback} with this storage reading {@code null} (not the default value) inside it
   * and in the async work linked inside it; restores the value afterwards.
   *
   * @param callback what to run
   */
  public void exit(Runnable callback) {
    run(null, callback);
  }

  /**
   * Like {@link #exit(Runnable)}, returning what {@code callback} returns.
   *
   * @param callback what to run
   * @param <R> the result type
   * @return the callback's result
   */
  public <R> R exit(Supplier<R> callback) {
    return run(null, callback);
  }

  /**
   * Makes {@code store} this storage's value from now until the end of the enclosing continuation
   * (for a thread outside any continuation: the rest of the thread), and in async work linked after
   * this call.
   *
   * @param store the value, {@code null} allowed
   */
  public void enterWith(T store) {
    ExecutionState s = ExecutionState.current();
    s.setFrame(set(s.frame, store));
  }

  /**
   * Disables this storage: every later {@link #getStore()} returns {@code null} (not the default),
   * on all threads and in all continuations captured before, until {@link #run} or {@link
   * #enterWith} sets a new value. The calling thread's current context drops this storage's value
   * at once. A storage is collectable when unreferenced whether disabled or not; this call only
   * ends the values.
   */
  public void disable() {
    key = new Frame.Key(this);
    disabled = true;
    ExecutionState s = ExecutionState.current();
    s.setFrame(s.frame.without(this));
  }

  /**
   * Returns {@code fn} bound to the current context of all storages: whenever and wherever it runs,
   * it runs in that context (as the continuation of a {@code bound-anonymous-fn} resource).
   *
   * @param fn the function to bind
   * @return the bound function
   */
  public static Runnable bind(Runnable fn) {
    return new Bound.BoundRunnable(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Returns {@code fn} bound to the current context of all storages, as {@link #bind(Runnable)}.
   *
   * @param fn the function to bind
   * @param <R> the result type
   * @return the bound function
   */
  public static <R> Callable<R> bind(Callable<R> fn) {
    return new Bound.BoundCallable<>(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Captures the current context of all storages; running a function through the snapshot later, on
   * any thread, runs it in exactly that context.
   *
   * @return the snapshot
   */
  public static AsyncSnapshot snapshot() {
    return new AsyncSnapshot();
  }

  @Override
  public String toString() {
    return name.isEmpty()
        ? "AsyncLocalStorage@" + Integer.toHexString(hashCode())
        : "AsyncLocalStorage(" + name + ")";
  }

  private Frame set(Frame frame, T store) {
    if (disabled) {
      disabled = false;
    }
    if (Diagnostics.ENABLED) {
      setSomewhere = true;
    }
    return frame.with(key, store);
  }

  /**
   * Restores this storage's entry from {@code prior}. When nothing else changed the frame inside
   * (the usual case) that is {@code prior} itself, so no frame is allocated.
   */
  private void restore(ExecutionState s, Frame prior, Frame inside) {
    Frame now = s.frame;
    s.setFrame(now == inside ? prior : now.withEntryOf(this, prior));
  }
}
