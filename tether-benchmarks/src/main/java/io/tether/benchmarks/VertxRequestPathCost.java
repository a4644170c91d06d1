package io.tether.benchmarks;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link VertxOverheadServer}'s request path without the network, as {@link RequestPathCost} is the
 * JDK server's: each request arrives on one of two event loop contexts ({@code runOnContext}, where
 * the HTTP server would deliver it), hops to Vert.x's worker pool with {@code executeBlocking}, a
 * {@code map} stage reads the request id, and {@code onComplete} ends the request; 64 in flight. It
 * reports the process's CPU time per request, which resolves what the agent's library declarations
 * add to a Vert.x request to a fraction of a microsecond.
 *
 * <p>Usage: {@code VertxRequestPathCost MODE [REQUESTS [ROUNDS]]}, MODE {@code none}, {@code als}
 * (the request runs in {@code AsyncLocalStorage.run} and the stage reads the storage) or {@code
 * hooks} (as {@code none}, with a no-op hook of all five callbacks); 1,000,000 requests a round, 5
 * rounds, the first a warm-up. Prints CPU ns per request for each measured round and their median.
 */
public final class VertxRequestPathCost implements RequestPath {

  private final boolean tracked;
  private final Runnable done;
  private final Vertx vertx =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(4));
  private final Context[] loops = {vertx.getOrCreateContext(), vertx.getOrCreateContext()};
  private final LongAdder mismatches = new LongAdder();

  private VertxRequestPathCost(String mode, Runnable done) {
    this.tracked = !mode.equals("none") && !mode.equals("hooks");
    this.done = done;
  }

  public static void main(String[] args) throws Exception {
    RequestPathCost.measure("VertxRequestPathCost", args, VertxRequestPathCost::new);
  }

  @Override
  public void start(int id) {
    loops[id & 1].runOnContext(v -> handle(id));
  }

  @Override
  public long mismatches() {
    return mismatches.sum();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void handle(int id) {
    if (tracked) {
      VertxOverheadServer.REQUEST_ID.run(id, () -> serve(id));
    } else {
      serve(id);
    }
  }

  private void serve(int id) {
    vertx
        .executeBlocking(() -> HttpOverheadServer.lookUp(id), false)
        .map(
            value -> {
              // A stage that sees no id (the context lost) counts as well as one that sees another.
              Integer stored = tracked ? VertxOverheadServer.REQUEST_ID.getStore() : null;
              int seen = !tracked ? id : stored == null ? -1 : stored;
              if (seen != id) {
                mismatches.increment();
              }
              return value;
            })
        .onComplete(result -> done.run());
  }
}
