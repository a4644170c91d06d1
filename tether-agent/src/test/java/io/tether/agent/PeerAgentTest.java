package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.alibaba.ttl.TransmittableThreadLocal;
import com.alibaba.ttl.threadpool.agent.TtlAgent;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.tether.AsyncHooks;
import io.tether.ResourceTypes;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The boundary tests run with Tether's agent alone and beside a peer agent: the OpenTelemetry java
 * agent or TransmittableThreadLocal's ({@code tether.peer.agent}, set by each failsafe execution,
 * names the peer expected). The peer is really attached, and its own context crosses a pool
 * boundary together with Tether's: neither agent undoes the other.
 */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class PeerAgentTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  static final String PEER = System.getProperty("tether.peer.agent", "none");
  static final boolean OTEL = PEER.equals("opentelemetry");
  static final boolean TTL = PEER.equals("ttl");

  private static final ContextKey<String> OTEL_KEY = ContextKey.named("tether-peer-test");
  private static final TransmittableThreadLocal<String> TTL_VALUE =
      new TransmittableThreadLocal<>();

  /** Prestarted, so that no worker inherits a thread-local value from a submitter. */
  private final ThreadPoolExecutor pool =
      new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());

  PeerAgentTest() {
    pool.prestartAllCoreThreads();
  }

  @AfterEach
  void shutdown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void expectedPeerAgent_isAttached_andNoOther() {
    assertThat(PEER).isIn("none", "opentelemetry", "ttl");
    assertThat(TetherAgent.isInstalled()).isTrue();
    assertThat(onBootstrapPath("io.opentelemetry.javaagent.bootstrap.AgentInitializer"))
        .as("OpenTelemetry agent attached")
        .isEqualTo(OTEL);
    assertThat(TtlAgent.isTtlAgentLoaded()).as("TTL agent attached").isEqualTo(TTL);
  }

  /**
   * With Tether's agent first (alone, or before a peer), {@code CompletableFuture} is loaded after
   * it and carries its link in a field of its own; after OpenTelemetry's agent (which loads it in
   * its own start-up) it keeps the weak map, and the future tests pass on both paths.
   */
  @Test
  void completableFuture_getsTheLinkField_whenLoadedAfterTethersAgent() {
    String firstAgent =
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-javaagent:"))
            .findFirst()
            .orElseThrow();
    boolean tetherFirst =
        java.nio.file.Path.of(firstAgent.substring("-javaagent:".length()).split("=")[0])
            .getFileName()
            .toString()
            .startsWith("tether-agent");
    if (PEER.equals("none")) {
      assertThat(tetherFirst).as(firstAgent).isTrue();
    }
    if (tetherFirst) {
      assertThat(io.tether.internal.LinkHolder.class)
          .isAssignableFrom(java.util.concurrent.CompletableFuture.class)
          .isAssignableFrom(java.util.concurrent.FutureTask.class)
          .isAssignableFrom(java.util.concurrent.CountedCompleter.class)
          .isAssignableFrom(java.util.concurrent.RecursiveTask.class)
          .isAssignableFrom(java.util.concurrent.RecursiveAction.class);
      assertThat(
              io.tether.internal.LinkHolder.class.isAssignableFrom(
                  java.util.concurrent.ForkJoinTask.class))
          .as("not ForkJoinTask itself: CompletableFuture's stages would grow")
          .isFalse();
    }
  }

  @Test
  void openTelemetryContext_crossesPoolBoundaries_besideTethers() throws Exception {
    List<String> seen =
        crossBoundaries(
            value -> {
              Scope scope = Context.current().with(OTEL_KEY, value).makeCurrent();
              return scope::close;
            },
            () -> Context.current().get(OTEL_KEY));
    assertThat(seen).containsOnly("tether=ctx peer=" + (OTEL ? "peer ctx" : null));
  }

  @Test
  void transmittableThreadLocal_crossesPoolBoundaries_besideTethers() throws Exception {
    List<String> seen =
        crossBoundaries(
            value -> {
              TTL_VALUE.set(value);
              return TTL_VALUE::remove;
            },
            TTL_VALUE::get);
    assertThat(seen).containsOnly("tether=ctx peer=" + (TTL ? "peer ctx" : null));
  }

  @Test
  void oneSubmission_isOneResource_besideThePeer() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      long submitter = AsyncHooks.executionAsyncId();
      CompletableFuture<Void> executed = new CompletableFuture<>();
      Future<?> submitted;
      CompletableFuture<String> supplied;
      CompletableFuture<String> source = new CompletableFuture<>();
      CompletableFuture<String> dependent;
      // Both peers' contexts current (only an attached peer acts on its own): the peer wraps or
      // tags each task on its way into the pool.
      Scope otel = Context.current().with(OTEL_KEY, "peer ctx").makeCurrent();
      TTL_VALUE.set("peer ctx");
      try {
        REQUEST.run("ctx", () -> pool.execute(() -> executed.complete(null)));
        submitted = REQUEST.run("ctx", () -> pool.submit(() -> {}));
        supplied = REQUEST.run("ctx", () -> CompletableFuture.supplyAsync(() -> "x", pool));
        dependent = REQUEST.run("ctx", () -> source.thenApplyAsync(x -> x, pool));
        source.complete("x");
      } finally {
        TTL_VALUE.remove();
        otel.close();
      }
      executed.get(5, TimeUnit.SECONDS);
      submitted.get(5, TimeUnit.SECONDS);
      supplied.get(5, TimeUnit.SECONDS);
      dependent.get(5, TimeUnit.SECONDS);
      // execute and submit are a task each; the tasks of supplyAsync and of the async dependent
      // (handed to the pool when its source completes) are their futures' business.
      List<Long> tasks = new ArrayList<>();
      for (long id : recorder.idsOfTypeFromThisThread(ResourceTypes.EXECUTOR_TASK)) {
        if (recorder.triggerOf(id) == submitter) {
          tasks.add(id);
        }
      }
      assertThat(tasks).hasSize(2);
      for (long id : tasks) {
        assertThat(recorder.awaitDestroy(id)).isTrue();
        assertThat(recorder.eventsOf(id)).containsExactly("init", "before", "after", "destroy");
      }
    }
  }

  private interface Restore {
    void close();
  }

  private interface Read {
    String get();
  }

  /**
   * Submits, with {@code "peer ctx"} made current in the peer's context and {@code "ctx"} in
   * Tether's, a lambda with {@code execute}, a callable with {@code submit} and a supplier with
   * {@code supplyAsync}: what each saw of both.
   */
  private List<String> crossBoundaries(Function<String, Restore> peerContext, Read peer)
      throws Exception {
    Read both = () -> "tether=" + REQUEST.getStore() + " peer=" + peer.get();
    CompletableFuture<String> executed = new CompletableFuture<>();
    Future<String> submitted;
    CompletableFuture<String> supplied;
    Restore restore = peerContext.apply("peer ctx");
    try {
      submitted =
          REQUEST.run(
              "ctx",
              () -> {
                pool.execute(() -> executed.complete(both.get()));
                return pool.submit(both::get);
              });
      supplied = REQUEST.run("ctx", () -> CompletableFuture.supplyAsync(both::get, pool));
    } finally {
      restore.close();
    }
    List<String> seen = new ArrayList<>();
    seen.add(executed.get(5, TimeUnit.SECONDS));
    seen.add(submitted.get(5, TimeUnit.SECONDS));
    seen.add(supplied.get(5, TimeUnit.SECONDS));
    assertThat(peer.get()).as("peer context left behind").isNull();
    return seen;
  }

  private static boolean onBootstrapPath(String className) {
    try {
      Class.forName(className, false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
