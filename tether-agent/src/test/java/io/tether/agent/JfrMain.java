package io.tether.agent;

import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Run by {@link JfrOptionTest} with {@code -XX:StartFlightRecording} and the agent's {@code
 * jfrContext=requestId}: a pool task linked inside {@code requestId.run("req-1", ...)} that parks
 * for 30 ms (longer than the default settings' threshold for {@code jdk.ThreadPark}), and a {@code
 * CompletableFuture} chain linked inside {@code run("req-2", ...)}. Prints what the test matches
 * the recording against: {@code task ASYNC_ID THREAD}, {@code supplied ASYNC_ID}, {@code stage
 * ASYNC_ID THREAD}.
 */
public final class JfrMain {

  private JfrMain() {}

  public static void main(String[] args) throws Exception {
    AsyncLocalStorage<String> requestId = new AsyncLocalStorage<>("requestId");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    String task =
        requestId.call(
            "req-1",
            () ->
                pool.submit(
                        () -> {
                          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(30));
                          return AsyncHooks.executionAsyncId()
                              + " "
                              + Thread.currentThread().getName();
                        })
                    .get());
    long[] supplied = new long[1];
    String stage =
        requestId.call(
            "req-2",
            () ->
                CompletableFuture.supplyAsync(
                        () -> {
                          supplied[0] = AsyncHooks.executionAsyncId();
                          return "x";
                        },
                        pool)
                    .thenApplyAsync(
                        x -> AsyncHooks.executionAsyncId() + " " + Thread.currentThread().getName(),
                        pool)
                    .get());
    pool.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    System.out.println("task " + task);
    System.out.println("supplied " + supplied[0]);
    System.out.println("stage " + stage);
  }
}
