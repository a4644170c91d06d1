package io.tether.internal;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Not public API. Kotlin coroutines under the agent: every new coroutine's context gets Tether's
 * coroutine context element (tether-kotlin's), so that the coroutine sees, in every resumption, the
 * context current where it was launched. The agent weaves a call to {@link #context} into kotlinx's
 * {@code newCoroutineContext}, and provides, per class loader of kotlinx, the function that adds
 * the element ({@link #install}): tether-core knows nothing of Kotlin.
 *
 * <p>Invariants: the function is looked up once per class of the context passed ({@link
 * ClassValue}); where none can be had, contexts pass unchanged. The function never throws (and the
 * weaver's net would drop what it threw).
 */
public final class Coroutines {

  private Coroutines() {}

  private static final BiFunction<Object, Object, Object> NONE = (parent, added) -> added;

  private static volatile Function<Class<?>, BiFunction<Object, Object, Object>> provider;

  private static final ClassValue<BiFunction<Object, Object, Object>> BY_CLASS =
      new ClassValue<BiFunction<Object, Object, Object>>() {
        @Override
        protected BiFunction<Object, Object, Object> computeValue(Class<?> type) {
          Function<Class<?>, BiFunction<Object, Object, Object>> p = provider;
          BiFunction<Object, Object, Object> f = p == null ? null : p.apply(type);
          return f == null ? NONE : f;
        }
      };

  /**
   * Installs the agent's provider: for the class of a coroutine context, the function {@code
   * (parentContextOrScope, addedContext) -> addedContext'} that adds Tether's element where neither
   * has one.
   */
  public static void install(Function<Class<?>, BiFunction<Object, Object, Object>> p) {
    provider = p;
  }

  /** The context {@code added} to a new coroutine's {@code parent}, with Tether's element. */
  static Object context(Object parent, Object added) {
    if (added == null || Nesting.suppressed(ExecutionState.current())) {
      return added;
    }
    return BY_CLASS.get(added.getClass()).apply(parent, added);
  }
}
