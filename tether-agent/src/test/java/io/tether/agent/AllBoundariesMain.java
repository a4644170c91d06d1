package io.tether.agent;

import io.tether.AsyncLocalStorage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Run by {@link VerifiedWeavingTest}: crosses every family of the agent's boundaries once, in a JVM
 * that verifies the JDK's own (woven) classes too, and prints what each continuation saw.
 */
public final class AllBoundariesMain {

  private AllBoundariesMain() {}

  /**
   * An application's executor: its {@code execute} gets the advice of every {@code Executor} (the
   * task replaced on entry, an exit on return and on throw), nets included, around a {@code try} of
   * its own.
   */
  static final class InlineExecutor implements Executor {
    @Override
    public void execute(Runnable task) {
      try {
        task.run();
      } catch (RuntimeException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** An application's thread: its {@code run} gets an entry and an exit on throw, nets included. */
  static final class AppThread extends Thread {
    private final String[] seen;
    private final AsyncLocalStorage<String> ctx;

    AppThread(AsyncLocalStorage<String> ctx, String[] seen) {
      this.ctx = ctx;
      this.seen = seen;
    }

    @Override
    public void run() {
      seen[0] = ctx.getStore();
    }
  }

  public static void main(String[] args) throws Exception {
    AsyncLocalStorage<String> ctx = new AsyncLocalStorage<>("ctx");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    ForkJoinPool forkJoin = new ForkJoinPool(2);
    Timer timer = new Timer(true);
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, 2);
          exchange.getResponseBody().write("ok".getBytes());
          exchange.close();
        });
    server.start();
    Path file = Files.createTempFile("tether-verify", ".txt");
    try {
      ctx.run(
          "v",
          () -> {
            try {
              System.out.println("pool " + pool.submit(ctx::getStore).get());
              System.out.println(
                  "scheduled " + scheduler.schedule(ctx::getStore, 1, TimeUnit.MILLISECONDS).get());
              System.out.println(
                  "future "
                      + CompletableFuture.supplyAsync(ctx::getStore, pool)
                          .thenApply(s -> s + ctx.getStore())
                          .get());
              System.out.println("forkjoin " + forkJoin.submit(ctx::getStore).get());
              System.out.println(
                  "stream "
                      + IntStream.range(0, 1000)
                          .parallel()
                          .filter(i -> "v".equals(ctx.getStore()))
                          .count());
              CompletableFuture<String> ticked = new CompletableFuture<>();
              timer.schedule(
                  new TimerTask() {
                    @Override
                    public void run() {
                      ticked.complete(ctx.getStore());
                    }
                  },
                  1);
              System.out.println("timer " + ticked.get());
              String[] inThread = new String[1];
              Thread t = new Thread(() -> inThread[0] = ctx.getStore());
              t.start();
              t.join();
              System.out.println("thread " + inThread[0]);
              String[] inAppThread = new String[1];
              AppThread appThread = new AppThread(ctx, inAppThread);
              appThread.start();
              appThread.join();
              System.out.println("app thread " + inAppThread[0]);
              String[] executed = new String[1];
              new InlineExecutor().execute(() -> executed[0] = ctx.getStore());
              System.out.println("executor " + executed[0]);
              System.out.println(
                  "http "
                      + HttpClient.newHttpClient()
                          .sendAsync(
                              HttpRequest.newBuilder(
                                      URI.create(
                                          "http://127.0.0.1:"
                                              + server.getAddress().getPort()
                                              + "/"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString())
                          .thenApply(r -> r.body() + ctx.getStore())
                          .get());
              CompletableFuture<String> written = new CompletableFuture<>();
              AsynchronousFileChannel channel =
                  AsynchronousFileChannel.open(file, StandardOpenOption.WRITE);
              channel.write(
                  ByteBuffer.wrap("x".getBytes()),
                  0,
                  null,
                  new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer result, Void attachment) {
                      written.complete(ctx.getStore());
                    }

                    @Override
                    public void failed(Throwable exc, Void attachment) {
                      written.completeExceptionally(exc);
                    }
                  });
              System.out.println("nio " + written.get());
              channel.close();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    } finally {
      server.stop(0);
      timer.cancel();
      pool.shutdown();
      scheduler.shutdown();
      forkJoin.shutdown();
      Files.deleteIfExists(file);
    }
  }
}
