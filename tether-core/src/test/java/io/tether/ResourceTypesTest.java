package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.NoContextLeft;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({NoContextLeft.class, CleanCoreState.class})
class ResourceTypesTest {

  @Test
  void constants_areTheContractsNames() {
    assertThat(
            new String[] {
              ResourceTypes.THREAD,
              ResourceTypes.VIRTUAL_THREAD,
              ResourceTypes.EXECUTOR_TASK,
              ResourceTypes.SCHEDULED_TASK,
              ResourceTypes.FORK_JOIN_TASK,
              ResourceTypes.COMPLETABLE_FUTURE,
              ResourceTypes.TIMER_TASK,
              ResourceTypes.HTTP_CLIENT_EXCHANGE,
              ResourceTypes.NIO_COMPLETION,
              ResourceTypes.BOUND_ANONYMOUS_FN
            })
        .containsExactly(
            "THREAD",
            "VIRTUAL_THREAD",
            "EXECUTOR_TASK",
            "SCHEDULED_TASK",
            "FORK_JOIN_TASK",
            "COMPLETABLE_FUTURE",
            "TIMER_TASK",
            "HTTP_CLIENT_EXCHANGE",
            "NIO_COMPLETION",
            "bound-anonymous-fn");
  }

  @Test
  void snapshot_isInitedWithTheBoundFunctionType() {
    AtomicReference<String> type = new AtomicReference<>();
    AsyncHook hook =
        AsyncHooks.createHook(
                new AsyncHookCallbacks() {
                  @Override
                  public void init(long asyncId, String t, long triggerAsyncId, Object resource) {
                    type.set(t);
                  }
                })
            .enable();
    try {
      AsyncLocalStorage.snapshot();
    } finally {
      hook.disable();
    }
    assertThat(type).hasValue(ResourceTypes.BOUND_ANONYMOUS_FN);
  }
}
