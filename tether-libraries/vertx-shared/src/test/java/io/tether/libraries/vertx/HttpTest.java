package io.tether.libraries.vertx;

import static io.tether.libraries.vertx.VertxTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Sightings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Vert.x HTTP server and client on 127.0.0.1 (an ephemeral port): the handlers of a client
 * response and of a server request's body (chunk, end, exception handlers, {@code bodyHandler},
 * {@code body()}) run in the context where they were set, while the bytes arrive on an event loop
 * in none; so do the client's futures.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class HttpTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private static Vertx vertx;
  private static HttpServer server;
  private static HttpClient client;
  private static final Sightings SERVER_SEEN = new Sightings(VertxTests.REQUEST);
  private final Sightings seen = new Sightings(VertxTests.REQUEST);

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        VertxTests.await(
            vertx.createHttpServer().requestHandler(HttpTest::handle).listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    VertxTests.await(client.close());
    VertxTests.await(server.close());
    VertxTests.close(vertx);
  }

  /**
   * Sets the request's body handlers inside {@code run("server-ID")}, then answers, in chunks, with
   * what they saw.
   */
  private static void handle(HttpServerRequest request) {
    String id = "server-" + request.getHeader("x-request");
    Set<String> chunks = new TreeSet<>();
    Promise<Void> ended = Promise.promise();
    REQUEST.run(
        id,
        () -> {
          request.handler(chunk -> chunks.add(String.valueOf(REQUEST.getStore())));
          request.exceptionHandler(failure -> SERVER_SEEN.record(id + "-exception"));
          request.endHandler(v -> ended.complete());
          request.body().onSuccess(body -> SERVER_SEEN.record(id + "-body"));
        });
    ended
        .future()
        .onSuccess(
            v -> {
              SERVER_SEEN.add(id + "-chunks=" + chunks);
              SERVER_SEEN.record(id + "-end");
              request.response().setChunked(true).write("a");
              request.response().end("b");
            });
  }

  /**
   * Sends a request with a body, inside {@code run(id)}; sets the response's handlers inside {@code
   * run(id + "-response")} in the response future's handler.
   */
  private Future<Void> exchange(String id) {
    return REQUEST.run(
        id,
        () ->
            client
                .request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/")
                .compose(
                    request -> {
                      seen.record(id + "-request");
                      return request
                          .putHeader("x-request", id)
                          .send(Buffer.buffer("0123456789".repeat(1000)));
                    })
                .compose(
                    response -> {
                      seen.record(id + "-send");
                      return readResponse(id + "-response", response);
                    }));
  }

  private Future<Void> readResponse(String id, HttpClientResponse response) {
    Set<String> chunks = new TreeSet<>();
    Promise<Void> done = Promise.promise();
    REQUEST.run(
        id,
        () -> {
          response.handler(chunk -> chunks.add(String.valueOf(REQUEST.getStore())));
          response.exceptionHandler(failure -> seen.record(id + "-exception"));
          response.bodyHandler(body -> seen.record(id + "-bodyHandler"));
          response.body().onSuccess(body -> seen.record(id + "-body"));
          response.endHandler(
              v -> {
                seen.add(id + "-chunks=" + chunks);
                seen.record(id + "-end");
                done.complete();
              });
        });
    return done.future();
  }

  private static List<String> clientSaw(String id) {
    String response = id + "-response";
    return List.of(
        id + "-request=" + id,
        id + "-send=" + id,
        response + "-chunks=[" + response + "]",
        response + "-bodyHandler=" + response,
        response + "-body=" + response,
        response + "-end=" + response);
  }

  private static List<String> serverSaw(String id) {
    String handler = "server-" + id;
    return List.of(
        handler + "-chunks=[" + handler + "]", handler + "-body=" + handler, handler + "-end=null");
  }

  @Test
  void exchanges_fromOutsideAndInsideAnEventLoop_runEveryHandlerInItsOwnContext() throws Exception {
    List<Future<Void>> exchanges = new ArrayList<>();
    exchanges.add(exchange("x"));
    exchanges.add(exchange("y"));
    Promise<Void> fromLoop = Promise.promise();
    vertx.runOnContext(v -> exchange("z").onComplete(fromLoop));
    exchanges.add(fromLoop.future());
    VertxTests.await(Future.all(exchanges));
    List<String> client = new ArrayList<>();
    List<String> server = new ArrayList<>();
    for (String id : List.of("x", "y", "z")) {
      client.addAll(clientSaw(id));
      server.addAll(serverSaw(id));
    }
    assertThat(seen.await(client.size())).containsExactlyInAnyOrderElementsOf(client);
    assertThat(SERVER_SEEN.await(server.size())).containsExactlyInAnyOrderElementsOf(server);
  }
}
