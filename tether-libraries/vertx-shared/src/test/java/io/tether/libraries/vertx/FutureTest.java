package io.tether.libraries.vertx;

import static io.tether.libraries.vertx.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Sightings;
import io.tether.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Handlers and combinators of a Vert.x {@code Future} run in the context where they were
 * registered, never in that of the code that completes the promise, on whatever thread.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class FutureTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private static Vertx vertx;
  private final Sightings seen = new Sightings(VertxTests.REQUEST);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    VertxTests.close(vertx);
  }

  /** Registers every kind of handler on {@code future}, labelled by {@code request}. */
  private void registerAll(String request, Future<String> future, Future<String> other) {
    future.onComplete(result -> seen.record(request + "-onComplete"));
    future.onSuccess(value -> seen.record(request + "-onSuccess"));
    future
        .map(
            value -> {
              seen.record(request + "-map");
              return value;
            })
        .onSuccess(value -> seen.record(request + "-map-then"));
    future
        .compose(
            value -> {
              seen.record(request + "-compose");
              return other;
            })
        .onSuccess(value -> seen.record(request + "-compose-then"));
    Future.all(future, other).onSuccess(all -> seen.record(request + "-all"));
  }

  private static List<String> allSeenBy(String request) {
    return List.of(
        request + "-onComplete=" + request,
        request + "-onSuccess=" + request,
        request + "-map=" + request,
        request + "-map-then=" + request,
        request + "-compose=" + request,
        request + "-compose-then=" + request,
        request + "-all=" + request);
  }

  /** Completes the promises inside {@code run("completer")} on a thread of its own. */
  private static void completeElsewhere(List<Promise<String>> promises)
      throws InterruptedException {
    Thread completer =
        new Thread(() -> REQUEST.run("completer", () -> promises.forEach(p -> p.complete("done"))));
    completer.start();
    completer.join();
  }

  @Test
  void handlersAndCombinators_registeredOutsideAContext_runInTheirOwnContext()
      throws InterruptedException {
    Promise<String> px = Promise.promise();
    Promise<String> py = Promise.promise();
    Promise<String> other = Promise.promise();
    REQUEST.run("x", () -> registerAll("x", px.future(), other.future()));
    REQUEST.run("y", () -> registerAll("y", py.future(), other.future()));
    completeElsewhere(List.of(other, px, py));
    List<String> expected = new java.util.ArrayList<>(allSeenBy("x"));
    expected.addAll(allSeenBy("y"));
    assertThat(seen.await(expected.size())).containsExactlyInAnyOrderElementsOf(expected);
  }

  /** Handlers registered by code running on an event loop, and completed from a plain thread. */
  @Test
  void handlers_registeredOnAnEventLoop_runInTheirOwnContext() throws InterruptedException {
    List<Promise<String>> promises =
        List.of(Promise.promise(), Promise.promise(), Promise.promise());
    CountDownLatch registered = new CountDownLatch(1);
    vertx.runOnContext(
        v -> {
          REQUEST.run(
              "x", () -> registerAll("x", promises.get(0).future(), promises.get(2).future()));
          registered.countDown();
        });
    Waits.await(registered);
    REQUEST.run("y", () -> registerAll("y", promises.get(1).future(), promises.get(2).future()));
    completeElsewhere(List.of(promises.get(2), promises.get(0), promises.get(1)));
    List<String> expected = new java.util.ArrayList<>(allSeenBy("x"));
    expected.addAll(allSeenBy("y"));
    assertThat(seen.await(expected.size())).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void handlers_onAnAlreadyCompleteFuture_runInTheirOwnContext() throws InterruptedException {
    Future<String> succeeded = Future.succeededFuture("done");
    Promise<String> completed = Promise.promise();
    completed.complete("done");
    REQUEST.run("x", () -> registerAll("x", succeeded, completed.future()));
    REQUEST.run("y", () -> registerAll("y", completed.future(), succeeded));
    List<String> expected = new java.util.ArrayList<>(allSeenBy("x"));
    expected.addAll(allSeenBy("y"));
    assertThat(seen.await(expected.size())).containsExactlyInAnyOrderElementsOf(expected);
  }
}
