package io.tether;

import io.tether.internal.Hooks;
import io.tether.internal.ResourceCore;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * An asynchronous resource of the application's own: a callback-based API, a pooled connection's
 * request, a native callback, anything whose continuation runs later on some other thread. It
 * captures the context where it is created, and {@link #runInAsyncScope} runs code in that context
 * with {@code before}/{@code after} hook events around it.
 *
 * <pre>{@code
 * class DbQuery extends AsyncResource {
 *   DbQuery() { super("DbQuery"); }
 *
 *   void onResult(Row row, Consumer<Row> callback) {
 *     runInAsyncScope(() -> callback.accept(row));  // in the context of whoever made the query
 *     emitDestroy();
 *   }
 * }
 * }</pre>
 *
 * <p>Creating one raises {@code init} synchronously. {@link #emitDestroy()} raises {@code destroy}
 * once; a resource that becomes unreachable without it gets {@code destroy} anyway if a hook with a
 * destroy callback was enabled when it was created, unless {@code requireManualDestroy} was set.
 */
// The superclass is internal (not exported): one object per resource, whatever the module path
// sees of it; its members are not API.
@SuppressWarnings("exports")
public class AsyncResource extends ResourceCore {

  /**
   * Creates a resource of {@code type}, triggered by the current execution.
   *
   * @param type the type hooks receive in {@code init}; not null, not empty
   */
  public AsyncResource(String type) {
    this(type, CURRENT_TRIGGER, false, false);
  }

  /**
   * Creates a resource of {@code type} with an explicit trigger id.
   *
   * @param type the type hooks receive in {@code init}; not null, not empty
   * @param triggerAsyncId the id of the resource that caused this one; -1 or more
   */
  public AsyncResource(String type, long triggerAsyncId) {
    this(type, triggerAsyncId, false);
  }

  /**
   * Creates a resource of {@code type}.
   *
   * @param type the type hooks receive in {@code init}; not null, not empty
   * @param triggerAsyncId the id of the resource that caused this one; -1 or more
   * @param requireManualDestroy when true, {@code destroy} is raised only by {@link
   *     #emitDestroy()}, never because the resource became unreachable
   */
  public AsyncResource(String type, long triggerAsyncId, boolean requireManualDestroy) {
    this(type, checkTrigger(triggerAsyncId), requireManualDestroy, false);
  }

  private AsyncResource(String type, long trigger, boolean requireManualDestroy, boolean unused) {
    super(checkType(type), trigger, !requireManualDestroy);
  }

  private static String checkType(String type) {
    Objects.requireNonNull(type, "type must not be null");
    if (type.isEmpty()) {
      throw new IllegalArgumentException("type must not be empty");
    }
    return type;
  }

  private static long checkTrigger(long triggerAsyncId) {
    if (triggerAsyncId < -1) {
      throw new IllegalArgumentException(
          "triggerAsyncId must be -1 or more, was " + triggerAsyncId);
    }
    return triggerAsyncId;
  }

  /**
   * Runs {@code fn} in this resource's context: the context captured at creation becomes current,
   * {@link AsyncHooks#executionAsyncId()} is this resource's id, {@code before} and {@code after}
   * are raised around it, and everything is restored afterwards, even if {@code fn} throws.
   *
   * @param fn what to run
   */
  public void runInAsyncScope(Runnable fn) {
    runInScope(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Like {@link #runInAsyncScope(Runnable)}, returning what {@code fn} returns.
   *
   * @param fn what to run
   * @param <R> the result type
   * @return what {@code fn} returned
   */
  public <R> R runInAsyncScope(Supplier<R> fn) {
    return getInScope(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Like {@link #runInAsyncScope(Supplier)} for a {@link Callable}: its checked exceptions
   * propagate unchanged.
   *
   * @param fn what to call
   * @param <R> the result type
   * @return what {@code fn} returned
   * @throws Exception whatever {@code fn} throws
   */
  public <R> R callInAsyncScope(Callable<R> fn) throws Exception {
    return callInScope(Objects.requireNonNull(fn, "fn must not be null"));
  }

  /**
   * Raises {@code destroy} for this resource. Hooks receive it on Tether's {@code tether-destroy}
   * thread, after this call returns, as Node delivers destroy asynchronously.
   *
   * @return this resource
   * @throws IllegalStateException if destroy was already emitted for this resource
   */
  public AsyncResource emitDestroy() {
    if (!claimDestroy()) {
      throw new IllegalStateException(
          "emitDestroy() was already called for " + type + " asyncId " + asyncId);
    }
    if (!silent && Hooks.destroyTracked()) {
      Hooks.destroyLater(asyncId);
    }
    return this;
  }

  /** This resource's unique id. */
  public long asyncId() {
    return asyncId;
  }

  /** The id of the resource that caused this one, as given at construction. */
  public long triggerAsyncId() {
    return triggerAsyncId;
  }

  /** The type given at construction. */
  public String type() {
    return type;
  }

  /**
   * Returns a {@link Runnable} that runs {@code fn} in this resource's scope.
   *
   * @param fn what to bind
   * @return the bound function
   */
  public Runnable bind(Runnable fn) {
    Objects.requireNonNull(fn, "fn must not be null");
    return () -> runInScope(fn);
  }

  /**
   * Returns a {@link Callable} that calls {@code fn} in this resource's scope.
   *
   * @param fn what to bind
   * @param <R> the result type
   * @return the bound function
   */
  public <R> Callable<R> bind(Callable<R> fn) {
    Objects.requireNonNull(fn, "fn must not be null");
    return () -> callInScope(fn);
  }

  /**
   * Binds {@code fn} to the current context through a new resource of {@code type}: the event
   * listener idiom, where a callback must run in the context where it was registered.
   *
   * @param fn what to bind
   * @param type the new resource's type; not null, not empty
   * @return the bound function
   */
  public static Runnable bind(Runnable fn, String type) {
    Objects.requireNonNull(fn, "fn must not be null");
    return new AsyncResource(type).bind(fn);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "{type="
        + type
        + ", asyncId="
        + asyncId
        + ", triggerAsyncId="
        + triggerAsyncId
        + "}";
  }
}
