package io.tether.internal;

import io.tether.ResourceTypes;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Not public API. Work whose identity does not matter or cannot be kept, linked by wrapping: the
 * tasks of executors the agent does not know, {@code HttpClient} exchanges and NIO.2 completion
 * handlers. Each wrapper is its resource, linked where it is made, and runs its callback once in
 * that context.
 */
public final class IoLinks {

  private IoLinks() {}

  /** {@code task} as a one-shot task resource linked here, unless it already is one. */
  static Runnable wrapTask(Runnable task, String type) {
    if (task == null
        || task instanceof ResourceCore
        || task instanceof LinkedCallback
        || TaskLinks.futureInternal(task)
        || Nesting.suppressed(ExecutionState.current())) {
      return task;
    }
    return new Tasks.OneShot(task, type);
  }

  /**
   * An NIO.2 {@code CompletionHandler} as one that runs in the context of this call, as the
   * continuation of a new {@code NIO_COMPLETION} resource (the handler itself if it already is one,
   * or inside a pool's own thread creation).
   */
  static Object wrapCompletionHandler(Object handler) {
    ExecutionState s = ExecutionState.current();
    if (!(handler instanceof CompletionHandler)
        || handler instanceof LinkedCompletion
        || Nesting.suppressed(s)) {
      return handler;
    }
    return new LinkedCompletion<>(
        (CompletionHandler<?, ?>) handler,
        new Link(ResourceTypes.NIO_COMPLETION, ResourceCore.CURRENT_TRIGGER, false, s));
  }

  /**
   * Links an {@code HttpClient} exchange here; when {@code response} completes, the exchange's
   * continuation runs (hooks see {@code before}/{@code after}) and the resource ends. Functions the
   * caller registers on the response run in the caller's context through the future's own
   * instrumentation.
   */
  static void httpExchange(Object response) {
    ExecutionState s = ExecutionState.current();
    if (!(response instanceof CompletableFuture) || Nesting.suppressed(s)) {
      return;
    }
    Link link =
        new Link(ResourceTypes.HTTP_CLIENT_EXCHANGE, ResourceCore.CURRENT_TRIGGER, false, s);
    // Tether's own stage: registered under suppression, so it is no resource of its own.
    Nesting.suppressBegin(s);
    try {
      ((CompletableFuture<?>) response).whenComplete(new ExchangeDone(link));
    } finally {
      Nesting.suppressEnd(s);
    }
  }

  /** Marks an exchange's completion as the exchange's continuation. */
  private static final class ExchangeDone implements BiConsumer<Object, Throwable> {
    private final Link exchange;

    ExchangeDone(Link exchange) {
      this.exchange = exchange;
    }

    @Override
    public void accept(Object response, Throwable failure) {
      ExecutionState s = exchange.enterScope();
      exchange.exitScope(s);
      exchange.ended();
    }
  }

  /** An NIO.2 completion handler that runs in the context of the I/O call, once. */
  private static final class LinkedCompletion<V, A> implements CompletionHandler<V, A> {
    private final CompletionHandler<V, A> handler;
    private final Link link;

    LinkedCompletion(CompletionHandler<V, A> handler, Link link) {
      this.handler = handler;
      this.link = link;
    }

    @Override
    public void completed(V result, A attachment) {
      try {
        link.runInScope(() -> handler.completed(result, attachment));
      } finally {
        link.ended();
      }
    }

    @Override
    public void failed(Throwable exc, A attachment) {
      try {
        link.runInScope(() -> handler.failed(exc, attachment));
      } finally {
        link.ended();
      }
    }
  }
}
