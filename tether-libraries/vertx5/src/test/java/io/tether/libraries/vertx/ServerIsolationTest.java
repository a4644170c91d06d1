package io.tether.libraries.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tether.AsyncLocalStorage;
import io.tether.testing.AgentAttached;
import io.tether.testing.ResourceLedger;
import io.tether.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Isolation under load with the real Vert.x 5 and the agent: an HTTP server on 127.0.0.1 whose
 * handler runs each request inside {@code run(requestId)} and takes it through a timer, a blocking
 * task, a future chain completed by a plain pool in another context, an HTTP call to another route
 * of the same server and an event-bus request, each step checking that it sees its own request id.
 * A seeded mix of faults on the way: a blocking task that throws, a timer cancelled before it
 * fires, a future that times out, an event-bus request nobody answers and a promise failed from the
 * plain pool. Many requests in flight at once: none lost, each answered as its kind says, no step
 * sees another request's id (or none), no resource is given two inits or destroyed twice or without
 * an init, and afterwards, with the server, client and event loops still alive, no request's store
 * is reachable.
 *
 * <p>{@value #DEFAULT_REQUESTS} requests in CI; the million-request run: {@code
 * scripts/isolation-million.sh}, or {@code scripts/vertx-isolation.sh 1000000}. What the test keeps
 * does not grow with the requests answered (a bit per resource for its init and destroy; the last
 * step of the requests in flight only).
 */
@ExtendWith(AgentAttached.class)
class ServerIsolationTest {

  static final int DEFAULT_REQUESTS = 3_000;
  static final int IN_FLIGHT = 64;

  /** What a request meets on its way; the seed decides, the same in every run. */
  enum Kind {
    OK(false),
    THROWS(true),
    CANCELLED_TIMER(false),
    TIMES_OUT(true),
    NO_HANDLER(true),
    FAILED_ELSEWHERE(true);

    final boolean fails;

    Kind(boolean fails) {
      this.fails = fails;
    }

    String answer(int n) {
      return n + " " + this + (fails ? " failed" : " ok");
    }
  }

  /** A request's store: one object per request, so that its reachability can be watched. */
  static final class RequestId {
    final int value;

    RequestId(int value) {
      this.value = value;
    }
  }

  static final AsyncLocalStorage<RequestId> ID = new AsyncLocalStorage<>("requestId");

  private final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
  private final ReferenceQueue<RequestId> collected = new ReferenceQueue<>();
  private final java.util.Map<Reference<RequestId>, Integer> storeIds = new ConcurrentHashMap<>();
  private final Set<Reference<RequestId>> stores = storeIds.keySet();

  /** The wrong answers: counted, the first hundred kept. */
  private final io.tether.testing.Tally<String> wrongAnswers = new io.tether.testing.Tally<>(100);

  /**
   * The last step each request in flight reached, and on which thread: what a lost request names. A
   * request's entry goes when its answer arrives.
   */
  private final java.util.Map<Integer, String> lastStep = new ConcurrentHashMap<>();

  private void step(String where, int n) {
    lastStep.put(n, where + " on " + Thread.currentThread().getName());
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

  @Test
  void everyStepSeesItsOwnRequest_noneIsLost_andNoStoreOutlivesItsRequest() {
    int requests = Integer.getInteger("tether.isolation.requests", DEFAULT_REQUESTS);
    // Half an hour, or more for a large run: 3 ms a request (a million take about 25 minutes).
    java.time.Duration limit = java.time.Duration.ofSeconds(Math.max(1800, requests * 3L / 1000));
    assertTimeoutPreemptively(limit, () -> load(requests));
  }

  private void load(int requests) throws Exception {
    Vertx vertx = Vertx.vertx();
    // Completes the handlers' promises from a plain pool, inside a context of its own.
    ExecutorService completers = Executors.newFixedThreadPool(2);
    AsyncLocalStorage<String> other = new AsyncLocalStorage<>("completer");
    vertx.eventBus().<Integer>consumer("isolation.echo", message -> message.reply(message.body()));
    // Vert.x 5.0's client can drop the end of a response whose body() is asked on the request's
    // event loop while its connection's event loop ends it (eclipse-vertx/vert.x#6038, a hang
    // seen here about once in a million requests, with and without the agent): each client is
    // used from one event loop only, so that its connections live on the loop of their requests.
    java.util.Map<Thread, HttpClient> innerClients = new ConcurrentHashMap<>();
    // Made outside the request's context: a client's periodic pool check would keep the context
    // it was made in for as long as the client lives (as a timer made in a request does).
    java.util.function.Supplier<HttpClient> innerClient =
        () ->
            innerClients.computeIfAbsent(
                Thread.currentThread(),
                loop ->
                    ID.exit(
                        () ->
                            vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(IN_FLIGHT))));
    // Every resource's life, in memory that does not grow with the run.
    ResourceLedger ledger = ResourceLedger.enable();
    HttpServer server =
        VertxTests.await(
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      if (request.path().equals("/inner")) {
                        request.response().end(request.getParam("n"));
                        return;
                      }
                      int n = Integer.parseInt(request.getParam("n"));
                      Kind kind = Kind.valueOf(request.getParam("kind"));
                      RequestId id = new RequestId(n);
                      storeIds.put(new WeakReference<>(id, collected), n);
                      ID.run(
                          id,
                          () -> handle(vertx, innerClient, completers, other, request, n, kind));
                    })
                .listen(0, "127.0.0.1"));
    HttpClient client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    io.vertx.core.Context clientContext = vertx.getOrCreateContext();
    try {
      java.util.Random random = new java.util.Random(20261206);
      Semaphore slots = new Semaphore(IN_FLIGHT);
      CountDownLatch answered = new CountDownLatch(requests);
      for (int n = 0; n < requests; n++) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        slots.acquire();
        int port = server.actualPort();
        String uri = "/outer?n=" + n + "&kind=" + kind;
        int sent = n;
        clientContext.runOnContext(v -> send(client, port, uri, sent, kind, slots, answered));
        if (n % 1024 == 0) {
          forgetCollected();
        }
      }
      if (!answered.await(Waits.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            answered.getCount()
                + " requests lost, with the last step each reached: "
                + new java.util.TreeMap<>(lastStep));
      }
      assertThat(wrongAnswers.first())
          .as("wrong answers (%d in all, the first kept)", wrongAnswers.count())
          .isEmpty();
      assertThat(mismatches).as("steps that saw another request's id, or none").isEmpty();

      // With the server, the clients' pools (their connections open), the event loops and the
      // worker pool alive and idle: nothing Vert.x or Netty keeps for longer than a request (a
      // pooled connection, its channel's close future, the client's channel group, a context's
      // task queue, a thread) keeps the store of the request that opened or used it.
      awaitCollected();
      assertThat(reachableStores())
          .as("request stores still reachable after the load, with the clients' connections open")
          .isEmpty();
      VertxTests.await(client.close());
      for (HttpClient inner : innerClients.values()) {
        VertxTests.await(inner.close());
      }
      awaitCollected();
      assertThat(reachableStores())
          .as("request stores still reachable after the load and the clients closed")
          .isEmpty();
      ledger.disable();
      System.out.printf("ServerIsolationTest: %d requests; %s%n", requests, ledger);
      assertThat(ledger.initialisedTwice()).as("ids given to two inits").isEmpty();
      assertThat(ledger.destroyedTwice()).as("resources destroyed more than once").isEmpty();
      assertThat(ledger.destroyedWithoutInit()).as("destroyed without an init").isEmpty();
    } finally {
      ledger.disable();
      completers.shutdownNow();
      assertThat(completers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      VertxTests.close(vertx);
    }
  }

  /** Sends request {@code n} on the client's event loop and checks its answer when it comes. */
  private void send(
      HttpClient client,
      int port,
      String uri,
      int sent,
      Kind kind,
      Semaphore slots,
      CountDownLatch answered) {
    client
        .request(HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(
            request -> {
              clientStep(sent, "client sending", request.connection());
              return request.send();
            })
        .compose(
            response -> {
              clientStep(sent, "client response " + response.statusCode(), null);
              return response.body();
            })
        .map(Buffer::toString)
        .onComplete(
            result -> {
              String answer = result.succeeded() ? result.result() : result.cause().toString();
              if (answer.equals(kind.answer(sent))) {
                lastStep.remove(sent);
              } else {
                wrongAnswers.add("response " + sent + " (" + kind + "): " + answer);
              }
              slots.release();
              answered.countDown();
            });
  }

  /** The client's side of request {@code n}: where a lost request stopped, if on this side. */
  private void clientStep(int n, String where, io.vertx.core.http.HttpConnection connection) {
    lastStep.put(
        n,
        where
            + " on "
            + Thread.currentThread().getName()
            + (connection == null ? "" : " over " + connection.localAddress()));
  }

  /** Forgets the stores already collected, so that a long run's map holds only live ones. */
  private void forgetCollected() {
    Reference<? extends RequestId> gone;
    while ((gone = collected.poll()) != null) {
      stores.remove(gone);
    }
  }

  /** The requests whose store is still reachable, each with the last step it reached. */
  private java.util.Map<Integer, String> reachableStores() {
    java.util.Map<Integer, String> left = new java.util.TreeMap<>();
    for (Integer n : storeIds.values()) {
      left.put(n, lastStep.getOrDefault(n, "answered"));
    }
    return left;
  }

  private void awaitCollected() throws InterruptedException {
    for (int i = 0; i < 50 && !stores.isEmpty(); i++) {
      System.gc();
      Reference<? extends RequestId> gone;
      while ((gone = collected.remove(100)) != null) {
        stores.remove(gone);
      }
    }
  }

  /**
   * The steps of request {@code n}, in its own context, with the fault its kind names; answers
   * {@code "n KIND ok"}, or {@code "n KIND failed"} for a kind that fails.
   */
  private void handle(
      Vertx vertx,
      java.util.function.Supplier<HttpClient> innerClient,
      ExecutorService completers,
      AsyncLocalStorage<String> other,
      HttpServerRequest request,
      int n,
      Kind kind) {
    step("handler", n);
    if (kind == Kind.CANCELLED_TIMER) {
      long never = vertx.setTimer(3_600_000, id -> step("cancelled timer fired", n));
      if (!vertx.cancelTimer(never)) {
        mismatches.add("request " + n + ": its timer was not cancelled");
      }
    }
    Promise<Void> timer = Promise.promise();
    vertx.setTimer(
        1,
        id -> {
          step("timer", n);
          timer.complete();
        });
    timer
        .future()
        .compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      step("blocking", n);
                      if (kind == Kind.THROWS) {
                        throw new IllegalStateException("thrown by request " + n);
                      }
                      return n;
                    },
                    n % 2 == 0))
        .compose(
            value -> {
              step("after blocking", n);
              // Completed on a plain pool thread, inside another storage's context; Vert.x hands
              // the result back to this request's context (its event loop), where the rest of
              // the chain may use the HTTP client (which must not be called from foreign
              // threads: a response's body() there races its end on the event loop).
              java.util.concurrent.CompletableFuture<Integer> completed =
                  new java.util.concurrent.CompletableFuture<>();
              completers.execute(
                  () ->
                      other.run(
                          "completer " + n,
                          () -> {
                            if (kind == Kind.FAILED_ELSEWHERE) {
                              completed.completeExceptionally(
                                  new IllegalStateException("failed for request " + n));
                            } else {
                              completed.complete(value);
                            }
                          }));
              return Future.fromCompletionStage(completed, vertx.getOrCreateContext())
                  .map(
                      v -> {
                        step("map", n);
                        return v;
                      });
            })
        .compose(
            value -> {
              step("before inner call", n);
              if (kind == Kind.TIMES_OUT) {
                // Never completed: Vert.x fails it on a timer of this request's context.
                return Promise.<Buffer>promise().future().timeout(2, TimeUnit.MILLISECONDS);
              }
              return innerClient
                  .get()
                  .request(
                      HttpMethod.GET, request.localAddress().port(), "127.0.0.1", "/inner?n=" + n)
                  .compose(inner -> inner.send())
                  .compose(
                      response -> {
                        step("inner response", n);
                        return response.body();
                      });
            })
        .compose(
            body -> {
              step("inner body", n);
              // Nobody listens at the second address: the request fails with NO_HANDLERS.
              String address = kind == Kind.NO_HANDLER ? "isolation.nobody" : "isolation.echo";
              return vertx.eventBus().<Integer>request(address, n);
            })
        .onComplete(
            reply -> {
              step("reply", n);
              lastStep.put(n, lastStep.get(n) + " to " + request.connection().remoteAddress());
              boolean ok = reply.succeeded() && reply.result().body() == n;
              request
                  .response()
                  .end(n + " " + kind + (ok ? " ok" : " failed"))
                  .onComplete(
                      written -> {
                        if (written.failed()) {
                          lastStep.put(n, "reply not written: " + written.cause());
                        }
                      });
            });
  }
}
