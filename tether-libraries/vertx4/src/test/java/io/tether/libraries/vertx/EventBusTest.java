package io.tether.libraries.vertx;

import static io.tether.libraries.vertx.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import org.junit.jupiter.api.Test;

/** The shared event-bus tests ({@link EventBusTestBase}) with Vert.x 4, and its callback form. */
class EventBusTest extends EventBusTestBase {

  /**
   * Vert.x 4's callback form of request (and of its timeout) registers it on the request's future.
   */
  @Test
  @SuppressWarnings("deprecation") // the callback forms are Vert.x 4's API, deprecated in 4.5
  void replyCallbacks_ofVertx4sCallbackForm_runInTheRequestersContext()
      throws InterruptedException {
    EventBus bus = vertx.eventBus();
    DeliveryOptions quick = new DeliveryOptions().setSendTimeout(10);
    REQUEST.run(
        "x",
        () ->
            bus.<String>request(
                "echo", "x", reply -> seen.record("x-reply-" + reply.result().body())));
    vertx.runOnContext(
        v ->
            REQUEST.run(
                "y",
                () ->
                    bus.<String>request(
                        "silent", "y", quick, reply -> seen.record("y-failed-" + reply.failed()))));
    assertThat(seen.await(2)).containsExactlyInAnyOrder("x-reply-x=x", "y-failed-true=y");
  }
}
