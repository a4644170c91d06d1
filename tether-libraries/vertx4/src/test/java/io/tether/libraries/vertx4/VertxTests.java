package io.tether.libraries.vertx4;

import io.tether.AsyncLocalStorage;
import io.tether.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What this module's tests share: the storage they propagate, and waiting for a Vert.x future. */
final class VertxTests {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  private VertxTests() {}

  /** The future's value, once it has one (within {@link Waits#TIMEOUT}). */
  static <T> T await(Future<T> future)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(Waits.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Closes the instance and waits for it to be closed. */
  static void close(Vertx vertx) throws InterruptedException, ExecutionException, TimeoutException {
    await(vertx.close());
  }
}
