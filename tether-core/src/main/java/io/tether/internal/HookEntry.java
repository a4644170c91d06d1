package io.tether.internal;

import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import java.lang.reflect.Method;

/**
 * Not public API. One hook as the dispatch sees it: its callbacks, which of them it implements (so
 * dispatch skips the others), and whether it is enabled.
 */
public final class HookEntry {
  final AsyncHook hook;
  final AsyncHookCallbacks callbacks;
  final boolean hasInit;
  final boolean hasBefore;
  final boolean hasAfter;
  final boolean hasDestroy;
  final boolean hasPromiseResolve;

  /** Guarded by {@link Hooks#LOCK}. */
  boolean enabled;

  /** The entry of {@code hook}, which delivers to {@code callbacks}. */
  public HookEntry(AsyncHook hook, AsyncHookCallbacks callbacks) {
    this.hook = hook;
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
}
