package io.tether.agent;

import java.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link VerifiedWeavingTest} in a JVM without {@code -javaagent}: the JDK classes the agent
 * instruments are loaded and used first, then the agent is installed, so that they are
 * retransformed. HotSpot keeps no stack map frames of the JDK classes it does not verify, so they
 * reach the weaver without any (and are not verified after): then the work of {@link
 * AllBoundariesMain} crosses every family of boundaries.
 */
public final class LateInstallMain {

  private LateInstallMain() {}

  public static void main(String[] args) throws Exception {
    CompletableFuture<String> done = CompletableFuture.completedFuture("x");
    done.thenApply(s -> s).thenCompose(CompletableFuture::completedFuture).get();
    CompletableFuture.supplyAsync(() -> "y").thenAccept(s -> {}).get(10, TimeUnit.SECONDS);
    ExecutorService pool = Executors.newSingleThreadScheduledExecutor();
    pool.submit(() -> {}).get(10, TimeUnit.SECONDS);
    pool.shutdown();
    ForkJoinPool forkJoin = new ForkJoinPool(1);
    forkJoin.submit(() -> {}).get(10, TimeUnit.SECONDS);
    forkJoin.shutdown();
    new Timer(true).cancel();
    Thread thread = new Thread(() -> {});
    thread.start();
    thread.join();
    TetherAgent.install("asyncStackTraces=true");
    AllBoundariesMain.main(args);
  }
}
