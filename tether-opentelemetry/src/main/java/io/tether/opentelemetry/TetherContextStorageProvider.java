package io.tether.opentelemetry;

import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.ContextStorageProvider;

/**
 * Makes OpenTelemetry keep {@code Context.current()} in a Tether {@link
 * io.tether.AsyncLocalStorage} instead of a plain {@code ThreadLocal}, so that the current span,
 * baggage and every other OpenTelemetry context value follow the application's work across every
 * boundary Tether covers: with the Tether agent, JDK pools, {@code CompletableFuture} stages (in
 * the context where they were registered, whoever completes their source), threads, timers, {@code
 * HttpClient.sendAsync}; without it, executors wrapped by {@link io.tether.AsyncExecutors}, {@link
 * io.tether.AsyncResource}s and {@link io.tether.AsyncLocalStorage#bind bound} functions.
 *
 * <p>Putting {@code tether-opentelemetry} on the class path is enough: this class is registered in
 * {@code META-INF/services/io.opentelemetry.context.ContextStorageProvider}, and OpenTelemetry's
 * {@code ContextStorage.get()} uses the only provider it finds. Where several providers are on the
 * class path, OpenTelemetry uses its default storage unless this one is named:
 *
 * <pre>{@code
 * java -javaagent:tether-agent.jar \
 *      -Dio.opentelemetry.context.contextStorageProvider=io.tether.opentelemetry.TetherContextStorageProvider \
 *      -cp app.jar com.example.Main
 *
 * Span request = tracer.spanBuilder("request").startSpan();
 * try (Scope ignored = request.makeCurrent()) {
 *   CompletableFuture.supplyAsync(() -> tracer.spanBuilder("child").startSpan());  // child of request
 * }
 * }</pre>
 *
 * <p>Cautions:
 *
 * <ul>
 *   <li>OpenTelemetry picks its storage once, the first time any context is used: this provider
 *       must be on the class path (and named, if others are) before then.
 *   <li>OpenTelemetry's Java agent brings its own context machinery and bridges the application's
 *       API to it; this provider is for applications that use the OpenTelemetry SDK directly.
 *   <li>A {@code Scope} not closed inside a continuation (a pool task, a stage) ends with that
 *       continuation, as every Tether {@code enterWith} does: it cannot leak into the next task of
 *       a pooled thread. On a thread outside any continuation it stays until closed.
 * </ul>
 */
public final class TetherContextStorageProvider implements ContextStorageProvider {

  /** Creates the provider; OpenTelemetry's {@code ServiceLoader} calls this. */
  public TetherContextStorageProvider() {}

  /**
   * Returns the storage that keeps OpenTelemetry's current context in Tether's context; the same
   * instance every time.
   *
   * @return the Tether-backed context storage
   */
  @Override
  public ContextStorage get() {
    return TetherContextStorage.INSTANCE;
  }
}
