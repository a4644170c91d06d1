package io.tether.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tether.AsyncHook;
import io.tether.AsyncHookCallbacks;
import io.tether.AsyncHooks;
import io.tether.AsyncLocalStorage;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server of the seeds' HTTP overhead experiment, in the shape real handlers have: the JDK's
 * {@link HttpServer} on 127.0.0.1 with a fixed handler pool; each request hops to a worker pool
 * through {@link CompletableFuture#supplyAsync}, a dependent stage writes a log line with the
 * request id, and the response is sent when the stage completes. Plain JDK code: under Tether's
 * agent the request's context follows the hop with no wrapping.
 *
 * <p>Modes (the first argument): {@code none} (the request id travels as a variable: no tracking),
 * {@code als} (the handler runs in {@code AsyncLocalStorage.run(id, ...)} and the stage reads the
 * id from the storage), {@code hooks} (as {@code none}, with an async hook whose five callbacks do
 * nothing enabled), {@code trace} (as {@code als}; the runner starts it with the agent's trace
 * recorder on) and {@code soak} (as {@code als}, plus a hook with every callback, which counts
 * resources initialised and destroyed and the other events, for the soak command).
 *
 * <p>{@code GET /stats} answers {@code requests=N mismatches=N live=N} (a mismatch is a stage that
 * saw another request's id; {@code live} is resources initialised minus destroyed, in {@code soak}
 * mode). {@code GET /gc} collects garbage and answers the heap used after it, in bytes, then {@code
 * live=N}. Log lines go to standard output (the runner sends it to {@code /dev/null}; the write is
 * real, one {@code write(2)} a line, as Node's {@code console.log} to a file is).
 *
 * <p>Usage: {@code HttpOverheadServer MODE PORT}.
 */
public final class HttpOverheadServer {

  static final AsyncLocalStorage<Integer> REQUEST_ID = new AsyncLocalStorage<>("requestId");

  private final String mode;
  private final boolean tracked;
  private final ExecutorService workers = Executors.newFixedThreadPool(4);
  private final AtomicInteger ids = new AtomicInteger();
  private final LongAdder mismatches = new LongAdder();
  private final LongAdder inits = new LongAdder();
  private final LongAdder destroys = new LongAdder();
  private final LongAdder otherEvents = new LongAdder();
  private final PrintStream log =
      new PrintStream(
          new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 512),
          true,
          StandardCharsets.UTF_8);

  private HttpOverheadServer(String mode) {
    this.mode = mode;
    this.tracked = !mode.equals("none") && !mode.equals("hooks");
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "usage: HttpOverheadServer MODE PORT, MODE one of none,"
              + " als, hooks, trace, soak; was "
              + String.join(" ", args));
    }
    String mode = args[0];
    if (!java.util.List.of("none", "als", "hooks", "trace", "soak").contains(mode)) {
      throw new IllegalArgumentException(
          "unknown mode '" + mode + "'; accepted: none, als, hooks, trace, soak");
    }
    int port = Integer.parseInt(args[1]);
    new HttpOverheadServer(mode).start(port);
  }

  private void start(int port) throws IOException {
    if (mode.equals("hooks")) {
      Harness.enableNoopHook();
    } else if (mode.equals("soak")) {
      countingHook().enable();
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", this::handle);
    server.createContext("/stats", exchange -> respond(exchange, stats()));
    server.createContext(
        "/gc",
        exchange -> respond(exchange, heapAfterGc() + " live=" + (inits.sum() - destroys.sum())));
    server.start();
    System.err.println("listening on 127.0.0.1:" + port + " mode " + mode);
  }

  private void handle(HttpExchange exchange) {
    int id = ids.incrementAndGet();
    if (tracked) {
      REQUEST_ID.run(id, () -> serve(exchange, id));
    } else {
      serve(exchange, id);
    }
  }

  private void serve(HttpExchange exchange, int id) {
    CompletableFuture.supplyAsync(() -> lookUp(id), workers)
        .thenApply(
            value -> {
              // A stage that sees no id (the context lost) counts as well as one that sees another.
              Integer stored = tracked ? REQUEST_ID.getStore() : null;
              int seen = !tracked ? id : stored == null ? -1 : stored;
              if (seen != id) {
                mismatches.increment();
              }
              log.println("request " + seen + " served: " + value);
              return value;
            })
        .whenComplete(
            (body, failure) -> respond(exchange, failure == null ? body : failure.toString()));
  }

  /** What the worker does for a request: a little work whose result depends on the id. */
  static String lookUp(int id) {
    return "user-" + Integer.toHexString(id * 0x9E3779B9) + "\n";
  }

  private String stats() {
    return String.format(
        Locale.ROOT,
        "requests=%d mismatches=%d live=%d events=%d%n",
        ids.get(),
        mismatches.sum(),
        inits.sum() - destroys.sum(),
        inits.sum() + destroys.sum() + otherEvents.sum());
  }

  static long heapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void respond(HttpExchange exchange, String body) {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
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

  private AsyncHook countingHook() {
    return AsyncHooks.createHook(
        new AsyncHookCallbacks() {
          @Override
          public void init(long asyncId, String type, long triggerAsyncId, Object resource) {
            inits.increment();
          }

          @Override
          public void before(long asyncId) {
            otherEvents.increment();
          }

          @Override
          public void after(long asyncId) {
            otherEvents.increment();
          }

          @Override
          public void promiseResolve(long asyncId) {
            otherEvents.increment();
          }

          @Override
          public void destroy(long asyncId) {
            destroys.increment();
          }
        });
  }
}
