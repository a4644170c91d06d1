package io.tether.agent;

import io.tether.AsyncLocalStorage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link AgentStartupTest} in a JVM of its own with the agent attached: the first pool the
 * program touches is its own subclass of {@code ScheduledThreadPoolExecutor}, so the JDK pool
 * classes load while the agent matches that subclass. They must be instrumented all the same.
 */
public final class FirstLoadMain {

  private FirstLoadMain() {}

  /** An application pool two levels below {@code ThreadPoolExecutor}. */
  static final class AppPool extends ScheduledThreadPoolExecutor {
    AppPool() {
      super(1);
    }
  }

  public static void main(String[] args) throws Exception {
    AppPool pool = new AppPool();
    AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
    try {
      System.out.println(
          "pool class loaded: " + (ThreadPoolExecutor.class.getClassLoader() == null));
      String executed =
          request.call("executed", () -> pool.submit(request::getStore).get(10, TimeUnit.SECONDS));
      String scheduled =
          request.call(
              "scheduled",
              () ->
                  pool.schedule(request::getStore, 1, TimeUnit.MILLISECONDS)
                      .get(10, TimeUnit.SECONDS));
      System.out.println("task saw: " + executed + ", " + scheduled);
    } finally {
      pool.shutdown();
    }
  }
}
