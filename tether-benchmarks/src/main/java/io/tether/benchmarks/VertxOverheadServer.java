package io.tether.benchmarks;

import io.tether.AsyncLocalStorage;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link HttpOverheadServer}'s request in the shape a Vert.x 5 service has: an HTTP server on two
 * event loops (two instances of one verticle sharing the port), each request hops to Vert.x's
 * worker pool through {@code executeBlocking}, a {@code map} stage writes a log line with the
 * request id, and the response is ended from {@code onComplete}. Plain Vert.x code: under Tether's
 * agent the request's context follows the hop and the handlers with no wrapping (the declarations
 * of {@code vertx.links} and {@code netty.links}).
 *
 * <p>Modes (the first argument): {@code none} (the request id travels as a variable: no tracking)
 * and {@code als} (the handler runs in {@code AsyncLocalStorage.run(id, ...)} and the stage reads
 * the id from the storage; the runner starts it with the agent). {@code GET /stats} answers {@code
 * requests=N mismatches=N} (a mismatch is a stage that saw another request's id, or none).
 *
 * <p>Usage: {@code VertxOverheadServer MODE PORT}.
 */
public final class VertxOverheadServer {

  static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  private final boolean tracked;
  private final AtomicInteger ids = new AtomicInteger();
  private final LongAdder mismatches = new LongAdder();
  private final PrintStream log =
      new PrintStream(
          new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 512),
          true,
          StandardCharsets.UTF_8);

  private VertxOverheadServer(boolean tracked) {
    this.tracked = tracked;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !List.of("none", "als").contains(args[0])) {
      throw new IllegalArgumentException(
          "usage: VertxOverheadServer MODE PORT, MODE one of none, als; was "
              + String.join(" ", args));
    }
    int port = Integer.parseInt(args[1]);
    new VertxOverheadServer(args[0].equals("als")).start(port, args[0]);
  }

  private void start(int port, String mode) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4));
    vertx
        .deployVerticle(() -> new Endpoint(port), new DeploymentOptions().setInstances(2))
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    System.err.println("listening on 127.0.0.1:" + port + " mode " + mode + " (Vert.x)");
  }

  /** One event loop's HTTP server; Vert.x spreads the port's connections over the instances. */
  private final class Endpoint extends AbstractVerticle {
    private final int port;

    Endpoint(int port) {
      this.port = port;
    }

    @Override
    public void start() {
      vertx
          .createHttpServer()
          .requestHandler(this::handle)
          .listen(port, "127.0.0.1")
          .onFailure(failure -> failure.printStackTrace());
    }

    private void handle(HttpServerRequest request) {
      switch (request.path()) {
        case "/stats" -> request.response().end(stats());
        default -> {
          int id = ids.incrementAndGet();
          if (tracked) {
            REQUEST_ID.run(id, () -> serve(request.response(), id));
          } else {
            serve(request.response(), id);
          }
        }
      }
    }

    private void serve(HttpServerResponse response, int id) {
      Future<String> value = vertx.executeBlocking(() -> HttpOverheadServer.lookUp(id), false);
      value
          .map(
              body -> {
                // A stage that sees no id (the context lost) counts as well as one that sees
                // another.
                Integer stored = tracked ? REQUEST_ID.getStore() : null;
                int seen = !tracked ? id : stored == null ? -1 : stored;
                if (seen != id) {
                  mismatches.increment();
                }
                log.println("request " + seen + " served: " + body);
                return body;
              })
          .onComplete(
              result -> {
                String body = result.succeeded() ? result.result() : result.cause().toString();
                response.putHeader("Content-Type", "text/plain").end(body);
              });
    }
  }

  private String stats() {
    return String.format(
        Locale.ROOT, "requests=%d mismatches=%d live=0%n", ids.get(), mismatches.sum());
  }
}
