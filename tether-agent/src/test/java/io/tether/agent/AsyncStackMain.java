package io.tether.agent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Run by {@link AsyncStackTraceTest} with the agent: three exceptions thrown in continuations, each
 * printed with {@code printStackTrace}: a pool task started by another pool task, a {@code
 * CompletableFuture} stage, and a thread's {@code run} (printed by the default uncaught exception
 * handler).
 */
public final class AsyncStackMain {

  private AsyncStackMain() {}

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      outer(pool).get().get();
    } catch (ExecutionException e) {
      System.out.println("== task");
      e.getCause().printStackTrace(System.out);
    }
    try {
      stageTwo(stageOne(pool), pool).join();
    } catch (CompletionException e) {
      System.out.println("== future");
      e.getCause().printStackTrace(System.out);
    }
    System.out.println("== thread");
    System.out.flush();
    Thread failing = startFailingThread();
    failing.join();
    pool.shutdown();
  }

  /** Submits a task that submits the failing one. */
  static Future<Future<?>> outer(ExecutorService pool) {
    return pool.submit(() -> inner(pool));
  }

  static Future<?> inner(ExecutorService pool) {
    return pool.submit(
        () -> {
          throw new IllegalStateException("task failed");
        });
  }

  static CompletableFuture<String> stageOne(ExecutorService pool) {
    return CompletableFuture.supplyAsync(() -> "one", pool);
  }

  static CompletableFuture<String> stageTwo(CompletableFuture<String> first, ExecutorService pool) {
    return first.thenApplyAsync(
        x -> {
          throw new IllegalArgumentException("stage failed");
        },
        pool);
  }

  static Thread startFailingThread() {
    Thread t =
        new Thread(
            () -> {
              throw new UnsupportedOperationException("thread failed");
            },
            "failing");
    t.start();
    return t;
  }
}
