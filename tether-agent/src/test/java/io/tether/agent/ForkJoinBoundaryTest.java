package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ForkJoinPool, ForkJoinTask.fork and parallel streams under the agent. */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class ForkJoinBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  /** Sums a range by splitting it; every leaf records the context it saw. */
  @SuppressWarnings("serial") // Serializable only as a ForkJoinTask; never serialized
  static final class Sum extends RecursiveTask<Long> {
    final int from;
    final int to;
    final Set<String> seen;

    Sum(int from, int to, Set<String> seen) {
      this.from = from;
      this.to = to;
      this.seen = seen;
    }

    @Override
    protected Long compute() {
      if (to - from <= 64) {
        seen.add(String.valueOf(REQUEST.getStore()));
        long s = 0;
        for (int i = from; i < to; i++) {
          s += i;
        }
        return s;
      }
      int mid = (from + to) >>> 1;
      Sum left = new Sum(from, mid, seen);
      Sum right = new Sum(mid, to, seen);
      left.fork();
      return right.compute() + left.join();
    }
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {1, 2, 4})
  void customPool_submitAndFork_everySubtaskInSubmitterContext(int parallelism) throws Exception {
    ForkJoinPool pool = new ForkJoinPool(parallelism);
    try {
      Set<String> seen = ConcurrentHashMap.newKeySet();
      ForkJoinTask<Long> task = REQUEST.run("fj", () -> pool.submit(new Sum(0, 100_000, seen)));
      assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo(4_999_950_000L);
      assertThat(seen).containsExactly("fj");
      String viaExecute =
          REQUEST
              .run(
                  "execute",
                  () -> {
                    java.util.concurrent.CompletableFuture<String> r =
                        new java.util.concurrent.CompletableFuture<>();
                    pool.execute(() -> r.complete(REQUEST.getStore()));
                    return r;
                  })
              .get(5, TimeUnit.SECONDS);
      assertThat(viaExecute).isEqualTo("execute");
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void commonPool_forkFromOutside_runsInForkingContext() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Sum task = new Sum(0, 50_000, seen);
    REQUEST.run(
        "forked",
        () -> {
          task.fork();
        });
    assertThat(task.get(10, TimeUnit.SECONDS)).isEqualTo(1_249_975_000L);
    assertThat(seen).containsExactly("forked");
  }

  @Test
  void parallelStream_everyElementSeesTheCallersContext() {
    List<String> seen =
        REQUEST.run(
            "stream",
            () ->
                IntStream.range(0, 10_000)
                    .parallel()
                    .mapToObj(i -> String.valueOf(REQUEST.getStore()))
                    .distinct()
                    .collect(Collectors.toList()));
    assertThat(seen).containsExactly("stream");
  }

  @Test
  void parallelStreamInsideCustomPoolTask_seesTheSubmittersContext() throws Exception {
    ForkJoinPool pool = new ForkJoinPool(3);
    try {
      List<String> seen =
          REQUEST
              .run(
                  "outer",
                  () ->
                      pool.submit(
                          () ->
                              IntStream.range(0, 10_000)
                                  .parallel()
                                  .mapToObj(i -> String.valueOf(REQUEST.getStore()))
                                  .distinct()
                                  .collect(Collectors.toList())))
              .get(10, TimeUnit.SECONDS);
      assertThat(seen).containsExactly("outer");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void workersStartEmpty() throws Exception {
    ForkJoinPool pool = new ForkJoinPool(2);
    try {
      // Workers are created by this submission in a context; a later one without context sees none.
      REQUEST.run("creator", () -> pool.submit(() -> {}).join());
      assertThat(pool.submit(REQUEST::getStore).get(5, TimeUnit.SECONDS)).isNull();
    } finally {
      pool.shutdownNow();
    }
  }
}
