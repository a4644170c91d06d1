package io.tether.libraries.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.AsyncLocalStorage;
import io.tether.testing.AgentAttached;
import io.tether.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Isolation under load with the real Vert.x 4 and the agent: an HTTP server on 127.0.0.1 whose
 * handler runs each request inside {@code run(requestId)} and takes it through a timer, a blocking
 * task, a future chain completed by a plain pool in another context, an HTTP call to another route
 * of the same server and an event-bus request, each step checking that it sees its own request id.
 * Many requests in flight at once: none lost, no step sees another request's id (or none), and
 * afterwards, with the server, client and event loops still alive, no request's store is reachable.
 *
 * <p>{@value #DEFAULT_REQUESTS} requests in CI; the full run (200,000 requests): {@code mvn -B
 * verify -pl tether-libraries/vertx4 -Dit.test=ServerIsolationTest
 * -Dtether.isolation.requests=200000} (scripts/vertx-isolation.sh runs vertx5's).
 */
@ExtendWith(AgentAttached.class)
@Timeout(1800)
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

  static final AsyncLocalStorage<RequestId> ID = new AsyncLocalStorage<>("requestId");

  private final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
  private final ReferenceQueue<RequestId> collected = new ReferenceQueue<>();
  private final java.util.Map<Reference<RequestId>, Integer> storeIds = new ConcurrentHashMap<>();
  private final Set<Reference<RequestId>> stores = storeIds.keySet();

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

  @Test
  void everyStepSeesItsOwnRequest_noneIsLost_andNoStoreOutlivesItsRequest() throws Exception {
    int requests = Integer.getInteger("tether.isolation.requests", DEFAULT_REQUESTS);
    Vertx vertx = Vertx.vertx();
    // Completes the handlers' promises from a plain pool, inside a context of its own.
    ExecutorService completers = Executors.newFixedThreadPool(2);
    AsyncLocalStorage<String> other = new AsyncLocalStorage<>("completer");
    vertx.eventBus().<Integer>consumer("isolation.echo", message -> message.reply(message.body()));
    // Vert.x's client can drop the end of a response whose body() is asked on another event loop
    // than its connection's (eclipse-vertx/vert.x#6038): each client is used from one event loop
    // only. The inner ones are made outside the request's context (a client's periodic pool check
    // would keep the context it was made in).
    java.util.Map<Thread, HttpClient> innerClients = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.function.Supplier<HttpClient> innerClient =
        () ->
            innerClients.computeIfAbsent(
                Thread.currentThread(),
                loop ->
                    ID.exit(
                        () ->
                            vertx.createHttpClient(
                                new HttpClientOptions().setMaxPoolSize(IN_FLIGHT))));
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
                      RequestId id = new RequestId(n);
                      storeIds.put(new WeakReference<>(id, collected), n);
                      ID.run(id, () -> handle(vertx, innerClient, completers, other, request, n));
                    })
                .listen(0, "127.0.0.1"));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(IN_FLIGHT));
    io.vertx.core.Context clientContext = vertx.getOrCreateContext();
    try {
      Semaphore slots = new Semaphore(IN_FLIGHT);
      List<java.util.concurrent.CompletableFuture<String>> responses = new ArrayList<>(requests);
      for (int n = 0; n < requests; n++) {
        slots.acquire();
        int port = server.actualPort();
        String uri = "/outer?n=" + n;
        java.util.concurrent.CompletableFuture<String> answer =
            new java.util.concurrent.CompletableFuture<>();
        clientContext.runOnContext(
            v ->
                client
                    .request(HttpMethod.GET, port, "127.0.0.1", uri)
                    .compose(request -> request.send())
                    .compose(HttpClientResponse::body)
                    .map(Buffer::toString)
                    .onComplete(
                        result -> {
                          slots.release();
                          if (result.succeeded()) {
                            answer.complete(result.result());
                          } else {
                            answer.completeExceptionally(result.cause());
                          }
                        }));
        responses.add(answer);
      }
      for (int n = 0; n < requests; n++) {
        assertThat(responses.get(n).get(Waits.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            .as("response %d", n)
            .isEqualTo(n + " ok");
      }
      assertThat(mismatches).as("steps that saw another request's id, or none").isEmpty();
      responses.clear();

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
    } finally {
      completers.shutdownNow();
      assertThat(completers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      VertxTests.close(vertx);
    }
  }

  /** The requests whose store is still reachable. */
  private java.util.Set<Integer> reachableStores() {
    return new java.util.TreeSet<>(storeIds.values());
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

  /** The steps of request {@code n}, in its own context; answers {@code "n ok"}. */
  private void handle(
      Vertx vertx,
      java.util.function.Supplier<HttpClient> innerClient,
      ExecutorService completers,
      AsyncLocalStorage<String> other,
      HttpServerRequest request,
      int n) {
    step("handler", n);
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
                  () -> other.run("completer " + n, () -> completed.complete(value)));
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
              return vertx.eventBus().<Integer>request("isolation.echo", n);
            })
        .onComplete(
            reply -> {
              step("reply", n);
              boolean ok = reply.succeeded() && reply.result().body() == n;
              request.response().end(n + (ok ? " ok" : " failed: " + reply.cause()));
            });
  }
}
