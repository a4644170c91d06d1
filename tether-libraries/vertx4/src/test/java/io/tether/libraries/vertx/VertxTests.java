package io.tether.libraries.vertx;

import io.tether.AsyncLocalStorage;
import io.tether.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the Vert.x tests share (those in vertx-shared, which both Vert.x modules compile, and this
 * module's own): the storage they propagate, waiting for a Vert.x future, and Vert.x 4's way to
 * wait for an event-bus consumer's registration (which the Vert.x 5 module writes differently, in
 * its own copy of this class).
 */
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

  /** Waits for the consumer's registration, through Vert.x 4's completion handler. */
  static void awaitRegistered(MessageConsumer<?> consumer)
      throws InterruptedException, ExecutionException, TimeoutException {
    Promise<Void> registered = Promise.promise();
    consumer.completionHandler(registered);
    await(registered.future());
  }

  /** Closes the instance and waits for it to be closed. */
  static void close(Vertx vertx) throws InterruptedException, ExecutionException, TimeoutException {
    await(vertx.close());
  }
}
