package io.tether.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.util.Objects;

/**
 * Shared setup of the benchmarks: N context values set, on the calling thread, in each mechanism
 * compared (Tether storages, plain {@link ThreadLocal}s, TransmittableThreadLocals, OpenTelemetry
 * {@link ContextKey}s, and Micrometer context-propagation ThreadLocalAccessors).
 *
 * <p>Every mechanism gets the same values ({@link #value(int)}); the first one, {@link #VALUE}, is
 * what the benchmarked tasks read, so that each benchmark can check that the value really arrived.
 * All setters here act on the calling thread: call them from a {@code @Setup} of a {@code
 * Scope.Thread} state, which JMH runs on the benchmark thread itself.
 */
final class Harness {

  /** The value of the first context entry in every mechanism. */
  static final String VALUE = value(0);

  private Harness() {}

  /** The value of entry {@code i}. */
  static String value(int i) {
    return "value-" + i;
  }

  /** Fails the run when a task saw something else than {@link #VALUE}: propagation is broken. */
  static void check(String mechanism, Object seen) {
    if (!VALUE.equals(seen)) {
      throw new IllegalStateException(mechanism + ": the task saw " + seen + ", not " + VALUE);
    }
  }

  // ---- Tether ----

  /** {@code n} fresh storages. */
  static AsyncLocalStorage<String>[] tetherStorages(int n) {
    @SuppressWarnings("unchecked") // no generic array creation; only Strings go in
    AsyncLocalStorage<String>[] storages =
        (AsyncLocalStorage<String>[]) new AsyncLocalStorage<?>[n];
    for (int i = 0; i < n; i++) {
      storages[i] = new AsyncLocalStorage<>("storage-" + i);
    }
    return storages;
  }

  /** Sets every storage, with {@code enterWith}, on this thread. */
  static void enter(AsyncLocalStorage<String>[] storages) {
    for (int i = 0; i < storages.length; i++) {
      storages[i].enterWith(value(i));
    }
  }

  /** Clears what {@link #enter} set (each storage reads {@code null} afterwards). */
  static void exit(AsyncLocalStorage<String>[] storages) {
    for (AsyncLocalStorage<String> storage : storages) {
      storage.enterWith(null);
    }
  }

  // ---- ThreadLocal ----

  /** {@code n} fresh thread locals. */
  static ThreadLocal<String>[] threadLocals(int n) {
    @SuppressWarnings("unchecked") // no generic array creation; only Strings go in
    ThreadLocal<String>[] locals = (ThreadLocal<String>[]) new ThreadLocal<?>[n];
    for (int i = 0; i < n; i++) {
      locals[i] = new ThreadLocal<>();
    }
    return locals;
  }

  /** Sets every thread local (TransmittableThreadLocals too) on this thread. */
  static void set(ThreadLocal<String>[] locals) {
    for (int i = 0; i < locals.length; i++) {
      locals[i].set(value(i));
    }
  }

  /** Removes every thread local on this thread. */
  static void remove(ThreadLocal<String>[] locals) {
    for (ThreadLocal<String> local : locals) {
      local.remove();
    }
  }

  // ---- TransmittableThreadLocal ----

  /**
   * {@code n} fresh TransmittableThreadLocals; set and remove them with {@link #set}/{@link
   * #remove}.
   */
  static TransmittableThreadLocal<String>[] ttls(int n) {
    @SuppressWarnings("unchecked") // no generic array creation; only Strings go in
    TransmittableThreadLocal<String>[] locals =
        (TransmittableThreadLocal<String>[]) new TransmittableThreadLocal<?>[n];
    for (int i = 0; i < n; i++) {
      locals[i] = new TransmittableThreadLocal<>();
    }
    return locals;
  }

  // ---- OpenTelemetry ----

  /** {@code n} fresh context keys. */
  static ContextKey<String>[] otelKeys(int n) {
    @SuppressWarnings("unchecked") // no generic array creation; only Strings go in
    ContextKey<String>[] keys = (ContextKey<String>[]) new ContextKey<?>[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ContextKey.named("key-" + i);
    }
    return keys;
  }

  /**
   * Makes a context holding every key current on this thread; close the returned scope on the same
   * thread (in the matching {@code @TearDown}).
   */
  static Scope makeCurrent(ContextKey<String>[] keys) {
    Context context = Context.current();
    for (int i = 0; i < keys.length; i++) {
      context = context.with(keys[i], value(i));
    }
    return context.makeCurrent();
  }

  // ---- Micrometer context-propagation ----

  /**
   * A snapshot factory over a private registry with one ThreadLocalAccessor per thread local (the
   * global registry is left alone, so that nothing else registered there is captured too). Set the
   * values themselves with {@link #set}.
   */
  static ContextSnapshotFactory micrometerFactory(ThreadLocal<String>[] locals) {
    ContextRegistry registry = new ContextRegistry();
    for (int i = 0; i < locals.length; i++) {
      registry.registerThreadLocalAccessor("key-" + i, Objects.requireNonNull(locals[i]));
    }
    return ContextSnapshotFactory.builder().contextRegistry(registry).build();
  }

  /**
   * Enables a hook whose five callbacks all do nothing: the price of the hook machinery itself.
   * Disable it in the benchmark's tear-down.
   */
  static AsyncHook enableNoopHook() {
    return AsyncHooks.createHook(
            new AsyncHookCallbacks() {
              @Override
              public void init(long asyncId, String type, long triggerAsyncId, Object resource) {}

              @Override
              public void before(long asyncId) {}

              @Override
              public void after(long asyncId) {}

              @Override
              public void destroy(long asyncId) {}

              @Override
              public void promiseResolve(long asyncId) {}
            })
        .enable();
  }
}
