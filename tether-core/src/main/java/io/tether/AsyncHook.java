package io.tether;

import java.lang.reflect.Method;

/**
 * A set of {@link AsyncHookCallbacks} that can be switched on and off; made by
 * {@link AsyncHooks#createHook(AsyncHookCallbacks)}.
 *
 * <pre>{@code
 * AsyncHook hook = AsyncHooks.createHook(callbacks).enable();
 * try {
 *   ...
 * } finally {
 *   hook.disable();
 * }
 * }</pre>
 *
 * <p>Cautions: a hook receives events only while enabled, and enabling or disabling it while
 * events are being dispatched takes effect from the next event; a resource created while a hook
 * with a {@code destroy} callback was disabled gets no {@code destroy} on becoming unreachable.
 */
public final class AsyncHook {

  final AsyncHookCallbacks callbacks;
  final boolean hasInit;
  final boolean hasBefore;
  final boolean hasAfter;
  final boolean hasDestroy;
  final boolean hasPromiseResolve;
  /** Guarded by {@link Hooks#LOCK}. */
  boolean enabled;

  AsyncHook(AsyncHookCallbacks callbacks) {
    this.callbacks = callbacks;
    Class<?> c = callbacks.getClass();
    hasInit = overrides(c, "init", long.class, String.class, long.class, Object.class);
    hasBefore = overrides(c, "before", long.class);
    hasAfter = overrides(c, "after", long.class);
    hasDestroy = overrides(c, "destroy", long.class);
    hasPromiseResolve = overrides(c, "promiseResolve", long.class);
  }

  /** Whether {@code c} implements the callback, so that dispatch can skip the ones it does not. */
  private static boolean overrides(Class<?> c, String name, Class<?>... params) {
    try {
      Method m = c.getMethod(name, params);
      return m.getDeclaringClass() != AsyncHookCallbacks.class;
    } catch (NoSuchMethodException | SecurityException e) {
      return true;
    }
  }

  /**
   * Starts delivering events to this hook's callbacks, from the next event on. Idempotent.
   *
   * @return this hook
   */
  public AsyncHook enable() {
    Hooks.enable(this);
    return this;
  }

  /**
   * Stops delivering events to this hook's callbacks, from the next event on. Idempotent.
   *
   * @return this hook
   */
  public AsyncHook disable() {
    Hooks.disable(this);
    return this;
  }

  /** The callbacks this hook delivers to. */
  public AsyncHookCallbacks callbacks() {
    return callbacks;
  }

  /** Whether the hook is enabled now. */
  public boolean isEnabled() {
    synchronized (Hooks.LOCK) {
      return enabled;
    }
  }

  @Override
  public String toString() {
    return "AsyncHook{" + callbacks.getClass().getName() + (isEnabled() ? ", enabled}" : "}");
  }
}
