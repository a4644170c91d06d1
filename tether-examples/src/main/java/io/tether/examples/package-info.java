/**
 * The three examples of Node's {@code doc/api/async_context.md}, translated to Java on top of
 * Tether and runnable: {@link io.tether.examples.RequestLogger} (an {@code AsyncLocalStorage} that
 * gives every HTTP request an id), {@link io.tether.examples.WorkerPool} (an {@code AsyncResource}
 * that carries each task's context to the worker thread that completes it) and {@link
 * io.tether.examples.EventListener} ({@code AsyncResource.bind} for event listeners).
 *
 * <p>Run them all with {@code mvn -q -Prun-examples -pl tether-examples -am verify -DskipTests}, or
 * one with {@code -Dexample=request-logger|worker-pool|event-listener}; each class also has its own
 * {@code main}.
 */
package io.tether.examples;
