package io.tether.app;

import io.tether.AsyncExecutors;
import io.tether.AsyncLocalStorage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@code DiagnosticsTest} in a JVM of its own, without the agent: plain pools read a storage
 * set by their submitter (three reports expected under {@code -Dtether.diagnostics=true}: one per
 * reading line, however often it runs), then reads that must not be reported. Outside Tether's
 * packages, as an application is, so that its lines are the call sites.
 */
public final class PlainPoolsMain {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");
  static final AsyncLocalStorage<String> NEVER_SET = new AsyncLocalStorage<>("neverSet");

  private PlainPoolsMain() {}

  public static void main(String[] args) throws Exception {
    ExecutorService plain = Executors.newFixedThreadPool(1);
    ExecutorService wrapped = AsyncExecutors.wrap(Executors.newFixedThreadPool(1));
    ForkJoinPool forkJoin = new ForkJoinPool(1);
    try {
      REQUEST.run(
          "r-1",
          () -> {
            for (int i = 0; i < 3; i++) {
              get(plain.submit(PlainPoolsMain::readInPlainPool));
            }
            get(plain.submit(PlainPoolsMain::readElsewhereInPlainPool));
            get(CompletableFuture.supplyAsync(PlainPoolsMain::readInForkJoinPool, forkJoin));
            get(plain.submit(NEVER_SET::getStore)); // never set anywhere: nothing to miss
          });
      // Tasks that Tether runs, linked where no storage had a value: nothing missed either.
      get(wrapped.submit(PlainPoolsMain::readInWrappedPool));
      get(plain.submit(AsyncLocalStorage.bind(PlainPoolsMain::readInBoundTask)));
      System.out.println("read on main: " + REQUEST.getStore()); // not an executor's thread
    } finally {
      plain.shutdown();
      wrapped.shutdown();
      forkJoin.shutdown();
    }
    System.out.println("done");
  }

  private static String readInPlainPool() {
    return REQUEST.getStore();
  }

  private static String readElsewhereInPlainPool() {
    return REQUEST.getStore();
  }

  private static String readInForkJoinPool() {
    return REQUEST.getStore();
  }

  private static String readInWrappedPool() {
    return REQUEST.getStore();
  }

  private static String readInBoundTask() {
    return REQUEST.getStore();
  }

  private static <T> T get(java.util.concurrent.Future<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
