package io.tether.spring.boot;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import reactor.core.publisher.Hooks;

/**
 * Reactor's automatic context propagation, carrying Tether storages: registers the given accessors
 * in {@link ContextRegistry#getInstance()} and calls {@link
 * Hooks#enableAutomaticContextPropagation()}; on {@link #destroy()} (the application context
 * closing) it removes the accessors it registered and, if it was the one that enabled the hook,
 * disables it again, so that a JVM that runs several applications one after the other (tests) gets
 * back what it had.
 *
 * <p>{@link TetherAutoConfiguration} builds one from the application's {@code AsyncLocalStorage}
 * beans (an accessor each, keyed by the storage's name) and its {@code TetherThreadLocalAccessor}
 * beans. A value then reaches Reactor's operators on any thread when it is in the subscriber's
 * Reactor {@code Context} under that key, written with {@code contextWrite} or captured from the
 * storage with {@code contextCapture()}.
 */
public final class TetherReactorPropagation implements DisposableBean {

  private final List<String> registered = new ArrayList<>();
  private final boolean enabledHook;

  /**
   * Registers {@code accessors} and enables Reactor's automatic context propagation.
   *
   * @param accessors the accessors to register; each key must be unique in the registry
   */
  public TetherReactorPropagation(List<? extends ThreadLocalAccessor<?>> accessors) {
    ContextRegistry registry = ContextRegistry.getInstance();
    for (ThreadLocalAccessor<?> accessor : accessors) {
      registry.registerThreadLocalAccessor(accessor);
      registered.add(String.valueOf(accessor.key()));
    }
    enabledHook = !Hooks.isAutomaticContextPropagationEnabled();
    if (enabledHook) {
      Hooks.enableAutomaticContextPropagation();
    }
  }

  /**
   * Returns the keys of the accessors registered, in order.
   *
   * @return the keys
   */
  public List<String> keys() {
    return List.copyOf(registered);
  }

  /** Removes the accessors registered and disables the hook if this enabled it. */
  @Override
  public void destroy() {
    ContextRegistry registry = ContextRegistry.getInstance();
    for (String key : registered) {
      registry.removeThreadLocalAccessor(key);
    }
    if (enabledHook) {
      Hooks.disableAutomaticContextPropagation();
    }
  }

  @Override
  public String toString() {
    return "TetherReactorPropagation" + registered;
  }
}
