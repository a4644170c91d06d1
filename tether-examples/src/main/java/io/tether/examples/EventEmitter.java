package io.tether.examples;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The smallest useful piece of Node's {@code EventEmitter}: {@link #on} registers a listener,
 * {@link #emit} calls the listeners of an event synchronously, on the emitting thread, in
 * registration order.
 *
 * <pre>{@code
 * EventEmitter request = new EventEmitter();
 * request.on("close", () -> log("closed"));
 * request.emit("close");                            // logs "closed", here and now
 * }</pre>
 *
 * <p>Like Node's, it does nothing about context: a listener runs in the context of whoever calls
 * {@code emit}. A listener that must run in the context where it was registered is bound first,
 * with {@code AsyncResource.bind(listener, type)} (see {@link EventListener}).
 *
 * <p>Thread-safe: listeners may be added and events emitted from any thread; an {@code emit}
 * concurrent with an {@code on} may or may not call the new listener.
 */
public final class EventEmitter {

  private final Map<String, List<Runnable>> listeners = new ConcurrentHashMap<>();

  /**
   * Adds {@code listener} to the end of the listeners of {@code event}.
   *
   * @param event the event's name
   * @param listener what to call on each {@link #emit} of {@code event}
   * @return this emitter, for chaining
   */
  public EventEmitter on(String event, Runnable listener) {
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(listener, "listener must not be null");
    listeners.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(listener);
    return this;
  }

  /**
   * Calls every listener of {@code event}, synchronously, in the order they were added. An
   * exception thrown by a listener propagates to the caller and the later listeners are not called,
   * as in Node.
   *
   * @param event the event's name
   * @return whether {@code event} had listeners
   */
  public boolean emit(String event) {
    List<Runnable> registered =
        listeners.get(Objects.requireNonNull(event, "event must not be null"));
    if (registered == null || registered.isEmpty()) {
      return false;
    }
    for (Runnable listener : registered) {
      listener.run();
    }
    return true;
  }
}
