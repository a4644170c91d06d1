package io.tether.libraries.vertx;

import static io.tether.libraries.vertx.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/**
 * The shared timer and task tests ({@link TimersAndTasksTestBase}) with Vert.x 4, and its own form
 * of executeBlocking.
 */
class TimersAndTasksTest extends TimersAndTasksTestBase {

  /**
   * Vert.x 4's own form of executeBlocking: the blocking code completes a promise, and its result
   * comes to a callback or to a future. Each task is queued from outside an event loop, so on a
   * context of its own.
   */
  @Test
  @SuppressWarnings(
      "deprecation") // the promise-handler forms are Vert.x 4's API, deprecated in 4.5
  void executeBlocking_withAPromiseHandler_runsCodeAndResultInTheSubmittersContext()
      throws Exception {
    REQUEST.run(
        "x",
        () ->
            vertx.<String>executeBlocking(
                promise -> {
                  seen.record("x-task");
                  promise.complete("x");
                },
                true,
                result -> seen.record("x-result")));
    Future<String> unordered =
        REQUEST.run(
            "y",
            () ->
                vertx.<String>executeBlocking(
                    promise -> {
                      seen.record("y-task");
                      promise.complete("y");
                    },
                    false));
    REQUEST.run("w", () -> unordered.onSuccess(value -> seen.record("w-result")));
    assertThat(VertxTests.await(unordered)).isEqualTo("y");
    assertThat(seen.await(4))
        .containsExactlyInAnyOrder("x-task=x", "x-result=x", "y-task=y", "w-result=w");
  }
}
