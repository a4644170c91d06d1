package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.internal.CallSiteIds;
import io.tether.internal.ExecutionState;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The call site marker on its own, without an agent: which calls, and marked code that runs. */
@Timeout(30)
class CallSiteMarkerUnitTest {

  /** Calls an executor and a plain method; says the site the thread was in during each. */
  public static final class Caller {
    public static int[] call(Executor executor, IntSupplier plain) {
      int[] seen = new int[3];
      executor.execute(() -> seen[0] = ExecutionState.current().site);
      seen[1] = ExecutionState.current().site;
      seen[2] = plain.getAsInt();
      return seen;
    }
  }

  @Test
  void aMarkedCall_runsInItsNumberedSite_andLeavesIt() throws Exception {
    byte[] marked =
        CallSiteMarker.mark(
            Caller.class.getName().replace('.', '/'), WeaverUnitTest.classFile(Caller.class));
    assertThat(marked).isNotNull();
    Class<?> type =
        new WeaverUnitTest.OneClassLoader(Caller.class.getName(), marked)
            .loadClass(Caller.class.getName());
    Executor inline = Runnable::run;
    IntSupplier plain = () -> ExecutionState.current().site;
    int[] seen =
        (int[])
            type.getMethod("call", Executor.class, IntSupplier.class).invoke(null, inline, plain);

    assertThat(seen[0]).as("the site inside the marked execute").isPositive();
    assertThat(CallSiteIds.describe(seen[0]))
        .matches(
            "io\\.tether\\.agent\\.CallSiteMarkerUnitTest\\$Caller\\.call"
                + "\\(CallSiteMarkerUnitTest\\.java:\\d+\\)");
    assertThat(seen[1]).as("after the marked call").isZero();
    assertThat(seen[2]).as("inside a call not marked").isZero();
    assertThat(ExecutionState.current().site).isZero();
    // The same site registered again (a class loaded twice) keeps its number.
    byte[] again =
        CallSiteMarker.mark(
            Caller.class.getName().replace('.', '/'), WeaverUnitTest.classFile(Caller.class));
    Class<?> second =
        new WeaverUnitTest.OneClassLoader(Caller.class.getName(), again)
            .loadClass(Caller.class.getName());
    int[] seenAgain =
        (int[])
            second.getMethod("call", Executor.class, IntSupplier.class).invoke(null, inline, plain);
    assertThat(seenAgain[0]).isEqualTo(seen[0]);
  }

  @Test
  void marks_theJdksLinkingCalls_andEveryCallIntoAKnownLibrary() {
    assertThat(CallSiteMarker.marks("java/util/concurrent/ExecutorService", "submit")).isTrue();
    assertThat(CallSiteMarker.marks("com/example/MyPool", "execute")).isTrue();
    assertThat(CallSiteMarker.marks("java/util/concurrent/CompletableFuture", "thenApply"))
        .isTrue();
    assertThat(CallSiteMarker.marks("java/util/concurrent/CompletableFuture", "<init>")).isTrue();
    assertThat(CallSiteMarker.marks("java/util/concurrent/CompletableFuture", "join")).isFalse();
    assertThat(CallSiteMarker.marks("java/util/concurrent/CompletableFuture", "getNow")).isFalse();
    assertThat(CallSiteMarker.marks("java/util/stream/Stream", "forEach")).isTrue();
    assertThat(CallSiteMarker.marks("java/util/stream/Stream", "map")).isFalse();
    assertThat(CallSiteMarker.marks("java/nio/channels/AsynchronousSocketChannel", "read"))
        .isTrue();
    assertThat(CallSiteMarker.marks("io/vertx/core/Vertx", "setTimer")).isTrue();
    assertThat(CallSiteMarker.marks("java/util/List", "add")).isFalse();
    assertThat(CallSiteMarker.marks("java/lang/String", "length")).isFalse();
  }

  @Test
  void application_isNeitherTheJdkNorTetherNorAKnownLibrary() {
    assertThat(CallSiteMarker.application("com/example/Service")).isTrue();
    assertThat(CallSiteMarker.application("io/tether/benchmarks/RequestPathCost")).isTrue();
    assertThat(CallSiteMarker.application("java/util/concurrent/ThreadPoolExecutor")).isFalse();
    assertThat(CallSiteMarker.application("io/tether/internal/TaskLinks")).isFalse();
    assertThat(CallSiteMarker.application("io/tether/AsyncLocalStorage")).isFalse();
    assertThat(CallSiteMarker.application("io/netty/channel/DefaultChannelPipeline")).isFalse();
    assertThat(CallSiteMarker.application("com/example/Service$$Lambda$14")).isFalse();
  }
}
