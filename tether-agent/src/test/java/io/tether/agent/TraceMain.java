package io.tether.agent;

import io.tether.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Run by {@link TraceOptionTest} with {@code -javaagent:tether-agent.jar=trace=FILE}: plain JDK
 * async work, then it ends as its argument says: {@code return} (normal exit), {@code exit} ({@code
 * System.exit(3)}), or {@code wait} (prints "waiting" and blocks until it is killed).
 */
public final class TraceMain {

  private TraceMain() {}

  public static void main(String[] args) throws Exception {
    AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    String seen =
        request.call(
            "traced",
            () ->
                CompletableFuture.supplyAsync(request::getStore, pool)
                    .thenApplyAsync(v -> v + "!", pool)
                    .get());
    String submitted = request.call("submitted", () -> pool.submit(request::getStore).get());
    System.out.println("seen " + seen + " " + submitted);
    pool.shutdown();
    switch (args[0]) {
      case "exit":
        System.exit(3);
        break;
      case "wait":
        System.out.println("waiting");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        break;
      default:
        break;
    }
  }
}
