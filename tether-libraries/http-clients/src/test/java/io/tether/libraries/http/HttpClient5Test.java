package io.tether.libraries.http;

import static io.tether.libraries.http.Seen.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.Waits;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apache HttpClient 5 async under the agent: a request's {@code FutureCallback} runs on the I/O
 * reactor in the context where the request was executed, and the reactor's threads keep no context
 * of whoever started the client.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class HttpClient5Test {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final LocalServer server = new LocalServer();

  /** What the reactor thread's own context was, seen by a response interceptor. */
  private final Queue<String> reactorSaw = new ConcurrentLinkedQueue<>();

  /** One I/O thread: every request's callbacks come from the same reactor thread. */
  private final CloseableHttpAsyncClient client =
      HttpAsyncClients.custom()
          .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
          .addResponseInterceptorLast(
              (response, entity, context) -> reactorSaw.add(String.valueOf(REQUEST.getStore())))
          .build();

  @AfterEach
  void close() {
    client.close(CloseMode.GRACEFUL);
    server.close();
  }

  private CompletableFuture<String> execute(String path, String name, Seen seen) {
    CompletableFuture<String> body = new CompletableFuture<>();
    client.execute(
        SimpleRequestBuilder.get(server.uri(path, name)).build(),
        new FutureCallback<SimpleHttpResponse>() {
          @Override
          public void completed(SimpleHttpResponse response) {
            seen.end("completed " + response.getBodyText());
            body.complete(response.getBodyText());
          }

          @Override
          public void failed(Exception failure) {
            seen.end("failed " + failure);
            body.completeExceptionally(failure);
          }

          @Override
          public void cancelled() {
            seen.end("cancelled");
            body.cancel(false);
          }
        });
    return body;
  }

  @Test
  void futureCallback_seesTheContextOfItsRequest_withConcurrentRequests() {
    client.start();
    server.gate(2);
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run("a", () -> execute("/gate", "a", a));
    REQUEST.run("b", () -> execute("/gate", "b", b));
    assertThat(a.awaitAll()).containsExactly("completed a=a");
    assertThat(b.awaitAll()).containsExactly("completed b=b");
  }

  @Test
  void callbacksDependents_seeWhereTheyWereRegistered() {
    client.start();
    server.gate(2);
    Seen a = new Seen();
    Seen b = new Seen();
    // The callback completes a future on the reactor thread; its dependents are the JDK's.
    CompletableFuture<String> first = REQUEST.run("a", () -> execute("/gate", "a", new Seen()));
    CompletableFuture<String> second = REQUEST.run("b", () -> execute("/gate", "b", new Seen()));
    REQUEST.run("a", () -> first.thenAccept(body -> a.end("dependent " + body)));
    REQUEST.run("b", () -> second.thenAccept(body -> b.end("dependent " + body)));
    assertThat(a.awaitAll()).containsExactly("dependent a=a");
    assertThat(b.awaitAll()).containsExactly("dependent b=b");
  }

  @Test
  void reactorThreads_keepNoContext_ofWhoStartedTheClient() {
    REQUEST.run("x", client::start);
    Seen first = new Seen();
    REQUEST.run("y", () -> execute("/echo", "first", first));
    assertThat(first.awaitAll()).containsExactly("completed first=y");
    Seen later = new Seen();
    reactorSaw.clear();
    Waits.join(execute("/echo", "later", later));
    assertThat(later.awaitAll()).containsExactly("completed later=null");
    assertThat(reactorSaw).containsExactly("null");
  }
}
