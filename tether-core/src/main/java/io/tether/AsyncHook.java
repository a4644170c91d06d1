package io.tether;

import io.tether.internal.HookEntry;
import io.tether.internal.Hooks;

/**
 * A set of {@link AsyncHookCallbacks} that can be switched on and off; made by {@link
 * AsyncHooks#createHook(AsyncHookCallbacks)}.
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
 * <p>Cautions: a hook receives events only while enabled, and enabling or disabling it while events
 * are being dispatched takes effect from the next event; a resource created while a hook with a
 * {@code destroy} callback was disabled gets no {@code destroy} on becoming unreachable.
 */
public final class AsyncHook {

  private final AsyncHookCallbacks callbacks;
  private final HookEntry entry;

  AsyncHook(AsyncHookCallbacks callbacks) {
    this.callbacks = callbacks;
    this.entry = new HookEntry(this, callbacks);
  }

  /**
   * Starts delivering events to this hook's callbacks, from the next event on. Idempotent.
   *
   * @return this hook
   */
  public AsyncHook enable() {
    Hooks.enable(entry);
    return this;
  }

  /**
   * Stops delivering events to this hook's callbacks, from the next event on. Idempotent.
   *
   * @return this hook
   */
  public AsyncHook disable() {
    Hooks.disable(entry);
    return this;
  }

  /** The callbacks this hook delivers to. */
  public AsyncHookCallbacks callbacks() {
    return callbacks;
  }

  /** Whether the hook is enabled now. */
  public boolean isEnabled() {
    return Hooks.isEnabled(entry);
  }

  @Override
  public String toString() {
    return "AsyncHook{" + callbacks.getClass().getName() + (isEnabled() ? ", enabled}" : "}");
  }
}
