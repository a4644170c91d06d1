package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncHooks;
import io.tether.ResourceTypes;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import io.tether.testing.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CompletableFuture with Node's promise semantics: a stage runs in the context where it was
 * registered, whichever thread (in whichever context) completes its source.
 */
@ExtendWith(AgentAttached.class)
@Timeout(20)
class CompletableFutureBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final ExecutorService custom = Executors.newFixedThreadPool(2);

  @AfterEach
  void shutdown() throws InterruptedException {
    custom.shutdownNow();
    assertThat(custom.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void supplyAsyncAndRunAsync_defaultAndCustomExecutor_runInCallerContext() throws Exception {
    CompletableFuture<String> a =
        REQUEST.run("a", () -> CompletableFuture.supplyAsync(REQUEST::getStore));
    CompletableFuture<String> b =
        REQUEST.run("b", () -> CompletableFuture.supplyAsync(REQUEST::getStore, custom));
    String[] seen = new String[2];
    CompletableFuture<Void> c =
        REQUEST.run("c", () -> CompletableFuture.runAsync(() -> seen[0] = REQUEST.getStore()));
    CompletableFuture<Void> d =
        REQUEST.run(
            "d", () -> CompletableFuture.runAsync(() -> seen[1] = REQUEST.getStore(), custom));
    assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo("b");
    c.get(5, TimeUnit.SECONDS);
    d.get(5, TimeUnit.SECONDS);
    assertThat(seen).containsExactly("c", "d");
  }

  /** Each way of registering a dependent stage, as a function of the source future. */
  static List<Arguments> stages() {
    ExecutorService shared =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r);
              t.setDaemon(true);
              return t;
            });
    List<Arguments> all = new ArrayList<>();
    CompletableFuture<String> other = CompletableFuture.completedFuture("other");
    add(all, "thenApply", f -> f.thenApply(x -> REQUEST.getStore()));
    add(all, "thenApplyAsync", f -> f.thenApplyAsync(x -> REQUEST.getStore()));
    add(all, "thenApplyAsync(executor)", f -> f.thenApplyAsync(x -> REQUEST.getStore(), shared));
    add(all, "thenAccept", f -> capture(r -> f.thenAccept(x -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "thenAcceptAsync",
        f -> capture(r -> f.thenAcceptAsync(x -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "thenAcceptAsync(executor)",
        f -> capture(r -> f.thenAcceptAsync(x -> r.complete(REQUEST.getStore()), shared)));
    add(all, "thenRun", f -> capture(r -> f.thenRun(() -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "thenRunAsync",
        f -> capture(r -> f.thenRunAsync(() -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "thenRunAsync(executor)",
        f -> capture(r -> f.thenRunAsync(() -> r.complete(REQUEST.getStore()), shared)));
    add(all, "thenCombine", f -> f.thenCombine(other, (x, y) -> REQUEST.getStore()));
    add(all, "thenCombineAsync", f -> f.thenCombineAsync(other, (x, y) -> REQUEST.getStore()));
    add(
        all,
        "thenCombineAsync(executor)",
        f -> f.thenCombineAsync(other, (x, y) -> REQUEST.getStore(), shared));
    add(
        all,
        "thenAcceptBoth",
        f -> capture(r -> f.thenAcceptBoth(other, (x, y) -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "thenAcceptBothAsync",
        f -> capture(r -> f.thenAcceptBothAsync(other, (x, y) -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "runAfterBoth",
        f -> capture(r -> f.runAfterBoth(other, () -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "runAfterBothAsync",
        f -> capture(r -> f.runAfterBothAsync(other, () -> r.complete(REQUEST.getStore()))));
    CompletableFuture<String> never = new CompletableFuture<>();
    add(all, "applyToEither", f -> f.applyToEither(never, x -> REQUEST.getStore()));
    add(all, "applyToEitherAsync", f -> f.applyToEitherAsync(never, x -> REQUEST.getStore()));
    add(
        all,
        "acceptEither",
        f -> capture(r -> f.acceptEither(never, x -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "acceptEitherAsync",
        f -> capture(r -> f.acceptEitherAsync(never, x -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "runAfterEither",
        f -> capture(r -> f.runAfterEither(never, () -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "runAfterEitherAsync",
        f -> capture(r -> f.runAfterEitherAsync(never, () -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "thenCompose",
        f -> f.thenCompose(x -> CompletableFuture.completedFuture(REQUEST.getStore())));
    add(
        all,
        "thenComposeAsync",
        f -> f.thenComposeAsync(x -> CompletableFuture.completedFuture(REQUEST.getStore())));
    add(
        all,
        "whenComplete",
        f -> capture(r -> f.whenComplete((x, e) -> r.complete(REQUEST.getStore()))));
    add(
        all,
        "whenCompleteAsync",
        f -> capture(r -> f.whenCompleteAsync((x, e) -> r.complete(REQUEST.getStore()))));
    add(all, "handle", f -> f.handle((x, e) -> REQUEST.getStore()));
    add(all, "handleAsync", f -> f.handleAsync((x, e) -> REQUEST.getStore()));
    add(all, "handleAsync(executor)", f -> f.handleAsync((x, e) -> REQUEST.getStore(), shared));
    return all;
  }

  private static void add(
      List<Arguments> all,
      String name,
      Function<CompletableFuture<String>, CompletionStage<String>> stage) {
    all.add(Arguments.of(name, stage));
  }

  /** For stages whose own result is not the value read: the value goes to a separate future. */
  private static CompletionStage<String> capture(
      java.util.function.Consumer<CompletableFuture<String>> register) {
    CompletableFuture<String> read = new CompletableFuture<>();
    register.accept(read);
    return read;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stages")
  void stage_registeredInOneContext_completedFromAnother_runsInRegistrationContext(
      String name, Function<CompletableFuture<String>, CompletionStage<String>> stage)
      throws Exception {
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletionStage<String> dependent = REQUEST.run("registered", () -> stage.apply(source));
    CountDownLatch completed = new CountDownLatch(1);
    Thread completer =
        new Thread(
            () ->
                REQUEST.run(
                    "completer",
                    () -> {
                      source.complete("value");
                      completed.countDown();
                    }));
    completer.start();
    Waits.await(completed);
    completer.join();
    assertThat(dependent.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("registered");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stages")
  void stage_registeredOnCompletedSource_runsInRegistrationContext(
      String name, Function<CompletableFuture<String>, CompletionStage<String>> stage)
      throws Exception {
    CompletableFuture<String> source = CompletableFuture.completedFuture("value");
    CompletionStage<String> dependent = REQUEST.run("registered", () -> stage.apply(source));
    assertThat(dependent.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("registered");
  }

  @Test
  void exceptionally_runsInRegistrationContext_whenSourceFailsElsewhere() throws Exception {
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<String> recovered =
        REQUEST.run("registered", () -> source.exceptionally(e -> REQUEST.getStore()));
    CompletableFuture<String> recoveredAsync =
        REQUEST.run("registered async", () -> source.exceptionallyAsync(e -> REQUEST.getStore()));
    Thread failer =
        new Thread(
            () ->
                REQUEST.run(
                    "failer", () -> source.completeExceptionally(new IllegalStateException("x"))));
    failer.start();
    failer.join();
    assertThat(recovered.get(5, TimeUnit.SECONDS)).isEqualTo("registered");
    assertThat(recoveredAsync.get(5, TimeUnit.SECONDS)).isEqualTo("registered async");
  }

  @Test
  void thenComposeChain_eachStageInItsRegistrationContext() throws Exception {
    CompletableFuture<String> result =
        REQUEST.run(
            "chain",
            () ->
                CompletableFuture.supplyAsync(() -> "a:" + REQUEST.getStore(), custom)
                    .thenCompose(
                        a -> CompletableFuture.supplyAsync(() -> a + ",b:" + REQUEST.getStore()))
                    .thenComposeAsync(
                        b ->
                            REQUEST.run(
                                "inner",
                                () ->
                                    CompletableFuture.supplyAsync(
                                        () -> b + ",c:" + REQUEST.getStore(), custom)))
                    .thenApply(c -> c + ",d:" + REQUEST.getStore()));
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("a:chain,b:chain,c:inner,d:chain");
  }

  @Test
  void stageFunctionRunInlineByItsRegistration_linksWhatItStartsAfresh() throws Exception {
    // The source is complete, so thenCompose runs the function inside thenCompose itself: the
    // future the function starts is still the function's own, in the function's context.
    CompletableFuture<String> done = CompletableFuture.completedFuture("x");
    CompletableFuture<String> result =
        REQUEST.run(
            "inline",
            () ->
                done.thenCompose(
                    x ->
                        CompletableFuture.supplyAsync(() -> x + ":" + REQUEST.getStore(), custom)));
    assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("x:inline");
  }

  @Test
  void hooks_dependentTriggeredBySource_promiseResolveOnCompletion() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      CompletableFuture<String> source = new CompletableFuture<>();
      long[] inStage = new long[2];
      CompletableFuture<String> dependent =
          source.thenApply(
              x -> {
                inStage[0] = AsyncHooks.executionAsyncId();
                inStage[1] = AsyncHooks.triggerAsyncId();
                return x + "!";
              });
      List<Long> futures = recorder.idsOfTypeFromThisThread(ResourceTypes.COMPLETABLE_FUTURE);
      assertThat(futures).hasSize(2);
      long sourceId = futures.get(0);
      long dependentId = futures.get(1);
      assertThat(recorder.triggerOf(sourceId)).isEqualTo(AsyncHooks.executionAsyncId());
      assertThat(recorder.triggerOf(dependentId)).isEqualTo(sourceId);
      source.complete("x");
      assertThat(dependent.get(5, TimeUnit.SECONDS)).isEqualTo("x!");
      assertThat(inStage).containsExactly(dependentId, sourceId);
      // A completed future has ended: destroy follows, on Tether's destroy thread, with no GC.
      assertThat(recorder.awaitDestroy(sourceId)).isTrue();
      assertThat(recorder.awaitDestroy(dependentId)).isTrue();
      assertThat(recorder.eventsOf(sourceId)).containsExactly("init", "promiseResolve", "destroy");
      assertThat(recorder.eventsOf(dependentId))
          .containsExactly("init", "before", "after", "promiseResolve", "destroy");
    }
  }

  /**
   * A future nobody completes has not ended: no destroy while it is reachable (it gets one when it
   * becomes unreachable). One completed from inside its own stage function gets its destroy only
   * after the function's {@code after}; an obtruded result after destroy raises nothing.
   */
  @Test
  void hooks_destroyWhenComplete_neverBeforeTheRunEnds_noneForAPendingFuture() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      CompletableFuture<String> pending = new CompletableFuture<>();
      CompletableFuture<String> source = new CompletableFuture<>();
      AtomicReference<CompletableFuture<String>> self = new AtomicReference<>();
      self.set(
          source.thenApply(
              x -> {
                self.get()
                    .complete("from inside"); // completes its own future while its function runs
                return x;
              }));
      CompletableFuture<String> done = CompletableFuture.completedFuture("done");
      List<Long> futures = recorder.idsOfTypeFromThisThread(ResourceTypes.COMPLETABLE_FUTURE);
      assertThat(futures).hasSize(4);
      long pendingId = futures.get(0);
      long selfId = futures.get(2);
      long doneId = futures.get(3);
      source.complete("x");
      assertThat(self.get().get(5, TimeUnit.SECONDS)).isEqualTo("from inside");
      assertThat(recorder.awaitDestroy(selfId)).isTrue();
      assertThat(recorder.eventsOf(selfId))
          .containsExactly("init", "before", "promiseResolve", "after", "destroy");
      assertThat(recorder.awaitDestroy(doneId)).isTrue();
      done.obtrudeValue("again");
      assertThat(recorder.eventsOf(doneId)).containsExactly("init", "promiseResolve", "destroy");
      // Everything queued for destroy so far is delivered: the pending future's is not among it.
      assertThat(recorder.awaitDestroy(futures.get(1))).isTrue();
      assertThat(recorder.eventsOf(pendingId)).containsExactly("init");
      pending.complete("late");
      assertThat(recorder.awaitDestroy(pendingId)).isTrue();
    }
  }

  /**
   * A future nobody completes and nobody holds any more gets its destroy once collected: its link
   * is held by Tether only until it outlives its slot (a couple of the cleaner's sweeps), then by a
   * phantom reference alone.
   */
  @Test
  void hooks_destroyOfAPendingFutureDropped_whenCollected() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      long id = pendingFutureDropped(recorder);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!recorder.awaitDestroy(id, 50) && System.nanoTime() < deadline) {
        System.gc();
      }
      assertThat(recorder.eventsOf(id)).containsExactly("init", "destroy");
    }
  }

  private static long pendingFutureDropped(RecordingHook recorder) {
    CompletableFuture<String> pending = new CompletableFuture<>();
    List<Long> futures = recorder.idsOfTypeFromThisThread(ResourceTypes.COMPLETABLE_FUTURE);
    assertThat(futures).hasSize(1);
    assertThat(pending).isNotDone();
    return futures.get(0);
  }

  /**
   * A stage registered on a source that is already complete runs at once, and the JDK writes the
   * dependent's result directly (no completion method): it resolves all the same. So does a future
   * created completed, and one whose result is obtruded.
   */
  @Test
  void hooks_promiseResolve_onCompletedSourceCompletedFutureAndObtrude() throws Exception {
    try (RecordingHook recorder = new RecordingHook().enable()) {
      CompletableFuture<String> done = CompletableFuture.completedFuture("x");
      CompletableFuture<String> applied = done.thenApply(x -> x + "!");
      CompletableFuture<Void> accepted = done.thenAccept(x -> {});
      CompletableFuture<String> failed =
          CompletableFuture.<String>failedFuture(new IllegalStateException("boom"))
              .thenApply(x -> x);
      CompletableFuture<String> obtruded = new CompletableFuture<>();
      obtruded.obtrudeValue("forced");
      assertThat(applied.get(5, TimeUnit.SECONDS)).isEqualTo("x!");
      assertThat(accepted.isDone()).isTrue();
      assertThat(failed.isCompletedExceptionally()).isTrue();

      List<Long> futures = recorder.idsOfTypeFromThisThread(ResourceTypes.COMPLETABLE_FUTURE);
      assertThat(futures).hasSize(6);
      for (long id : futures) {
        assertThat(recorder.awaitDestroy(id)).as("destroy of future #%d", id).isTrue();
        assertThat(recorder.eventsOf(id))
            .as("future #%d", id)
            .contains("init", "promiseResolve")
            .endsWith("destroy");
        assertThat(recorder.eventsOf(id).stream().filter("promiseResolve"::equals).count())
            .as("promiseResolve once for future #%d", id)
            .isEqualTo(1);
      }
    }
  }

  @Test
  void exceptionInStage_reachesExceptionallyAndHandle_unchanged() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    CompletableFuture<String> failed =
        REQUEST.run(
            "ctx",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      throw boom;
                    },
                    custom));
    String handled =
        REQUEST
            .run(
                "handler",
                () -> failed.handle((v, e) -> e.getCause().getMessage() + "@" + REQUEST.getStore()))
            .get(5, TimeUnit.SECONDS);
    assertThat(handled).isEqualTo("boom@handler");
  }
}
