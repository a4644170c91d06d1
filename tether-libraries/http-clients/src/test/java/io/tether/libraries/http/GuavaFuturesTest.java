package io.tether.libraries.http;

import static io.tether.libraries.http.Seen.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListenableFutureTask;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guava's {@code ListenableFuture} under the agent: a listener, a {@code Futures.addCallback}
 * callback and a transform's function run in the context where they were added, whichever thread
 * completes the future and whatever context it is in, on {@code directExecutor()} and on a pool.
 */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class GuavaFuturesTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final ExecutorService completer = Executors.newSingleThreadExecutor();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void shutdown() throws InterruptedException {
    completer.shutdownNow();
    pool.shutdownNow();
    assertThat(completer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private static FutureCallback<String> callback(Seen seen) {
    return new FutureCallback<>() {
      @Override
      public void onSuccess(String result) {
        seen.end("success " + result);
      }

      @Override
      public void onFailure(Throwable failure) {
        seen.end("failure " + failure.getMessage());
      }
    };
  }

  /** Completes {@code future} on another thread, inside context {@code "completer"}. */
  private void completeElsewhere(SettableFuture<String> future, String value) {
    Waits.join(completer.submit(() -> REQUEST.run("completer", () -> future.set(value))));
  }

  @Test
  void addCallback_onDirectExecutor_seesWhereItWasAdded_notTheCompleters() {
    SettableFuture<String> future = SettableFuture.create();
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run(
        "a", () -> Futures.addCallback(future, callback(a), MoreExecutors.directExecutor()));
    REQUEST.run(
        "b", () -> Futures.addCallback(future, callback(b), MoreExecutors.directExecutor()));
    completeElsewhere(future, "v");
    assertThat(a.awaitAll()).containsExactly("success v=a");
    assertThat(b.awaitAll()).containsExactly("success v=b");
  }

  @Test
  void listeners_onDirectExecutorAndOnAPool_seeWhereTheyWereAdded() {
    SettableFuture<String> future = SettableFuture.create();
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run("a", () -> future.addListener(() -> a.end("listener"), pool));
    REQUEST.run(
        "b", () -> future.addListener(() -> b.end("listener"), MoreExecutors.directExecutor()));
    completeElsewhere(future, "v");
    assertThat(a.awaitAll()).containsExactly("listener=a");
    assertThat(b.awaitAll()).containsExactly("listener=b");
  }

  @Test
  void failureAndCancellation_reachCallbacksInTheirContexts() {
    SettableFuture<String> failed = SettableFuture.create();
    SettableFuture<String> cancelled = SettableFuture.create();
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run(
        "a", () -> Futures.addCallback(failed, callback(a), MoreExecutors.directExecutor()));
    REQUEST.run(
        "b", () -> Futures.addCallback(cancelled, callback(b), MoreExecutors.directExecutor()));
    Waits.join(
        completer.submit(
            () ->
                REQUEST.run(
                    "completer",
                    () -> {
                      failed.setException(new IllegalStateException("boom"));
                      cancelled.cancel(false);
                    })));
    assertThat(a.awaitAll()).containsExactly("failure boom=a");
    assertThat(b.awaitAll()).hasSize(1).allMatch(e -> e.endsWith("=b"));
  }

  @Test
  void transformsAndChainedFutures_runTheirFunctionsWhereTheyWereRegistered() {
    SettableFuture<String> source = SettableFuture.create();
    SettableFuture<String> chained = SettableFuture.create();
    Seen a = new Seen();
    Seen b = new Seen();
    ListenableFuture<String> transformed =
        REQUEST.run(
            "a",
            () ->
                Futures.transform(
                    source,
                    value -> {
                      a.saw("transform " + value);
                      return value + "!";
                    },
                    MoreExecutors.directExecutor()));
    // setFuture: chained completes when transformed does; its callback is b's.
    REQUEST.run(
        "b",
        () -> {
          chained.setFuture(transformed);
          Futures.addCallback(chained, callback(b), MoreExecutors.directExecutor());
        });
    REQUEST.run(
        "a", () -> Futures.addCallback(transformed, callback(a), MoreExecutors.directExecutor()));
    completeElsewhere(source, "v");
    assertThat(a.awaitAll()).containsExactly("transform v=a", "success v!=a");
    assertThat(b.awaitAll()).containsExactly("success v!=b");
  }

  @Test
  void listenableFutureTask_listenersSeeWhereTheyWereAdded() {
    ListenableFutureTask<String> task = ListenableFutureTask.create(() -> "t");
    Seen a = new Seen();
    REQUEST.run("a", () -> Futures.addCallback(task, callback(a), MoreExecutors.directExecutor()));
    REQUEST.run("runner", () -> pool.execute(task));
    assertThat(a.awaitAll()).containsExactly("success t=a");
  }
}
