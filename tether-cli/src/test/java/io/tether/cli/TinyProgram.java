package io.tether.cli;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The program the {@code run} tests run under the agent: one task on a pool, awaited, then an
 * orderly end; {@code exit N} ends it with {@code System.exit(N)} instead.
 */
final class TinyProgram {

  private TinyProgram() {}

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    pool.submit(() -> System.out.println("task ran")).get();
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the pool did not end");
    }
    System.out.println("tiny program done");
    if (args.length == 2 && args[0].equals("exit")) {
      System.exit(Integer.parseInt(args[1]));
    }
  }
}
