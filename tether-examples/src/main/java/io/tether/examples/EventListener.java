package io.tether.examples;

import io.tether.AsyncLocalStorage;
import io.tether.AsyncResource;
import java.io.PrintStream;

/**
 * Integrating {@code AsyncResource} with an event emitter: a listener bound with {@link
 * AsyncResource#bind(Runnable, String)} runs in the context where it was registered; a plain
 * listener runs in the context of whoever emits the event.
 *
 * <p>The Node original, from {@code async_context.md}:
 *
 * <pre>{@code
 * import { createServer } from 'node:http';
 * import { AsyncResource, executionAsyncId } from 'node:async_hooks';
 *
 * const server = createServer((req, res) => {
 *   req.on('close', AsyncResource.bind(() => {
 *     // Execution context is bound to the current outer scope.
 *   }));
 *   req.on('close', () => {
 *     // Execution context is bound to the scope that caused 'close' to emit.
 *   });
 *   res.end();
 * }).listen(3000);
 * }</pre>
 *
 * <p>In Java the request is a tiny {@link EventEmitter}, its listeners are registered in the
 * context {@code request-1}, and a connection thread emits {@code close} in its own context, {@code
 * emitter-ctx}. Prints:
 *
 * <pre>
 * bound listener sees: request-1
 * plain listener sees: emitter-ctx
 * </pre>
 */
public final class EventListener {

  /** Which context a piece of code runs in: the request's, or the emitter's. */
  static final AsyncLocalStorage<String> CONTEXT = new AsyncLocalStorage<>("context");

  private EventListener() {}

  /**
   * Runs the example, printing to standard output.
   *
   * @param args ignored
   * @throws InterruptedException if interrupted while waiting for the emitting thread
   */
  public static void main(String[] args) throws InterruptedException {
    run(System.out);
  }

  /**
   * Registers a bound and a plain {@code close} listener in the context {@code request-1}, then
   * emits {@code close} from another thread in the context {@code emitter-ctx}; each listener
   * prints the context it sees.
   *
   * @param out where the listeners print
   * @throws InterruptedException if interrupted while waiting for the emitting thread
   */
  public static void run(PrintStream out) throws InterruptedException {
    EventEmitter request = register(out);
    Thread connection =
        new Thread(() -> CONTEXT.run("emitter-ctx", () -> request.emit("close")), "connection");
    connection.start();
    connection.join();
  }

  /** The request-handling part: the two listeners, registered inside the request's context. */
  static EventEmitter register(PrintStream out) {
    EventEmitter request = new EventEmitter();
    CONTEXT.run(
        "request-1",
        () -> {
          request.on(
              "close",
              AsyncResource.bind(
                  () -> out.println("bound listener sees: " + describe(CONTEXT.getStore())),
                  "RequestCloseListener"));
          request.on(
              "close", () -> out.println("plain listener sees: " + describe(CONTEXT.getStore())));
        });
    return request;
  }

  private static String describe(String context) {
    return context != null ? context : "-";
  }
}
