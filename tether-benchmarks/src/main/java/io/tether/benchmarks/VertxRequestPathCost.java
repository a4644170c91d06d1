package io.tether.benchmarks;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link VertxOverheadServer}'s request path without the network, as {@link RequestPathCost} is the
 * JDK server's: each request arrives on one of two event loop contexts ({@code runOnContext}, where
 * the HTTP server would deliver it), hops to Vert.x's worker pool with {@code executeBlocking}, a
 * {@code map} stage reads the request id, and {@code onComplete} ends the request; 64 in flight. It
 * reports the process's CPU time per request, which resolves what the agent's library declarations
 * add to a Vert.x request to a fraction of a microsecond.
 *
 * <p>Usage: {@code VertxRequestPathCost MODE [REQUESTS [ROUNDS]]}, MODE {@code none}, {@code als}
 * (the request runs in {@code AsyncLocalStorage.run} and the stage reads the storage) or {@code
 * hooks} (as {@code none}, with a no-op hook of all five callbacks); 1,000,000 requests a round, 5
 * rounds, the first a warm-up. Prints CPU ns per request for each measured round and their median.
 */
public final class VertxRequestPathCost {

  private static final int IN_FLIGHT = 64;

  private final boolean tracked;
  private final Vertx vertx =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4));
  private final Context[] loops = {vertx.getOrCreateContext(), vertx.getOrCreateContext()};
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
  private final LongAdder mismatches = new LongAdder();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private VertxRequestPathCost(String mode) {
    tracked = mode.equals("als");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1
        || args.length > 3
        || !java.util.List.of("none", "als", "hooks").contains(args[0])) {
      throw new IllegalArgumentException(
          "usage: VertxRequestPathCost MODE [REQUESTS [ROUNDS]], MODE one of none, als, hooks;"
              + " was "
              + String.join(" ", args));
    }
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    if (requests < 1 || rounds < 2) {
      throw new IllegalArgumentException(
          "REQUESTS must be at least 1 and ROUNDS at least 2 (the first is a warm-up); were "
              + requests
              + " and "
              + rounds);
    }
    if (args[0].equals("hooks")) {
      Harness.enableNoopHook();
    }
    new VertxRequestPathCost(args[0]).run(requests, rounds);
  }

  private void run(int requests, int rounds) throws Exception {
    double[] perRequest = new double[rounds - 1];
    for (int round = 0; round < rounds; round++) {
      long cpu = os.getProcessCpuTime();
      long wall = System.nanoTime();
      for (int i = 1; i <= requests; i++) {
        inFlight.acquire();
        int id = i;
        loops[i & 1].runOnContext(v -> handle(id));
      }
      inFlight.acquire(IN_FLIGHT);
      inFlight.release(IN_FLIGHT);
      double ns = (double) (os.getProcessCpuTime() - cpu) / requests;
      System.out.printf(
          Locale.ROOT,
          "round %d%s: %.0f ns CPU/request, %.0f ns wall/request%n",
          round,
          round == 0 ? " (warm-up)" : "",
          ns,
          (double) (System.nanoTime() - wall) / requests);
      if (round > 0) {
        perRequest[round - 1] = ns;
      }
    }
    java.util.Arrays.sort(perRequest);
    System.out.printf(
        Locale.ROOT,
        "median %.0f ns CPU/request, mismatches %d%n",
        perRequest[perRequest.length / 2],
        mismatches.sum());
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void handle(int id) {
    if (tracked) {
      VertxOverheadServer.REQUEST_ID.run(id, () -> serve(id));
    } else {
      serve(id);
    }
  }

  private void serve(int id) {
    vertx
        .executeBlocking(() -> HttpOverheadServer.lookUp(id), false)
        .map(
            value -> {
              Integer seen = tracked ? VertxOverheadServer.REQUEST_ID.getStore() : id;
              if (seen == null || seen != id) {
                mismatches.increment();
              }
              return value;
            })
        .onComplete(result -> inFlight.release());
  }
}
