package io.tether.agent;

import static io.tether.agent.AgentTests.REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tether.ResourceTypes;
import io.tether.testing.AgentAttached;
import io.tether.testing.NoContextLeft;
import io.tether.testing.RecordingHook;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** HttpClient.sendAsync and NIO.2 completion handlers, on loopback, under the agent. */
@ExtendWith(AgentAttached.class)
@Timeout(30)
class IoBoundaryTest {

  @RegisterExtension static final NoContextLeft NO_CONTEXT_LEFT = NoContextLeft.of(REQUEST);

  @Test
  void httpClientSendAsync_dependentsSeeCallersContext_exchangeIsAResource() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    HttpClient client = HttpClient.newHttpClient();
    try (RecordingHook recorder = new RecordingHook().enable()) {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      CompletableFuture<String> seen =
          REQUEST.run(
              "caller",
              () ->
                  client
                      .sendAsync(
                          HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                      .thenApply(r -> r.body() + "@" + REQUEST.getStore()));
      assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("hello@caller");
      assertThat(recorder.idsOfTypeFromThisThread(ResourceTypes.HTTP_CLIENT_EXCHANGE)).hasSize(1);
      long exchange = recorder.idsOfTypeFromThisThread(ResourceTypes.HTTP_CLIENT_EXCHANGE).get(0);
      assertThat(recorder.awaitDestroy(exchange)).isTrue();
      assertThat(recorder.eventsOf(exchange)).containsExactly("init", "before", "after", "destroy");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void asyncSocketChannels_handlersRunInTheCallersContext() throws Exception {
    try (AsynchronousServerSocketChannel server =
            AsynchronousServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
      CompletableFuture<String> accepted = new CompletableFuture<>();
      CompletableFuture<AsynchronousSocketChannel> acceptedChannel = new CompletableFuture<>();
      REQUEST.run(
          "acceptor",
          () ->
              server.accept(
                  null,
                  new CompletionHandler<>() {
                    @Override
                    public void completed(AsynchronousSocketChannel ch, Object att) {
                      accepted.complete(REQUEST.getStore());
                      acceptedChannel.complete(ch);
                    }

                    @Override
                    public void failed(Throwable exc, Object att) {
                      accepted.completeExceptionally(exc);
                    }
                  }));
      CompletableFuture<String> connected = new CompletableFuture<>();
      java.net.SocketAddress address = server.getLocalAddress();
      REQUEST.run(
          "connector",
          () ->
              client.connect(
                  address,
                  null,
                  new CompletionHandler<Void, Object>() {
                    @Override
                    public void completed(Void v, Object att) {
                      connected.complete(REQUEST.getStore());
                    }

                    @Override
                    public void failed(Throwable exc, Object att) {
                      connected.completeExceptionally(exc);
                    }
                  }));
      assertThat(accepted.get(5, TimeUnit.SECONDS)).isEqualTo("acceptor");
      assertThat(connected.get(5, TimeUnit.SECONDS)).isEqualTo("connector");
      try (AsynchronousSocketChannel peer = acceptedChannel.get(5, TimeUnit.SECONDS)) {
        CompletableFuture<String> read = new CompletableFuture<>();
        ByteBuffer buffer = ByteBuffer.allocate(16);
        REQUEST.run(
            "reader",
            () ->
                peer.read(
                    buffer,
                    null,
                    new CompletionHandler<Integer, Object>() {
                      @Override
                      public void completed(Integer n, Object att) {
                        read.complete(n + "@" + REQUEST.getStore());
                      }

                      @Override
                      public void failed(Throwable exc, Object att) {
                        read.completeExceptionally(exc);
                      }
                    }));
        CompletableFuture<String> written = new CompletableFuture<>();
        REQUEST.run(
            "writer",
            () ->
                client.write(
                    ByteBuffer.wrap(new byte[] {1, 2, 3}),
                    null,
                    new CompletionHandler<Integer, Object>() {
                      @Override
                      public void completed(Integer n, Object att) {
                        written.complete(n + "@" + REQUEST.getStore());
                      }

                      @Override
                      public void failed(Throwable exc, Object att) {
                        written.completeExceptionally(exc);
                      }
                    }));
        assertThat(written.get(5, TimeUnit.SECONDS)).isEqualTo("3@writer");
        assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("3@reader");
      }
    }
  }

  @Test
  void asyncFileChannel_handlerRunsInTheCallersContext(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data.txt");
    Files.writeString(file, "tether");
    try (AsynchronousFileChannel channel =
        AsynchronousFileChannel.open(file, StandardOpenOption.READ)) {
      CompletableFuture<String> read = new CompletableFuture<>();
      ByteBuffer buffer = ByteBuffer.allocate(16);
      REQUEST.run(
          "file reader",
          () ->
              channel.read(
                  buffer,
                  0,
                  null,
                  new CompletionHandler<Integer, Object>() {
                    @Override
                    public void completed(Integer n, Object att) {
                      read.complete(n + "@" + REQUEST.getStore());
                    }

                    @Override
                    public void failed(Throwable exc, Object att) {
                      read.completeExceptionally(exc);
                    }
                  }));
      assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo("6@file reader");
    }
  }
}
