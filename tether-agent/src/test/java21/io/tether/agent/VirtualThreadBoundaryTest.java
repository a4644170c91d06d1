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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Virtual threads and Thread builders (JDK 21+) under the agent. */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class VirtualThreadBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  @Test
  void ofVirtualAndStartVirtualThread_runInStartersContext() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      CompletableFuture<String> a = new CompletableFuture<>();
      long[] id = new long[1];
      Thread t1 =
          REQUEST.run(
              "ofVirtual",
              () ->
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            id[0] = AsyncHooks.executionAsyncId();
                            a.complete(REQUEST.getStore());
                          }));
      CompletableFuture<String> b = new CompletableFuture<>();
      Thread t2 =
          REQUEST.run(
              "startVirtualThread",
              () -> Thread.startVirtualThread(() -> b.complete(REQUEST.getStore())));
      t1.join();
      t2.join();
      assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("ofVirtual");
      assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("startVirtualThread");
      assertThat(recorder.idsOfTypeFromThisThread(ResourceTypes.VIRTUAL_THREAD)).contains(id[0]);
    }
  }

  @Test
  void ofPlatform_runsInStartersContext() throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    Thread t =
        REQUEST.run(
            "platform", () -> Thread.ofPlatform().start(() -> seen.complete(REQUEST.getStore())));
    t.join();
    assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("platform");
  }

  @Test
  void virtualThreadPerTaskExecutor_tenThousandParkingThreads_eachInItsOwnContext()
      throws Exception {
    try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> futures = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        String ctx = "r" + i;
        futures.add(
            REQUEST.run(
                ctx,
                () ->
                    vts.submit(
                        () -> {
                          LockSupport.parkNanos(100_000);
                          Thread.yield();
                          return REQUEST.getStore();
                        })));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("r" + i);
      }
    }
  }
}
