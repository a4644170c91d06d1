package io.tether.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.management.ObjectName;

/**
 * The heap a request holds while it is in flight: {@code REQUESTS} requests started and left
 * waiting, each with the request path's shapes (a dependent stage of a future not yet complete, to
 * run on a worker pool, and a task queued behind a busy worker), then the live heap counted by a
 * class histogram of live objects ({@code GC.class_histogram}, after a full collection). Run once
 * without the agent ({@code none}) and once with it ({@code als}, the request id set with {@code
 * run}; {@code hooks}, all hooks enabled, no-op, as in {@link RequestPathCost}): the difference of
 * the live heaps divided by the number of requests is what Tether holds a request in flight. The
 * requests are then let go and each checks, on its worker, that it sees its own id (a lost or mixed
 * context is counted and printed).
 *
 * <p>Usage: {@code InFlightMemory MODE [REQUESTS (10000)]}. Prints the live heap, the bytes a
 * request, and the classes whose live bytes grew most per request over a baseline histogram taken
 * before the requests started.
 */
public final class InFlightMemory {

  private InFlightMemory() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2 || !List.of("none", "als", "hooks").contains(args[0])) {
      throw new IllegalArgumentException(
          "usage: InFlightMemory MODE [REQUESTS], MODE one of none, als, hooks; was "
              + String.join(" ", args));
    }
    String mode = args[0];
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    if (requests < 1) {
      throw new IllegalArgumentException("REQUESTS must be at least 1; was " + requests);
    }
    if (mode.equals("hooks")) {
      Harness.enableNoopHook();
    }
    boolean tracked = !mode.equals("none");
    ExecutorService workers = Executors.newFixedThreadPool(4);
    ExecutorService queue = Executors.newSingleThreadExecutor();
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(2 * requests);
    LongAdder mismatches = new LongAdder();
    List<CompletableFuture<Integer>> pending = new ArrayList<>(requests);
    // Warm everything up once (classes loaded, the agent's links made), so that the baseline
    // holds what is not per request.
    startRequest(-1, tracked, workers, queue, new ArrayList<>(), mismatches, null, true);
    queue.submit(() -> busyWait(busy));
    Map<String, long[]> before = histogram();
    for (int id = 0; id < requests; id++) {
      startRequest(id, tracked, workers, queue, pending, mismatches, done, false);
    }
    Map<String, long[]> during = histogram();
    long heapBefore = total(before);
    long heapDuring = total(during);
    System.out.printf(
        Locale.ROOT,
        "%s: %d requests in flight: live heap %d bytes before, %d during: %.1f bytes a request%n",
        mode,
        requests,
        heapBefore,
        heapDuring,
        (double) (heapDuring - heapBefore) / requests);
    List<Map.Entry<String, Double>> growth = new ArrayList<>();
    for (Map.Entry<String, long[]> e : during.entrySet()) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      double perRequest = (double) (e.getValue()[1] - b[1]) / requests;
      if (perRequest >= 1) {
        growth.add(Map.entry(e.getKey(), perRequest));
      }
    }
    growth.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
    for (Map.Entry<String, Double> e : growth) {
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      System.out.printf(
          Locale.ROOT,
          "  %8.1f bytes %6.2f objects a request  %s%n",
          e.getValue(),
          (double) (during.get(e.getKey())[0] - b[0]) / requests,
          e.getKey());
    }
    busy.countDown();
    for (int i = 0; i < pending.size(); i++) {
      pending.get(i).complete(i);
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still in flight after 60 s: " + done.getCount());
    }
    System.out.printf(Locale.ROOT, "%s: mismatches %d%n", mode, mismatches.sum());
    workers.shutdown();
    queue.shutdown();
  }

  /**
   * One request: a stage waiting on a future that completes later, run on a worker, and a task
   * queued behind the busy single worker of {@code queue}; each checks the request id it sees.
   */
  private static void startRequest(
      int id,
      boolean tracked,
      ExecutorService workers,
      ExecutorService queue,
      List<CompletableFuture<Integer>> pending,
      LongAdder mismatches,
      CountDownLatch done,
      boolean warmUp) {
    Runnable body =
        () -> {
          CompletableFuture<Integer> gate = new CompletableFuture<>();
          gate.thenApplyAsync(v -> check(id, tracked, mismatches), workers)
              .whenComplete((v, t) -> countDown(done));
          queue.execute(
              () -> {
                check(id, tracked, mismatches);
                countDown(done);
              });
          if (warmUp) {
            gate.complete(id);
          } else {
            pending.add(gate);
          }
        };
    if (tracked) {
      HttpOverheadServer.REQUEST_ID.run(id, body);
    } else {
      body.run();
    }
  }

  private static int check(int id, boolean tracked, LongAdder mismatches) {
    if (tracked) {
      Integer seen = HttpOverheadServer.REQUEST_ID.getStore();
      if (seen == null || seen != id) {
        mismatches.increment();
      }
    }
    return id;
  }

  private static void countDown(CountDownLatch done) {
    if (done != null) {
      done.countDown();
    }
  }

  private static void busyWait(CountDownLatch busy) {
    try {
      busy.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long total(Map<String, long[]> histogram) {
    long sum = 0;
    for (long[] v : histogram.values()) {
      sum += v[1];
    }
    return sum;
  }

  /**
   * The live objects by class ({@code GC.class_histogram}, which collects first): instances and
   * bytes.
   */
  private static Map<String, long[]> histogram() throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, long[]> classes = new TreeMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // "  1:  12345  678901  java.lang.String (java.base@17)"
      if (f.length >= 4 && f[0].endsWith(":")) {
        long[] v = classes.computeIfAbsent(f[3], k -> new long[2]);
        v[0] += Long.parseLong(f[1]);
        v[1] += Long.parseLong(f[2]);
      }
    }
    return classes;
  }
}
