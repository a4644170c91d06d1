package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.ResourceTypes;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Subtask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** StructuredTaskScope forks (a preview API in JDK 25) under the agent. */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class StructuredTaskScopeBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  @Test
  void forks_runInTheForkingContext_asVirtualThreadResources() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      List<Subtask<String>> forks = new ArrayList<>();
      long[] ids = new long[3];
      try (var scope = StructuredTaskScope.open()) {
        for (int i = 0; i < 3; i++) {
          int n = i;
          forks.add(
              REQUEST.run(
                  "fork " + i,
                  () ->
                      scope.fork(
                          () -> {
                            ids[n] = AsyncHooks.executionAsyncId();
                            return REQUEST.getStore();
                          })));
        }
        scope.join();
      }
      for (int i = 0; i < 3; i++) {
        assertThat(forks.get(i).get()).isEqualTo("fork " + i);
        assertThat(recorder.idsOfTypeFromThisThread(ResourceTypes.VIRTUAL_THREAD)).contains(ids[i]);
      }
    }
  }

  @Test
  void nestedScopes_eachForkInItsOwnForkingContext() throws Exception {
    try (var outer = StructuredTaskScope.open()) {
      Subtask<String> a =
          REQUEST.run(
              "outer",
              () ->
                  outer.fork(
                      () -> {
                        try (var inner = StructuredTaskScope.open()) {
                          Subtask<String> b =
                              REQUEST.run("inner", () -> inner.fork(REQUEST::getStore));
                          inner.join();
                          return REQUEST.getStore() + "/" + b.get();
                        }
                      }));
      outer.join();
      assertThat(a.get()).isEqualTo("outer/inner");
    }
  }
}
