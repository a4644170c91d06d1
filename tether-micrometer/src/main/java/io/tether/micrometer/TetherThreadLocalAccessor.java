package io.tether.micrometer;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.tether.AsyncLocalStorage;
import java.util.Objects;

/**
 * A Micrometer context-propagation {@link ThreadLocalAccessor} for one {@link AsyncLocalStorage}:
 * registered in a {@link ContextRegistry}, it lets everything built on context-propagation carry
 * that storage's value: Reactor's automatic propagation ({@code
 * Hooks.enableAutomaticContextPropagation()}), {@code contextCapture()}, {@code ContextSnapshot},
 * Spring's observation and task decorators, with or without the Tether agent.
 *
 * <pre>{@code
 * static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");
 *
 * ContextRegistry.getInstance().registerThreadLocalAccessor(TetherThreadLocalAccessor.of(REQUEST_ID));
 * Hooks.enableAutomaticContextPropagation();
 *
 * REQUEST_ID.run("r-42", () -> Flux.range(1, 3)
 *     .publishOn(Schedulers.parallel())
 *     .map(i -> REQUEST_ID.getStore())          // "r-42", on a parallel thread
 *     .blockLast());
 * Flux.just(1).map(i -> REQUEST_ID.getStore())    // "r-7", from the Reactor Context
 *     .contextWrite(Context.of("requestId", "r-7")).blockLast();
 * }</pre>
 *
 * <p>Why one accessor per storage rather than one for Tether's whole context: context-propagation
 * sets a value on a thread and later restores the previous one ({@link #setValue(Object)}, {@link
 * #restore(Object)}), with no callback around the code in between; Tether's public API makes a
 * whole captured context ({@link io.tether.AsyncSnapshot}) current only around a callback, while a
 * single storage can be set and put back with {@link AsyncLocalStorage#enterWith}. A storage also
 * gives a key that means something to the application: the same key names the value in Reactor's
 * {@code Context} ({@code contextWrite(Context.of("requestId", ...))}) and in Spring's
 * configuration. Each storage costs one entry in a {@code ContextSnapshot}, as any {@code
 * ThreadLocal} does.
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>A storage's default value is what {@link #getValue()} captures where no value was set, so
 *       it is propagated like a set value (reads are the same either way).
 *   <li>Keys must be unique in a registry; {@link #of(AsyncLocalStorage)} uses the storage's name,
 *       so name the storage or pass a key to {@link #of(Object, AsyncLocalStorage)}.
 *   <li>With the Tether agent attached the JDK's boundaries already carry the storage; the accessor
 *       adds the boundaries only context-propagation knows (Reactor's Context, its schedulers'
 *       hand-offs when the agent is off, Spring's decorators), and the two agree on the value.
 * </ul>
 *
 * @param <T> the type of the storage's value
 */
public final class TetherThreadLocalAccessor<T> implements ThreadLocalAccessor<T> {

  private final Object key;
  private final AsyncLocalStorage<T> storage;

  private TetherThreadLocalAccessor(Object key, AsyncLocalStorage<T> storage) {
    this.key = Objects.requireNonNull(key, "key must not be null");
    this.storage = Objects.requireNonNull(storage, "storage must not be null");
  }

  /**
   * Returns an accessor for {@code storage} whose key is the storage's {@link
   * AsyncLocalStorage#name() name}.
   *
   * @param storage a named storage
   * @param <T> the type of the storage's value
   * @return the accessor
   * @throws IllegalArgumentException if the storage has no name
   */
  public static <T> TetherThreadLocalAccessor<T> of(AsyncLocalStorage<T> storage) {
    Objects.requireNonNull(storage, "storage must not be null");
    if (storage.name().isEmpty()) {
      throw new IllegalArgumentException(
          "the storage has no name to use as a key: name it, or pass a key to of(key, storage)");
    }
    return new TetherThreadLocalAccessor<>(storage.name(), storage);
  }

  /**
   * Returns an accessor for {@code storage} under {@code key}.
   *
   * @param key the key of the value in context-propagation and in Reactor's {@code Context}
   * @param storage the storage
   * @param <T> the type of the storage's value
   * @return the accessor
   */
  public static <T> TetherThreadLocalAccessor<T> of(Object key, AsyncLocalStorage<T> storage) {
    return new TetherThreadLocalAccessor<>(key, storage);
  }

  /**
   * Registers an accessor for each of {@code storages}, keyed by its name, in {@code registry}.
   *
   * @param registry where to register, usually {@link ContextRegistry#getInstance()}
   * @param storages named storages
   * @return {@code registry}
   * @throws IllegalArgumentException if a storage has no name
   */
  public static ContextRegistry register(
      ContextRegistry registry, AsyncLocalStorage<?>... storages) {
    Objects.requireNonNull(registry, "registry must not be null");
    for (AsyncLocalStorage<?> storage : storages) {
      registry.registerThreadLocalAccessor(of(storage));
    }
    return registry;
  }

  /**
   * Returns the storage this accessor reads and writes.
   *
   * @return the storage
   */
  public AsyncLocalStorage<T> storage() {
    return storage;
  }

  /** The key of the value in context-propagation and in Reactor's {@code Context}. */
  @Override
  public Object key() {
    return key;
  }

  /** Returns the storage's current value, {@link AsyncLocalStorage#getStore()}. */
  @Override
  public T getValue() {
    return storage.getStore();
  }

  /**
   * Makes {@code value} the storage's value on this thread until {@link #restore(Object)}, and in
   * work linked meanwhile ({@link AsyncLocalStorage#enterWith}).
   *
   * @param value the value to set, never {@code null} (context-propagation calls {@link
   *     #setValue()} instead)
   */
  @Override
  public void setValue(T value) {
    storage.enterWith(value);
  }

  /** Makes the storage read {@code null} on this thread, as context-propagation's "clear". */
  @Override
  public void setValue() {
    clear();
  }

  /**
   * Puts back the value this thread had before {@link #setValue(Object)}.
   *
   * @param previousValue what {@link #getValue()} returned before, never {@code null}
   */
  @Override
  public void restore(T previousValue) {
    storage.enterWith(previousValue);
  }

  /** Puts back "no value" after a {@link #setValue(Object)} on a thread that had none. */
  @Override
  public void restore() {
    clear();
  }

  /**
   * @deprecated context-propagation's old name for {@link #setValue()}; kept for its callers.
   */
  @Deprecated
  @Override
  public void reset() {
    clear();
  }

  private void clear() {
    // Where the storage already reads null there is nothing to clear; entering null anyway would
    // allocate a frame and re-enable a storage that was disable()d.
    if (storage.getStore() != null) {
      storage.enterWith(null);
    }
  }

  @Override
  public String toString() {
    return "TetherThreadLocalAccessor(" + key + " -> " + storage + ")";
  }
}
