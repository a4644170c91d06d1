package io.tether.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tether.AsyncLocalStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP example under load, written as plain JDK code (no Tether executor, no wrapping): meant
 * to run under the agent, which carries each request's id through the server's handler pool, a
 * {@code CompletableFuture} hop to a worker pool and a dependent stage. A client in the same JVM
 * sends the requests on 127.0.0.1, a fixed number in flight. Every response says which request id
 * the last stage saw; a response with another request's id counts as a mix-up.
 *
 * <p>Run with a trace, then read it ({@code bin/tether} is in the repository):
 *
 * <pre>
 * bin/tether run --trace target/http.trace -- java -cp tether-examples/target/classes \
 *     io.tether.examples.LoadedServer 2000 16
 * bin/tether report target/http.trace -o target/http-report.html
 * </pre>
 *
 * Arguments: requests (default 2000), requests in flight (default 16).
 */
public final class LoadedServer {

  static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  private LoadedServer() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    ExecutorService handlers = Executors.newFixedThreadPool(4);
    ExecutorService workers = Executors.newFixedThreadPool(4);
    AtomicInteger ids = new AtomicInteger();
    AtomicLong logged = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(handlers);
    server.createContext(
        "/",
        exchange ->
            REQUEST_ID.run(
                ids.incrementAndGet(),
                () -> {
                  int id = REQUEST_ID.getStore();
                  CompletableFuture.supplyAsync(() -> lookUp(REQUEST_ID.getStore()), workers)
                      .thenApply(
                          value -> {
                            logged
                                .incrementAndGet(); // a log line would print REQUEST_ID.getStore()
                            // here
                            return value + " seen-by-stage=" + REQUEST_ID.getStore();
                          })
                      .whenComplete(
                          (body, failure) ->
                              respond(exchange, id, failure == null ? body : failure.toString()));
                }));
    server.start();
    int port = server.getAddress().getPort();
    long start = System.nanoTime();
    int mixedUp = load(port, requests, inFlight);
    double seconds = (System.nanoTime() - start) / 1e9;
    server.stop(0);
    handlers.shutdown();
    workers.shutdown();
    handlers.awaitTermination(10, TimeUnit.SECONDS);
    workers.awaitTermination(10, TimeUnit.SECONDS);
    System.out.printf(
        "%d requests, %d in flight, in %.2f s (%.0f/s); %d log lines; %d mixed up%n",
        requests, inFlight, seconds, requests / seconds, logged.get(), mixedUp);
    if (mixedUp != 0) {
      System.exit(1);
    }
  }

  /** The work of one request: what a real handler would fetch. */
  static String lookUp(Integer id) {
    return "request=" + id;
  }

  private static void respond(HttpExchange exchange, int id, String body) {
    try {
      byte[] bytes = (id + " " + body).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // the client went away
    } finally {
      exchange.close();
    }
  }

  /** Sends the requests, {@code inFlight} at a time; returns how many answers were mixed up. */
  static int load(int port, int requests, int inFlight) throws InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    Semaphore slots = new Semaphore(inFlight);
    AtomicInteger mixedUp = new AtomicInteger();
    CompletableFuture<?>[] all = new CompletableFuture<?>[requests];
    for (int i = 0; i < requests; i++) {
      slots.acquire();
      all[i] =
          client
              .sendAsync(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete(
                  (response, failure) -> {
                    slots.release();
                    if (failure != null || !consistent(response.body())) {
                      mixedUp.incrementAndGet();
                    }
                  });
    }
    CompletableFuture.allOf(all).exceptionally(e -> null).join();
    return mixedUp.get();
  }

  /** "7 request=7 seen-by-stage=7": every step saw the request's own id. */
  static boolean consistent(String body) {
    String[] parts = body.split(" ");
    return parts.length == 3
        && parts[1].equals("request=" + parts[0])
        && parts[2].equals("seen-by-stage=" + parts[0]);
  }
}
