package io.tether.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP experiment's request path without the network: what {@link HttpOverheadServer} does for
 * a request once the JDK's server has parsed it (a new task object handed to a fixed handler pool,
 * {@code supplyAsync} to a worker pool, a dependent stage that reads the request id, a completion
 * that ends the request), driven by the calling thread with a fixed number of requests in flight.
 * It reports the process's CPU time per request: the figure the HTTP runner measures, without the
 * sockets, the HTTP parsing and the load generator that make up most of a request there, so
 * Tether's share of it is resolved to a fraction of a microsecond. Run it once without the agent
 * and once with it (and {@code als} or {@code hooks}) to compare.
 *
 * <p>Usage: {@code RequestPathCost MODE [REQUESTS [ROUNDS]]}, MODE {@code none}, {@code als} or
 * {@code hooks} as in {@link HttpOverheadServer}; 1,000,000 requests a round, 5 rounds, the first
 * of them a warm-up. Prints CPU ns per request for each measured round and their median.
 *
 * <p>The JFR modes are {@code als} with a Flight Recorder recording of the JDK's default settings
 * running in this JVM, to disk (at most 256 MB kept), from the first round to the last: {@code
 * jfr-jdk} with the agent as for {@code als} (the JDK's events only), {@code jfr} with the agent's
 * {@code jfrContext=requestId} (Tether's events too, the request id on each run), {@code
 * jfr-nostack} the same without the stack traces of {@code io.tether.Init}.
 */
public final class RequestPathCost implements RequestPath {

  private static final int IN_FLIGHT = 64;

  private final boolean tracked;
  private final Runnable done;
  private final ExecutorService handlers = Executors.newFixedThreadPool(4);
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final LongAdder mismatches = new LongAdder();

  private RequestPathCost(String mode, Runnable done) {
    this.tracked = !mode.equals("none") && !mode.equals("hooks");
    this.done = done;
  }

  public static void main(String[] args) throws Exception {
    measure("RequestPathCost", args, RequestPathCost::new);
  }

  /**
   * The measurement both request paths share: parses {@code MODE [REQUESTS [ROUNDS]]} ({@code
   * harness} names the class in errors), enables a no-op hook for {@code hooks}, makes the path for
   * the mode and drives it with {@value #IN_FLIGHT} requests in flight, printing the process's CPU
   * time per request for each round and the median of the rounds after the first.
   */
  static void measure(
      String harness,
      String[] args,
      java.util.function.BiFunction<String, Runnable, RequestPath> paths)
      throws Exception {
    if (args.length < 1 || args.length > 3 || !MODES.contains(args[0])) {
      throw new IllegalArgumentException(
          "usage: "
              + harness
              + " MODE [REQUESTS [ROUNDS]], MODE one of "
              + String.join(", ", MODES)
              + "; was "
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
    jdk.jfr.Recording recording = args[0].startsWith("jfr") ? startRecording(args[0]) : null;
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    RequestPath path = paths.apply(args[0], inFlight::release);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] perRequest = new double[rounds - 1];
    for (int round = 0; round < rounds; round++) {
      long cpu = os.getProcessCpuTime();
      long wall = System.nanoTime();
      for (int i = 1; i <= requests; i++) {
        inFlight.acquire();
        path.start(i);
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
        path.mismatches());
    path.close();
    if (recording != null) {
      recording.close();
    }
  }

  /** The modes {@link #measure} takes. */
  static final java.util.List<String> MODES =
      java.util.List.of("none", "als", "hooks", "jfr-jdk", "jfr", "jfr-nostack");

  /** A recording with the JDK's default settings, to disk, at most 256 MB kept. */
  private static jdk.jfr.Recording startRecording(String mode) throws Exception {
    jdk.jfr.Recording recording =
        new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("default"));
    recording.setToDisk(true);
    recording.setMaxSize(256L << 20);
    if (mode.equals("jfr-nostack")) {
      recording.enable("io.tether.Init").withoutStackTrace();
    }
    recording.start();
    return recording;
  }

  @Override
  public void start(int id) {
    handlers.execute(
        new Runnable() {
          @Override
          public void run() {
            handle(id);
          }
        });
  }

  @Override
  public long mismatches() {
    return mismatches.sum();
  }

  @Override
  public void close() throws InterruptedException {
    handlers.shutdown();
    workers.shutdown();
    handlers.awaitTermination(10, TimeUnit.SECONDS);
    workers.awaitTermination(10, TimeUnit.SECONDS);
  }

  private void handle(int id) {
    if (tracked) {
      HttpOverheadServer.REQUEST_ID.run(id, () -> serve(id));
    } else {
      serve(id);
    }
  }

  private void serve(int id) {
    CompletableFuture.supplyAsync(() -> HttpOverheadServer.lookUp(id), workers)
        .thenApply(
            value -> {
              // A stage that sees no id (the context lost) counts as well as one that sees another.
              Integer stored = tracked ? HttpOverheadServer.REQUEST_ID.getStore() : null;
              int seen = !tracked ? id : stored == null ? -1 : stored;
              if (seen != id) {
                mismatches.increment();
              }
              return value;
            })
        .whenComplete((body, failure) -> done.run());
  }
}
