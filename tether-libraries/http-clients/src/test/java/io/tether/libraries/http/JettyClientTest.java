package io.tether.libraries.http;

import static io.tether.libraries.http.Seen.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpCookieStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jetty's HttpClient under the agent: a request's response listeners run on the client's selector
 * and pool threads in the context where they were registered, and the client's threads keep no
 * context of whoever started it.
 */
@ExtendWith(AgentAttached.class)
@Timeout(60)
class JettyClientTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  private final LocalServer server = new LocalServer();
  private final HttpClient client = new HttpClient();

  /**
   * What the client's own threads' context was: the cookie store is told of each response's cookie
   * on the thread that parses the response, outside any request's listener.
   */
  private final Queue<String> clientSaw = new ConcurrentLinkedQueue<>();

  {
    client.setHttpCookieStore(
        new HttpCookieStore.Default() {
          @Override
          public boolean add(URI uri, HttpCookie cookie) {
            clientSaw.add(String.valueOf(REQUEST.getStore()));
            return super.add(uri, cookie);
          }
        });
  }

  @AfterEach
  void close() throws Exception {
    client.stop();
    server.close();
  }

  /** Sends {@code name} with listeners registered in the current context. */
  private void send(String path, String name, Seen seen) {
    StringBuilder body = new StringBuilder();
    Request request =
        client
            .newRequest(server.uri(path, name))
            .onResponseBegin(response -> seen.saw("begin " + response.getStatus()))
            .onResponseHeaders(response -> seen.saw("headers"))
            .onResponseContent(
                (response, content) -> body.append(StandardCharsets.UTF_8.decode(content)))
            .onResponseSuccess(response -> seen.saw("success " + body));
    request.send(
        (Result result) ->
            seen.end(result.isSucceeded() ? "complete" : "failed " + result.getFailure()));
  }

  @Test
  void responseListeners_seeTheContextOfTheirRequest_withConcurrentRequests() throws Exception {
    client.start();
    server.gate(2);
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run("a", () -> send("/gate", "a", a));
    REQUEST.run("b", () -> send("/gate", "b", b));
    assertThat(a.awaitAll())
        .containsExactly("begin 200=a", "headers=a", "success a=a", "complete=a");
    assertThat(b.awaitAll())
        .containsExactly("begin 200=b", "headers=b", "success b=b", "complete=b");
  }

  @Test
  void aWholeResponseListener_seesItsRequest_inEveryEvent() throws Exception {
    client.start();
    server.gate(2);
    Seen a = new Seen();
    Seen b = new Seen();
    REQUEST.run("a", () -> client.newRequest(server.uri("/gate", "a")).send(listener(a)));
    REQUEST.run("b", () -> client.newRequest(server.uri("/gate", "b")).send(listener(b)));
    assertThat(a.awaitAll()).containsExactly("begin=a", "success=a", "complete=a");
    assertThat(b.awaitAll()).containsExactly("begin=b", "success=b", "complete=b");
  }

  private static Response.Listener listener(Seen seen) {
    return new Response.Listener() {
      @Override
      public void onBegin(Response response) {
        seen.saw("begin");
      }

      @Override
      public void onSuccess(Response response) {
        seen.saw("success");
      }

      @Override
      public void onComplete(Result result) {
        seen.end("complete");
      }
    };
  }

  @Test
  void clientThreads_keepNoContext_ofWhoStartedTheClient() throws Exception {
    REQUEST.run(
        "x",
        () -> {
          try {
            client.start();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    Seen first = new Seen();
    REQUEST.run("y", () -> send("/echo", "first", first));
    assertThat(first.awaitAll()).contains("complete=y");
    Seen later = new Seen();
    clientSaw.clear();
    send("/echo", "later", later);
    assertThat(later.awaitAll())
        .containsExactly("begin 200=null", "headers=null", "success later=null", "complete=null");
    assertThat(clientSaw).containsExactly("null");
  }
}
