package io.tether.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.AsyncResource;
import io.tether.testing.NoContextLeft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventListenerTest {

  @RegisterExtension
  static final NoContextLeft NO_CONTEXT_LEFT =
      NoContextLeft.of(EventListener.CONTEXT).andNoThreadsLeft();

  @Test
  @Timeout(30)
  void run_emittedFromAnotherContext_boundSeesRegistrationPlainSeesEmitter() throws Exception {
    Output out = new Output();

    EventListener.run(out.stream);

    assertThat(out.lines())
        .containsExactly("bound listener sees: request-1", "plain listener sees: emitter-ctx");
  }

  @Test
  void register_emittedOutsideAnyContext_plainListenerSeesNothing() {
    Output out = new Output();
    EventEmitter request = EventListener.register(out.stream);

    request.emit("close");

    assertThat(out.lines())
        .containsExactly("bound listener sees: request-1", "plain listener sees: -");
  }

  @Test
  void bind_listener_runsAsItsOwnResourceTriggeredByTheRegisteringExecution() {
    long registering = AsyncHooks.executionAsyncId();
    long[] bound = new long[2];
    long[] plain = new long[1];
    EventEmitter emitter = new EventEmitter();
    emitter.on(
        "close",
        AsyncResource.bind(
            () -> {
              bound[0] = AsyncHooks.executionAsyncId();
              bound[1] = AsyncHooks.triggerAsyncId();
            },
            "RequestCloseListener"));
    emitter.on("close", () -> plain[0] = AsyncHooks.executionAsyncId());
    AsyncResource connection = new AsyncResource("Connection");

    connection.runInAsyncScope(() -> emitter.emit("close"));

    assertThat(bound[0]).isNotIn(registering, connection.asyncId());
    assertThat(bound[1]).isEqualTo(registering);
    assertThat(plain[0]).isEqualTo(connection.asyncId());
  }
}
