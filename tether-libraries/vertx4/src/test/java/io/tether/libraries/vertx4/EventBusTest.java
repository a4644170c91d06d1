package io.tether.libraries.vertx4;

import static io.tether.libraries.vertx4.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event-bus reply handlers run in the context of the code that sent the request, whichever context
 * the consumer replies from; so do the failures of a request that times out.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class EventBusTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private static Vertx vertx;
  private final Sightings seen = new Sightings();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    EventBus bus = vertx.eventBus();
    // Replies from a context of its own, on an event loop, after a timer.
    Promise<Void> echo = Promise.promise();
    bus.<String>consumer(
            "echo",
            message ->
                REQUEST.run(
                    "consumer", () -> vertx.setTimer(1, id -> message.reply(message.body()))))
        .completionHandler(echo);
    VertxTests.await(echo.future());
    Promise<Void> silent = Promise.promise();
    bus.<String>consumer("silent", message -> {}).completionHandler(silent);
    VertxTests.await(silent.future());
  }

  @AfterAll
  static void stop() throws Exception {
    VertxTests.close(vertx);
  }

  @Test
  void replyHandlers_fromOutsideAndInsideAnEventLoop_runInTheRequestersContext()
      throws InterruptedException {
    EventBus bus = vertx.eventBus();
    for (String id : new String[] {"x", "y"}) {
      REQUEST.run(
          id,
          () ->
              bus.<String>request("echo", id)
                  .onSuccess(reply -> seen.record(id + "-reply-" + reply.body())));
    }
    vertx.runOnContext(
        v ->
            REQUEST.run(
                "z",
                () ->
                    bus.<String>request("echo", "z")
                        .onSuccess(reply -> seen.record("z-reply-" + reply.body()))));
    assertThat(seen.await(3))
        .containsExactlyInAnyOrder("x-reply-x=x", "y-reply-y=y", "z-reply-z=z");
  }

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

  @Test
  void requestTimeouts_failInTheRequestersContext() throws InterruptedException {
    EventBus bus = vertx.eventBus();
    DeliveryOptions quick = new DeliveryOptions().setSendTimeout(10);
    for (String id : new String[] {"x", "y"}) {
      REQUEST.run(
          id,
          () ->
              bus.request("silent", id, quick).onFailure(failure -> seen.record(id + "-timeout")));
    }
    assertThat(seen.await(2)).containsExactlyInAnyOrder("x-timeout=x", "y-timeout=y");
  }
}
