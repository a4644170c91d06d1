package io.tether.internal;

/**
 * Not public API: a class the agent gave a field of its own when the class was loaded, where Tether
 * keeps the link of each instance instead of in a weak identity map. The agent adds this interface,
 * a public transient field and these two methods to {@code CompletableFuture} (the future's link),
 * {@code FutureTask}, three fork/join task classes and the application's plain tasks (a class
 * extending {@code Object} that implements {@code Runnable} or {@code Callable} alone) (the task's
 * first pending link: {@link TaskFields}) when they are loaded after the agent (the usual case with
 * {@code -javaagent}); loaded before (an agent attached at run time, or one that ran first and used
 * them), their links stay in the maps. A field costs a load; the map costs a weak reference, an
 * identity hash, hash-map operations and the collector's reference processing for every instance.
 */
public interface LinkHolder {

  /** The link stored in this instance, or {@code null}. */
  Object tether$link();

  /** Stores {@code link} in this instance. */
  void tether$link(Object link);
}
