package io.tether.libraries.vertx;

import static io.tether.libraries.vertx.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Sightings;
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
 *
 * <p>The tests both Vert.x modules run: each module's {@code EventBusTest} extends this class, with
 * the tests of its own Vert.x's API, if any.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
abstract class EventBusTestBase {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  static Vertx vertx;
  final Sightings seen = new Sightings(VertxTests.REQUEST);

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    EventBus bus = vertx.eventBus();
    // Replies from a context of its own, on an event loop, after a timer.
    VertxTests.awaitRegistered(
        bus.<String>consumer(
            "echo",
            message ->
                REQUEST.run(
                    "consumer", () -> vertx.setTimer(1, id -> message.reply(message.body())))));
    VertxTests.awaitRegistered(bus.<String>consumer("silent", message -> {}));
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
