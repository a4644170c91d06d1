package io.tether.agent;

import io.tether.AsyncLocalStorage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Run by {@link AgentInstallTest} in a JVM of its own, without {@code -javaagent}: installs the
 * agent first thing, then shows that an unwrapped pool carries context.
 */
public final class InstallMain {

  private InstallMain() {}

  public static void main(String[] args) throws Exception {
    TetherAgent.install(args.length > 0 ? args[0] : "");
    AsyncLocalStorage<String> request = new AsyncLocalStorage<>("request");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      String seen =
          request.call("installed at run time", () -> pool.submit(request::getStore).get());
      System.out.println("task saw: " + seen);
      System.out.println("installed: " + TetherAgent.isInstalled());
    } finally {
      pool.shutdown();
    }
  }
}
