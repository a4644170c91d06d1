package io.tether;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.NoContextLeft;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({NoContextLeft.class, CleanCoreState.class})
@Timeout(30)
class VirtualThreadTest {

  private final AsyncLocalStorage<Integer> als = new AsyncLocalStorage<>("request");

  @Test
  void virtualThreadPerTaskExecutor_wrapped_eachTaskSeesItsSubmitter() throws Exception {
    try (ExecutorService vts = AsyncExecutors.wrap(Executors.newVirtualThreadPerTaskExecutor())) {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        int n = i;
        futures.add(
            als.run(
                n,
                () ->
                    vts.submit(
                        () -> {
                          LockSupport.parkNanos(
                              1_000); // park and unpark: the context survives remounting
                          Thread.yield();
                          return als.getStore();
                        })));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
      }
    }
  }

  @Test
  void virtualThread_unwrapped_isUntrackedAndEmpty() throws Exception {
    Integer[] seen = {-1};
    long[] ids = {-1, -1};
    Thread vt =
        als.run(
            7,
            () ->
                Thread.ofVirtual()
                    .start(
                        () -> {
                          seen[0] = als.getStore();
                          ids[0] = AsyncHooks.executionAsyncId();
                          ids[1] = AsyncHooks.triggerAsyncId();
                        }));
    vt.join();
    // Without the agent a new thread inherits nothing: propagation is explicit.
    assertThat(seen[0]).isNull();
    assertThat(ids).containsExactly(0, 0);
  }
}
