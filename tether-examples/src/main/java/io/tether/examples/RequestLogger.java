package io.tether.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tether.AsyncExecutors;
import io.tether.AsyncLocalStorage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP request logger: an {@link AsyncLocalStorage} gives every incoming request an id, and
 * every message logged while handling that request, on whatever thread, carries it.
 *
 * <p>The Node original, from {@code async_context.md}:
 *
 * <pre>{@code
 * import http from 'node:http';
 * import { AsyncLocalStorage } from 'node:async_hooks';
 *
 * const asyncLocalStorage = new AsyncLocalStorage();
 *
 * function logWithId(msg) {
 *   const id = asyncLocalStorage.getStore();
 *   console.log(`${id !== undefined ? id : '-'}:`, msg);
 * }
 *
 * let idSeq = 0;
 * http.createServer((req, res) => {
 *   asyncLocalStorage.run(idSeq++, () => {
 *     logWithId('start');
 *     // Imagine any chain of async operations here
 *     setImmediate(() => {
 *       logWithId('finish');
 *       res.end();
 *     });
 *   });
 * }).listen(8080);
 *
 * http.get('http://localhost:8080');
 * http.get('http://localhost:8080');
 * // Prints:
 * //   0: start
 * //   0: finish
 * //   1: start
 * //   1: finish
 * }</pre>
 *
 * <p>In Java the server is the JDK's {@link HttpServer} on 127.0.0.1 and an ephemeral port, whose
 * handlers run on its dispatcher thread (the event loop's part); {@code setImmediate} becomes a
 * task for a single-thread executor wrapped with {@link AsyncExecutors#wrap(ExecutorService)}, so
 * that {@code finish} is logged on another thread yet in the request's context. The client is the
 * JDK's {@link HttpClient}. Node's two {@code http.get} calls race; here the second request is sent
 * when the first response has arrived, so the output is always the one above.
 */
public final class RequestLogger implements AutoCloseable {

  /** The current request's id; {@code null} outside any request. */
  static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  private final PrintStream out;
  private final HttpServer server;

  /** Where {@code setImmediate} callbacks run: another thread, reached with the context intact. */
  private final ExecutorService immediate;

  /** Read and written only on the server's dispatcher thread, as Node's only on its event loop. */
  private int idSeq;

  /**
   * Starts the server on 127.0.0.1 and an ephemeral port.
   *
   * @param out where {@link #logWithId} prints
   * @throws IOException if the server cannot bind
   */
  RequestLogger(PrintStream out) throws IOException {
    this.out = out;
    this.immediate =
        AsyncExecutors.wrap(
            Executors.newSingleThreadExecutor(
                task -> new Thread(task, "request-logger-immediate")));
    HttpServer created;
    try {
      created = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException | RuntimeException e) {
      immediate.shutdown();
      throw e;
    }
    this.server = created;
    server.createContext("/", this::handle);
    server.start(); // no executor set: handlers run on the server's dispatcher thread
  }

  /**
   * Runs the example, printing to standard output.
   *
   * @param args ignored
   * @throws IOException if the server cannot bind or a request fails
   * @throws InterruptedException if interrupted while waiting for a response
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    run(System.out);
  }

  /**
   * Starts the server, sends it two requests one after the other, and stops it: prints {@code 0:
   * start}, {@code 0: finish}, {@code 1: start}, {@code 1: finish}.
   *
   * @param out where the server logs
   * @throws IOException if the server cannot bind or a request fails
   * @throws InterruptedException if interrupted while waiting for a response
   */
  public static void run(PrintStream out) throws IOException, InterruptedException {
    try (RequestLogger logger = new RequestLogger(out)) {
      HttpClient client = newClient();
      try {
        HttpRequest get =
            HttpRequest.newBuilder(logger.uri()).timeout(Duration.ofSeconds(30)).GET().build();
        for (int i = 0; i < 2; i++) {
          HttpResponse<Void> response = client.send(get, HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() != 200) {
            throw new IOException("GET " + get.uri() + " answered " + response.statusCode());
          }
        }
      } finally {
        close(client);
      }
    }
  }

  /** Node's {@code logWithId}: the message, prefixed with the current request's id or {@code -}. */
  void logWithId(String msg) {
    Integer id = REQUEST_ID.getStore();
    out.println((id != null ? id : "-") + ": " + msg);
  }

  /** Where the server listens: {@code http://127.0.0.1:<port>/}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /**
   * Stops the server, closing its connections, and then the executor, waiting for both threads to
   * end so that nothing is left running.
   */
  @Override
  public void close() {
    server.stop(0);
    immediate.shutdown();
    try {
      if (!immediate.awaitTermination(30, TimeUnit.SECONDS)) {
        immediate.shutdownNow();
      }
    } catch (InterruptedException e) {
      immediate.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange exchange) {
    REQUEST_ID.run(
        idSeq++,
        () -> {
          logWithId("start");
          // Imagine any chain of async operations here
          immediate.execute(
              () -> {
                logWithId("finish");
                end(exchange);
              });
        });
  }

  /** Node's {@code res.end()}: 200 and no body. */
  private static void end(HttpExchange exchange) {
    try (exchange) {
      exchange.sendResponseHeaders(200, -1);
    } catch (IOException e) {
      throw new UncheckedIOException("could not answer " + exchange.getRequestURI(), e);
    }
  }

  static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  /**
   * {@link HttpClient} is {@link AutoCloseable} from JDK 21 on; before, its threads are daemons.
   */
  static void close(HttpClient client) {
    if (client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception e) {
        throw new IllegalStateException("could not close " + client, e);
      }
    }
  }
}
