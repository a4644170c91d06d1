package io.tether.libraries.http;

import static io.tether.libraries.http.Seen.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.asynchttpclient.AsyncCompletionHandler;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.Response;
import org.asynchttpclient.filter.FilterContext;
import org.asynchttpclient.filter.ResponseFilter;
import org.asynchttpclient.handler.TransferCompletionHandler;
import org.asynchttpclient.handler.TransferListener;
import org.asynchttpclient.ws.WebSocket;
import org.asynchttpclient.ws.WebSocketListener;
import org.asynchttpclient.ws.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * async-http-client under the agent: a request's {@code AsyncHandler} runs on Netty's event loop in
 * the context where the request was executed, and so do the returned future's listeners (in the
 * context where they were added); the client's event loops keep no context of whoever first used
 * the client.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class AsyncHttpClientTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final LocalServer server = new LocalServer();

  /** What the event loop's own context was, seen by a response filter (it runs on the loop). */
  private final Queue<String> loopSaw = new ConcurrentLinkedQueue<>();

  /** One event loop: every request's callbacks come from the same thread. */
  private final AsyncHttpClient client =
      Dsl.asyncHttpClient(
          Dsl.config()
              .setIoThreadsCount(1)
              .setKeepAlive(true)
              .addResponseFilter(
                  new ResponseFilter() {
                    @Override
                    public <T> FilterContext<T> filter(FilterContext<T> context) {
                      loopSaw.add(String.valueOf(REQUEST.getStore()));
                      return context;
                    }
                  }));

  private final ExecutorService listeners = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() throws IOException, InterruptedException {
    client.close();
    server.close();
    listeners.shutdownNow();
    assertThat(listeners.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** A handler that records each callback's context. */
  private static AsyncHandler<String> handler(Seen seen) {
    return new AsyncCompletionHandler<>() {
      @Override
      public State onStatusReceived(HttpResponseStatus status) throws Exception {
        seen.saw("status " + status.getStatusCode());
        return super.onStatusReceived(status);
      }

      @Override
      public String onCompleted(Response response) {
        seen.end("completed " + response.getResponseBody());
        return response.getResponseBody();
      }

      @Override
      public void onThrowable(Throwable failure) {
        seen.end("failed " + failure);
      }
    };
  }

  @Test
  void asyncHandler_seesTheContextOfItsRequest_withConcurrentRequests() {
    server.gate(2);
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run(
        "a", () -> client.prepareGet(server.uri("/gate", "a").toString()).execute(handler(a)));
    REQUEST.run(
        "b", () -> client.executeRequest(Dsl.get(server.uri("/gate", "b").toString()), handler(b)));
    assertThat(a.awaitAll()).containsExactly("status 200=a", "completed a=a");
    assertThat(b.awaitAll()).containsExactly("status 200=b", "completed b=b");
  }

  @Test
  void futureListeners_seeWhereTheyWereAdded() {
    server.gate(2);
    Seen a = new Seen();
    Seen b = new Seen();
    Seen stage = new Seen();
    ListenableFuture<Response> first =
        REQUEST.run("a", () -> client.prepareGet(server.uri("/gate", "a").toString()).execute());
    ListenableFuture<Response> second =
        REQUEST.run("b", () -> client.prepareGet(server.uri("/gate", "b").toString()).execute());
    // Added in other contexts than the requests': direct, and on an executor.
    REQUEST.run("a listener", () -> first.addListener(() -> a.end("listener"), Runnable::run));
    REQUEST.run("b listener", () -> second.addListener(() -> b.end("listener"), listeners));
    CompletableFuture<Response> asStage = first.toCompletableFuture();
    REQUEST.run(
        "a stage", () -> asStage.thenAccept(r -> stage.end("stage " + r.getResponseBody())));
    assertThat(a.awaitAll()).containsExactly("listener=a listener");
    assertThat(b.awaitAll()).containsExactly("listener=b listener");
    assertThat(stage.awaitAll()).containsExactly("stage a=a stage");
  }

  @Test
  void eventLoop_keepsNoContext_ofTheFirstRequest() {
    Seen first = new Seen();
    // The first request starts the client's event loop thread and its timer.
    Waits.join(
        REQUEST.run(
            "x",
            () ->
                client
                    .prepareGet(server.uri("/echo", "first").toString())
                    .execute(handler(first))
                    .toCompletableFuture()));
    assertThat(first.awaitAll()).containsExactly("status 200=x", "completed first=x");
    Seen later = new Seen();
    loopSaw.clear();
    Waits.join(
        client
            .prepareGet(server.uri("/echo", "later").toString())
            .execute(handler(later))
            .toCompletableFuture());
    assertThat(later.awaitAll()).containsExactly("status 200=null", "completed later=null");
    assertThat(loopSaw).containsExactly("null");
  }

  /**
   * AHC tests a handler's class, not only its interfaces: a {@code TransferCompletionHandler} is
   * given the request's headers for its listeners' {@code onRequestHeadersSent}.
   */
  @Test
  void transferCompletionHandler_listenersStillGetTheRequestHeaders() {
    Seen seen = new Seen();
    TransferCompletionHandler handler = new TransferCompletionHandler();
    handler.addTransferListener(
        new TransferListener() {
          @Override
          public void onRequestHeadersSent(HttpHeaders headers) {
            seen.saw("request headers sent");
          }

          @Override
          public void onResponseHeadersReceived(HttpHeaders headers) {}

          @Override
          public void onBytesReceived(byte[] bytes) {}

          @Override
          public void onBytesSent(long amount, long current, long total) {}

          @Override
          public void onRequestResponseCompleted() {
            seen.end("completed");
          }

          @Override
          public void onThrowable(Throwable failure) {
            seen.end("failed " + failure);
          }
        });
    REQUEST.run("a", () -> client.prepareGet(server.uri("/echo", "a").toString()).execute(handler));
    // Only the events: such a handler, left unwrapped, is not linked to the request's context.
    assertThat(seen.awaitAll())
        .extracting(event -> event.substring(0, event.indexOf('=')))
        .containsExactly("request headers sent", "completed");
  }

  /**
   * AHC accepts a {@code ws://} request only with a {@code WebSocketUpgradeHandler}, a class: the
   * request must reach the server (which refuses the upgrade), not be refused at once because the
   * handler it got is a wrapper.
   */
  @Test
  void webSocketUpgradeHandler_isStillAccepted() {
    Seen seen = new Seen();
    WebSocketUpgradeHandler handler =
        new WebSocketUpgradeHandler.Builder()
            .addWebSocketListener(
                new WebSocketListener() {
                  @Override
                  public void onOpen(WebSocket socket) {
                    seen.end("open");
                  }

                  @Override
                  public void onClose(WebSocket socket, int code, String reason) {
                    seen.end("close");
                  }

                  @Override
                  public void onError(Throwable failure) {
                    seen.end("error " + failure.getClass().getSimpleName());
                  }
                })
            .build();
    String uri = server.uri("/echo", "ws").toString().replaceFirst("^http", "ws");
    Throwable thrown =
        REQUEST.run(
            "a",
            () -> {
              try {
                client.prepareGet(uri).execute(handler);
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    assertThat(thrown).as("ws:// request refused at once").isNull();
    // Refused for its handler, AHC reports an IllegalArgumentException to the handler at once.
    assertThat(seen.awaitAll())
        .singleElement()
        .asString()
        .startsWith("error ")
        .doesNotStartWith("error IllegalArgumentException");
  }
}
