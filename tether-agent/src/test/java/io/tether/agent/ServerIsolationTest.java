package io.tether.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tether.AsyncLocalStorage;
import io.tether.testing.ResourceLedger;
import io.tether.testing.Waits;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Isolation under load, with the agent and plain JDK code: an {@code HttpServer} (fixed handler
 * pool) whose handler hops to a worker pool through {@code CompletableFuture} and runs a dependent
 * stage, driven on 127.0.0.1 with 64 requests in flight and a seeded random mix of work that
 * succeeds, throws, is cancelled, times out, is rejected by a saturated pool or is interrupted.
 * Every step of every request must see its own request id and never another's; no request may be
 * lost; no resource is destroyed twice; and after the load, with the pools still alive, no
 * request's store is reachable any more (nothing pins a finished request's context).
 *
 * <p>{@value #DEFAULT_REQUESTS} requests in CI; the million-request run: {@code
 * scripts/isolation-million.sh}, or {@code mvn -B verify -pl tether-agent -am
 * -Dit.test=ServerIsolationTest -Dtether.isolation.requests=1000000}. What the test keeps does not
 * grow with the requests answered (a bit per resource for its init and destroy), so a large run
 * measures Tether, not the test.
 */
class ServerIsolationTest {

  static final int DEFAULT_REQUESTS = 3_000;
  static final int IN_FLIGHT = 64;

  /** A request's store: one object per request, so that its reachability can be watched. */
  static final class RequestId {
    final int value;

    RequestId(int value) {
      this.value = value;
    }
  }

  enum Kind {
    OK,
    THROWS,
    CANCELLED,
    TIMES_OUT,
    REJECTED,
    INTERRUPTED
  }

  static final AsyncLocalStorage<RequestId> ID = new AsyncLocalStorage<>("requestId");

  private final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
  private final ReferenceQueue<RequestId> collected = new ReferenceQueue<>();
  private final Set<Reference<RequestId>> stores = ConcurrentHashMap.newKeySet();

  /** The wrong answers: counted, the first hundred kept. */
  private final io.tether.testing.Tally<String> wrongAnswers = new io.tether.testing.Tally<>(100);

  /** Forgets the stores already collected, so that a long run's set holds only live ones. */
  private void forgetCollected() {
    Reference<? extends RequestId> gone;
    while ((gone = collected.poll()) != null) {
      stores.remove(gone);
    }
  }

  private void step(String where, int n) {
    RequestId current = ID.getStore();
    if (current == null || current.value != n) {
      mismatches.add(
          "request "
              + n
              + " at "
              + where
              + " saw "
              + (current == null ? "none" : "request " + current.value)
              + " on "
              + Thread.currentThread().getName());
    }
  }

  private static void respond(HttpExchange exchange, String body) {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // the client went away; the test counts the responses it got
    } finally {
      exchange.close();
    }
  }

  @Test
  void everyStepSeesItsOwnRequest_noneIsLost_andNoStoreOutlivesItsRequest() {
    int requests = Integer.getInteger("tether.isolation.requests", DEFAULT_REQUESTS);
    // Ten minutes, or more for a large run: 3 ms a request (a million take about 15 minutes).
    java.time.Duration limit = java.time.Duration.ofSeconds(Math.max(600, requests * 3L / 1000));
    assertTimeoutPreemptively(limit, () -> load(requests));
  }

  private void load(int requests) throws Exception {
    ExecutorService handlers = Executors.newFixedThreadPool(8);
    ExecutorService workers = Executors.newFixedThreadPool(4);
    // Saturated for good: its one thread blocked, no queue, so every task is rejected.
    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    ThreadPoolExecutor saturated =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            new ThreadPoolExecutor.AbortPolicy());
    saturated.execute(() -> Waits.awaitQuietly(unblock));
    // Every resource's life, in memory that does not grow with the run: one init per id, at
    // most one destroy, none without an init.
    ResourceLedger ledger = ResourceLedger.enable();
    // The context leak detector watches the whole run: no request's context may be held past it.
    List<io.tether.ContextLeak> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.tether.ContextLeakHandler previousLeakHandler =
        io.tether.ContextLeaks.setHandler(leaks::add);
    io.tether.ContextLeaks.enable(java.time.Duration.ofHours(1));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    server.setExecutor(handlers);
    server.createContext(
        "/",
        exchange -> {
          String[] query = exchange.getRequestURI().getQuery().split(",");
          int n = Integer.parseInt(query[0]);
          Kind kind = Kind.valueOf(query[1]);
          RequestId id = new RequestId(n);
          stores.add(new WeakReference<>(id, collected));
          ID.run(id, () -> handle(exchange, n, kind, workers, saturated, never));
        });
    server.start();
    HttpClient client = HttpClient.newBuilder().build();
    try {
      Random random = new Random(20261122);
      Semaphore slots = new Semaphore(IN_FLIGHT);
      CountDownLatch answered = new CountDownLatch(requests);
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      for (int n = 0; n < requests; n++) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        slots.acquire();
        int sent = n;
        client
            .sendAsync(
                HttpRequest.newBuilder(base.resolve("?" + n + "," + kind))
                    .timeout(java.time.Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .whenComplete(
                (response, failure) -> {
                  String body = response == null ? String.valueOf(failure) : response.body();
                  if (!body.startsWith(sent + " ") || !body.endsWith(" seen " + sent)) {
                    wrongAnswers.add("response " + sent + ": " + body);
                  }
                  slots.release();
                  answered.countDown();
                });
        if (n % 1024 == 0) {
          forgetCollected();
        }
      }
      // Each request times out after a minute: all are answered or failed well within two.
      assertThat(answered.await(120, TimeUnit.SECONDS))
          .as("requests answered or failed (%d of %d left)", answered.getCount(), requests)
          .isTrue();
      assertThat(wrongAnswers.first())
          .as("wrong answers (%d in all, the first kept)", wrongAnswers.count())
          .isEmpty();
      assertThat(mismatches).as("steps that saw another request's id").isEmpty();

      // With every pool still alive and idle: no request's store is reachable any more.
      for (int i = 0; i < 50 && !stores.isEmpty(); i++) {
        System.gc();
        Reference<? extends RequestId> gone;
        while ((gone = collected.remove(100)) != null) {
          stores.remove(gone);
        }
      }
      ledger.disable();
      System.out.printf("ServerIsolationTest: %d requests; %s%n", requests, ledger);
      assertThat(stores).as("request stores still reachable after the load").isEmpty();
      // An hour on, as the detector sees it: nothing of the load holds a context any more.
      assertThat(
              io.tether.internal.Leaks.checkAfterCollection(
                  System.nanoTime() + TimeUnit.HOURS.toNanos(2)))
          .as("context leaks")
          .isEmpty();
      assertThat(leaks).as("context leaks reported").isEmpty();
      assertThat(ledger.initialisedTwice()).as("ids given to two inits").isEmpty();
      assertThat(ledger.destroyedTwice()).as("resources destroyed more than once").isEmpty();
      assertThat(ledger.destroyedWithoutInit()).as("destroyed without an init").isEmpty();
    } finally {
      io.tether.ContextLeaks.disable();
      io.tether.ContextLeaks.setHandler(previousLeakHandler);
      ledger.disable();
      unblock.countDown();
      server.stop(0);
      for (ExecutorService e : List.of(handlers, workers, saturated)) {
        e.shutdownNow();
        assertThat(e.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  private void handle(
      HttpExchange exchange,
      int n,
      Kind kind,
      ExecutorService workers,
      ThreadPoolExecutor saturated,
      CountDownLatch never) {
    step("handler", n);
    CompletableFuture<String> work;
    switch (kind) {
      case OK:
        work =
            CompletableFuture.supplyAsync(
                () -> {
                  step("worker", n);
                  return "ok";
                },
                workers);
        break;
      case THROWS:
        work =
            CompletableFuture.supplyAsync(
                () -> {
                  step("worker", n);
                  throw new IllegalStateException("boom " + n);
                },
                workers);
        break;
      case CANCELLED:
        {
          CompletableFuture<String> source = new CompletableFuture<>();
          work = source.thenApply(v -> v);
          work.cancel(false);
          break;
        }
      case TIMES_OUT:
        work = new CompletableFuture<String>().orTimeout(5, TimeUnit.MILLISECONDS);
        break;
      case REJECTED:
        work = new CompletableFuture<>();
        try {
          saturated.execute(() -> step("rejected task", n));
          work.complete("not rejected");
        } catch (RejectedExecutionException e) {
          step("rejection", n);
          work.completeExceptionally(e);
        }
        break;
      case INTERRUPTED:
        {
          Future<?> blocked =
              workers.submit(
                  () -> {
                    step("interruptible", n);
                    Waits.awaitQuietly(never);
                  });
          blocked.cancel(true);
          work =
              CompletableFuture.supplyAsync(
                  () -> {
                    step("after interrupt", n);
                    return blocked.isCancelled() ? "interrupted" : "not interrupted";
                  },
                  workers);
          break;
        }
      default:
        throw new IllegalStateException(String.valueOf(kind));
    }
    work.handle(
            (value, failure) -> {
              step("stage", n);
              return value != null ? value : failure.getClass().getSimpleName();
            })
        .thenAccept(
            outcome -> {
              step("respond", n);
              RequestId seen = ID.getStore();
              respond(
                  exchange,
                  n + " " + kind + " " + outcome + " seen " + (seen == null ? "none" : seen.value));
            });
  }
}
