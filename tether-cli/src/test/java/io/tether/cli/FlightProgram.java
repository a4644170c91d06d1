package io.tether.cli;

import io.tether.AsyncLocalStorage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The program the {@code dump} tests run under the agent's flight recording: prints its pid, runs
 * one request ({@code requestId=slow-1}) whose task on a pool takes at least 300 ms, prints {@code
 * request done TASK-ASYNC-ID}, then waits for a line: {@code throw} ends it with an uncaught
 * exception, anything else (or the end of input) in order. Run with tether-core only inside the
 * agent.
 */
final class FlightProgram {

  static final AsyncLocalStorage<String> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  private FlightProgram() {}

  public static void main(String[] args) throws Exception {
    System.out.println("pid " + ProcessHandle.current().pid());
    ExecutorService pool = Executors.newFixedThreadPool(1);
    long task =
        REQUEST_ID.run(
            "slow-1",
            () -> {
              try {
                return pool.submit(FlightProgram::atLeast300Ms).get();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the pool did not end");
    }
    System.out.println("request done " + task);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    if ("throw".equals(line)) {
      throw new IllegalStateException("the program failed on purpose");
    }
    System.out.println("program done");
  }

  /**
   * The request's slow part: it takes 300 ms or more, whatever the machine's speed; returns its
   * async id.
   */
  private static long atLeast300Ms() {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    for (long left; (left = end - System.nanoTime()) > 0; ) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return io.tether.AsyncHooks.executionAsyncId();
  }
}
