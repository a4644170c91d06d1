package io.tether.libraries.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tether.testing.Waits;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JDK {@code HttpServer} on 127.0.0.1 for the clients' tests. {@code /echo?NAME} answers {@code
 * NAME}; {@code /gate?NAME} answers {@code NAME} too, but only once as many gate requests as the
 * last {@link #gate(int)} asked for have arrived, so that a test knows its requests are all in
 * flight together.
 */
final class LocalServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newFixedThreadPool(8);
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));

  LocalServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(handlers);
    server.createContext(
        "/echo", exchange -> respond(exchange, exchange.getRequestURI().getQuery()));
    server.createContext(
        "/gate",
        exchange -> {
          CountDownLatch all = gate.get();
          all.countDown();
          Waits.await(all);
          respond(exchange, exchange.getRequestURI().getQuery());
        });
    server.start();
  }

  /** The next {@code requests} gate requests are held until all of them have arrived. */
  void gate(int requests) {
    gate.set(new CountDownLatch(requests));
  }

  URI uri(String path, String name) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path + "?" + name);
  }

  private static void respond(HttpExchange exchange, String body) {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      // A cookie on every response: clients store it on their own I/O threads.
      exchange.getResponseHeaders().set("Set-Cookie", "seen=1; Path=/");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // the client went away: its test fails on what it did not get
    }
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
    try {
      if (!handlers.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new AssertionError("local HTTP server's handlers did not end");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
