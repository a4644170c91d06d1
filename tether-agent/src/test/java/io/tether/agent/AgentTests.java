package io.tether.agent;

import io.tether.AsyncLocalStorage;
import java.util.ArrayList;
import java.util.List;

/** What the boundary tests share: the storage they propagate, and the unwrapping of pool tasks. */
final class AgentTests {

  static final AsyncLocalStorage<String> REQUEST = new AsyncLocalStorage<>("request");

  private AgentTests() {}

  /**
   * The application's task behind a task that a pool hands out (its queue, {@code shutdownNow}, a
   * rejection handler). Tether keeps the application's own task objects; TransmittableThreadLocal's
   * agent, when it is the peer agent of the run, wraps every task in a {@code TtlRunnable} of its
   * own, and only that wrapper is taken off here (a wrapper of Tether's would remain and fail).
   */
  static Runnable applicationTask(Runnable task) {
    return PeerAgentTest.TTL ? com.alibaba.ttl.TtlUnwrap.unwrap(task) : task;
  }

  static List<Runnable> applicationTasks(java.util.Collection<Runnable> tasks) {
    List<Runnable> out = new ArrayList<>();
    for (Runnable task : tasks) {
      out.add(applicationTask(task));
    }
    return out;
  }
}
