package io.tether.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link CallSiteTraceTest} with {@code -javaagent:tether-agent.jar=trace=FILE}: links one
 * resource of each kind from a line it names, printing {@code KIND LINE} for each (the line of the
 * call, the one after the {@code line()} that computes it), then {@code walks N}: how many inits
 * took their call site from a walk of the stack.
 */
public final class CallSitesMain {

  private CallSitesMain() {}

  private static final List<String> lines = new ArrayList<>();

  /** The line this is called from. */
  private static int line() {
    return StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber();
  }

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch done = new CountDownLatch(4);
    int at = line() + 1;
    pool.execute(done::countDown);
    lines.add("execute " + at);
    at = line() + 1;
    CompletableFuture<String> supplied = CompletableFuture.supplyAsync(() -> "x", pool);
    lines.add("supplyAsync " + at);
    at = line() + 1;
    CompletableFuture<String> applied = supplied.thenApply(v -> v + "!");
    lines.add("thenApply " + at);
    at = line() + 1;
    timers.schedule(done::countDown, 1, TimeUnit.MILLISECONDS);
    lines.add("schedule " + at);
    Thread thread = new Thread(done::countDown);
    at = line() + 1;
    thread.start();
    lines.add("start " + at);
    // An executor of the application's that runs the task inline: the task's own call is its site.
    Executor inline = Runnable::run;
    inline.execute(
        () -> {
          int inner = line() + 1;
          pool.execute(done::countDown);
          lines.add("inner " + inner);
        });
    applied.join();
    done.await();
    thread.join();
    pool.shutdown();
    timers.shutdown();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    timers.awaitTermination(10, TimeUnit.SECONDS);
    lines.forEach(System.out::println);
    System.out.println(
        "walks "
            + Class.forName("io.tether.agent.shaded.recorder.TraceRecorder")
                .getMethod("stackWalks")
                .invoke(null));
  }
}
